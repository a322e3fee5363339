package dev.tandem.email;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sandbox.SandboxSmtpServer;
import dev.tandem.sandbox.SmscSimulator;
import dev.tandem.support.TestApp;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** STARTTLS required, optional and off, against relays that offer or demand it. */
class StartTlsTest {
  @TempDir static Path keys;
  static SSLContext serverTls;

  SmscSimulator smsc;
  TestApp tandem;

  @BeforeAll
  static void certificate() throws Exception {
    serverTls = dev.tandem.support.TestTls.serverContext(keys);
  }

  @AfterEach
  void stop() {
    if (tandem != null) {
      tandem.close();
    }
    if (smsc != null) {
      smsc.close();
    }
  }

  private void startTandem(int smtpPort, String startTls) {
    smsc = SmscSimulator.start(0, Clock.systemUTC(), Duration.ZERO, "DELIVRD");
    var config =
        new HashMap<String, String>(
            Map.of(
                "sandbox.mode",
                "off",
                "smtp.host",
                "127.0.0.1",
                "smtp.port",
                Integer.toString(smtpPort),
                "smtp.startTls",
                startTls,
                "smtp.sslTrust",
                "127.0.0.1",
                "smpp.host",
                "127.0.0.1",
                "smpp.port",
                Integer.toString(smsc.port()),
                "http.publicUrl",
                "https://tandem.example.org"));
    tandem = TestApp.start(config);
  }

  private String send() {
    String id =
        tandem.sendEmail(TestApp.uniqueEmail(), Map.of("subject", "Over TLS", "text", "secret"));
    tandem.app.dispatcher.runOnce();
    return id;
  }

  @Test
  void required_starttls_sends_to_a_relay_that_demands_it() {
    try (var relay = SandboxSmtpServer.startWithTls(0, Clock.systemUTC(), serverTls, true)) {
      startTandem(relay.port(), "required");
      String id = send();
      assertThat(tandem.status(id, "email")).isEqualTo("sent");
      assertThat(relay.receivedCount()).isEqualTo(1);
    }
  }

  @Test
  void required_starttls_refuses_a_relay_without_it() {
    try (var relay = SandboxSmtpServer.start(0, Clock.systemUTC())) {
      startTandem(relay.port(), "required");
      String id = send();
      assertThat(tandem.status(id, "email")).isEqualTo("queued");
      assertThat(tandem.delivery(id, "email").get("lastError").asText())
          .containsIgnoringCase("STARTTLS");
      assertThat(relay.receivedCount()).isZero();
    }
  }

  @Test
  void without_starttls_a_relay_that_demands_it_refuses_the_mail() {
    try (var relay = SandboxSmtpServer.startWithTls(0, Clock.systemUTC(), serverTls, true)) {
      startTandem(relay.port(), "off");
      String id = send();
      assertThat(tandem.status(id, "email")).isEqualTo("failed");
      assertThat(tandem.delivery(id, "email").get("lastError").asText()).contains("SMTP 530");
    }
  }
}
