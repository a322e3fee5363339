package dev.tandem.email.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.email.InboundEmails.ProviderReport;
import dev.tandem.email.InboundMail;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mailgun's event webhooks: one JSON event per request, {@code {"signature": {"timestamp", "token",
 * "signature"}, "event-data": {…}}}, where {@code signature} is the hex HMAC-SHA-256 of timestamp
 * followed by token, keyed with the webhook signing key. The signature does not cover the event, so
 * the token is what is taken once: a captured request cannot carry another event.
 */
final class MailgunEvents {
  static final String PROVIDER = "mailgun";

  /**
   * How old a signed timestamp may be: Mailgun retries a failed webhook for 8 hours. The signature
   * leaves the event unsigned, so the window is no longer than that.
   */
  static final java.time.Duration WINDOW = java.time.Duration.ofHours(9);

  private MailgunEvents() {}

  /** The signed token, when the signature is valid and its timestamp within the window. */
  static Optional<String> verifiedToken(String signingKey, JsonNode body, Instant now) {
    JsonNode signature = body.path("signature");
    String timestamp = ReportText.text(signature, "timestamp");
    String token = ReportText.text(signature, "token");
    String given = ReportText.text(signature, "signature");
    if (token.isEmpty()
        || token.length() > 200
        || given.isEmpty()
        || !ProviderEvents.recent(timestamp, now, WINDOW)) {
      return Optional.empty();
    }
    byte[] expected =
        HexFormat.of()
            .formatHex(hmac(signingKey, timestamp + token))
            .getBytes(StandardCharsets.US_ASCII);
    boolean valid =
        MessageDigest.isEqual(
            expected, given.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    return valid ? Optional.of(token) : Optional.empty();
  }

  static String sign(String signingKey, String timestamp, String token) {
    return HexFormat.of().formatHex(hmac(signingKey, timestamp + token));
  }

  /** The report in the event, or empty for an event Tandem does not act on (opened, clicked…). */
  static Optional<ProviderReport> report(String token, JsonNode body, int size) {
    JsonNode event = body.path("event-data");
    String type = ReportText.text(event, "event");
    String recipient = ReportText.text(event, "recipient");
    JsonNode headers = event.path("message").path("headers");
    // without a Message-ID the report is still kept, as unmatched: nothing names its delivery
    List<String> references =
        ReportText.messageId(ReportText.text(headers, "message-id"))
            .map(List::of)
            .orElse(List.of());
    JsonNode status = event.path("delivery-status");
    String diagnostic =
        (ReportText.text(status, "message") + " " + ReportText.text(status, "description")).strip();
    int code = status.path("code").asInt(0);
    InboundMail.Kind kind;
    Optional<InboundMail.Bounce> bounce;
    Optional<String> feedback = Optional.empty();
    switch (type) {
      case "failed" -> {
        boolean permanent = ReportText.text(event, "severity").equals("permanent");
        String reason = ReportText.text(event, "reason");
        // dropped because the person unsubscribed or complained at Mailgun: nothing wrong with
        // the address, so the delivery fails without a bounce
        boolean refused =
            reason.equals("suppress-unsubscribe") || reason.equals("suppress-complaint");
        kind =
            !permanent
                ? InboundMail.Kind.SOFT_BOUNCE
                : refused ? InboundMail.Kind.REFUSED : InboundMail.Kind.HARD_BOUNCE;
        bounce =
            Optional.of(
                new InboundMail.Bounce(
                    recipient,
                    ReportText.status(
                        ReportText.text(status, "enhanced-code"),
                        diagnostic,
                        code,
                        permanent ? "5.0.0" : "4.0.0"),
                    // Mailgun retries a temporary failure itself: Tandem records it and waits
                    permanent ? "failed" : "delayed",
                    diagnostic.isEmpty() ? ReportText.text(event, "reason") : diagnostic));
      }
      case "delivered" -> {
        kind = InboundMail.Kind.DELIVERY_REPORT;
        bounce =
            Optional.of(
                new InboundMail.Bounce(
                    recipient,
                    ReportText.status(
                        ReportText.text(status, "enhanced-code"), diagnostic, code, "2.0.0"),
                    "delivered",
                    diagnostic));
      }
      case "complained" -> {
        kind = InboundMail.Kind.COMPLAINT;
        bounce = Optional.empty();
        feedback = Optional.of("abuse");
      }
      default -> {
        return Optional.empty();
      }
    }
    var mail =
        new InboundMail(
            kind,
            PROVIDER,
            ReportText.text(headers, "subject"),
            Optional.empty(),
            references,
            bounce,
            feedback,
            "",
            ReportText.stored(body),
            Optional.empty());
    var ids = new java.util.ArrayList<String>();
    ids.add("token:" + token);
    String eventId = ReportText.text(event, "id");
    if (!eventId.isEmpty() && eventId.length() <= 200) {
      ids.add("event:" + eventId); // the same event signed again (a retry) is taken once too
    }
    return Optional.of(new ProviderReport(PROVIDER, ids, recipient, mail, size));
  }

  private static byte[] hmac(String key, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
