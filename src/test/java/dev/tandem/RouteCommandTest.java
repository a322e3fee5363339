package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.support.TestApp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code tandem route} against a running Tandem: the plan in words, nothing sent. */
class RouteCommandTest {
  record Run(int status, String out, String err) {}

  static Run run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    var outBytes = new ByteArrayOutputStream();
    var errBytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    try {
      int status = Main.run(args);
      return new Run(
          status,
          outBytes.toString(StandardCharsets.UTF_8),
          errBytes.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  static int deliveries(TestApp tandem) {
    return tandem
        .app
        .database
        .jdbi()
        .withHandle(h -> h.createQuery("SELECT count(*) FROM delivery").mapTo(Integer.class).one());
  }

  @Test
  void prints_the_plan_with_a_reason_per_channel_and_sends_nothing() {
    try (TestApp tandem = TestApp.start()) {
      String id =
          tandem
              .createContact(Map.of("phone", TestApp.uniquePhone(), "email", TestApp.uniqueEmail()))
              .get("id")
              .asText();
      int deliveries = deliveries(tandem);

      Run planned =
          run("route", "--url", tandem.app.url(), "--api-key", TestApp.API_KEY, "--contact", id);

      assertThat(planned.status()).as(planned.err()).isZero();
      assertThat(planned.out())
          .contains("now")
          .contains("email")
          .contains("fallback")
          .contains("sms");
      assertThat(deliveries(tandem)).isEqualTo(deliveries);

      Run unknown =
          run(
              "route",
              "--url",
              tandem.app.url(),
              "--api-key",
              TestApp.API_KEY,
              "--contact",
              "01a23b38-0000-7000-8000-000000000000");
      assertThat(unknown.status()).isEqualTo(1);
      assertThat(unknown.err()).contains("01a23b38-0000-7000-8000-000000000000");
    }
  }

  @Test
  void without_an_api_key_it_says_how_to_get_one() {
    Run run = run("route", "--url", "http://127.0.0.1:9", "--contact", "x", "--api-key", "");
    assertThat(run.status()).isEqualTo(2);
    assertThat(run.err()).contains("TANDEM_API_KEY");
  }
}
