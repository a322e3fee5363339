package dev.tandem.sms;

/** What the SMSC or provider said to one submit. */
public sealed interface SmsSubmitResult {

  /**
   * Accepted: {@code providerId} as the provider gave it, {@code receiptKey} the form in which its
   * delivery receipts will name it (see {@link ReceiptKeys}).
   */
  record Accepted(String providerId, String receiptKey) implements SmsSubmitResult {}

  /** Permanently refused: sending again cannot help. */
  record Rejected(String reason) implements SmsSubmitResult {}

  /** Not sent this time (not connected, throttled, no answer): try again later. */
  record RetryLater(String reason) implements SmsSubmitResult {}
}
