package dev.tandem.sms;

/** What the SMSC or provider said to one submit. */
public sealed interface SmsSubmitResult {

  /** Accepted: one entry per submitted part (one for a single SMS). */
  record Accepted(java.util.List<Part> parts) implements SmsSubmitResult {
    public Accepted {
      parts = java.util.List.copyOf(parts);
      if (parts.isEmpty()) {
        throw new IllegalArgumentException("an accepted SMS has at least one part");
      }
    }

    /** The provider ids of all parts, comma-separated: what the message view shows. */
    public String providerIds() {
      return String.join(",", parts.stream().map(Part::providerId).toList());
    }
  }

  /**
   * One submitted part: {@code providerId} as the provider gave it, {@code receiptKey} the form in
   * which its delivery receipt will name it (see {@link ReceiptKeys}).
   */
  record Part(int seq, String providerId, String receiptKey) {}

  /** Permanently refused: sending again cannot help. */
  record Rejected(String reason) implements SmsSubmitResult {}

  /**
   * Not sent this time (not connected, no answer, system error): try again later. {@code
   * throttled}: the SMSC asked to slow down (throttling, queue full); that is not the message's
   * fault and does not count as a failed attempt.
   */
  record RetryLater(String reason, boolean throttled) implements SmsSubmitResult {
    public RetryLater(String reason) {
      this(reason, false);
    }
  }
}
