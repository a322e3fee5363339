package dev.tandem.delivery;

/** What became of one dispatch attempt, whichever channel it went to. */
sealed interface Outcome {
  record Sent(String providerId, String receiptKey) implements Outcome {}

  record Failed(String reason) implements Outcome {}

  record Retry(String reason) implements Outcome {}
}
