package dev.tandem.template;

import java.util.Map;

/**
 * A send that names a template instead of its content.
 *
 * @param version a version to render; null for the current one
 * @param locale the variant to prefer; null for the contact's locale (else the default)
 * @param data the template's variables
 */
public record TemplateRequest(
    String key, Integer version, String locale, Map<String, Object> data) {
  public TemplateRequest {
    data = data == null ? Map.of() : data;
  }
}
