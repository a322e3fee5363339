package dev.tandem.email.smtp;

import dev.tandem.config.ConfigException;
import dev.tandem.config.TandemConfig;
import dev.tandem.email.EmailGateway;
import dev.tandem.email.EmailSendResult;
import dev.tandem.email.OutboundEmail;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.jsoup.Jsoup;
import org.simplejavamail.utils.mail.dkim.Canonicalization;
import org.simplejavamail.utils.mail.dkim.DkimMessage;
import org.simplejavamail.utils.mail.dkim.DkimSigner;
import org.simplejavamail.utils.mail.dkim.SigningAlgorithm;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends email through one SMTP relay over a pool of reused connections (Angus Mail). Up to {@code
 * smtp.poolSize} messages are in flight at once, each on its own connection.
 */
public final class SmtpGateway implements EmailGateway {
  private static final Logger log = LoggerFactory.getLogger(SmtpGateway.class);

  /** One SMTP relay; the first is used while it answers, the others when it does not. */
  record Relay(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  private final List<Relay> relays;
  private final AtomicInteger preferred = new AtomicInteger();
  private final TandemConfig.Smtp config;
  private final TandemConfig.Email email;
  private final Optional<DkimSigner> dkim;
  private final Clock clock;
  private final Session session;
  private final BlockingQueue<SMTPTransport> idle;
  private final Semaphore permits;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicBoolean healthy = new AtomicBoolean(true);

  public SmtpGateway(
      String host, int port, TandemConfig.Smtp config, TandemConfig.Email email, Clock clock) {
    var all = new ArrayList<Relay>();
    all.add(new Relay(host, port));
    for (String fallback : config.fallbackRelays()) {
      int colon = fallback.lastIndexOf(':');
      all.add(
          new Relay(fallback.substring(0, colon), Integer.parseInt(fallback.substring(colon + 1))));
    }
    this.relays = List.copyOf(all);
    this.config = config;
    this.email = email;
    this.dkim = email.dkim().map(SmtpGateway::signer);
    this.clock = clock;
    this.idle = new ArrayBlockingQueue<>(config.poolSize());
    this.permits = new Semaphore(config.poolSize());
    var props = new Properties();
    String timeout = Long.toString(config.timeout().toMillis());
    props.put("mail.smtp.connectiontimeout", timeout);
    props.put("mail.smtp.timeout", timeout);
    props.put("mail.smtp.writetimeout", timeout);
    props.put("mail.smtp.auth", Boolean.toString(config.username().isPresent()));
    props.put("mail.smtp.ssl.enable", Boolean.toString(config.implicitTls()));
    props.put("mail.smtp.ssl.checkserveridentity", "true");
    if (!config.sslTrust().isEmpty()) {
      // hosts whose certificate is trusted without a CA (an internal relay's own certificate)
      props.put("mail.smtp.ssl.trust", config.sslTrust());
    }
    switch (config.startTls()) {
      case REQUIRED -> {
        props.put("mail.smtp.starttls.enable", "true");
        props.put("mail.smtp.starttls.required", "true");
      }
      case OPTIONAL -> props.put("mail.smtp.starttls.enable", "true");
      case OFF -> props.put("mail.smtp.starttls.enable", "false");
    }
    this.session = Session.getInstance(props);
  }

  @Override
  public CompletableFuture<EmailSendResult> send(OutboundEmail email) {
    return CompletableFuture.supplyAsync(() -> sendNow(email), executor);
  }

  private EmailSendResult sendNow(OutboundEmail email) {
    MimeMessage message;
    try {
      message = toMime(email);
    } catch (MessagingException | IllegalArgumentException e) {
      return new EmailSendResult.Rejected("message could not be built: " + e.getMessage());
    }
    try {
      permits.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new EmailSendResult.RetryLater("interrupted while waiting for an SMTP connection");
    }
    try {
      // A pooled connection may have been closed by the server while idle: one fresh retry.
      for (int attempt = 0; ; attempt++) {
        SMTPTransport transport = idle.poll();
        boolean reused = transport != null;
        try {
          if (transport == null) {
            transport = connect();
          }
          transport.sendMessage(message, message.getAllRecipients());
          String reply = transport.getLastServerResponse();
          idle.offer(transport);
          if (!healthy.getAndSet(true)) {
            log.info("SMTP relay {} reachable again", relays.get(preferred.get()));
          }
          return new EmailSendResult.Sent(email.messageId(), reply == null ? "" : reply.strip());
        } catch (SMTPAddressFailedException | SMTPSendFailedException e) {
          return refused(transport, e);
        } catch (jakarta.mail.SendFailedException e) {
          // a recipient refused at RCPT comes wrapped ("Invalid Addresses"), its reply chained
          // behind: the relay answered, so it is this message's refusal, not the relay's failure
          MessagingException reply = refusal(e);
          if (reply != null) {
            return refused(transport, reply);
          }
          discard(transport);
          if (reused && attempt == 0) {
            continue;
          }
          return unavailable(e);
        } catch (MessagingException e) {
          discard(transport);
          if (reused && attempt == 0) {
            continue;
          }
          return unavailable(e);
        }
      }
    } finally {
      permits.release();
    }
  }

  /**
   * Connects to the preferred relay, or to the next ones in order when it cannot be reached; the
   * one that answered becomes preferred.
   */
  private SMTPTransport connect() throws MessagingException {
    MessagingException last = null;
    int start = preferred.get();
    for (int i = 0; i < relays.size(); i++) {
      int index = (start + i) % relays.size();
      Relay relay = relays.get(index);
      Transport transport = session.getTransport("smtp");
      try {
        transport.connect(
            relay.host(),
            relay.port(),
            config.username().orElse(null),
            config.password().orElse(null));
        if (index != start) {
          log.warn("SMTP relay {} unreachable; using {}", relays.get(start), relay);
          preferred.set(index);
        }
        return (SMTPTransport) transport;
      } catch (MessagingException e) {
        last = e;
      }
    }
    throw last;
  }

  /** After a rejected message the connection stays usable once RSET clears the transaction. */
  /** The relay refused this message (at RCPT or DATA): 5xx for good, 4xx for now. */
  private EmailSendResult refused(SMTPTransport transport, MessagingException e) {
    int code =
        e instanceof SMTPAddressFailedException a
            ? a.getReturnCode()
            : ((SMTPSendFailedException) e).getReturnCode();
    reset(transport);
    String reply = serverText(e);
    if (code >= 500) {
      return new EmailSendResult.Rejected("SMTP " + code + ": " + reply);
    }
    return new EmailSendResult.RetryLater("SMTP " + code + ": " + reply);
  }

  /** The relay's own reply in a wrapped refusal, or null when there is none. */
  private static MessagingException refusal(MessagingException e) {
    Exception next = e.getNextException();
    for (int depth = 0; next != null && depth < 10; depth++) {
      if (next instanceof SMTPAddressFailedException || next instanceof SMTPSendFailedException) {
        return (MessagingException) next;
      }
      next = next instanceof MessagingException m ? m.getNextException() : null;
    }
    return null;
  }

  private EmailSendResult unavailable(MessagingException e) {
    String reason =
        "SMTP relay "
            + String.join(", ", relays.stream().map(Relay::toString).toList())
            + " unavailable: "
            + rootMessage(e);
    if (healthy.getAndSet(false)) {
      // once per outage, not once per message: the first failure and its reason
      log.warn("{}; email is held and retried until it answers", reason);
    }
    return new EmailSendResult.RetryLater(reason);
  }

  private void reset(SMTPTransport transport) {
    try {
      transport.issueCommand("RSET", 250);
      idle.offer(transport);
    } catch (MessagingException | RuntimeException e) {
      discard(transport);
    }
  }

  /** Relaxed/relaxed RSA-SHA256 over the headers STANDARDS §4.8 lists; no l= tag. */
  private static DkimSigner signer(TandemConfig.Dkim settings) {
    try {
      var signer =
          new DkimSigner(settings.domain(), settings.selector(), readKey(settings.privateKey()));
      signer.setHeaderCanonicalization(Canonicalization.RELAXED);
      signer.setBodyCanonicalization(Canonicalization.RELAXED);
      signer.setSigningAlgorithm(SigningAlgorithm.SHA256_WITH_RSA);
      signer.setLengthParam(false);
      signer.setCheckDomainKey(false); // the key's DNS record is the operator's to publish
      for (String header :
          List.of(
              "From",
              "To",
              "Cc",
              "Subject",
              "Date",
              "Message-ID",
              "Reply-To",
              "In-Reply-To",
              "References",
              "MIME-Version",
              "Content-Type",
              "Content-Transfer-Encoding",
              "List-Id",
              "List-Unsubscribe",
              "List-Unsubscribe-Post",
              "List-Help",
              "Feedback-ID")) {
        signer.addHeaderToSign(header);
      }
      return signer;
    } catch (Exception e) {
      throw new ConfigException(
          "email.dkimPrivateKey",
          settings.privateKey().toString(),
          "cannot be used for DKIM (" + e.getMessage() + ")",
          "give an RSA private key in PKCS#8, PEM or DER");
    }
  }

  /**
   * An RSA private key in PKCS#8, PEM ("BEGIN PRIVATE KEY") or DER, as the signer reads {@code
   * email.dkimPrivateKey} (the doctor compares its public half with DNS).
   */
  public static RSAPrivateKey readKey(java.nio.file.Path file) throws Exception {
    byte[] bytes = java.nio.file.Files.readAllBytes(file);
    String text = new String(bytes, java.nio.charset.StandardCharsets.US_ASCII);
    if (text.contains("-----BEGIN")) {
      if (text.contains("BEGIN RSA PRIVATE KEY")) {
        throw new IllegalArgumentException(
            "PKCS#1 key: convert it with 'openssl pkcs8 -topk8 -nocrypt'");
      }
      String base64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      bytes = java.util.Base64.getDecoder().decode(base64);
    }
    return (RSAPrivateKey)
        KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(bytes));
  }

  private static void discard(Transport transport) {
    if (transport == null) {
      return;
    }
    try {
      transport.close();
    } catch (MessagingException | RuntimeException e) {
      log.debug("closing a broken SMTP connection: {}", e.getMessage());
    }
  }

  private MimeMessage toMime(OutboundEmail email) throws MessagingException {
    MimeMessage message = build(email);
    SMTPMessage wire =
        dkim.isPresent() ? new DkimMessage(message, dkim.get()) : (SMTPMessage) message;
    this.email
        .bounceDomain()
        .ifPresent(domain -> wire.setEnvelopeFrom(verp(email.deliveryId(), domain)));
    return wire;
  }

  /** {@code bounces+<delivery id, 32 hex>@bounce-domain}: a bounce names its delivery. */
  public static String verp(java.util.UUID deliveryId, String bounceDomain) {
    return "bounces+" + deliveryId.toString().replace("-", "") + "@" + bounceDomain;
  }

  private MimeMessage build(OutboundEmail email) throws MessagingException {
    String messageId = "<" + email.messageId() + ">";
    var message =
        new SMTPMessage(session) {
          @Override
          protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
          }
        };
    message.setFrom(new InternetAddress(email.from(), true));
    message.setRecipients(
        Message.RecipientType.TO, new Address[] {new InternetAddress(email.to(), true)});
    message.setSubject(email.subject(), "UTF-8");
    message.setSentDate(Date.from(clock.instant()));
    for (var header : email.headers().entrySet()) {
      if (header.getValue().indexOf('\r') >= 0 || header.getValue().indexOf('\n') >= 0) {
        throw new IllegalArgumentException("header " + header.getKey() + " contains a line break");
      }
      message.setHeader(header.getKey(), header.getValue());
    }
    String text = email.text().orElseGet(() -> htmlToText(email.html().orElse("")));
    MimeMultipart alternative = null;
    if (email.html().isPresent()) {
      alternative = new MimeMultipart("alternative");
      var plain = new MimeBodyPart();
      plain.setText(text, "UTF-8", "plain");
      var html = new MimeBodyPart();
      html.setText(email.html().get(), "UTF-8", "html");
      alternative.addBodyPart(plain);
      alternative.addBodyPart(html);
    }
    // RFC 2387: inline images travel with the HTML in multipart/related, the alternative first
    List<OutboundEmail.Attachment> inline =
        alternative == null
            ? List.of()
            : email.attachments().stream().filter(a -> a.contentId().isPresent()).toList();
    List<OutboundEmail.Attachment> files =
        email.attachments().stream().filter(a -> !inline.contains(a)).toList();
    MimeMultipart content = alternative;
    if (!inline.isEmpty()) {
      var related = new MimeMultipart("related");
      var first = new MimeBodyPart();
      first.setContent(alternative);
      related.addBodyPart(first);
      for (OutboundEmail.Attachment image : inline) {
        var part = new MimeBodyPart();
        part.setDataHandler(
            new jakarta.activation.DataHandler(
                new jakarta.mail.util.ByteArrayDataSource(image.content(), image.contentType())));
        AttachmentName.set(part, image.filename(), image.contentType(), jakarta.mail.Part.INLINE);
        part.setContentID("<" + image.contentId().orElseThrow() + ">");
        related.addBodyPart(part);
      }
      content = related;
    }
    if (files.isEmpty()) {
      if (content != null) {
        message.setContent(content);
      } else {
        message.setText(text, "UTF-8", "plain");
      }
    } else {
      var mixed = new MimeMultipart("mixed");
      var body = new MimeBodyPart();
      if (content != null) {
        body.setContent(content);
      } else {
        body.setText(text, "UTF-8", "plain");
      }
      mixed.addBodyPart(body);
      for (OutboundEmail.Attachment attachment : files) {
        var part = new MimeBodyPart();
        part.setDataHandler(
            new jakarta.activation.DataHandler(
                new jakarta.mail.util.ByteArrayDataSource(
                    attachment.content(), attachment.contentType())));
        AttachmentName.set(part, attachment.filename(), attachment.contentType());
        mixed.addBodyPart(part);
      }
      message.setContent(mixed);
    }
    message.saveChanges();
    return message;
  }

  /**
   * The plain-text alternative of an HTML body: block elements become line breaks, links keep their
   * URL.
   */
  static String htmlToText(String html) {
    var document = Jsoup.parse(html);
    document.select("script, style, head").remove();
    document
        .select("a[href]")
        .forEach(a -> {
          String href = a.attr("href");
          if (!href.isBlank() && !a.text().equals(href)) {
            a.appendText(" (" + href + ")");
          }
        });
    document.select("br").after("\uE000");
    document.select("p, div, h1, h2, h3, h4, h5, h6, li, tr, table").after("\uE000\uE000");
    String text = document.text().replace('\uE000', '\n');
    return text.lines()
        .map(String::strip)
        .reduce((a, b) -> a + "\n" + b)
        .orElse("")
        .replaceAll("\n{3,}", "\n\n")
        .strip();
  }

  private static String serverText(MessagingException e) {
    String message = e.getMessage() == null ? "" : e.getMessage().strip();
    return message.isEmpty() ? e.getClass().getSimpleName() : message;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }

  @Override
  public boolean ready() {
    return healthy.get();
  }

  /** Connections sending now. */
  public int connectionsInUse() {
    return config.poolSize() - permits.availablePermits();
  }

  /** Open connections waiting for the next message. */
  public int idleConnections() {
    return idle.size();
  }

  public int poolSize() {
    return config.poolSize();
  }

  @Override
  public void close() {
    executor.shutdownNow();
    SMTPTransport transport;
    while ((transport = idle.poll()) != null) {
      discard(transport);
    }
  }
}
