package dev.tandem.template;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sms.SmsText;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Whatever the email, the derived SMS stays within its budget, keeps its link whole and never holds
 * half a surrogate pair. Random HTML: nested blocks, tables, links and images, with text from
 * GSM-7, its escape characters, smart punctuation, emoji, CJK and Cyrillic.
 */
class DerivedSmsPropertyTest {
  static final String LINK = "https://t.example/s/AbCdEfG123";

  @Property(tries = 400)
  void the_sms_fits_keeps_the_link_and_holds_no_lone_surrogate(
      @ForAll("emails") String html,
      @ForAll("texts") String subject,
      @ForAll @IntRange(min = 1, max = 5) int budget,
      @ForAll boolean substitution) {
    String safeSubject = subject.isBlank() ? "Subject" : subject;
    var result = DerivedSms.derive(safeSubject, html, null, url -> LINK, budget, substitution);

    SmsText measured = SmsText.of(result.text(), substitution);
    assertThat(measured.segments()).as(result.text()).isLessThanOrEqualTo(budget);
    assertThat(result.sms().segments()).isEqualTo(measured.segments());
    assertThat(lone(result.text())).as(result.text()).isFalse();
    if (result.mainLink().isPresent()) {
      assertThat(result.text()).contains(LINK);
      assertThat(org.jsoup.parser.Parser.unescapeEntities(html, true))
          .contains(result.mainLink().get());
    } else {
      assertThat(result.text()).doesNotContain(LINK);
    }
  }

  @Property(tries = 200)
  void a_text_only_email_fits_too(
      @ForAll("texts") String body, @ForAll @IntRange(min = 1, max = 3) int budget) {
    var result =
        DerivedSms.derive(
            "Notice", null, body + "\n\nhttps://shop.example/x", url -> LINK, budget, true);
    assertThat(SmsText.of(result.text(), true).segments()).isLessThanOrEqualTo(budget);
    assertThat(result.text()).contains(LINK);
    assertThat(lone(result.text())).isFalse();
  }

  @Property(tries = 300)
  void text_without_spaces_is_cut_between_code_points_never_inside_a_pair(
      @ForAll("unspaced") String paragraph, @ForAll @IntRange(min = 1, max = 3) int budget) {
    var result =
        DerivedSms.derive(
            "件名", "<p>" + escape(paragraph) + "</p>", null, url -> LINK, budget, true);
    assertThat(SmsText.of(result.text(), true).segments()).isLessThanOrEqualTo(budget);
    assertThat(lone(result.text())).as(result.text()).isFalse();
  }

  @Provide
  Arbitrary<String> unspaced() {
    return Arbitraries.of(
            "\uD83D\uDE9A", "注", "文", "€", "a", "\uD83C\uDDE7\uD83C\uDDF7", "д", "𝄞", "[")
        .list()
        .ofMinSize(1)
        .ofMaxSize(400)
        .map(l -> String.join("", l));
  }

  static boolean lone(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return true;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  @Provide
  Arbitrary<String> texts() {
    Arbitrary<String> word =
        Arbitraries.oneOf(
            Arbitraries.strings()
                .withChars("abcdefghijklmnopqrstuvwxyzABCDEF0123456789")
                .ofMinLength(1)
                .ofMaxLength(12),
            Arbitraries.strings().withChars("€[]{}^~|\\").ofMinLength(1).ofMaxLength(6),
            Arbitraries.of("“quoted”", "it’s", "—", "…", "naïve", "Ärger", "ñandú", "£5"),
            Arbitraries.of(
                "\uD83D\uDE9A", "\uD83D\uDC4D\uD83C\uDFFD", "\uD83C\uDDE7\uD83C\uDDF7", "𝄞"),
            Arbitraries.of("注文", "発送されました", "배송", "доставка", "заказ"));
    return word.list().ofMinSize(0).ofMaxSize(60).map(ws -> String.join(" ", ws));
  }

  @Provide
  Arbitrary<String> emails() {
    return block(3)
        .list()
        .ofMinSize(0)
        .ofMaxSize(8)
        .map(bs -> "<html><body>" + String.join("", bs) + "</body></html>");
  }

  Arbitrary<String> block(int depth) {
    Arbitrary<String> text = texts().map(DerivedSmsPropertyTest::escape);
    Arbitrary<String> link =
        Combinators.combine(
                Arbitraries.of(
                    "https://shop.example/track/1042",
                    "https://x.example/unsubscribe?u=9",
                    "https://facebook.com/acme",
                    "http://a.example/p?q=1&r=2",
                    "mailto:help@example.com",
                    "/relative/path"),
                text,
                Arbitraries.of("", " class=\"button\"", " style=\"background:#0a7\""))
            .as((href, t, attrs) -> "<a href=\"" + escape(href) + "\"" + attrs + ">" + t + "</a>");
    Arbitrary<String> leaf =
        Arbitraries.oneOf(
            text.map(t -> "<p>" + t + "</p>"),
            text.map(t -> "<span style=\"display:none\">" + t + "</span>"),
            link,
            Arbitraries.of(
                "<img src=\"x.png\" alt=\"Logo\">", "<br>", "<!--[if mso]><table><![endif]-->"),
            text.map(t -> "<h1>" + t + "</h1>"));
    if (depth == 0) {
      return leaf;
    }
    Arbitrary<String> inner =
        block(depth - 1).list().ofMinSize(1).ofMaxSize(3).map(l -> String.join("", l));
    return Arbitraries.oneOf(
        leaf,
        inner.map(i -> "<div>" + i + "</div>"),
        inner.map(
            i -> "<table><tr><td>" + i + "</td><td bgcolor=\"#eee\">" + i + "</td></tr></table>"),
        inner.map(i -> "<ul><li>" + i + "</li></ul>"));
  }

  static String escape(String text) {
    return org.jsoup.nodes.Entities.escape(text);
  }

  static List<String> none() {
    return List.of();
  }
}
