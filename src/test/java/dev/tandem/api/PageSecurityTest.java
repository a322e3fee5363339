package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.support.TestApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The pages behind links in messages, over real HTTP: security headers on each, the hosted copy of
 * an email sandboxed, and form posts from another site refused while RFC 8058 one-click works.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PageSecurityTest {
  private static final String EVIL = "https://evil.example";

  TestApp tandem;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start() {
    tandem = TestApp.start();
  }

  @AfterAll
  void stop() {
    tandem.close();
  }

  private record Email(String contactId, String unsubscribeUrl, String viewUrl) {}

  private Email sendEmail(String html) {
    String address = TestApp.uniqueEmail();
    String id =
        tandem.sendEmail(address, Map.of("subject", "News", "html", html, "unsubscribe", "on"));
    tandem.app.dispatcher.runOnce();
    String raw =
        tandem.app.sandboxSmtp.orElseThrow().received().stream()
            .filter(e -> e.envelopeTo().contains(address))
            .findFirst()
            .orElseThrow()
            .raw();
    Matcher unsubscribe = Pattern.compile("<(http[^>]+/u/[^>]+)>").matcher(raw);
    assertThat(unsubscribe.find()).as(raw).isTrue();
    return new Email(
        tandem.message(id).get("contactId").asText(),
        unsubscribe.group(1),
        tandem.delivery(id, "email").get("viewUrl").asText());
  }

  private String preferenceUrl(String contactId) {
    return tandem
        .call("POST", "/v1/contacts/" + contactId + "/preference-link", null)
        .body()
        .get("url")
        .asText();
  }

  private String confirmUrl() {
    String email = TestApp.uniqueEmail();
    String id = tandem.createContact(Map.of("email", email)).get("id").asText();
    var pending =
        tandem.call(
            "POST",
            "/v1/contacts/" + id + "/double-opt-in",
            Map.of("channel", "email", "topic", "news"));
    assertThat(pending.status()).as(pending.body().toString()).isEqualTo(202);
    tandem.app.dispatcher.drain();
    String raw =
        tandem.app.sandboxSmtp.orElseThrow().received().stream()
            .filter(e -> e.envelopeTo().contains(email))
            .findFirst()
            .orElseThrow()
            .raw();
    Matcher link =
        Pattern.compile("(http://[^\\s\"<]+/confirm/[A-Za-z0-9_.-]+)")
            .matcher(raw.replace("=\r\n", ""));
    assertThat(link.find()).as(raw).isTrue();
    return link.group(1);
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String url, String origin, String form) throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    if (origin != null) {
      request.header("Origin", origin);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private List<String> timeline(String contactId) {
    return tandem
        .call("GET", "/v1/contacts/" + contactId + "/timeline", null)
        .body()
        .get("items")
        .findValuesAsText("type");
  }

  private static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElse("");
  }

  @Test
  void every_html_page_forbids_framing_sniffing_and_leaking_its_link() throws Exception {
    Email email = sendEmail("<p>Hello</p>");
    List<String> pages =
        List.of(
            preferenceUrl(email.contactId()),
            preferenceUrl(email.contactId()) + "broken",
            email.unsubscribeUrl(),
            email.viewUrl(),
            confirmUrl());
    for (String url : pages) {
      var page = get(url);
      assertThat(header(page, "Content-Type")).as(url).startsWith("text/html");
      assertThat(header(page, "Content-Security-Policy"))
          .as(url)
          .contains("default-src 'none'")
          .contains("frame-ancestors 'none'");
      assertThat(header(page, "X-Content-Type-Options")).as(url).isEqualTo("nosniff");
      assertThat(header(page, "Referrer-Policy")).as(url).isIn("same-origin", "no-referrer");
    }
  }

  @Test
  void the_hosted_copy_runs_no_script_on_tandems_origin() throws Exception {
    Email email = sendEmail("<p>Hi</p><script>fetch('/v1/contacts')</script>");

    var page = get(email.viewUrl());

    assertThat(page.statusCode()).isEqualTo(200);
    String policy = header(page, "Content-Security-Policy");
    assertThat(policy).startsWith("sandbox").doesNotContain("allow-scripts");
    assertThat(policy).doesNotContain("allow-same-origin").doesNotContain("script-src");
  }

  @Test
  void a_cross_site_post_to_the_preference_center_is_refused_and_changes_nothing()
      throws Exception {
    Email email = sendEmail("<p>Hello</p>");
    String url = preferenceUrl(email.contactId());
    String form = "shown=email%3Anews&on=email%3Anews";

    var forged = post(url, EVIL, form);
    assertThat(forged.statusCode()).as(forged.body()).isEqualTo(403);
    assertThat(timeline(email.contactId())).doesNotContain("consent.granted");

    var nullOrigin = post(url, "null", form);
    assertThat(nullOrigin.statusCode()).isEqualTo(403);

    var own = post(url, tandem.app.url(), form);
    assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
    assertThat(own.body()).contains("Saved.");
  }

  @Test
  void a_cross_site_post_to_unsubscribe_is_refused_but_one_click_from_a_provider_works()
      throws Exception {
    Email email = sendEmail("<p>Hello</p>");

    var forged = post(email.unsubscribeUrl(), EVIL, "List-Unsubscribe=One-Click");
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(timeline(email.contactId())).doesNotContain("email.unsubscribed");

    var oneClick = post(email.unsubscribeUrl(), null, "List-Unsubscribe=One-Click");
    assertThat(oneClick.statusCode()).as(oneClick.body()).isEqualTo(200);
    assertThat(timeline(email.contactId())).contains("email.unsubscribed");
  }

  @Test
  void a_cross_site_post_to_a_confirmation_is_refused() throws Exception {
    String url = confirmUrl();

    assertThat(post(url, EVIL, "").statusCode()).isEqualTo(403);
    var own = post(url, tandem.app.url(), "");
    assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
  }
}
