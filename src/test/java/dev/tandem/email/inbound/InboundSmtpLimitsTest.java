package dev.tandem.email.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.support.RawSmtp;
import dev.tandem.support.TestApp;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inbound SMTP server holds up under big messages and many connections. */
class InboundSmtpLimitsTest {
  private static final int MESSAGE_BYTES = 24 * 1024 * 1024;

  @TempDir Path work;

  @Test
  void forty_concurrent_24_mb_messages_on_a_512_mb_heap_are_each_taken_or_deferred_without_oom()
      throws Exception {
    Path log = work.resolve("child.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java,
                "-Xmx512m",
                "-XX:+ExitOnOutOfMemoryError",
                "-cp",
                System.getProperty("java.class.path"),
                InboundSmtpChild.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> !child.isAlive() || Files.readString(log).contains("dataDir "));
      String started = Files.readString(log);
      assertThat(started).as("the child started").contains("dataDir ");
      int port = Integer.parseInt(value(started, "port "));
      Path dataDir = Path.of(value(started, "dataDir "));

      List<String> results = Collections.synchronizedList(new ArrayList<>());
      try (var senders = Executors.newFixedThreadPool(40)) {
        List<Future<?>> sent = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          int n = i;
          sent.add(senders.submit(() -> results.add(sendBig(port, n))));
        }
        for (Future<?> f : sent) {
          f.get(5, TimeUnit.MINUTES);
        }
      }

      assertThat(results)
          .as("each message taken (250) or deferred (4xx); child log:\n" + tail(log))
          .hasSize(40)
          .allMatch(r -> r.startsWith("250") || r.startsWith("4"))
          .anyMatch(r -> r.startsWith("250"));
      assertThat(child.isAlive()).as("the child still runs").isTrue();
      assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
      try (RawSmtp smtp = RawSmtp.connect("127.0.0.1", port, 30_000)) {
        assertThat(smtp.greeting()).isEqualTo(220);
        smtp.command("HELO after.example");
        assertThat(smtp.send("a@example.net", "reply@shop.example", small())).isEqualTo(250);
      }
      try (var spooled = Files.list(dataDir.resolve("inbound-spool"))) {
        assertThat(spooled).as("spool files are deleted after processing").isEmpty();
      }
    } finally {
      child.getOutputStream().close();
      if (!child.waitFor(60, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
    }
  }

  @Test
  void idle_connections_do_not_lock_out_a_sender_past_the_per_address_and_total_limits()
      throws Exception {
    try (TestApp tandem =
        TestApp.start(
            Map.of(
                "inbound.smtpPort", "0",
                "inbound.maxConnections", "4",
                "inbound.maxConnectionsPerAddress", "2",
                "inbound.idleTimeout", "1s"))) {
      int port = tandem.app.inboundSmtp.orElseThrow().port();
      List<RawSmtp> idle = new ArrayList<>();
      try {
        idle.add(RawSmtp.connect("127.0.0.2", port, 10_000));
        idle.add(RawSmtp.connect("127.0.0.2", port, 10_000));
        for (RawSmtp connection : idle) {
          assertThat(connection.greeting()).isEqualTo(220);
        }
        try (RawSmtp third = RawSmtp.connect("127.0.0.2", port, 10_000)) {
          assertThat(third.greeting()).as("a third connection from one address").isEqualTo(421);
        }
        idle.add(RawSmtp.connect("127.0.0.3", port, 10_000));
        idle.add(RawSmtp.connect("127.0.0.4", port, 10_000));
        assertThat(idle.get(2).greeting()).isEqualTo(220);
        assertThat(idle.get(3).greeting()).isEqualTo(220);
        try (RawSmtp fifth = RawSmtp.connect("127.0.0.1", port, 10_000)) {
          assertThat(fifth.greeting()).as("a fifth connection in all").isEqualTo(421);
        }

        await()
            .atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> deliverSmall(port) == 250);
        for (RawSmtp connection : idle) {
          assertThat(connection.nextReply())
              .as("what the server says unasked to an idle connection")
              .isEqualTo(421);
          assertThat(connection.lastReply).contains("Timeout");
        }
      } finally {
        for (RawSmtp connection : idle) {
          connection.close();
        }
      }
    }
  }

  @Test
  void a_message_over_25_mb_is_refused_with_552_and_the_session_goes_on() throws Exception {
    try (TestApp tandem = TestApp.start(Map.of("inbound.smtpPort", "0"))) {
      int port = tandem.app.inboundSmtp.orElseThrow().port();
      try (RawSmtp smtp = RawSmtp.connect("127.0.0.1", port, 60_000)) {
        smtp.greeting();
        smtp.command("HELO big.example");

        int code = smtp.send("a@example.net", "reply@shop.example", bigMessage(0, 26 << 20));

        assertThat(code).as(smtp.lastReply).isEqualTo(552);
        assertThat(smtp.send("a@example.net", "reply@shop.example", small())).isEqualTo(250);
      }
      try (var spooled = Files.list(tandem.dataDir.resolve("inbound-spool"))) {
        assertThat(spooled).isEmpty();
      }
    }
  }

  private static int deliverSmall(int port) {
    try (RawSmtp smtp = RawSmtp.connect("127.0.0.1", port, 10_000)) {
      if (smtp.greeting() != 220) {
        return 421;
      }
      smtp.command("HELO legit.example");
      return smtp.send("a@example.net", "reply@shop.example", small());
    } catch (IOException e) {
      return -1;
    }
  }

  private static InputStream small() {
    return new ByteArrayInputStream(
        "From: a@example.net\r\nTo: reply@shop.example\r\nSubject: hello\r\n\r\nHi.\r\n"
            .getBytes(StandardCharsets.US_ASCII));
  }

  /** Sends one 24 MB message from its own loopback address; the reply line, or what failed. */
  private static String sendBig(int port, int n) {
    try (RawSmtp smtp = RawSmtp.connect("127.0.0." + (2 + n), port, 300_000)) {
      int greeting = smtp.greeting();
      if (greeting != 220) {
        return smtp.lastReply;
      }
      smtp.command("EHLO sender" + n + ".example");
      smtp.send("sender" + n + "@example.net", "reply@shop.example", bigMessage(n, MESSAGE_BYTES));
      return smtp.lastReply;
    } catch (IOException e) {
      return "failed: " + e;
    }
  }

  /**
   * A text body (even n) or a base64 attachment (odd n) of about 24 MB, generated as it is read.
   */
  private static InputStream bigMessage(int n, int bytes) {
    String head =
        "From: Sender "
            + n
            + " <sender"
            + n
            + "@example.net>\r\nTo: reply@shop.example\r\nSubject: Big "
            + n
            + "\r\nMessage-ID: <big-"
            + n
            + "@example.net>\r\nMIME-Version: 1.0\r\n";
    String tail = "\r\n";
    if (n % 2 == 0) {
      head += "Content-Type: text/plain; charset=utf-8\r\n\r\nHello,\r\n";
    } else {
      head +=
          "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
              + "See attached.\r\n--b\r\nContent-Type: application/octet-stream\r\n"
              + "Content-Transfer-Encoding: base64\r\n"
              + "Content-Disposition: attachment; filename=\"big.bin\"\r\n\r\n";
      tail = "\r\n--b--\r\n";
    }
    byte[] line =
        ("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    return new SequenceInputStream(
        Collections.enumeration(
            List.of(
                new ByteArrayInputStream(head.getBytes(StandardCharsets.US_ASCII)),
                new RepeatedLine(line, bytes / line.length),
                new ByteArrayInputStream(tail.getBytes(StandardCharsets.US_ASCII)))));
  }

  /** {@code count} copies of {@code line}, without holding them. */
  private static final class RepeatedLine extends InputStream {
    private final byte[] line;
    private final long total;
    private long position;

    RepeatedLine(byte[] line, int count) {
      this.line = line;
      this.total = (long) line.length * count;
    }

    @Override
    public int read() {
      return position < total ? line[(int) (position++ % line.length)] : -1;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
      if (position >= total) {
        return -1;
      }
      int n = (int) Math.min(length, total - position);
      for (int copied = 0; copied < n; ) {
        int start = (int) (position % line.length);
        int chunk = Math.min(n - copied, line.length - start);
        System.arraycopy(line, start, buffer, offset + copied, chunk);
        copied += chunk;
        position += chunk;
      }
      return n;
    }
  }

  private static String value(String log, String prefix) {
    return log.lines()
        .filter(l -> l.startsWith(prefix))
        .findFirst()
        .orElseThrow()
        .substring(prefix.length())
        .strip();
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }
}
