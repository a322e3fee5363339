package dev.tandem.sms;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An SMS body as it will be sent: the encoding, its length in units (septets or UTF-16 code units),
 * the parts it splits into, the substitutions that kept it in GSM-7 and the characters that force
 * UCS-2. Pure: no I/O.
 *
 * <p>Splitting follows STANDARDS §1.4: GSM-7 fits 160 septets in one SMS and 153 per part of a
 * concatenated one, and an escape pair is never split; UCS-2 fits 70 and 67, and a surrogate pair
 * is never split. An empty text is one (empty) part.
 *
 * <p>Substitution is all or nothing: it is applied only when it makes the whole text GSM-7.
 * Replacing quotes in a text that is UCS-2 anyway (because of an emoji) would change the words and
 * save nothing.
 */
public record SmsText(
    String original,
    String transmitted,
    SmsEncoding encoding,
    int units,
    List<String> parts,
    List<Substitution> substitutions,
    List<String> nonGsmCharacters) {

  /** One kind of character replaced, how often. */
  public record Substitution(String from, String to, int count) {}

  public int segments() {
    return parts.size();
  }

  public static SmsText of(String text, boolean substitute) {
    List<String> nonGsm = nonGsm(text);
    if (nonGsm.isEmpty()) {
      return build(text, text, SmsEncoding.GSM7, List.of(), List.of());
    }
    if (substitute) {
      var counts = new LinkedHashMap<String, Substitution>();
      var replaced = new StringBuilder(text.length());
      boolean complete = true;
      for (int i = 0; i < text.length(); ) {
        int cp = text.codePointAt(i);
        i += Character.charCount(cp);
        String one = new String(Character.toChars(cp));
        if (Gsm7.canEncode(one)) {
          replaced.append(one);
          continue;
        }
        String replacement = SmartCharacters.replacement(cp);
        if (replacement == null) {
          complete = false;
          break;
        }
        replaced.append(replacement);
        counts.merge(
            one,
            new Substitution(one, replacement, 1),
            (a, b) -> new Substitution(a.from(), a.to(), a.count() + 1));
      }
      if (complete) {
        return build(
            text, replaced.toString(), SmsEncoding.GSM7, List.copyOf(counts.values()), List.of());
      }
      // Still UCS-2: report only the characters no substitution could have saved.
      List<String> unsaved =
          nonGsm.stream()
              .filter(c -> SmartCharacters.replacement(c.codePointAt(0)) == null)
              .toList();
      return build(text, text, SmsEncoding.UCS2, List.of(), unsaved);
    }
    return build(text, text, SmsEncoding.UCS2, List.of(), nonGsm);
  }

  /** The same text sent as UCS-2 (for an SMSC that cannot take it in its default alphabet). */
  public SmsText asUcs2() {
    return encoding == SmsEncoding.UCS2
        ? this
        : build(original, original, SmsEncoding.UCS2, List.of(), nonGsmCharacters);
  }

  private static List<String> nonGsm(String text) {
    Set<String> found = new LinkedHashSet<>();
    text.codePoints()
        .mapToObj(cp -> new String(Character.toChars(cp)))
        .filter(c -> !Gsm7.canEncode(c))
        .forEach(found::add);
    return List.copyOf(found);
  }

  private static SmsText build(
      String original,
      String text,
      SmsEncoding encoding,
      List<Substitution> substitutions,
      List<String> nonGsm) {
    int units = encoding == SmsEncoding.GSM7 ? Gsm7.septets(text) : text.length();
    List<String> parts = units <= encoding.singleLimit ? List.of(text) : split(text, encoding);
    return new SmsText(original, text, encoding, units, parts, substitutions, nonGsm);
  }

  private static List<String> split(String text, SmsEncoding encoding) {
    var parts = new ArrayList<String>();
    int start = 0;
    int used = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int width = Character.charCount(cp);
      int cost = encoding == SmsEncoding.GSM7 ? Gsm7.septets(text.substring(i, i + width)) : width;
      if (used + cost > encoding.partLimit) {
        parts.add(text.substring(start, i));
        start = i;
        used = 0;
      }
      used += cost;
      i += width;
    }
    parts.add(text.substring(start));
    return parts;
  }

  /** The parts as the JSON of {@code sms inspect}: encoding, units, segments, parts, … */
  public Map<String, Object> toJson() {
    var json = new LinkedHashMap<String, Object>();
    json.put("encoding", encoding.name());
    json.put("units", units);
    json.put("segments", segments());
    json.put("parts", parts);
    json.put(
        "substitutions",
        substitutions.stream()
            .map(s -> Map.of("from", s.from(), "to", s.to(), "count", s.count()))
            .toList());
    json.put("nonGsmCharacters", nonGsmCharacters);
    if (!transmitted.equals(original)) {
      json.put("transmitted", transmitted);
    }
    return json;
  }
}
