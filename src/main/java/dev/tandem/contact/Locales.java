package dev.tandem.contact;

import dev.tandem.error.InvalidInput;
import java.util.ArrayList;
import java.util.IllformedLocaleException;
import java.util.List;
import java.util.Locale;

/**
 * Language tags (BCP 47) as contacts and templates use them: {@code pt-BR}, {@code de}, {@code
 * zh-Hant-TW}. Pure.
 */
public final class Locales {
  /** The variant every template has, used when no locale in the chain has one. */
  public static final String DEFAULT = "default";

  private Locales() {}

  /**
   * The tag in its canonical form ({@code pt_br} → {@code pt-BR}); throws {@link InvalidInput}
   * naming {@code field} when it is not a language tag.
   */
  public static String normalize(String field, String value) {
    String tag = value == null ? "" : value.strip().replace('_', '-');
    try {
      if (tag.isEmpty() || tag.length() > 35) {
        throw new IllformedLocaleException("empty or too long");
      }
      Locale locale = new Locale.Builder().setLanguageTag(tag).build();
      if (locale.getLanguage().isEmpty()) {
        throw new IllformedLocaleException("no language");
      }
      return locale.toLanguageTag();
    } catch (IllformedLocaleException e) {
      throw new InvalidInput(
          "invalid-locale",
          field,
          field
              + " is '"
              + value
              + "', which is not a language tag; use a BCP 47 tag such as en, pt-BR or"
              + " zh-Hant-TW.");
    }
  }

  /**
   * Where to look for a variant, most specific first and {@link #DEFAULT} last: {@code pt-BR} →
   * {@code [pt-BR, pt, default]}; {@code zh-Hant-TW} → {@code [zh-Hant-TW, zh-Hant, zh, default]}.
   */
  public static List<String> chain(String tag) {
    var chain = new ArrayList<String>();
    if (tag != null && !tag.isEmpty() && !tag.equals(DEFAULT)) {
      String t = tag;
      while (true) {
        chain.add(t);
        int dash = t.lastIndexOf('-');
        if (dash < 0) {
          break;
        }
        t = t.substring(0, dash);
      }
    }
    chain.add(DEFAULT);
    return List.copyOf(chain);
  }
}
