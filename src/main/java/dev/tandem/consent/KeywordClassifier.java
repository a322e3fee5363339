package dev.tandem.consent;

import java.text.Normalizer;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Classifies an inbound SMS as opt-out, opt-in, help or none, deterministically (STANDARDS §7):
 * NFKC, diacritics folded, curly apostrophes mapped, upper case, everything but {@code [A-Z0-9' ]}
 * to spaces; then an exact keyword, a negated opt-out (none), one opt-out word among politeness
 * words, or an explicit phrase. Opt-outs are honoured liberally (the FCC's "any reasonable means");
 * opt-ins and help only on the exact keyword. Pure.
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

  /**
   * The keyword lists; {@link #defaults()} are the industry lists of STANDARDS §3.1, {@link
   * #with(List)} adds the built-in lists of other languages. Words are stored normalized.
   */
  public record Keywords(
      Set<String> optOut,
      Set<String> optIn,
      Set<String> help,
      Set<String> filler,
      List<String> phrases,
      Set<String> negations) {

    public Keywords(
        Set<String> optOut,
        Set<String> optIn,
        Set<String> help,
        Set<String> filler,
        List<String> phrases) {
      this(optOut, optIn, help, filler, phrases, Set.of("DONT", "DON'T", "NEVER", "NOT"));
    }

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

    /** These lists and the built-in ones of {@code languages} (fr, es, de, pt) together. */
    public Keywords with(List<String> languages) {
      Keywords all = this;
      for (String language : languages) {
        all = all.plus(language(language));
      }
      return all;
    }

    private Keywords plus(Keywords more) {
      return new Keywords(
          union(optOut, more.optOut),
          union(optIn, more.optIn),
          union(help, more.help),
          union(filler, more.filler),
          java.util.stream.Stream.concat(phrases.stream(), more.phrases.stream()).toList(),
          union(negations, more.negations));
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
      var all = new java.util.HashSet<>(a);
      all.addAll(b);
      return Set.copyOf(all);
    }

    private static Keywords language(String code) {
      return switch (code) {
        case "fr" ->
            new Keywords(
                Set.of(
                    "ARRET", "ARRETER", "ARRETEZ", "DESABONNER", "DESINSCRIRE", "DESINSCRIPTION"),
                Set.of("DEBUT", "OUI"),
                Set.of("AIDE"),
                Set.of("S'IL", "VOUS", "PLAIT", "SVP", "STP", "MERCI"),
                List.of("ARRETEZ DE M'ECRIRE", "PLUS DE MESSAGES", "DESABONNEZ MOI"),
                Set.of("NE", "PAS", "JAMAIS"));
        case "es" ->
            new Keywords(
                Set.of(
                    "BAJA", "CANCELAR", "CANCELACION", "ANULAR", "DETENER", "PARAR", "DESUSCRIBIR"),
                Set.of("ALTA", "SI"),
                Set.of("AYUDA"),
                Set.of("POR", "FAVOR", "GRACIAS", "YA"),
                List.of("NO MAS MENSAJES", "DAR DE BAJA", "DEJEN DE ESCRIBIR"),
                Set.of("NUNCA"));
        case "de" ->
            new Keywords(
                Set.of("STOPP", "STOPPEN", "ABMELDEN", "ABBESTELLEN", "KUNDIGEN", "KUENDIGEN"),
                Set.of("ANMELDEN"),
                Set.of("HILFE"),
                Set.of("BITTE", "DANKE", "SOFORT"),
                List.of("KEINE SMS MEHR", "KEINE NACHRICHTEN MEHR"),
                Set.of("NICHT", "NIE"));
        case "pt" ->
            new Keywords(
                Set.of("PARAR", "SAIR", "CANCELAR", "DESCADASTRAR", "DESINSCREVER"),
                Set.of("SIM", "VOLTAR"),
                Set.of("AJUDA"),
                Set.of("POR", "FAVOR", "OBRIGADO", "OBRIGADA"),
                List.of("NAO QUERO MAIS", "NAO ENVIE MAIS", "PARE DE ENVIAR"),
                Set.of("NAO", "NUNCA"));
        default ->
            throw new IllegalArgumentException(
                "no built-in keywords for '" + code + "'; known: fr, es, de, pt");
      };
    }
  }

  private final Keywords keywords;

  public KeywordClassifier(Keywords keywords) {
    this.keywords = keywords;
  }

  public static KeywordClassifier withDefaults() {
    return new KeywordClassifier(Keywords.defaults());
  }

  /**
   * The text as the classifier sees it: {@code " Stop. "} → {@code "STOP"}, {@code "Arrêt"} →
   * {@code "ARRET"}: letters with diacritics fold to their base letters, ligatures and ß spell out.
   */
  public static String normalize(String text) {
    String s =
        foldDiacritics(Normalizer.normalize(text == null ? "" : text, Normalizer.Form.NFKC))
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

  private static final java.util.regex.Pattern COMBINING_MARKS =
      java.util.regex.Pattern.compile("\\p{Mn}+");

  private static String foldDiacritics(String s) {
    String decomposed = Normalizer.normalize(s, Normalizer.Form.NFD);
    return COMBINING_MARKS
        .matcher(decomposed)
        .replaceAll("")
        .replace("Œ", "OE")
        .replace("œ", "oe")
        .replace("Æ", "AE")
        .replace("æ", "ae")
        .replace("Ø", "O")
        .replace("ø", "o")
        .replace("Ł", "L")
        .replace("ł", "l")
        .replace("Đ", "D")
        .replace("đ", "d")
        .replace("ẞ", "SS");
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
        if (negated(tokens, i, keywords.negations())) {
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

  private static boolean negated(List<String> tokens, int i, Set<String> negations) {
    return (i >= 1 && negations.contains(tokens.get(i - 1)))
        || (i >= 2 && tokens.get(i - 2).equals("DO") && tokens.get(i - 1).equals("NOT"));
  }
}
