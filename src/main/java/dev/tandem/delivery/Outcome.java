package dev.tandem.delivery;

import java.util.List;

/** What became of one dispatch attempt, whichever channel it went to. */
sealed interface Outcome {
  /**
   * Accepted by the provider. {@code parts} lists each SMS part's id and receipt key; it is empty
   * for email.
   */
  record Sent(String providerId, List<SmsPart> parts) implements Outcome {}

  /** One submitted SMS part. */
  record SmsPart(int seq, String providerId, String receiptKey) {}

  record Failed(String reason) implements Outcome {}

  /** Not sent: consent or a suppression forbids it. */
  record Suppressed(String reason) implements Outcome {}

  /**
   * Not now: the person's quiet hours began since the message was planned (a STOP-like re-check at
   * send time, STANDARDS §6.3 step 4). Queued again for {@code until}; not an attempt.
   */
  record Deferred(java.time.Instant until, String reason) implements Outcome {}

  /** Try again later; {@code throttled} retries do not count as attempts. */
  record Retry(String reason, boolean throttled) implements Outcome {
    Retry(String reason) {
      this(reason, false);
    }
  }
}
