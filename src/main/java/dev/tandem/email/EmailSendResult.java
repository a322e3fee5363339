package dev.tandem.email;

/** What the SMTP relay said to one message. */
public sealed interface EmailSendResult {

  /** 2xx: the relay took responsibility for the message. */
  record Sent(String messageId, String serverReply) implements EmailSendResult {}

  /** 5xx or an unusable message: sending again cannot help. */
  record Rejected(String reason) implements EmailSendResult {}

  /** 4xx, connection refused or lost, timeout: try again later. */
  record RetryLater(String reason) implements EmailSendResult {}
}
