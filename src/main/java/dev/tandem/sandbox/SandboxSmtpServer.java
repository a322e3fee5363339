package dev.tandem.sandbox;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.subethamail.smtp.server.SMTPServer;

/**
 * An SMTP server on 127.0.0.1 that accepts every message and keeps the last 10,000 in memory, for
 * the sandbox and the tests (subethasmtp).
 */
public final class SandboxSmtpServer implements AutoCloseable {
  private static final int KEEP = 10_000;
  private static final Session PARSER = Session.getInstance(new Properties());

  /** A message as the server received it. */
  public record ReceivedEmail(
      String envelopeFrom,
      String envelopeTo,
      String subject,
      String messageId,
      String raw,
      Instant at) {}

  private final SMTPServer server;
  private final Clock clock;
  private final Deque<ReceivedEmail> received = new ConcurrentLinkedDeque<>();
  private final AtomicInteger receivedCount = new AtomicInteger();

  private SandboxSmtpServer(int port, Clock clock) {
    this.clock = clock;
    this.server =
        SMTPServer.port(port)
            .bindAddress(InetAddress.getLoopbackAddress())
            .hostName("sandbox.tandem.localhost")
            .softwareName("Tandem sandbox SMTP")
            .simpleMessageListener(
                new org.subethamail.smtp.helper.SimpleMessageListener() {
                  @Override
                  public boolean accept(String from, String recipient) {
                    return true;
                  }

                  @Override
                  public void deliver(String from, String recipient, InputStream data)
                      throws IOException {
                    keep(from, recipient, data.readAllBytes());
                  }
                })
            .build();
    server.start();
  }

  /** Starts on {@code port} (0 = any free port) of 127.0.0.1. */
  public static SandboxSmtpServer start(int port, Clock clock) {
    return new SandboxSmtpServer(port, clock);
  }

  public int port() {
    return server.getPortAllocated();
  }

  private void keep(String from, String to, byte[] data) {
    String subject = "";
    String messageId = "";
    try {
      var message = new MimeMessage(PARSER, new ByteArrayInputStream(data));
      subject = message.getSubject() == null ? "" : message.getSubject();
      messageId = message.getMessageID() == null ? "" : message.getMessageID();
    } catch (MessagingException e) {
      subject = "(unparseable: " + e.getMessage() + ")";
    }
    received.addLast(
        new ReceivedEmail(
            from,
            to,
            subject,
            messageId,
            new String(data, java.nio.charset.StandardCharsets.UTF_8),
            clock.instant()));
    receivedCount.incrementAndGet();
    // size() walks the whole deque; the count does not
    if (receivedCount.get() > KEEP) {
      received.pollFirst();
    }
  }

  public List<ReceivedEmail> received() {
    return new ArrayList<>(received);
  }

  public int receivedCount() {
    return receivedCount.get();
  }

  @Override
  public void close() {
    server.stop();
  }
}
