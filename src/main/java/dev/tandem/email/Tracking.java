package dev.tandem.email;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Rewrites an email's HTML for tracking: every http(s) link goes through a signed click redirect
 * and a 1×1 pixel reports the open. Pure (jsoup).
 */
public final class Tracking {
  private Tracking() {}

  public static String apply(String html, UUID deliveryId, String baseUrl, LinkSigner signer) {
    Document document = Jsoup.parse(html);
    String click = baseUrl + "/t/c/" + signer.token(deliveryId, LinkSigner.Purpose.CLICK);
    for (Element link : document.select("a[href]")) {
      String href = link.attr("href").strip();
      if (href.startsWith("http://") || href.startsWith("https://")) {
        link.attr(
            "href",
            click
                + "?u="
                + URLEncoder.encode(href, StandardCharsets.UTF_8)
                + "&s="
                + signer.signUrl(deliveryId, href));
      }
    }
    Element pixel = document.body().appendElement("img");
    pixel
        .attr("src", baseUrl + "/t/o/" + signer.token(deliveryId, LinkSigner.Purpose.OPEN) + ".gif")
        .attr("width", "1")
        .attr("height", "1")
        .attr("alt", "")
        .attr("style", "display:none");
    document.outputSettings().prettyPrint(false);
    return document.outerHtml();
  }
}
