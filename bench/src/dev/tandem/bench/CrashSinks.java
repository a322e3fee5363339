package dev.tandem.bench;

import com.sun.net.httpserver.HttpServer;
import dev.tandem.sandbox.SandboxSmtpServer;
import dev.tandem.sandbox.SmscSimulator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The peers of bench/crash.sh, in a process of their own so that killing Tandem does not touch
 * them: the sandbox SMSC simulator and SMTP server, each taking about {@code rate} messages a
 * second, and an HTTP endpoint listing what they received ("sms TEXT" / "email SUBJECT" lines).
 * Prints "ports SMTP SMPP HTTP" once listening. Usage: CrashSinks [rate=100]
 */
public final class CrashSinks {
  private static final int SIMULATOR_THREADS = 8; // SmscSimulator's PDU processor degree

  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    Clock clock = Clock.systemUTC();
    SmscSimulator smsc = SmscSimulator.start(0, clock, Duration.ofMillis(20), "DELIVRD");
    smsc.responseDelay(Duration.ofMillis(1000L * SIMULATOR_THREADS / rate));
    SandboxSmtpServer smtp = SandboxSmtpServer.start(0, clock);
    smtp.holdMessages();
    var releaser = Executors.newSingleThreadScheduledExecutor();
    releaser.scheduleAtFixedRate(() -> smtp.release(1), 0, 1_000_000L / rate, TimeUnit.MICROSECONDS);

    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/received", exchange -> {
      var lines = new StringBuilder();
      smsc.received().forEach(s -> lines.append("sms ").append(s.text()).append('\n'));
      smtp.received().forEach(e -> lines.append("email ").append(e.subject()).append('\n'));
      byte[] body = lines.toString().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (var out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    http.start();
    System.out.printf("ports %d %d %d%n", smtp.port(), smsc.port(), http.getAddress().getPort());
    System.out.flush();
    // runs until the driver closes our stdin or kills us
    while (System.in.read() >= 0) {
      // nothing to read
    }
    releaser.shutdownNow();
    http.stop(0);
    smtp.close();
    smsc.close();
  }
}
