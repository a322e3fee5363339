package dev.tandem.email.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.config.TandemConfig;
import dev.tandem.email.InboundEmails;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Takes the event webhooks of the email service providers configured in {@code emailEvents}: checks
 * the signature, takes each event once, and hands bounces, complaints and delivery reports to
 * {@link InboundEmails}, which treats them like the DSN and ARF reports of its own SMTP server.
 * Events Tandem measures itself (opens, clicks) or that say nothing about delivery are answered and
 * dropped.
 */
public final class ProviderEvents {
  /** Where each provider posts, relative to http.publicUrl. */
  public static final String MAILGUN_PATH = "/webhooks/mailgun";

  public static final String SENDGRID_PATH = "/webhooks/sendgrid";

  /**
   * How far a signed timestamp may be from our clock. Providers retry a webhook that failed for
   * hours; each event is still taken once, whenever it comes.
   */
  static final Duration WINDOW = Duration.ofHours(24);

  /** What one webhook request did. */
  public record Taken(int recorded, int seenBefore, int ignored) {}

  /** The signature is missing, wrong or too old: the request is refused and nothing changes. */
  public static final class NotSigned extends RuntimeException {
    NotSigned(String message) {
      super(message);
    }
  }

  private final InboundEmails inbound;
  private final Clock clock;
  private final Optional<String> mailgunKey;
  private final Optional<PublicKey> sendgridKey;

  public ProviderEvents(TandemConfig.EmailEvents config, InboundEmails inbound, Clock clock) {
    this.inbound = inbound;
    this.clock = clock;
    this.mailgunKey = config.mailgunSigningKey();
    this.sendgridKey = config.sendgridVerificationKey().map(SendGridEvents::key);
  }

  public boolean mailgunEnabled() {
    return mailgunKey.isPresent();
  }

  public boolean sendgridEnabled() {
    return sendgridKey.isPresent();
  }

  /** One Mailgun event webhook, its body parsed. */
  public Taken mailgun(JsonNode body, int size) {
    Instant now = clock.instant();
    String token =
        MailgunEvents.verifiedToken(mailgunKey.orElseThrow(), body, now)
            .orElseThrow(() ->
                new NotSigned(
                    "The signature does not match this request's timestamp and token under the"
                        + " configured emailEvents.mailgunSigningKey, or its timestamp is more than"
                        + " 9 hours away."));
    var report = MailgunEvents.report(token, body, size);
    if (report.isEmpty()) {
      // the token is spent even so: the unsigned event next to it cannot be swapped
      return inbound.firstTime(MailgunEvents.PROVIDER, "token:" + token)
          ? new Taken(0, 0, 1)
          : new Taken(0, 1, 0);
    }
    return inbound.record(report.get()).isPresent() ? new Taken(1, 0, 0) : new Taken(0, 1, 0);
  }

  /** One SendGrid event webhook: {@code body} as received, its signature headers. */
  public Taken sendgrid(byte[] body, JsonNode events, String signature, String timestamp) {
    Instant now = clock.instant();
    if (!SendGridEvents.verified(sendgridKey.orElseThrow(), signature, timestamp, body, now)) {
      throw new NotSigned(
          "The "
              + SendGridEvents.SIGNATURE_HEADER
              + " does not verify over "
              + SendGridEvents.TIMESTAMP_HEADER
              + " and the body with the configured emailEvents.sendgridVerificationKey, or the"
              + " timestamp is more than 24 hours away.");
    }
    int recorded = 0, seen = 0, ignored = 0;
    for (JsonNode event : events) {
      var report = SendGridEvents.report(event, event.toString().length());
      if (report.isEmpty()) {
        ignored++;
      } else if (inbound.record(report.get()).isPresent()) {
        recorded++;
      } else {
        seen++;
      }
    }
    return new Taken(recorded, seen, ignored);
  }

  /** Whether a signed Unix timestamp lies within {@code window} of {@code now}. */
  static boolean recent(String timestamp, Instant now, Duration window) {
    if (timestamp == null || !timestamp.strip().matches("[0-9]{1,12}")) {
      return false;
    }
    long skew = Math.abs(now.getEpochSecond() - Long.parseLong(timestamp.strip()));
    return skew <= window.toSeconds();
  }
}
