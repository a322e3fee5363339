package dev.tandem.consent;

import java.text.Normalizer;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Classifies an inbound SMS as opt-out, opt-in, help or none, deterministically (STANDARDS §7):
 * NFKC, curly apostrophes mapped, upper case, everything but {@code [A-Z0-9' ]} to spaces; then an
 * exact keyword, a negated opt-out (none), one opt-out word among politeness words, or an explicit
 * phrase. Opt-outs are honoured liberally (the FCC's "any reasonable means"); opt-ins and help only
 * on the exact keyword. Pure.
 */
public final class KeywordClassifier {

  /** What an inbound text asks for. */
  public enum Kind {
    OPT_OUT("opt-out"),
    OPT_IN("opt-in"),
    HELP("help"),
    NONE("none");

    public final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  /** The keyword lists; {@link #defaults()} are the industry lists of STANDARDS §3.1. */
  public record Keywords(
      Set<String> optOut,
      Set<String> optIn,
      Set<String> help,
      Set<String> filler,
      List<String> phrases) {
    public static Keywords defaults() {
      return new Keywords(
          Set.of(
              "STOP",
              "STOPALL",
              "STOP ALL",
              "UNSUBSCRIBE",
              "CANCEL",
              "END",
              "QUIT",
              "REVOKE",
              "OPTOUT",
              "OPT OUT",
              "REMOVE",
              "ARRET"),
          Set.of("START", "UNSTOP", "YES"),
          Set.of("HELP", "INFO"),
          Set.of("PLEASE", "PLS", "PLZ", "THANKS", "THANK", "YOU", "THX", "TY", "NOW", "ASAP"),
          List.of(
              "STOP TEXTING",
              "STOP SENDING",
              "STOP MESSAGING",
              "STOP CONTACTING",
              "STOP CALLING",
              "UNSUBSCRIBE ME",
              "REMOVE ME",
              "TAKE ME OFF",
              "DO NOT TEXT",
              "DON'T TEXT",
              "DONT TEXT",
              "OPT ME OUT",
              "NO MORE TEXTS",
              "NO MORE MESSAGES"));
    }
  }

  private static final Set<String> NEGATIONS = Set.of("DONT", "DON'T", "NEVER", "NOT");

  private final Keywords keywords;

  public KeywordClassifier(Keywords keywords) {
    this.keywords = keywords;
  }

  public static KeywordClassifier withDefaults() {
    return new KeywordClassifier(Keywords.defaults());
  }

  /** The text as the classifier sees it: {@code " Stop. "} → {@code "STOP"}. */
  public static String normalize(String text) {
    String s =
        Normalizer.normalize(text == null ? "" : text, Normalizer.Form.NFKC)
            .replace('\u2019', '\'')
            .replace('\u2018', '\'')
            .replace('\u02BC', '\'')
            .toUpperCase(Locale.ROOT);
    var out = new StringBuilder(s.length());
    s.codePoints()
        .forEach(c ->
            out.append(
                (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '\'' || c == ' '
                    ? (char) c
                    : ' '));
    return out.toString().trim().replaceAll(" +", " ");
  }

  public Kind classify(String text) {
    String normalized = normalize(text);
    if (keywords.optOut().contains(normalized)) {
      return Kind.OPT_OUT;
    }
    if (keywords.optIn().contains(normalized)) {
      return Kind.OPT_IN;
    }
    if (keywords.help().contains(normalized)) {
      return Kind.HELP;
    }
    if (normalized.isEmpty()) {
      return Kind.NONE;
    }
    List<String> tokens = Arrays.asList(normalized.split(" "));
    // Opt-out words as they stand in the text, two-word ones ("OPT OUT", "STOP ALL") counted once.
    int optOutWords = 0;
    boolean otherWords = false;
    for (int i = 0; i < tokens.size(); i++) {
      String pair = i + 1 < tokens.size() ? tokens.get(i) + " " + tokens.get(i + 1) : null;
      boolean twoWord = pair != null && keywords.optOut().contains(pair);
      if (twoWord || keywords.optOut().contains(tokens.get(i))) {
        if (negated(tokens, i)) {
          return Kind.NONE; // "don't stop"
        }
        optOutWords++;
        if (twoWord) {
          i++;
        }
      } else if (!keywords.filler().contains(tokens.get(i))) {
        otherWords = true;
      }
    }
    if (optOutWords == 1 && !otherWords) {
      return Kind.OPT_OUT; // "STOP please"
    }
    String padded = " " + normalized + " ";
    for (String phrase : keywords.phrases()) {
      if (padded.contains(" " + phrase + " ")) {
        return Kind.OPT_OUT; // "stop texting me"
      }
    }
    return Kind.NONE;
  }

  private static final List<String> REVOCATION_HINTS =
      List.of(
          "LEAVE ME ALONE",
          "NOT INTERESTED",
          "WRONG NUMBER",
          "NO MORE",
          "DON'T WANT",
          "DONT WANT",
          "DO NOT WANT",
          "STOP SENDING",
          "STOP TEXTING",
          "TAKE ME OFF",
          "REMOVE ME",
          "UNSUBSCRIBE");

  /**
   * True when a text the classifier calls {@code none} still reads like a withdrawal of consent ("I
   * said stop", "wrong number, leave me alone"): a person should review it. Pure.
   */
  public boolean mayRevoke(String text) {
    String padded = " " + normalize(text) + " ";
    for (String hint : REVOCATION_HINTS) {
      if (padded.contains(" " + hint + " ")) {
        return true;
      }
    }
    for (String token : padded.strip().split(" ")) {
      if (keywords.optOut().contains(token)) {
        return true;
      }
    }
    return false;
  }

  private static boolean negated(List<String> tokens, int i) {
    return (i >= 1 && NEGATIONS.contains(tokens.get(i - 1)))
        || (i >= 2 && tokens.get(i - 2).equals("DO") && tokens.get(i - 1).equals("NOT"));
  }
}
