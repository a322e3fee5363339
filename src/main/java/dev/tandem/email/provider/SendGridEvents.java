package dev.tandem.email.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.email.InboundEmails.ProviderReport;
import dev.tandem.email.InboundMail;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * SendGrid's signed event webhook: a JSON array of events; the header {@code
 * X-Twilio-Email-Event-Webhook-Signature} is the base64 ECDSA (P-256, SHA-256) signature of the
 * value of {@code X-Twilio-Email-Event-Webhook-Timestamp} followed by the body as sent, checked
 * with the verification key from the webhook's settings. The body is signed, so each event's {@code
 * sg_event_id} is what is taken once.
 */
final class SendGridEvents {
  static final String PROVIDER = "sendgrid";
  static final String SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature";
  static final String TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp";

  private SendGridEvents() {}

  static PublicKey key(String base64) {
    try {
      return KeyFactory.getInstance("EC")
          .generatePublic(new X509EncodedKeySpec(Base64.getMimeDecoder().decode(base64)));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new IllegalArgumentException("not a base64 EC public key", e);
    }
  }

  static boolean verified(
      PublicKey key, String signature, String timestamp, byte[] body, Instant now) {
    if (signature == null
        || timestamp == null
        || !ProviderEvents.recent(timestamp, now, ProviderEvents.WINDOW)) {
      return false;
    }
    try {
      Signature verifier = Signature.getInstance("SHA256withECDSA");
      verifier.initVerify(key);
      verifier.update(timestamp.getBytes(StandardCharsets.UTF_8));
      verifier.update(body);
      return verifier.verify(Base64.getDecoder().decode(signature.strip()));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      return false; // not base64, not a DER signature: not signed by the key
    }
  }

  /** The report in one event, or empty for an event Tandem does not act on (open, click…). */
  static Optional<ProviderReport> report(JsonNode event, int size) {
    String eventId = ReportText.text(event, "sg_event_id");
    String recipient = ReportText.text(event, "email");
    if (eventId.isEmpty() || eventId.length() > 200) {
      return Optional.empty();
    }
    // without a Message-ID the report is still kept, as unmatched: nothing names its delivery
    List<String> references =
        ReportText.messageId(ReportText.text(event, "smtp-id")).map(List::of).orElse(List.of());
    String reason = ReportText.text(event, "reason");
    String response = ReportText.text(event, "response");
    String given = ReportText.text(event, "status");
    InboundMail.Kind kind;
    Optional<InboundMail.Bounce> bounce;
    Optional<String> feedback = Optional.empty();
    switch (ReportText.text(event, "event")) {
      case "bounce" -> {
        // "blocked": the receiver refused for now (reputation, rate): SendGrid does not retry,
        // so it counts as a soft bounce that ended the tries
        boolean blocked = ReportText.text(event, "type").equals("blocked");
        kind = blocked ? InboundMail.Kind.SOFT_BOUNCE : InboundMail.Kind.HARD_BOUNCE;
        bounce =
            Optional.of(
                new InboundMail.Bounce(
                    recipient,
                    ReportText.status(given, reason, 0, blocked ? "4.0.0" : "5.0.0"),
                    "failed",
                    reason));
      }
      case "dropped" -> {
        // only a bounced or invalid address is a bounce; dropped for an unsubscribe or a spam
        // report at SendGrid, its content or quota, the delivery fails and the address stays
        kind =
            reason.equals("Bounced Address") || reason.equals("Invalid")
                ? InboundMail.Kind.HARD_BOUNCE
                : InboundMail.Kind.REFUSED;
        bounce =
            Optional.of(
                new InboundMail.Bounce(
                    recipient,
                    ReportText.status(given, reason, 0, "5.0.0"),
                    "failed",
                    "dropped: " + reason));
      }
      case "deferred" -> {
        kind = InboundMail.Kind.SOFT_BOUNCE;
        bounce =
            Optional.of(
                new InboundMail.Bounce(
                    recipient,
                    ReportText.status(given, response, 0, "4.0.0"),
                    "delayed",
                    response));
      }
      case "delivered" -> {
        kind = InboundMail.Kind.DELIVERY_REPORT;
        bounce =
            Optional.of(
                new InboundMail.Bounce(
                    recipient,
                    ReportText.status(given, response, 0, "2.0.0"),
                    "delivered",
                    response));
      }
      case "spamreport" -> {
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
            "",
            Optional.empty(),
            references,
            bounce,
            feedback,
            "",
            ReportText.stored(event),
            Optional.empty());
    return Optional.of(new ProviderReport(PROVIDER, List.of(eventId), recipient, mail, size));
  }
}
