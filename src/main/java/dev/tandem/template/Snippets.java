package dev.tandem.template;

import java.util.Map;
import java.util.Optional;

/**
 * The brand snippets at one moment ({@code {{> footer}}} in any template): sender name, signature,
 * support line, the footer with the postal address. Each has a text form (SMS, the email's text
 * part and subject) and, optionally, an HTML form; where it has none, the email's HTML shows the
 * text escaped, its line breaks kept.
 */
public record Snippets(Map<String, Snippet> byKey) {
  public static final Snippets NONE = new Snippets(Map.of());

  public Snippets {
    byKey = Map.copyOf(byKey);
  }

  /** One snippet; {@code text} and {@code html} are Mustache sources like a template's. */
  public record Snippet(String key, String text, Optional<String> html) {
    public Snippet {
      TemplateDocument.requireKey("key", key);
      if (text == null || text.isBlank()) {
        throw new dev.tandem.error.InvalidInput(
            "missing-field", "text", "a snippet needs its text (used in SMS and plain text).");
      }
      html = html.filter(h -> !h.isBlank());
    }
  }
}
