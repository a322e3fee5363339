package dev.tandem.template;

import dev.tandem.sms.SmsText;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/** Placeholder until the full derivation lands: subject, first paragraph, first link. */
public final class DerivedSms {
  private DerivedSms() {}

  public record Result(
      String text,
      SmsText sms,
      Optional<String> mainLink,
      Optional<String> link,
      boolean shortened) {}

  public static Result derive(
      String subject,
      String html,
      String text,
      UnaryOperator<String> shortLink,
      int segmentBudget,
      boolean substitution) {
    Document document = Jsoup.parse(html == null ? "<p>" + (text == null ? "" : text) : html);
    Optional<String> main = mainLink(document);
    Optional<String> link = main.map(shortLink);
    String paragraph =
        document.select("p").stream()
            .map(Element::text)
            .filter(t -> !t.isBlank())
            .findFirst()
            .orElse("");
    String tail = link.map(l -> " " + l).orElse("");
    String body = (subject.strip() + ": " + paragraph).strip();
    String out = body + tail;
    boolean shortened = false;
    while (SmsText.of(out, substitution).segments() > segmentBudget && body.length() > 3) {
      body = body.substring(0, body.offsetByCodePoints(body.length(), -1)).strip();
      out = body + "..." + tail;
      shortened = true;
    }
    return new Result(out, SmsText.of(out, substitution), main, link, shortened);
  }

  public static Optional<String> mainLink(Document html) {
    return html.select("a[href]").stream()
        .map(a -> a.attr("href").strip())
        .filter(h -> h.startsWith("https://") || h.startsWith("http://"))
        .findFirst();
  }
}
