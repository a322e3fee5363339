package dev.tandem.delivery;

import java.util.List;
import java.util.UUID;

/**
 * A send request as the caller wrote it (fields may be null); {@link Messages#accept} validates it.
 *
 * @param contactId the contact, or null when {@code toPhone}/{@code toEmail} name the recipient
 * @param topic a configured topic; null means {@code consent.defaultTopic}
 */
public record MessageRequest(
    UUID contactId,
    String toPhone,
    String toEmail,
    List<String> channels,
    String topic,
    String smsText,
    Boolean smsSubstitution,
    String emailSubject,
    String emailHtml,
    String emailText,
    Boolean emailTracking,
    Boolean emailUnsubscribe,
    String idempotencyKey,
    List<Attachment> emailAttachments) {

  /** A file to attach, as the caller sent it: the content is base64. */
  public record Attachment(String filename, String contentType, String contentBase64) {}
}
