package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.tandem.support.TestApp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A failing run logs what failed, never the personal data or secrets it was handling (issue 9 point
 * 7): a database error during a send, and configuration errors with secrets in them.
 */
class LogPrivacyTest {

  private static String everything(List<ILoggingEvent> events) {
    var out = new StringBuilder();
    for (var event : events) {
      out.append(event.getFormattedMessage()).append('\n');
      if (event.getThrowableProxy() != null) {
        out.append(ThrowableProxyUtil.asString(event.getThrowableProxy())).append('\n');
      }
    }
    return out.toString();
  }

  @Test
  void a_constraint_violation_logs_neither_the_failing_row_nor_the_bound_values() {
    var root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    var log = new ListAppender<ILoggingEvent>();
    log.start();
    root.addAppender(log);
    try (TestApp tandem = TestApp.start()) {
      // a constraint that refuses the message: PostgreSQL's error detail repeats the failing row
      tandem
          .app
          .database
          .jdbi()
          .useHandle(h ->
              h.execute(
                  "ALTER TABLE message ADD CONSTRAINT refuse_canary CHECK (content::text NOT LIKE '%Canary%') NOT VALID"));
      String phone = TestApp.uniquePhone();
      String email = TestApp.uniqueEmail();
      var response =
          tandem.call(
              "POST",
              "/v1/messages",
              Map.of(
                  "to",
                  Map.of("phone", phone, "email", email),
                  "channels",
                  List.of("sms", "email"),
                  "sms",
                  Map.of("text", "Canary: your PIN is 90210"),
                  "email",
                  Map.of("subject", "Canary subject", "text", "Canary body")));
      assertThat(response.status()).isEqualTo(500);
      String ref = response.body().get("detail").asText().replaceAll(".*ref ([0-9a-f-]+).*", "$1");
      String logged = everything(log.list);
      assertThat(logged).as("the failure is logged with its reference").contains(ref);
      assertThat(logged).contains("refuse_canary");
      assertThat(logged)
          .doesNotContain("Canary:")
          .doesNotContain("90210")
          .doesNotContain("Canary body")
          .doesNotContain(phone)
          .doesNotContain(phone.substring(1))
          .doesNotContain(email);
    } finally {
      root.detachAppender(log);
    }
  }
}
