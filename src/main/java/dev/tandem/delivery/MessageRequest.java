package dev.tandem.delivery;

import java.util.List;
import java.util.UUID;

/**
 * A send request as the caller wrote it (fields may be null); {@link Messages#accept} validates it.
 *
 * @param contactId the contact, or null when {@code toPhone}/{@code toEmail} name the recipient
 * @param channels the channels the caller names ("these, subject to consent"); null or empty lets
 *     the topic's policy decide
 * @param topic a configured topic; null means {@code consent.defaultTopic}
 * @param dedupeKey what makes two messages on a topic the same for the dedupe window; null means
 *     their content
 * @param template the template to render instead of sms and email content, or null
 * @param smsFrom the SMS sender id to send from, one of the configured senders; null: the default
 * @param emailFrom the From address, one of the configured identities; null: the default
 * @param emailReplyTo the Reply-To address; null: the identity's, if any
 * @param statusCallback where each delivery status change is POSTed, already checked ({@code
 *     Webhooks.statusCallback}); null: nowhere
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
    List<Attachment> emailAttachments,
    String dedupeKey,
    dev.tandem.template.TemplateRequest template,
    java.time.Instant sendAt,
    String smsFrom,
    String emailFrom,
    String emailReplyTo,
    String statusCallback) {

  public MessageRequest(
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
      List<Attachment> emailAttachments,
      String dedupeKey,
      dev.tandem.template.TemplateRequest template,
      java.time.Instant sendAt) {
    this(
        contactId,
        toPhone,
        toEmail,
        channels,
        topic,
        smsText,
        smsSubstitution,
        emailSubject,
        emailHtml,
        emailText,
        emailTracking,
        emailUnsubscribe,
        idempotencyKey,
        emailAttachments,
        dedupeKey,
        template,
        sendAt,
        null,
        null,
        null,
        null);
  }

  /** True when the request names a sender of its own. */
  public boolean namesSender() {
    return smsFrom != null || emailFrom != null || emailReplyTo != null;
  }

  /** True when the request carries SMS content. */
  public boolean hasSms() {
    return smsText != null || smsSubstitution != null;
  }

  /** True when the request carries email content. */
  public boolean hasEmail() {
    return emailSubject != null
        || emailHtml != null
        || emailText != null
        || (emailAttachments != null && !emailAttachments.isEmpty());
  }

  /** A file to attach, as the caller sent it: the content is base64. */
  public record Attachment(
      String filename, String contentType, String contentBase64, String contentId) {
    public Attachment(String filename, String contentType, String contentBase64) {
      this(filename, contentType, contentBase64, null);
    }
  }
}
