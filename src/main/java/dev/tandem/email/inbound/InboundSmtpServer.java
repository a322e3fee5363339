package dev.tandem.email.inbound;

import dev.tandem.config.TandemConfig;
import dev.tandem.email.InboundEmails;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.TooMuchDataException;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;

/**
 * The SMTP server for the reply and bounce domains (point their MX here): every message is
 * classified and handed to {@link InboundEmails}. A message that cannot be stored is answered with
 * 451, so the sending MTA keeps it and tries again: nothing is lost.
 *
 * <p>Its resources are bounded: {@code inbound.maxConnections} in all and {@code
 * inbound.maxConnectionsPerAddress} from one address (more are answered 421, which senders retry),
 * a connection idle for {@code inbound.idleTimeout} is closed, a message beyond {@link
 * MessageSpool#IN_MEMORY_BYTES} is received into a spool file rather than the heap, and at most
 * {@link #CONCURRENT_STORES} messages are classified and stored at once (the others wait, then get
 * 451).
 */
public final class InboundSmtpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InboundSmtpServer.class);
  static final int MAX_MESSAGE_BYTES = 25 * 1024 * 1024;
  static final int CONCURRENT_STORES = 4;
  private static final long STORE_WAIT_SECONDS = 120;

  private final SMTPServer server;

  public InboundSmtpServer(
      TandemConfig.Inbound config, int port, Path spoolDirectory, InboundEmails inbound) {
    InetAddress bind;
    try {
      bind = InetAddress.getByName(config.smtpHost());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "inbound.smtpHost '" + config.smtpHost() + "' is not an address", e);
    }
    var spool = new MessageSpool(spoolDirectory, MAX_MESSAGE_BYTES);
    var stores = new Semaphore(CONCURRENT_STORES, true);
    this.server =
        SMTPServer.port(port)
            .bindAddress(bind)
            .hostName("inbound.tandem.localhost")
            .softwareName("Tandem inbound SMTP")
            .maxMessageSize(MAX_MESSAGE_BYTES)
            .maxConnections(config.maxConnections())
            .sessionHandler(
                SessionHandler.limitConcurrentSessionsBySource(config.maxConnectionsPerAddress()))
            .connectionTimeout((int) config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
            .messageHandlerFactory(
                context -> new Handler(context, inbound, spool, stores, config.idleTimeout()))
            .build();
    server.start();
  }

  public int port() {
    return server.getPortAllocated();
  }

  private static final class Handler implements MessageHandler {
    private final MessageContext context;
    private final InboundEmails inbound;
    private final MessageSpool spool;
    private final Semaphore stores;
    private final java.time.Duration grace;
    private final List<String> recipients = new ArrayList<>();

    Handler(
        MessageContext context,
        InboundEmails inbound,
        MessageSpool spool,
        Semaphore stores,
        java.time.Duration grace) {
      this.context = context;
      this.grace = grace;
      this.inbound = inbound;
      this.spool = spool;
      this.stores = stores;
    }

    @Override
    public void from(String from) {}

    @Override
    public void recipient(String recipient) {
      recipients.add(recipient);
    }

    /**
     * RFC 5321 4.1.1.4: the reply to the end of the data ends the transaction, whatever it says.
     * subethasmtp ends it only after a 250, so a sender that got 451 or 552 and sent its next MAIL
     * on the same connection would be told 503.
     */
    @Override
    public String data(InputStream data) throws RejectException, TooMuchDataException, IOException {
      try {
        return receive(data);
      } catch (RejectException e) {
        if (context instanceof Session session && !(e instanceof DropConnectionException)) {
          session.resetMailTransaction();
        }
        throw e;
      }
    }

    private String receive(InputStream data) throws RejectException, IOException {
      Optional<MessageSpool.Spooled> spooled;
      try {
        spooled = spool.read(new MinimumRate(data, grace, System::nanoTime));
      } catch (MinimumRate.TooSlow e) {
        log.info("inbound SMTP connection closed: {}", e.getMessage());
        throw new DropConnectionException(421, "4.4.2 The data arrives too slowly; closing");
      }
      if (spooled.isEmpty()) {
        throw tooBig(data);
      }
      try (MessageSpool.Spooled message = spooled.get()) {
        if (!stores.tryAcquire(STORE_WAIT_SECONDS, TimeUnit.SECONDS)) {
          log.warn(
              "inbound mail not stored: {} others are being stored; answering 451",
              CONCURRENT_STORES);
          throw new RejectException(451, "4.3.2 Too busy to take the message now, try again later");
        }
        try {
          // at most MAX_MESSAGE_BYTES: subethasmtp refuses more with 552
          inbound.record(MailClassifier.classify(message, recipients), (int) message.size());
          return null;
        } finally {
          stores.release();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RejectException(451, "4.3.2 Shutting down, try again later");
      } catch (RuntimeException e) {
        log.error("inbound mail could not be stored; answering 451 so the sender retries", e);
        throw new RejectException(
            451, "4.3.0 Temporary failure storing the message, try again later");
      }
    }

    /**
     * subethasmtp announces SIZE but does not limit DATA. The rest of the message is read and
     * dropped so that the session can go on; a sender that goes on for another maximum is cut off.
     */
    private static RejectException tooBig(InputStream data) throws IOException {
      String reply = "5.3.4 Message too big: Tandem takes at most " + MAX_MESSAGE_BYTES + " bytes";
      byte[] buffer = new byte[64 * 1024];
      long discarded = 0;
      for (int n; (n = data.read(buffer)) >= 0; ) {
        discarded += n;
        if (discarded > MAX_MESSAGE_BYTES) {
          return new DropConnectionException(552, reply);
        }
      }
      return new RejectException(552, reply);
    }

    @Override
    public void done() {}
  }

  @Override
  public void close() {
    server.stop();
  }
}
