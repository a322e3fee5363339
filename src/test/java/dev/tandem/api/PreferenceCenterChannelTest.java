package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.channel.Channel;
import dev.tandem.support.TestApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The preference center offers a preferred channel per topic routed by preference, over HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PreferenceCenterChannelTest {
  private final HttpClient http = HttpClient.newHttpClient();
  TestApp tandem;

  @BeforeAll
  void start() {
    tandem = TestApp.start();
  }

  @AfterAll
  void stop() {
    tandem.close();
  }

  private String link(String contactId) {
    var response = tandem.call("POST", "/v1/contacts/" + contactId + "/preference-link", null);
    assertThat(response.status()).isEqualTo(201);
    return response.body().get("url").asText();
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String url, String origin, String form) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Origin", origin)
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void topics_routed_by_preference_offer_text_email_or_no_preference_and_the_choice_is_saved()
      throws Exception {
    String id = tandem.aContact().get("id").asText();
    String url = link(id);

    String page = get(url).body();
    // account (transactional) and news (marketing) are routed by preference; alerts go both ways
    assertThat(page).contains("id=\"p-account-sms\"", "id=\"p-news-email\"");
    assertThat(page).doesNotContain("p-alerts-");
    assertThat(page).contains("id=\"p-account-none\" value=\"none\" checked");

    var saved = post(url, tandem.app.url(), "preferShown=account&prefer%3Aaccount=sms");
    assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);
    assertThat(saved.body()).contains("Saved. 1 choice updated.");
    assertThat(saved.body()).contains("id=\"p-account-sms\" value=\"sms\" checked");
    assertThat(tandem.app.preferences.of(UUID.fromString(id)))
        .isEqualTo(Map.of("account", Channel.SMS));
    assertThat(tandem.app.preferences.list(UUID.fromString(id)).get(0).source())
        .isEqualTo("preference-center");
    assertThat(tandem.call("GET", "/v1/contacts/" + id + "/consents", null).body().get("history"))
        .as("a preference records no consent")
        .isEmpty();

    var same = post(url, tandem.app.url(), "preferShown=account&prefer%3Aaccount=sms");
    assertThat(same.body()).contains("Nothing changed.");

    var cleared = post(url, tandem.app.url(), "preferShown=account&prefer%3Aaccount=none");
    assertThat(cleared.body()).contains("Saved. 1 choice updated.");
    assertThat(tandem.app.preferences.of(UUID.fromString(id))).isEmpty();
  }

  @Test
  void a_cross_site_post_changes_no_preference() throws Exception {
    String id = tandem.aContact().get("id").asText();
    var forged = post(link(id), "https://evil.example", "preferShown=news&prefer%3Anews=sms");
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(tandem.app.preferences.of(UUID.fromString(id))).isEmpty();
  }

  @Test
  void with_one_address_there_is_nothing_to_choose_and_a_forged_choice_is_ignored()
      throws Exception {
    String id = tandem.createContact(Map.of("email", TestApp.uniqueEmail())).get("id").asText();
    String url = link(id);
    assertThat(get(url).body()).doesNotContain("preferShown");

    var posted = post(url, tandem.app.url(), "preferShown=account&prefer%3Aaccount=sms");
    assertThat(posted.body()).contains("Nothing changed.");
    assertThat(tandem.app.preferences.of(UUID.fromString(id))).isEmpty();
  }
}
