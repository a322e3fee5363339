package dev.tandem.email.inbound;

import dev.tandem.email.InboundEmails;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.TooMuchDataException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * The SMTP server for the reply and bounce domains (point their MX here): every message is
 * classified and handed to {@link InboundEmails}. A message that cannot be stored is answered with
 * 451, so the sending MTA keeps it and tries again: nothing is lost.
 */
public final class InboundSmtpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InboundSmtpServer.class);
  static final int MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

  private final SMTPServer server;

  public InboundSmtpServer(String host, int port, InboundEmails inbound) {
    InetAddress bind;
    try {
      bind = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("inbound.smtpHost '" + host + "' is not an address", e);
    }
    this.server =
        SMTPServer.port(port)
            .bindAddress(bind)
            .hostName("inbound.tandem.localhost")
            .softwareName("Tandem inbound SMTP")
            .maxMessageSize(MAX_MESSAGE_BYTES)
            .messageHandlerFactory(context -> new Handler(context, inbound))
            .build();
    server.start();
  }

  public int port() {
    return server.getPortAllocated();
  }

  private static final class Handler implements MessageHandler {
    private final InboundEmails inbound;
    private final List<String> recipients = new ArrayList<>();

    Handler(MessageContext context, InboundEmails inbound) {
      this.inbound = inbound;
    }

    @Override
    public void from(String from) {}

    @Override
    public void recipient(String recipient) {
      recipients.add(recipient);
    }

    @Override
    public String data(InputStream data) throws RejectException, TooMuchDataException, IOException {
      byte[] raw = data.readAllBytes();
      try {
        inbound.record(MailClassifier.classify(raw, recipients), raw.length);
        return null;
      } catch (RuntimeException e) {
        log.error("inbound mail could not be stored; answering 451 so the sender retries", e);
        throw new RejectException(
            451, "4.3.0 Temporary failure storing the message, try again later");
      }
    }

    @Override
    public void done() {}
  }

  @Override
  public void close() {
    server.stop();
  }
}
