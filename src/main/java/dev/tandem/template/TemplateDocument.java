package dev.tandem.template;

import dev.tandem.contact.Locales;
import dev.tandem.error.InvalidInput;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A template as its author wrote it: variants per locale (each with an email and/or an SMS), the
 * sample data lint and previews render with, and files the email carries. Sources are Mustache;
 * nothing is rendered here.
 *
 * @param key what sends name: lowercase letters, digits, dots, dashes, underscores
 * @param topic the topic a send takes when it names none, if any
 * @param sampleData what {@code check}, lint and the preview render with (a JSON object as maps,
 *     lists, strings, numbers and booleans)
 * @param variants by locale tag; {@link Locales#DEFAULT} is required
 */
public record TemplateDocument(
    String key,
    String description,
    Optional<String> topic,
    Map<String, Object> sampleData,
    Map<String, Variant> variants,
    List<Attachment> attachments) {
  public static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  public static final int MAX_SOURCE_CHARS = 500_000;

  public TemplateDocument {
    requireKey("key", key);
    description = description == null ? "" : description;
    sampleData = sampleData == null ? Map.of() : java.util.Collections.unmodifiableMap(sampleData);
    variants = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(variants));
    attachments = List.copyOf(attachments);
    if (!variants.containsKey(Locales.DEFAULT)) {
      throw new InvalidInput(
          "missing-default-variant",
          "variants.default",
          "a template needs a \"default\" variant: what is sent when no locale of the person's"
              + " matches.");
    }
  }

  /** Checks a template or snippet key. */
  public static String requireKey(String field, String key) {
    if (key == null || !KEY.matcher(key).matches()) {
      throw new InvalidInput(
          "invalid-template-key",
          field,
          field
              + " is '"
              + key
              + "'; use 1-64 lowercase letters, digits, '.', '-' or '_', starting with a letter or"
              + " digit (e.g. order-shipped).");
    }
    return key;
  }

  /** What one locale says: an email, an SMS, or both. */
  public record Variant(Optional<EmailVariant> email, Optional<SmsVariant> sms) {}

  /** The email's sources: one-line subject, HTML and/or text. */
  public record EmailVariant(String subject, Optional<String> html, Optional<String> text) {}

  /**
   * The SMS's source.
   *
   * @param trackLinks whether http(s) links in it are sent as tracked short links
   */
  public record SmsVariant(String text, boolean trackLinks) {}

  /**
   * A file every email of this template carries.
   *
   * @param contentId set for an inline image the HTML shows as {@code cid:...}
   */
  public record Attachment(
      String filename, String contentType, String contentBase64, Optional<String> contentId) {}

  /** The locale tags with a variant, {@code default} first. */
  public List<String> locales() {
    return List.copyOf(variants.keySet());
  }
}
