package dev.tandem.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.App;
import dev.tandem.support.TestApp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What an operator reads: /metrics in the Prometheus text format, and the log. */
class ObservabilityTest {

  static String metrics(TestApp tandem) {
    return tandem.call("GET", "/metrics", null, null).body().get("text").asText();
  }

  /** The value of the one series whose name and labels start as given. */
  static double value(String metrics, String series) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(series) + "[^\\n]* ([0-9.eE+-]+)$")
            .matcher(metrics);
    assertThat(m.find()).as("no series " + series + " in\n" + metrics).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void metrics_exist_from_the_start_and_follow_requests_the_queue_and_deliveries() {
    try (var tandem = TestApp.start()) {
      String fresh = metrics(tandem);
      // registered at start, at zero, with their help text
      assertThat(fresh)
          .contains("# HELP tandem_deliveries_total Deliveries that reached an outcome")
          .contains("# HELP tandem_messages_accepted_total Deliveries accepted")
          .contains(
              "tandem_deliveries_total{channel=\"sms\",status=\"delivered\",topic=\"account\"} 0.0")
          .contains(
              "tandem_inbound_total{channel=\"email\",kind=\"hard_bounce\",source=\"smtp\"} 0.0")
          .contains("tandem_webhook_deliveries_total{outcome=\"given_up\"} 0.0")
          .contains("tandem_queue_deliveries{channel=\"sms\",status=\"queued\"} 0.0")
          .contains("jvm_memory_used_bytes")
          .contains("jvm_threads_live_threads")
          .contains("process_cpu_usage")
          .contains("process_uptime_seconds")
          .contains("tandem_smpp_sessions_bound 1.0")
          .contains("tandem_smpp_window_size")
          .contains("tandem_smtp_pool_size")
          .contains("tandem_sms_ready 1.0");

      String id = tandem.sendSms(TestApp.uniquePhone(), "Your code is 1234");
      tandem.clock.advance(Duration.ofSeconds(90));
      String queued = metrics(tandem);
      assertThat(value(queued, "tandem_queue_deliveries{channel=\"sms\",status=\"queued\"}"))
          .isEqualTo(1.0);
      assertThat(value(queued, "tandem_queue_due{channel=\"sms\"}")).isEqualTo(1.0);
      assertThat(value(queued, "tandem_queue_oldest_due_seconds{channel=\"sms\"}"))
          .isGreaterThanOrEqualTo(90.0);
      assertThat(queued)
          .containsPattern(
              "(?m)tandem_http_server_requests_seconds_count\\{method=\"POST\",route=\"/v1/messages\",status=\"202\"\\} 1$")
          .contains(
              "tandem_http_server_requests_seconds_bucket{method=\"POST\",route=\"/v1/messages\",status=\"202\",le=\"0.005\"}");

      tandem.app.dispatcher.runOnce();
      tandem.awaitStatus(id, "sms", "delivered");
      tandem.clock.advance(Duration.ofSeconds(10)); // past the queue snapshot's reuse
      String after = metrics(tandem);
      assertThat(value(after, "tandem_queue_deliveries{channel=\"sms\",status=\"queued\"}"))
          .isZero();
      assertThat(
              value(
                  after,
                  "tandem_deliveries_total{channel=\"sms\",status=\"delivered\",topic=\"account\"}"))
          .isEqualTo(1.0);
      assertThat(
              value(
                  after,
                  "tandem_delivery_dispatch_latency_seconds_count{channel=\"sms\",status=\"sent\"}"))
          .isEqualTo(1.0);
      // accepted at 10:00:00, sent 90 s later by the clock: in the 100 s bucket, not the 60 s one
      assertThat(
              value(
                  after,
                  "tandem_delivery_dispatch_latency_seconds_bucket{channel=\"sms\",status=\"sent\",le=\"60.0\"}"))
          .isZero();
      assertThat(
              value(
                  after,
                  "tandem_delivery_dispatch_latency_seconds_bucket{channel=\"sms\",status=\"sent\",le=\"300.0\"}"))
          .isEqualTo(1.0);
      assertThat(
              value(
                  after,
                  "tandem_delivery_receipt_latency_seconds_count{channel=\"sms\",status=\"delivered\"}"))
          .isEqualTo(1.0);
    }
  }

  @Test
  void imports_are_counted_by_outcome_and_their_rows_by_result() {
    try (var tandem = TestApp.start()) {
      String csv = "phone,name\n+14155550101,Ada\n+14155550102,Grace\nnot a number,Nobody\n";
      assertThat(tandem.call("POST", "/v1/imports", csv).status()).isEqualTo(200);
      assertThat(tandem.call("POST", "/v1/imports?dryRun=true", csv).status()).isEqualTo(200);
      assertThat(tandem.call("POST", "/v1/imports", "\"unclosed,quote\n").status()).isEqualTo(422);
      String metrics = metrics(tandem);
      assertThat(value(metrics, "tandem_imports_total{outcome=\"done\"}")).isEqualTo(1.0);
      assertThat(value(metrics, "tandem_imports_total{outcome=\"dry_run\"}")).isEqualTo(1.0);
      assertThat(value(metrics, "tandem_imports_total{outcome=\"refused\"}")).isEqualTo(1.0);
      assertThat(value(metrics, "tandem_import_rows_total{result=\"created\"}")).isEqualTo(2.0);
      assertThat(value(metrics, "tandem_import_rows_total{result=\"rejected\"}")).isEqualTo(1.0);
    }
  }

  @Test
  void a_path_no_route_matches_is_counted_as_unmatched_never_by_its_path() {
    try (var tandem = TestApp.start()) {
      for (int i = 0; i < 3; i++) {
        tandem.call("GET", "/no/such/path/" + i, null, null);
      }
      String metrics = metrics(tandem);
      assertThat(metrics).doesNotContain("/no/such/path");
      assertThat(
              value(
                  metrics,
                  "tandem_http_server_requests_seconds_count{method=\"GET\",route=\"unmatched\",status=\"404\"}"))
          .isEqualTo(3.0);
      // a route with an id is counted by its pattern
      tandem.call("GET", "/v1/messages/01900000-0000-7000-8000-000000000000", null);
      assertThat(metrics(tandem)).contains("route=\"/v1/messages/{id}\",status=\"404\"");
    }
  }

  @Test
  void the_start_is_one_line_that_names_the_providers_and_no_secret() {
    Logger logger = (Logger) LoggerFactory.getLogger(App.class);
    var appender = new ListAppender<ILoggingEvent>();
    appender.start();
    logger.addAppender(appender);
    try (var tandem =
        TestApp.start(Map.of("smtp.password", "hunter2-secret", "smtp.username", "shop"))) {
      List<String> lines =
          appender.list.stream()
              .filter(e -> e.getLevel() == Level.INFO)
              .map(ILoggingEvent::getFormattedMessage)
              .filter(m -> m.startsWith("Tandem started"))
              .toList();
      assertThat(lines)
          .singleElement()
          .satisfies(line -> {
            assertThat(line)
                .contains("API on " + tandem.app.url())
                .contains("SMS via SMPP 127.0.0.1:")
                .contains("email via SMTP 127.0.0.1:")
                .contains("sandbox on")
                .doesNotContain("hunter2");
          });
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void a_json_log_line_is_one_object_with_the_fields_escaped() throws Exception {
    var event = new LoggingEvent();
    event.setLevel(Level.WARN);
    event.setLoggerName("dev.tandem.email.smtp.SmtpGateway");
    event.setThreadName("dispatch-1");
    event.setMessage("relay said \"no\"\n\tthen \\ closed \u0001");
    event.setTimeStamp(1_780_000_000_123L);
    event.setThrowableProxy(
        new ch.qos.logback.classic.spi.ThrowableProxy(new IllegalStateException("boom")));

    String line = new JsonLogLayout().doLayout(event);

    assertThat(line).endsWith("}\n");
    assertThat(line.strip()).doesNotContain("\n");
    JsonNode json = new ObjectMapper().readTree(line);
    assertThat(json.get("time").asText()).isEqualTo("2026-05-28T20:26:40.123Z");
    assertThat(json.get("level").asText()).isEqualTo("WARN");
    assertThat(json.get("logger").asText()).isEqualTo("dev.tandem.email.smtp.SmtpGateway");
    assertThat(json.get("message").asText())
        .isEqualTo("relay said \"no\"\n\tthen \\ closed \u0001");
    assertThat(json.get("error").asText()).contains("IllegalStateException: boom");
  }
}
