package dev.tandem.email;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.support.TestApp;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tracking pixel, signed click redirects, one-click unsubscribe and the hosted copy. */
class EmailLinksTest {
  TestApp tandem;
  final HttpClient http = HttpClient.newHttpClient(); // never follows redirects

  @BeforeEach
  void start() {
    tandem = TestApp.start(Map.of("email.bounceDomain", "bounces.shop.example"));
  }

  @AfterEach
  void stop() {
    tandem.close();
  }

  private record Sent(String messageId, String contactId, MimeMessage received) {}

  private Sent send(Map<String, Object> email) throws Exception {
    String id = tandem.sendEmail(TestApp.uniqueEmail(), email);
    tandem.app.dispatcher.runOnce();
    String providerId = tandem.delivery(id, "email").get("providerId").asText();
    String raw =
        tandem.app.sandboxSmtp.orElseThrow().received().stream()
            .filter(e -> e.messageId().contains(providerId))
            .findFirst()
            .orElseThrow()
            .raw();
    var message =
        new MimeMessage(
            Session.getInstance(new Properties()),
            new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)));
    return new Sent(id, tandem.message(id).get("contactId").asText(), message);
  }

  private static String html(MimeMessage message) throws Exception {
    Multipart alternative = (Multipart) message.getContent();
    for (int i = 0; i < alternative.getCount(); i++) {
      BodyPart part = alternative.getBodyPart(i);
      if (part.isMimeType("text/html")) {
        return (String) part.getContent();
      }
    }
    throw new AssertionError("no HTML part");
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String url, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private List<String> timeline(String contactId) {
    JsonNode events =
        tandem.call("GET", "/v1/contacts/" + contactId + "/timeline", null).body().get("items");
    return events.findValuesAsText("type");
  }

  @Test
  void tracked_links_redirect_through_a_signed_click_and_the_pixel_records_the_open()
      throws Exception {
    Sent sent =
        send(
            Map.of(
                "subject",
                "Sale",
                "html",
                "<p><a href=\"https://shop.example/sale?x=1&y=2\">See the sale</a></p>",
                "tracking",
                "on"));
    String html = html(sent.received());
    Matcher click = Pattern.compile("href=\"(http[^\"]+/t/c/[^\"]+)\"").matcher(html);
    Matcher pixel = Pattern.compile("src=\"(http[^\"]+/t/o/[^\"]+)\"").matcher(html);
    assertThat(click.find()).as(html).isTrue();
    assertThat(pixel.find()).as(html).isTrue();
    String clickUrl = click.group(1).replace("&amp;", "&");

    var opened = get(pixel.group(1));
    var followed = get(clickUrl);
    var tampered = get(clickUrl.replace("shop.example%2Fsale", "evil.example%2Fphish"));

    assertThat(opened.statusCode()).isEqualTo(200);
    assertThat(opened.headers().firstValue("Content-Type")).contains("image/gif");
    assertThat(followed.statusCode()).isEqualTo(302);
    assertThat(followed.headers().firstValue("Location"))
        .contains("https://shop.example/sale?x=1&y=2");
    assertThat(tampered.statusCode()).isEqualTo(422);
    assertThat(tampered.headers().firstValue("Location")).isEmpty();
    assertThat(timeline(sent.contactId())).contains("email.opened", "email.clicked");
  }

  @Test
  void one_click_unsubscribe_revokes_the_topic_on_email_once_and_a_get_only_asks()
      throws Exception {
    Sent sent = send(Map.of("subject", "News", "text", "Our news", "unsubscribe", "on"));
    String header = sent.received().getHeader("List-Unsubscribe", null);
    assertThat(sent.received().getHeader("List-Unsubscribe-Post", null))
        .isEqualTo("List-Unsubscribe=One-Click");
    Matcher https = Pattern.compile("<(http[^>]+/u/[^>]+)>").matcher(header);
    assertThat(https.find()).as(header).isTrue();
    assertThat(header).contains("<mailto:unsubscribe+").contains("@bounces.shop.example>");

    var page = get(https.group(1));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<form method=\"post\"");
    assertThat(page.body()).contains("Stop emails about Receipts and account updates?");
    Matcher preferences = Pattern.compile("href=\"(/p/[^\"]+)\"").matcher(page.body());
    assertThat(preferences.find()).as(page.body()).isTrue();
    assertThat(get(tandem.app.url() + preferences.group(1)).body())
        .contains("Your message preferences");
    assertThat(timeline(sent.contactId())).doesNotContain("email.unsubscribed");

    var oneClick = post(https.group(1), "List-Unsubscribe=One-Click");
    var replayed = post(https.group(1), "List-Unsubscribe=One-Click");
    assertThat(oneClick.statusCode()).isEqualTo(200);
    assertThat(replayed.statusCode()).isEqualTo(200);
    assertThat(timeline(sent.contactId())).containsOnlyOnce("email.unsubscribed");
    var consents = tandem.call("GET", "/v1/contacts/" + sent.contactId() + "/consents", null);
    JsonNode history = consents.body().get("history");
    assertThat(history).hasSize(1); // the replay added nothing
    assertThat(history.get(0).get("channel").asText()).isEqualTo("email");
    assertThat(history.get(0).get("topic").asText()).isEqualTo("account");
    assertThat(history.get(0).get("action").asText()).isEqualTo("revoked");
    assertThat(history.get(0).get("source").asText()).isEqualTo("email-unsubscribe");
    assertThat(history.get(0).get("evidence").get("method").asText()).isEqualTo("one-click");
    assertThat(history.get(0).get("evidence").get("deliveryId").asText())
        .isEqualTo(tandem.delivery(sent.messageId(), "email").get("id").asText());

    // that topic on email is now refused; another topic still goes out
    String address = tandem.delivery(sent.messageId(), "email").get("address").asText();
    var sameTopic =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "to",
                Map.of("email", address),
                "channels",
                List.of("email"),
                "email",
                Map.of("subject", "More news", "text", "x", "unsubscribe", "on")));
    var alert =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "to",
                Map.of("email", address),
                "channels",
                List.of("email"),
                "topic",
                "alerts",
                "email",
                Map.of("subject", "New sign-in", "text", "x")));
    tandem.app.dispatcher.runOnce();
    String refused = sameTopic.body().get("id").asText();
    assertThat(tandem.status(refused, "email")).isEqualTo("suppressed");
    assertThat(tandem.delivery(refused, "email").get("lastError").asText())
        .contains("account revoked on email")
        .contains("email-unsubscribe");
    assertThat(tandem.status(alert.body().get("id").asText(), "email")).isEqualTo("sent");

    String forged = https.group(1).substring(0, https.group(1).length() - 3) + "AAA";
    assertThat(post(forged, "List-Unsubscribe=One-Click").statusCode()).isEqualTo(404);
  }

  @Test
  void every_marketing_email_carries_one_click_unsubscribe_whether_or_not_the_caller_asked() {
    String address = TestApp.uniqueEmail();
    String contactId = tandem.createContact(Map.of("email", address)).get("id").asText();
    tandem.grant(contactId, "email", "news", "Yes, send me news and offers by email");
    String news =
        tandem.send(
            Map.of(
                "contactId",
                contactId,
                "channels",
                List.of("email"),
                "topic",
                "news",
                "email",
                Map.of("subject", "Our autumn offers", "text", "Offers")));
    String receipt =
        tandem.send(
            Map.of(
                "contactId",
                contactId,
                "channels",
                List.of("email"),
                "topic",
                "account",
                "email",
                Map.of("subject", "Your receipt", "text", "Thanks")));
    tandem.app.dispatcher.runOnce();

    String marketing = rawHeaders(news);
    assertThat(marketing)
        .containsPattern("(?m)^List-Unsubscribe: <https?://[^>]+/u/[^>]+>, <mailto:unsubscribe\\+")
        .containsPattern("(?m)^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$");
    assertThat(rawHeaders(receipt)).doesNotContain("List-Unsubscribe");
  }

  /** The header block of the message as the SMTP server received it. */
  private String rawHeaders(String messageId) {
    String providerId = tandem.delivery(messageId, "email").get("providerId").asText();
    String raw =
        tandem.app.sandboxSmtp.orElseThrow().received().stream()
            .filter(e -> e.messageId().contains(providerId))
            .findFirst()
            .orElseThrow()
            .raw();
    return raw.substring(0, raw.indexOf("\r\n\r\n"));
  }

  @Test
  void the_hosted_copy_shows_the_email_as_written() throws Exception {
    Sent sent = send(Map.of("subject", "Receipt", "html", "<h1>Thank you</h1><p>Order #1042</p>"));
    String viewUrl = tandem.delivery(sent.messageId(), "email").get("viewUrl").asText();

    var page = get(viewUrl);

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<h1>Thank you</h1>");
    assertThat(get(viewUrl.replace("/v/", "/v/x")).statusCode()).isEqualTo(404);
  }

  @Test
  void link_options_must_be_on_or_off() {
    var bad =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "to",
                Map.of("email", TestApp.uniqueEmail()),
                "channels",
                List.of("email"),
                "email",
                Map.of("subject", "x", "text", "y", "tracking", "yes")));
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.body().get("field").asText()).isEqualTo("email.tracking");
  }
}
