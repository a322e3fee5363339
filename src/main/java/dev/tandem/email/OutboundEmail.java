package dev.tandem.email;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * One email to send. {@code messageId} is the RFC 5322 Message-ID without angle brackets; at least
 * one of {@code html} and {@code text} is present (the gateway derives the text part from HTML);
 * {@code headers} are extra headers such as List-Unsubscribe (no CR or LF in names or values).
 */
public record OutboundEmail(
    UUID deliveryId,
    String messageId,
    String from,
    String to,
    String subject,
    Optional<String> html,
    Optional<String> text,
    Map<String, String> headers,
    java.util.List<Attachment> attachments) {

  /**
   * A file attached to the email.
   *
   * @param contentId set for an inline image the HTML shows as {@code cid:ID}
   */
  public record Attachment(
      String filename, String contentType, byte[] content, java.util.Optional<String> contentId) {
    public Attachment(String filename, String contentType, byte[] content) {
      this(filename, contentType, content, java.util.Optional.empty());
    }
  }

  public OutboundEmail(
      UUID deliveryId,
      String messageId,
      String from,
      String to,
      String subject,
      Optional<String> html,
      Optional<String> text,
      Map<String, String> headers) {
    this(deliveryId, messageId, from, to, subject, html, text, headers, java.util.List.of());
  }

  public OutboundEmail(
      UUID deliveryId,
      String messageId,
      String from,
      String to,
      String subject,
      Optional<String> html,
      Optional<String> text) {
    this(deliveryId, messageId, from, to, subject, html, text, Map.of());
  }
}
