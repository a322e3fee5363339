package dev.tandem.email.inbound;

import dev.tandem.support.TestApp;
import java.util.Map;

/**
 * Tandem with its inbound SMTP server in a JVM of its own, for {@link InboundSmtpLimitsTest} to
 * give a small heap: prints {@code port N} and {@code dataDir D}, and stops when its input closes.
 */
public final class InboundSmtpChild {
  private InboundSmtpChild() {}

  public static void main(String[] args) throws Exception {
    try (TestApp tandem = TestApp.start(Map.of("inbound.smtpPort", "0"))) {
      System.out.println("port " + tandem.app.inboundSmtp.orElseThrow().port());
      System.out.println("dataDir " + tandem.dataDir);
      System.out.flush();
      while (System.in.read() >= 0) {
        // runs until the test closes our input
      }
    }
  }
}
