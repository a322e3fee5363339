package dev.tandem.email.inbound;

import dev.tandem.email.InboundMail;
import dev.tandem.email.InboundMail.Bounce;
import dev.tandem.email.InboundMail.Kind;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.SharedByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.angus.mail.dsn.DeliveryStatus;
import org.jsoup.Jsoup;

/**
 * Classifies inbound mail: a delivery status notification (RFC 3464, read with Angus Mail's DSN
 * support; hard for 5.x.x, soft for 4.x.x), a complaint (ARF, RFC 5965), an automatic answer (RFC
 * 3834 Auto-Submitted and the usual vendor headers and subjects), bulk or list mail, or a person's
 * reply, whose new text is cut from the quoted history and the signature. Non-standard bounces
 * (qmail, old Exim, some providers) are recognised by their sender and wording and read for an SMTP
 * status; they are tested before automatic answers, because MTAs mark their bounces {@code
 * Auto-Submitted: auto-replied}. A mailbox that is full ({@code X.2.2}) is a soft bounce whatever
 * its class digit (RFC 3463).
 */
public final class MailClassifier {
  private static final Session SESSION = Session.getInstance(new Properties());

  /**
   * Text read from any one part, and a report's stored text: at most this much, whatever the size
   * of the message (what is stored is cut to a million characters anyway).
   */
  static final int MAX_TEXT_BYTES = 1024 * 1024;

  private static final Pattern VERP =
      Pattern.compile("bounces\\+([0-9a-f]{32})@", Pattern.CASE_INSENSITIVE);
  private static final Pattern UNSUBSCRIBE =
      Pattern.compile(
          "unsubscribe\\+([A-Za-z0-9_-]+\\.u\\.[A-Za-z0-9_-]+)@", Pattern.CASE_INSENSITIVE);
  private static final Pattern ENHANCED_STATUS =
      Pattern.compile("\\b([245])\\.(\\d{1,3})\\.(\\d{1,3})\\b");
  private static final Pattern SMTP_CODE = Pattern.compile("(?m)(?:^|\\s)([245])\\d\\d[ -]");
  private static final Pattern MESSAGE_ID = Pattern.compile("<([^<>\\s]+@[^<>\\s]+)>");
  private static final Pattern BOUNCE_SENDER =
      Pattern.compile(
          "(?i)(mailer-daemon|postmaster|mail delivery (sub)?system|mail delivery subsystem)");
  private static final Pattern BOUNCE_SUBJECT =
      Pattern.compile(
          "(?i)(undeliver|delivery status notification|mail delivery failed|failure notice|returned mail|delivery failure|could not be delivered|non[- ]?delivery)");
  private static final Pattern AUTO_SUBJECT =
      Pattern.compile(
          "(?i)^(out of (the )?office|automatic reply|auto(matic)?[- ]?reply|auto:|abwesenheit|absence|réponse automatique|vacation)");

  private MailClassifier() {}

  /**
   * @param raw the message as received
   * @param envelopeRecipients RCPT TO addresses when received over SMTP (may hold the VERP token)
   */
  public static InboundMail classify(byte[] raw, List<String> envelopeRecipients) {
    return classify(
        new SharedByteArrayInputStream(raw),
        raw.length <= MAX_TEXT_BYTES ? raw : Arrays.copyOf(raw, MAX_TEXT_BYTES),
        envelopeRecipients);
  }

  /** A message spooled by the SMTP server, read where it lies: its parts are not copied. */
  static InboundMail classify(MessageSpool.Spooled spooled, List<String> envelopeRecipients)
      throws IOException {
    return classify(spooled.open(), spooled.head(MAX_TEXT_BYTES), envelopeRecipients);
  }

  /**
   * @param source the whole message, a Jakarta Mail shared stream so that parsing copies nothing
   * @param head its first bytes, at most {@link #MAX_TEXT_BYTES}: a report's stored text
   */
  private static InboundMail classify(
      InputStream source, byte[] head, List<String> envelopeRecipients) {
    MimeMessage message;
    String from;
    String subject;
    try {
      message = new MimeMessage(SESSION, source);
      from = header(message, "From");
      subject = decode(header(message, "Subject"));
    } catch (MessagingException | RuntimeException e) {
      return unreadable("the message cannot be parsed as MIME: " + e.getMessage());
    }
    try {
      Optional<String> unsubscribe = unsubscribeToken(message, envelopeRecipients);
      if (unsubscribe.isPresent()) {
        String text = bodyText(message);
        return new InboundMail(
            Kind.UNSUBSCRIBE,
            from,
            subject,
            unsubscribe,
            references(message),
            Optional.empty(),
            Optional.empty(),
            text.strip(),
            text,
            Optional.empty());
      }
      Optional<String> token = verpToken(message, envelopeRecipients);
      ContentType type = contentType(message);
      if (type.match("multipart/report")) {
        String reportType =
            Optional.ofNullable(type.getParameter("report-type"))
                .orElse("")
                .toLowerCase(Locale.ROOT);
        Multipart parts = (Multipart) message.getContent();
        if (reportType.equals("delivery-status")) {
          return dsn(parts, from, subject, token, head);
        }
        if (reportType.equals("feedback-report")) {
          return arf(parts, from, subject, token, head);
        }
      }
      String text = bodyText(message);
      if (BOUNCE_SENDER.matcher(from).find() || BOUNCE_SUBJECT.matcher(subject).find()) {
        return plainBounce(message, from, subject, token, text);
      }
      if (isAutoReply(message, subject)) {
        return new InboundMail(
            Kind.AUTO_REPLY,
            from,
            subject,
            token,
            references(message),
            Optional.empty(),
            Optional.empty(),
            text.strip(),
            text,
            Optional.empty());
      }
      return new InboundMail(
          isBulk(message) ? Kind.BULK : Kind.REPLY,
          from,
          subject,
          token,
          references(message),
          Optional.empty(),
          Optional.empty(),
          ReplyText.newText(text),
          text,
          Optional.empty());
    } catch (MessagingException | IOException | RuntimeException e) {
      return new InboundMail(
          Kind.UNREADABLE,
          from,
          subject,
          Optional.empty(),
          List.of(),
          Optional.empty(),
          Optional.empty(),
          "",
          "",
          Optional.of("the message structure cannot be read: " + e.getMessage()));
    }
  }

  private static InboundMail dsn(
      Multipart parts, String from, String subject, Optional<String> token, byte[] head)
      throws MessagingException, IOException {
    DeliveryStatus status = null;
    List<String> references = new ArrayList<>();
    for (int i = 0; i < parts.getCount(); i++) {
      BodyPart part = parts.getBodyPart(i);
      ContentType type = contentType(part);
      if (type.match("message/delivery-status") || type.match("message/global-delivery-status")) {
        try (InputStream in = prefix(part)) {
          status = new DeliveryStatus(in);
        }
      } else if (type.match("message/rfc822")
          || type.match("text/rfc822-headers")
          || type.match("message/rfc822-headers")) {
        references.addAll(originalIds(part));
        if (token.isEmpty()) {
          token = findToken(readAll(part));
        }
      }
    }
    if (status == null || status.getRecipientDSNCount() == 0) {
      return new InboundMail(
          Kind.UNREADABLE,
          from,
          subject,
          token,
          references,
          Optional.empty(),
          Optional.empty(),
          "",
          "",
          Optional.of(
              status == null
                  ? "a delivery report without a message/delivery-status part"
                  : "a delivery status notification that names no recipient"));
    }
    InternetHeaders chosen = status.getRecipientDSN(0);
    for (int i = 0; i < status.getRecipientDSNCount(); i++) {
      InternetHeaders recipient = status.getRecipientDSN(i);
      String action = value(recipient, "Action").toLowerCase(Locale.ROOT);
      if (action.equals("failed") || action.equals("delayed")) {
        chosen = recipient;
        break;
      }
    }
    String action = value(chosen, "Action").toLowerCase(Locale.ROOT);
    String diagnostic = value(chosen, "Diagnostic-Code").replaceFirst("(?i)^smtp;\\s*", "");
    String statusCode = status(value(chosen, "Status"), diagnostic);
    Kind kind =
        action.equals("delivered") || action.equals("relayed") || action.equals("expanded")
            ? Kind.DELIVERY_REPORT
            : isPermanent(statusCode) && !action.equals("delayed")
                ? Kind.HARD_BOUNCE
                : Kind.SOFT_BOUNCE;
    var bounce =
        new Bounce(
            address(value(chosen, "Final-Recipient", value(chosen, "Original-Recipient"))),
            statusCode,
            action,
            diagnostic);
    return new InboundMail(
        kind,
        from,
        subject,
        token,
        references,
        Optional.of(bounce),
        Optional.empty(),
        "",
        new String(head, StandardCharsets.UTF_8),
        Optional.empty());
  }

  private static InboundMail arf(
      Multipart parts, String from, String subject, Optional<String> token, byte[] head)
      throws MessagingException, IOException {
    String feedbackType = "abuse";
    List<String> references = new ArrayList<>();
    for (int i = 0; i < parts.getCount(); i++) {
      BodyPart part = parts.getBodyPart(i);
      ContentType type = contentType(part);
      if (type.match("message/feedback-report")) {
        try (InputStream in = prefix(part)) {
          var report = new InternetHeaders(in);
          feedbackType =
              Optional.ofNullable(report.getHeader("Feedback-Type", null)).orElse("abuse").strip();
          if (token.isEmpty()) {
            token =
                findToken(
                    Optional.ofNullable(report.getHeader("Original-Mail-From", null)).orElse(""));
          }
        }
      } else if (type.match("message/rfc822") || type.match("text/rfc822-headers")) {
        references.addAll(originalIds(part));
        if (token.isEmpty()) {
          token = findToken(readAll(part));
        }
      }
    }
    return new InboundMail(
        Kind.COMPLAINT,
        from,
        subject,
        token,
        references,
        Optional.empty(),
        Optional.of(feedbackType),
        "",
        new String(head, StandardCharsets.UTF_8),
        Optional.empty());
  }

  /** A bounce that is not a DSN: take the first enhanced status or SMTP code in its words. */
  private static InboundMail plainBounce(
      MimeMessage message, String from, String subject, Optional<String> token, String text)
      throws MessagingException {
    String status = "";
    Matcher enhanced = ENHANCED_STATUS.matcher(text);
    if (enhanced.find()) {
      status = enhanced.group();
    } else {
      Matcher smtp = SMTP_CODE.matcher(text);
      status = smtp.find() ? smtp.group(1) + ".0.0" : "5.0.0";
    }
    String diagnostic =
        text.lines()
            .map(String::strip)
            .filter(l -> ENHANCED_STATUS.matcher(l).find() || SMTP_CODE.matcher(" " + l).find())
            .findFirst()
            .orElse("");
    String recipient =
        text.lines()
            .map(String::strip)
            .filter(l -> l.matches("<?[^\\s<>@]+@[^\\s<>]+>?:?"))
            .findFirst()
            .map(MailClassifier::address)
            .orElse("");
    Kind kind = isPermanent(status) ? Kind.HARD_BOUNCE : Kind.SOFT_BOUNCE;
    if (token.isEmpty()) {
      token = findToken(text);
    }
    List<String> references = new ArrayList<>(references(message));
    Matcher ids = MESSAGE_ID.matcher(text);
    while (ids.find()) {
      references.add(ids.group(1));
    }
    return new InboundMail(
        kind,
        from,
        subject,
        token,
        List.copyOf(new LinkedHashSet<>(references)),
        Optional.of(new Bounce(recipient, status, "failed", diagnostic)),
        Optional.empty(),
        "",
        text,
        Optional.empty());
  }

  /**
   * The DSN's {@code Status}, or a more specific code of the same class in its {@code
   * Diagnostic-Code} when the status has a generic detail ({@code 5.0.0}; {@code 5.1.0} yields to
   * {@code 5.1.1}, not to {@code 5.7.1}).
   */
  private static String status(String status, String diagnostic) {
    Matcher given = ENHANCED_STATUS.matcher(status);
    if (!given.find()) {
      return status;
    }
    Matcher specific = ENHANCED_STATUS.matcher(diagnostic);
    boolean generic = given.group(3).equals("0");
    if (generic
        && specific.find()
        && specific.group(1).equals(given.group(1))
        && (given.group(2).equals("0") || specific.group(2).equals(given.group(2)))) {
      return specific.group();
    }
    return given.group();
  }

  /** Class 5, except X.2.2 (mailbox full), which RFC 3463 lets senders treat as transient. */
  private static boolean isPermanent(String status) {
    Matcher enhanced = ENHANCED_STATUS.matcher(status);
    if (enhanced.matches()) {
      return enhanced.group(1).equals("5")
          && !(enhanced.group(2).equals("2") && enhanced.group(3).equals("2"));
    }
    return status.startsWith("5");
  }

  /** Mailing-list or bulk mail (RFC 2369, RFC 2919, Precedence): never a person's reply. */
  private static boolean isBulk(MimeMessage message) throws MessagingException {
    String precedence = header(message, "Precedence").toLowerCase(Locale.ROOT);
    return !header(message, "List-Id").isEmpty()
        || !header(message, "List-Unsubscribe").isEmpty()
        || precedence.equals("bulk")
        || precedence.equals("list");
  }

  static boolean isAutoReply(MimeMessage message, String subject) throws MessagingException {
    String autoSubmitted = header(message, "Auto-Submitted").toLowerCase(Locale.ROOT);
    if (!autoSubmitted.isEmpty() && !autoSubmitted.startsWith("no")) {
      return true;
    }
    if (!header(message, "X-Autoreply").isEmpty()
        || !header(message, "X-Autorespond").isEmpty()
        || header(message, "X-Auto-Response-Suppress").toLowerCase(Locale.ROOT).contains("all")
            && AUTO_SUBJECT.matcher(subject).find()) {
      return true;
    }
    String precedence = header(message, "Precedence").toLowerCase(Locale.ROOT);
    if (precedence.equals("auto_reply")) {
      return true;
    }
    return AUTO_SUBJECT.matcher(subject).find();
  }

  private static Optional<String> verpToken(MimeMessage message, List<String> envelopeRecipients)
      throws MessagingException {
    for (String recipient : envelopeRecipients) {
      Optional<String> token = findToken(recipient);
      if (token.isPresent()) {
        return token;
      }
    }
    for (String name :
        List.of("Delivered-To", "X-Original-To", "To", "Envelope-To", "X-Envelope-To")) {
      Optional<String> token = findToken(header(message, name));
      if (token.isPresent()) {
        return token;
      }
    }
    return Optional.empty();
  }

  /** The signed token of mail sent to the List-Unsubscribe mailto address. */
  private static Optional<String> unsubscribeToken(
      MimeMessage message, List<String> envelopeRecipients) throws MessagingException {
    var candidates = new java.util.ArrayList<>(envelopeRecipients);
    for (String name : List.of("Delivered-To", "X-Original-To", "To")) {
      candidates.add(header(message, name));
    }
    for (String text : candidates) {
      Matcher m = UNSUBSCRIBE.matcher(text);
      if (m.find()) {
        return Optional.of(m.group(1));
      }
    }
    return Optional.empty();
  }

  private static Optional<String> findToken(String text) {
    Matcher m = VERP.matcher(text);
    return m.find() ? Optional.of(m.group(1).toLowerCase(Locale.ROOT)) : Optional.empty();
  }

  private static List<String> references(MimeMessage message) throws MessagingException {
    var ids = new LinkedHashSet<String>();
    for (String name : List.of("In-Reply-To", "References")) {
      Matcher m = MESSAGE_ID.matcher(header(message, name));
      while (m.find()) {
        ids.add(m.group(1));
      }
    }
    return List.copyOf(ids);
  }

  private static List<String> originalIds(Part part) throws MessagingException, IOException {
    var ids = new ArrayList<String>();
    try (InputStream in = prefix(part)) {
      var headers = new InternetHeaders(in);
      String id = headers.getHeader("Message-ID", null);
      if (id != null) {
        Matcher m = MESSAGE_ID.matcher(id);
        if (m.find()) {
          ids.add(m.group(1));
        }
      }
    }
    return ids;
  }

  /** The best text of a message: its text/plain part, or its HTML as text. */
  static String bodyText(Part part) throws MessagingException, IOException {
    if (part.isMimeType("text/plain")) {
      return contentAsString(part);
    }
    if (part.isMimeType("text/html")) {
      return Jsoup.parse(contentAsString(part)).wholeText();
    }
    if (part.isMimeType("multipart/*")) {
      Multipart multipart = (Multipart) part.getContent();
      String html = null;
      for (int i = 0; i < multipart.getCount(); i++) {
        BodyPart child = multipart.getBodyPart(i);
        if (child.isMimeType("text/plain")
            && !Part.ATTACHMENT.equalsIgnoreCase(child.getDisposition())) {
          return contentAsString(child);
        }
        if (child.isMimeType("text/html") && html == null) {
          html = Jsoup.parse(contentAsString(child)).wholeText();
        }
        if (child.isMimeType("multipart/*")) {
          String nested = bodyText(child);
          if (!nested.isEmpty()) {
            return nested;
          }
        }
      }
      return html == null ? "" : html;
    }
    return "";
  }

  /** A text part in its charset (UTF-8 when it names none Java knows), its first bytes only. */
  private static String contentAsString(Part part) throws MessagingException, IOException {
    String charset = contentType(part).getParameter("charset");
    Charset decoder = StandardCharsets.UTF_8;
    if (charset != null) {
      try {
        decoder = Charset.forName(MimeUtility.javaCharset(charset));
      } catch (IllegalArgumentException e) {
        // an unknown or malformed charset name: read it as UTF-8
      }
    }
    return new String(readPrefix(part), decoder);
  }

  private static String readAll(Part part) throws MessagingException, IOException {
    return new String(readPrefix(part), StandardCharsets.UTF_8);
  }

  private static InputStream prefix(Part part) throws MessagingException, IOException {
    return new java.io.ByteArrayInputStream(readPrefix(part));
  }

  private static byte[] readPrefix(Part part) throws MessagingException, IOException {
    try (InputStream in = part.getInputStream()) {
      return in.readNBytes(MAX_TEXT_BYTES);
    }
  }

  private static ContentType contentType(Part part) throws MessagingException {
    try {
      return new ContentType(Optional.ofNullable(part.getContentType()).orElse("text/plain"));
    } catch (MessagingException e) {
      return new ContentType("text/plain");
    }
  }

  private static String header(Part part, String name) throws MessagingException {
    String[] values = part.getHeader(name);
    return values == null || values.length == 0 ? "" : values[0].strip();
  }

  private static String value(InternetHeaders headers, String name) {
    return value(headers, name, "");
  }

  private static String value(InternetHeaders headers, String name, String fallback) {
    String value = headers.getHeader(name, " ");
    return value == null ? fallback : value.replaceAll("\\s+", " ").strip();
  }

  /** {@code rfc822; a@b.example} or {@code <a@b.example>} → {@code a@b.example}. */
  private static String address(String value) {
    return value
        .replaceFirst("(?i)^rfc822;\\s*", "")
        .replaceAll("[<>:]", "")
        .strip()
        .toLowerCase(Locale.ROOT);
  }

  private static String decode(String text) {
    try {
      return MimeUtility.decodeText(text);
    } catch (Exception e) {
      return text;
    }
  }

  private static InboundMail unreadable(String reason) {
    return new InboundMail(
        Kind.UNREADABLE,
        "",
        "",
        Optional.empty(),
        List.of(),
        Optional.empty(),
        Optional.empty(),
        "",
        "",
        Optional.of(reason));
  }
}
