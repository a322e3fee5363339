package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tandem.config.ConfigException;
import dev.tandem.config.ConfigLoader;
import dev.tandem.support.FakeTwilio;
import dev.tandem.support.TestApp;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Links in people's messages point at http.publicUrl: a real provider needs it set. */
class PublicUrlTest {
  @TempDir Path dir;

  private static final Map<String, String> TWILIO =
      Map.of(
          "sms.provider", "twilio",
          "twilio.baseUrl", "https://sms.provider.example",
          "twilio.accountSid", FakeTwilio.SID,
          "twilio.authToken", FakeTwilio.TOKEN,
          "twilio.from", "+14155550000");

  /** What App.start threw, or null when it started (then it is closed again). */
  private Throwable startFailure(Map<String, String> overrides) {
    var all = new java.util.HashMap<>(overrides);
    all.put("dataDir", dir.toString());
    all.put("http.port", "0");
    try {
      App.start(
              ConfigLoader.load(null, Map.of(), all),
              new App.Options(java.time.Clock.systemUTC(), false, 0, java.util.Optional.empty()))
          .close();
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }

  @Test
  void start_up_with_a_real_relay_and_no_public_url_stops_with_the_fix() {
    Throwable failure =
        startFailure(
            Map.of(
                "sandbox.mode",
                "off",
                "smtp.host",
                "relay.internal",
                "smpp.host",
                "smsc.internal"));
    assertThat(failure)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.publicUrl is not set")
        .hasMessageContaining("unsubscribe")
        .hasMessageContaining("http://127.0.0.1:")
        .hasMessageContaining("Fix: set http.publicUrl to the public https URL of this server");
    assertThat(startFailure(TWILIO)).hasMessageContaining("http.publicUrl is not set");
  }

  @Test
  void the_sandbox_needs_none() {
    assertThat(startFailure(Map.of("sandbox.mode", "on"))).isNull();
  }

  @Test
  void a_public_url_that_is_no_url_is_refused() {
    var config = new java.util.HashMap<>(TWILIO);
    config.put("http.publicUrl", "tandem.example.org");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), config))
        .hasMessageContaining("http.publicUrl")
        .hasMessageContaining("'tandem.example.org'")
        .hasMessageContaining("https://");
  }

  @Test
  void a_public_url_without_https_is_a_warning_in_the_log() throws Exception {
    var captured = new ListAppender<ILoggingEvent>();
    captured.start();
    var root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(captured);
    try (var provider = new FakeTwilio()) {
      var config = new java.util.HashMap<>(TWILIO);
      config.put("twilio.baseUrl", provider.baseUrl());
      config.put("http.publicUrl", "http://tandem.example.org");
      try (TestApp tandem = TestApp.start(config)) {
        assertThat(tandem.app.publicUrl()).isEqualTo("http://tandem.example.org");
      }
    } finally {
      root.detachAppender(captured);
    }
    assertThat(captured.list)
        .anySatisfy(event ->
            assertThat(event.getFormattedMessage())
                .contains("http.publicUrl http://tandem.example.org is not https")
                .contains("one-click"));
  }
}
