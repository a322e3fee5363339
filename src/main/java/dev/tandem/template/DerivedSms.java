package dev.tandem.template;

import dev.tandem.sms.SmsText;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * The SMS a template without one gets from its email: the subject, the first meaningful paragraph
 * as plain text, and the email's main link as a tracked short link, fitted to the topic's segment
 * budget. The email is read with a real HTML parser (jsoup): hidden preheaders, styles, images, a
 * greeting alone on its line, "view in browser" lines and a paragraph that only repeats the subject
 * are not what the person needs to read first. Fitting keeps the link whole and shortens the
 * paragraph at a word boundary (then the subject), ending it with "..."; cutting happens between
 * code points, so a surrogate pair is never split, and every candidate is measured as it will be
 * sent ({@link SmsText}: GSM-7 escapes count two septets, substitution applied). Pure.
 */
public final class DerivedSms {
  private static final String ELLIPSIS = "...";
  private static final int MIN_KEPT_WORDS = 3;
  private static final Pattern URL = Pattern.compile("https?://[^\\s<>\"')\\]]+");
  private static final Set<String> BLOCKS =
      Set.of(
          "p",
          "li",
          "h1",
          "h2",
          "h3",
          "h4",
          "h5",
          "h6",
          "td",
          "th",
          "div",
          "blockquote",
          "dd",
          "dt",
          "pre",
          "section",
          "article",
          "center",
          "font",
          "span");
  private static final Set<String> CONTAINERS =
      Set.of(
          "p",
          "li",
          "h1",
          "h2",
          "h3",
          "h4",
          "h5",
          "h6",
          "td",
          "th",
          "div",
          "blockquote",
          "dd",
          "dt",
          "pre",
          "section",
          "article",
          "center",
          "table",
          "tr",
          "tbody",
          "ul",
          "ol");

  /** Links that are never the point of a message. */
  private static final Pattern NOT_MAIN =
      Pattern.compile(
          "unsubscribe|abmelden|desinscri|désinscri|darse de baja|cancelar (a )?inscri|opt-?out"
              + "|preferences|preferenc|einstellungen|manage (your )?(email|subscription)"
              + "|view (it |this (email|message) )?(in (your |a )?browser|online)|web ?version"
              + "|privacy|datenschutz|facebook\\.com|twitter\\.com|//x\\.com|instagram\\.com"
              + "|linkedin\\.com|youtube\\.com|tiktok\\.com|pinterest\\.",
          Pattern.CASE_INSENSITIVE);

  /** A block that is chrome around the message rather than the message. */
  private static final Pattern CHROME =
      Pattern.compile(
          "view (it |this (email|message) )?(in (your |a )?browser|online)|trouble viewing"
              + "|unsubscribe|abmelden|se désinscrire|darse de baja|©|\\(c\\) \\d{4}"
              + "|all rights reserved|you (are )?receiv(e|ed|ing) this",
          Pattern.CASE_INSENSITIVE);

  /** A salutation alone: "Hi Ada,", "Dear customer,", "Olá Ana,", "山田様". */
  private static final Pattern GREETING =
      Pattern.compile(
          "^(hi|hello|hey|dear|good (morning|afternoon|evening)|greetings|olá|ola|oi|prezad[oa]"
              + "|car[oa]|hallo|liebe[rs]?|sehr geehrte[rs]?|guten tag|bonjour|salut|cher|chère"
              + "|hola|estimad[oa]|querid[oa]|ciao|buongiorno|gentile|hej|hei|привет"
              + "|здравствуйте|уважаем\\S*|добрый день)\\b.{0,40}$|^.{1,20}(様|さん|님)[、,]?$",
          Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

  private DerivedSms() {}

  /**
   * What was derived.
   *
   * @param text what the SMS says
   * @param sms the text measured as it will be sent
   * @param mainLink the email's link chosen (its original URL), if any
   * @param link what the SMS carries for it (the short link)
   * @param shortened whether anything was cut to fit the budget
   */
  public record Result(
      String text,
      SmsText sms,
      Optional<String> mainLink,
      Optional<String> link,
      boolean shortened) {}

  /**
   * @param subject the rendered email subject (one line)
   * @param html the rendered email HTML, or null
   * @param text the rendered plain-text part, or null (used when html is null)
   * @param shortLink maps the main link to the link the SMS carries; called at most once
   * @param segmentBudget the most segments the SMS may take (at least 1)
   * @param substitution whether smart-character substitution may keep it GSM-7
   */
  public static Result derive(
      String subject,
      String html,
      String text,
      UnaryOperator<String> shortLink,
      int segmentBudget,
      boolean substitution) {
    String head = normalize(subject);
    Optional<String> main;
    String paragraph;
    if (html != null && !html.isBlank()) {
      Document document = Jsoup.parse(html);
      strip(document);
      main = mainLink(document);
      paragraph =
          firstParagraph(blocks(document), head, main.flatMap(m -> anchorText(document, m)));
    } else {
      String plain = text == null ? "" : text;
      main = mainLink(plain);
      paragraph = firstParagraph(textBlocks(plain, main), head, Optional.empty());
    }
    Optional<String> link = main.map(shortLink);
    return fit(head, paragraph, link, Math.max(1, segmentBudget), substitution, main);
  }

  /** The email's main link, or empty: shared with lint and the preview. */
  public static Optional<String> mainLink(Document html) {
    Element first = null;
    for (Element a : html.select("a[href]")) {
      String href = a.attr("href").strip();
      if (!isCandidate(a, href)) {
        continue;
      }
      if (buttonLike(a)) {
        return Optional.of(href);
      }
      if (first == null) {
        first = a;
      }
    }
    return Optional.ofNullable(first).map(a -> a.attr("href").strip());
  }

  private static boolean isCandidate(Element a, String href) {
    if (!(href.startsWith("https://") || href.startsWith("http://")) || href.length() > 2_000) {
      return false;
    }
    String words = a.text() + " " + a.attr("title") + " " + a.attr("aria-label");
    if (NOT_MAIN.matcher(href).find() || NOT_MAIN.matcher(words).find()) {
      return false;
    }
    // a logo or a picture: a link with no words of its own
    return !a.text().isBlank();
  }

  private static boolean buttonLike(Element a) {
    String marks = (a.className() + " " + a.id() + " " + a.attr("role")).toLowerCase(Locale.ROOT);
    if (marks.contains("button") || marks.contains("btn") || marks.contains("cta")) {
      return true;
    }
    if (hasBackground(a.attr("style"))) {
      return true;
    }
    Element parent = a.parent();
    for (int i = 0; i < 3 && parent != null; i++, parent = parent.parent()) {
      if (parent.tagName().equals("td") || parent.tagName().equals("th")) {
        return parent.hasAttr("bgcolor") || hasBackground(parent.attr("style"));
      }
    }
    return false;
  }

  private static boolean hasBackground(String style) {
    String s = style.toLowerCase(Locale.ROOT).replace(" ", "");
    return s.contains("background:") || s.contains("background-color:");
  }

  private static Optional<String> anchorText(Document document, String href) {
    for (Element a : document.select("a[href]")) {
      if (a.attr("href").strip().equals(href)) {
        return Optional.of(normalize(a.text()));
      }
    }
    return Optional.empty();
  }

  /** The first link of a text part that is not an unsubscribe or preference link. */
  private static Optional<String> mainLink(String text) {
    Matcher m = URL.matcher(text);
    while (m.find()) {
      String url = trimUrl(m.group());
      int lineStart = text.lastIndexOf('\n', m.start()) + 1;
      int lineEnd = text.indexOf('\n', m.end());
      String line = text.substring(lineStart, lineEnd < 0 ? text.length() : lineEnd);
      if (!NOT_MAIN.matcher(url).find() && !NOT_MAIN.matcher(line).find()) {
        return Optional.of(url);
      }
    }
    return Optional.empty();
  }

  private static String trimUrl(String url) {
    int end = url.length();
    while (end > 0 && ".,;:!?".indexOf(url.charAt(end - 1)) >= 0) {
      end--;
    }
    return url.substring(0, end);
  }

  /** What a reader never sees: head, styles, scripts, hidden elements (the preheader). */
  private static void strip(Document document) {
    document.select("head, style, script, title, noscript, template, img, [hidden]").remove();
    for (Element e : document.select("[style]")) {
      String style = e.attr("style").toLowerCase(Locale.ROOT).replace(" ", "");
      if (style.contains("display:none")
          || style.contains("mso-hide:all")
          || style.contains("visibility:hidden")
          || style.contains("max-height:0")
          || style.contains("font-size:0")
          || style.contains("opacity:0")) {
        e.remove();
      }
    }
  }

  /** The texts of the innermost blocks, in reading order. */
  private static List<String> blocks(Document document) {
    var out = new ArrayList<String>();
    // one pass: which elements hold a block (their inner blocks give their text instead)
    var holders =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<Element, Boolean>());
    for (Element e : document.body().getAllElements()) {
      if (CONTAINERS.contains(e.tagName())) {
        for (Element p = e.parent(); p != null && holders.add(p); p = p.parent()) {
          // marked up to the first ancestor marked already
        }
      }
    }
    for (Element e : document.body().getAllElements()) {
      if (!BLOCKS.contains(e.tagName()) || holders.contains(e)) {
        continue;
      }
      if (e.tagName().equals("span") || e.tagName().equals("font")) {
        // inline: a block only when nothing block-like around it will give its text
        if (insideLeafBlock(e)) {
          continue;
        }
      }
      String text = normalize(e.text());
      if (!text.isEmpty()) {
        out.add(text);
      }
    }
    if (out.isEmpty()) {
      String all = normalize(document.body().text());
      if (!all.isEmpty()) {
        out.add(all);
      }
    }
    return out;
  }

  private static boolean insideLeafBlock(Element e) {
    for (Element p = e.parent(); p != null; p = p.parent()) {
      if (CONTAINERS.contains(p.tagName()) && !p.tagName().equals("table")) {
        return true;
      }
    }
    return false;
  }

  /** A text part's paragraphs (blank-line separated), URLs of the main link removed. */
  private static List<String> textBlocks(String text, Optional<String> main) {
    var out = new ArrayList<String>();
    for (String block : text.split("\\R\\s*\\R")) {
      String b = block;
      if (main.isPresent()) {
        b = b.replace(main.get(), " ");
      }
      // a lone line like "Track it:" that only introduced the link says nothing
      String normalized = normalize(b).replaceAll("[\\s:]+$", "");
      if (!normalized.isEmpty()) {
        out.add(normalized);
      }
      // a block of lines starting with a greeting: the rest of it can be the paragraph
      String[] lines = block.strip().split("\\R", 2);
      if (lines.length == 2 && GREETING.matcher(normalize(lines[0])).matches()) {
        out.set(out.size() - 1, normalize(lines[0]));
        out.add(normalize(main.map(m -> lines[1].replace(m, " ")).orElse(lines[1])));
      }
    }
    return out;
  }

  /**
   * The first block a person needs: not a greeting, not chrome, not the subject again, not the
   * button's own words; a block of three or more words before a shorter one.
   */
  private static String firstParagraph(
      List<String> blocks, String subject, Optional<String> buttonText) {
    String fallback = "";
    for (String block : blocks) {
      if (GREETING.matcher(block).matches()
          || CHROME.matcher(block).find()
          || sameWords(block, subject)
          || buttonText.map(b -> sameWords(block, b)).orElse(false)) {
        continue;
      }
      if (words(block) >= 3) {
        return block;
      }
      if (fallback.isEmpty()) {
        fallback = block;
      }
    }
    return fallback;
  }

  private static boolean sameWords(String a, String b) {
    String x = a.replaceAll("[\\p{P}\\s]+", " ").strip().toLowerCase(Locale.ROOT);
    String y = b.replaceAll("[\\p{P}\\s]+", " ").strip().toLowerCase(Locale.ROOT);
    return !x.isEmpty() && x.equals(y);
  }

  /** Words, counting a run of CJK characters as one word per three characters. */
  private static int words(String text) {
    int words = 0;
    int cjk = 0;
    for (String w : text.split("\\s+")) {
      if (w.isEmpty()) {
        continue;
      }
      long ideographs = w.codePoints().filter(DerivedSms::ideographic).count();
      if (ideographs > 0) {
        cjk += (int) ideographs;
      } else {
        words++;
      }
    }
    return words + cjk / 3;
  }

  private static boolean ideographic(int cp) {
    Character.UnicodeScript script = Character.UnicodeScript.of(cp);
    return script == Character.UnicodeScript.HAN
        || script == Character.UnicodeScript.HIRAGANA
        || script == Character.UnicodeScript.KATAKANA
        || script == Character.UnicodeScript.HANGUL
        || script == Character.UnicodeScript.THAI;
  }

  private static String normalize(String text) {
    return text == null
        ? ""
        : text.replace('\u00A0', ' ').replaceAll("[\\s\\u200B\\u200C\\u034F\\uFEFF]+", " ").strip();
  }

  /**
   * Subject, paragraph and link within the budget: the whole if it fits, else the paragraph cut at
   * a word, else the subject alone (cut if it must), else the link alone. The link is never cut.
   */
  private static Result fit(
      String head,
      String paragraph,
      Optional<String> link,
      int budget,
      boolean substitution,
      Optional<String> main) {
    String tail = link.map(l -> " " + l).orElse("");
    String joiner = head.isEmpty() || paragraph.isEmpty() ? "" : joiner(head);
    String whole = (head + joiner + paragraph).strip() + tail;
    SmsText measured = SmsText.of(whole.strip(), substitution);
    if (measured.segments() <= budget) {
      return new Result(whole.strip(), measured, main, link, false);
    }
    if (!paragraph.isEmpty()) {
      String prefix = head + joiner;
      Optional<String> cut = longestFitting(prefix, paragraph, tail, budget, substitution);
      // a word or two of a sentence says less than the subject alone
      if (cut.isPresent() && words(cut.get()) - words(prefix + tail) >= MIN_KEPT_WORDS) {
        return result(cut.get(), main, link, substitution);
      }
    }
    String subjectOnly = (head + tail).strip();
    if (SmsText.of(subjectOnly, substitution).segments() <= budget) {
      return result(subjectOnly, main, link, substitution);
    }
    Optional<String> cutSubject = longestFitting("", head, tail, budget, substitution);
    if (cutSubject.isPresent()) {
      return result(cutSubject.get(), main, link, substitution);
    }
    // nothing but the link fits (or, without one, the first characters of the subject)
    if (link.isPresent()) {
      return result(link.get(), main, link, substitution);
    }
    return result(
        longestFitting("", head, "", budget, substitution).orElse(ELLIPSIS),
        main,
        link,
        substitution);
  }

  private static Result result(
      String text, Optional<String> main, Optional<String> link, boolean substitution) {
    return new Result(text, SmsText.of(text, substitution), main, link, true);
  }

  private static String joiner(String head) {
    int last = head.codePointBefore(head.length());
    return ".!?:;。！？：".indexOf(last) >= 0 ? " " : ": ";
  }

  /**
   * {@code prefix + body cut + "..." + tail} for the longest cut of {@code body} that fits: at a
   * word boundary when the body has spaces, else (CJK, one long word) between code points. Empty
   * when not even one word fits.
   */
  private static Optional<String> longestFitting(
      String prefix, String body, String tail, int budget, boolean substitution) {
    List<Integer> cuts = cutPoints(body);
    int low = 0;
    int high = cuts.size() - 1;
    String best = null;
    int bestCut = -1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      String candidate = candidate(prefix, body, cuts.get(mid), tail);
      if (SmsText.of(candidate, substitution).segments() <= budget) {
        best = candidate;
        bestCut = cuts.get(mid);
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    if (best == null) {
      return Optional.empty();
    }
    // a whole sentence reads better than more words cut off: end there when it keeps at least
    // half of what fits (it is shorter, so it fits too)
    int sentence = lastSentenceEnd(body, bestCut);
    if (sentence >= bestCut / 2 && sentence > 0) {
      return Optional.of((prefix + body.substring(0, sentence)).strip() + tail);
    }
    return Optional.of(best);
  }

  /** Where the last sentence ending before {@code limit} ends (after its mark), or -1. */
  private static int lastSentenceEnd(String body, int limit) {
    for (int i = Math.min(limit, body.length()) - 1; i > 0; i--) {
      char c = body.charAt(i);
      boolean cjk = c == '。' || c == '！' || c == '？';
      boolean latin =
          (c == '.' || c == '!' || c == '?')
              && i + 1 < body.length()
              && body.charAt(i + 1) == ' '
              && Character.isLetterOrDigit(body.charAt(i - 1))
              && !abbreviation(body, i);
      if (cjk || latin) {
        return i + 1;
      }
    }
    return -1;
  }

  /** "Dr." or "Ms." before a name is not the end of a sentence. */
  private static boolean abbreviation(String body, int dot) {
    int start = body.lastIndexOf(' ', dot - 1) + 1;
    String word = body.substring(start, dot);
    return word.length() <= 3
        && !word.isEmpty()
        && Character.isUpperCase(word.charAt(0))
        && word.chars().skip(1).allMatch(Character::isLowerCase);
  }

  private static String candidate(String prefix, String body, int cut, String tail) {
    String kept = body.substring(0, cut).strip().replaceAll("[\\s,;:–—-]+$", "");
    return (prefix + kept).strip() + ELLIPSIS + tail;
  }

  /** Where a text may be cut, ascending: before each space, or between code points if none. */
  private static List<Integer> cutPoints(String body) {
    var cuts = new ArrayList<Integer>();
    boolean spaces = body.indexOf(' ') > 0;
    for (int i = 0; i < body.length(); ) {
      int next = i + Character.charCount(body.codePointAt(i));
      if (spaces) {
        if (i > 0 && body.charAt(i) == ' ') {
          cuts.add(i);
        }
      } else if (next < body.length()) {
        cuts.add(next);
      }
      i = next;
    }
    return cuts;
  }
}
