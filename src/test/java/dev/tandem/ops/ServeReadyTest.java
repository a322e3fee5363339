package dev.tandem.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.sandbox.SandboxSmtpServer;
import dev.tandem.sandbox.SmscSimulator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@code tandem serve} as an operator runs it, in its own process: it says "ready" only once {@code
 * /health/ready} would, and until then what it waits for.
 */
class ServeReadyTest {

  static int freePort() throws Exception {
    try (var socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void ready_is_printed_only_once_the_smsc_answers_and_until_then_what_it_waits_for()
      throws Exception {
    Path data = Files.createTempDirectory("tandem-serve-");
    int smscPort = freePort();
    var output = new CopyOnWriteArrayList<String>();
    try (var smtp = SandboxSmtpServer.start(0, Clock.systemUTC())) {
      var command =
          new ProcessBuilder(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-cp",
              System.getProperty("java.class.path"),
              "dev.tandem.Main",
              "serve",
              "--data",
              data.toString(),
              "--port",
              Integer.toString(freePort()));
      var env = command.environment();
      env.put("TANDEM_SANDBOX_MODE", "off");
      env.put("TANDEM_SMTP_HOST", "127.0.0.1");
      env.put("TANDEM_SMTP_PORT", Integer.toString(smtp.port()));
      env.put("TANDEM_SMTP_START_TLS", "off");
      env.put("TANDEM_SMPP_HOST", "127.0.0.1");
      env.put("TANDEM_SMPP_PORT", Integer.toString(smscPort)); // nothing listens there yet
      env.put("TANDEM_HTTP_PUBLIC_URL", "https://tandem.example.org");
      command.redirectErrorStream(true);
      Process serve = command.start();
      Thread.ofVirtual()
          .start(() -> {
            try (var lines =
                new BufferedReader(
                    new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))) {
              lines.lines().forEach(output::add);
            } catch (Exception e) {
              // the process ended
            }
          });
      try {
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> output.stream().anyMatch(l -> l.contains("not ready yet")));
        assertThat(output).noneMatch(l -> l.contains("is ready at"));
        assertThat(output)
            .anyMatch(l -> l.contains("not ready yet") && l.contains("sms: SMPP not bound"));
        assertThat(output).anyMatch(l -> l.contains("INFO") && l.contains("Tandem started"));

        try (var smsc =
            SmscSimulator.start(smscPort, Clock.systemUTC(), Duration.ZERO, "DELIVRD")) {
          await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> output.stream().anyMatch(l -> l.contains("Tandem is ready at")));
          assertThat(output).anyMatch(l -> l.contains("bound to SMSC 127.0.0.1:" + smscPort));
        }
      } finally {
        serve.destroy();
        if (!serve.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
          serve.destroyForcibly().waitFor();
        }
      }
    }
    assertThat(output).noneMatch(l -> l.contains("Exception"));
  }
}
