package dev.tandem.sandbox;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * An SMTP server on 127.0.0.1 that accepts every message and keeps the last 10,000 in memory, for
 * the sandbox and the tests (subethasmtp). Tests can make it answer the next messages with an SMTP
 * error, hold messages after DATA until they let them go (a slow relay), and see which connection
 * carried each message. AUTH is off unless a test starts it with {@link #startWithAuth}.
 */
public final class SandboxSmtpServer implements AutoCloseable {
  private static final int KEEP = 10_000;
  private static final Session PARSER = Session.getInstance(new Properties());

  /** A message as the server received it; {@code connection} identifies the SMTP session. */
  public record ReceivedEmail(
      String envelopeFrom,
      String envelopeTo,
      String subject,
      String messageId,
      String raw,
      String connection,
      Instant at) {}

  private final SMTPServer server;
  private final Clock clock;
  private final Deque<ReceivedEmail> received = new ConcurrentLinkedDeque<>();
  private final AtomicInteger receivedCount = new AtomicInteger();
  private final Set<String> connections = ConcurrentHashMap.newKeySet();
  private final AtomicInteger rejectNext = new AtomicInteger();
  private final Map<String, String[]> refusedRecipients = new ConcurrentHashMap<>();
  private volatile int rejectCode;
  private volatile String rejectText = "";
  private volatile Semaphore hold;
  private final AtomicInteger held = new AtomicInteger();

  private SandboxSmtpServer(
      int port,
      Clock clock,
      javax.net.ssl.SSLContext tls,
      boolean requireTls,
      String username,
      String password) {
    this.clock = clock;
    var builder =
        SMTPServer.port(port)
            .bindAddress(InetAddress.getLoopbackAddress())
            .hostName("sandbox.tandem.localhost")
            .softwareName("Tandem sandbox SMTP")
            .messageHandlerFactory(Handler::new);
    if (tls != null) {
      builder.enableTLS().requireTLS(requireTls).startTlsSocketFactory(tls);
    }
    if (username != null) {
      builder
          .requireAuth(true)
          .authenticationHandlerFactory(
              new EasyAuthenticationHandlerFactory((user, pass, context) -> {
                if (!username.equals(user) || !password.equals(pass)) {
                  throw new LoginFailedException("wrong username or password");
                }
              }));
      if (tls != null) {
        builder.showAuthCapabilitiesBeforeSTARTTLS(false);
      }
    }
    this.server = builder.build();
    server.start();
  }

  /** A server that offers STARTTLS with this context and, if {@code requireTls}, insists on it. */
  public static SandboxSmtpServer startWithTls(
      int port, Clock clock, javax.net.ssl.SSLContext tls, boolean requireTls) {
    return new SandboxSmtpServer(port, clock, tls, requireTls, null, null);
  }

  /**
   * A server that takes mail only after AUTH (PLAIN or LOGIN) with this username and password, as a
   * relay that authenticates its clients; {@code tls} may be null (no STARTTLS offered).
   */
  public static SandboxSmtpServer startWithAuth(
      int port, Clock clock, javax.net.ssl.SSLContext tls, String username, String password) {
    return new SandboxSmtpServer(port, clock, tls, false, username, password);
  }

  /** Starts on {@code port} (0 = any free port) of 127.0.0.1. */
  public static SandboxSmtpServer start(int port, Clock clock) {
    return new SandboxSmtpServer(port, clock, null, false, null, null);
  }

  public int port() {
    return server.getPortAllocated();
  }

  /** One SMTP transaction: MAIL FROM, RCPT TO…, DATA. */
  private final class Handler implements MessageHandler {
    private final String connection;
    private String from = "";
    private final List<String> recipients = new ArrayList<>();

    Handler(MessageContext context) {
      this.connection = context.getSessionId() + "@" + context.getRemoteAddress();
      connections.add(connection);
    }

    @Override
    public void from(String from) {
      this.from = from;
    }

    @Override
    public void recipient(String recipient) throws RejectException {
      String[] refusal = refusedRecipients.get(recipient.toLowerCase(java.util.Locale.ROOT));
      if (refusal != null) {
        throw new RejectException(Integer.parseInt(refusal[0]), refusal[1]);
      }
      recipients.add(recipient);
    }

    @Override
    public String data(InputStream data) throws RejectException, IOException {
      byte[] bytes = data.readAllBytes();
      awaitRelease();
      if (rejectNext.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
        throw new RejectException(rejectCode, rejectText);
      }
      for (String recipient : recipients) {
        keep(from, recipient, bytes, connection);
      }
      return null;
    }

    @Override
    public void done() {}
  }

  private void awaitRelease() {
    Semaphore gate = hold;
    if (gate == null) {
      return;
    }
    held.incrementAndGet();
    try {
      gate.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      held.decrementAndGet();
    }
  }

  /**
   * From now on every message waits after its data, before the server answers, until {@link
   * #release} lets it go: a relay as slow as the test wants.
   */
  public void holdMessages() {
    hold = new Semaphore(0);
  }

  /** Lets {@code count} held (or future) messages be answered. */
  public void release(int count) {
    hold.release(count);
  }

  /** How many messages wait for {@link #release}. */
  public int heldCount() {
    return held.get();
  }

  private void keep(String from, String to, byte[] data, String connection) {
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
            new String(data, StandardCharsets.UTF_8),
            connection,
            clock.instant()));
    receivedCount.incrementAndGet();
    // size() walks the whole deque; the count does not
    if (receivedCount.get() > KEEP) {
      received.pollFirst();
    }
  }

  /** Mail to {@code address} is refused at RCPT TO with {@code code text}, as relays do. */
  public void refuseRecipient(String address, int code, String text) {
    refusedRecipients.put(
        address.toLowerCase(java.util.Locale.ROOT), new String[] {Integer.toString(code), text});
  }

  /** The next {@code count} messages are answered with {@code code text} after DATA. */
  public void rejectNext(int count, int code, String text) {
    this.rejectCode = code;
    this.rejectText = text;
    this.rejectNext.set(count);
  }

  public List<ReceivedEmail> received() {
    return new ArrayList<>(received);
  }

  public int receivedCount() {
    return receivedCount.get();
  }

  /** How many SMTP connections clients opened. */
  public int connections() {
    return connections.size();
  }

  @Override
  public void close() {
    Semaphore gate = hold;
    if (gate != null) {
      gate.release(Integer.MAX_VALUE / 2);
    }
    server.stop();
  }
}
