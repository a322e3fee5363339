package dev.tandem.preference;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.channel.Channel;
import dev.tandem.support.TestApp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A person's preferred channel per topic: set, read, cleared, merged and erased; never consent. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PreferencesTest {
  TestApp tandem;

  @BeforeAll
  void start() {
    tandem = TestApp.start();
    var routed = tandem.call("PUT", "/v1/topics/updates", Map.of("class", "transactional"));
    assertThat(routed.status()).as(routed.body().toString()).isEqualTo(201);
  }

  @AfterAll
  void stop() {
    tandem.close();
  }

  private String contact() {
    return tandem.aContact().get("id").asText();
  }

  private TestApp.Response put(String contact, String topic, String channel) {
    return tandem.call(
        "PUT", "/v1/contacts/" + contact + "/preferences/" + topic, Map.of("channel", channel));
  }

  private List<JsonNode> events(String contact, String type) {
    var out = new ArrayList<JsonNode>();
    for (JsonNode e :
        tandem.call("GET", "/v1/contacts/" + contact + "/timeline", null).body().get("items")) {
      if (e.get("type").asText().equals(type)) {
        out.addFirst(e); // the timeline lists newest first; these checks read oldest first
      }
    }
    return out;
  }

  @Test
  void a_preference_is_set_listed_and_cleared_and_each_change_is_on_the_timeline() {
    String id = contact();
    var set = put(id, "updates", "sms");
    assertThat(set.status()).as(set.body().toString()).isEqualTo(200);
    assertThat(set.body().get("channel").asText()).isEqualTo("sms");
    assertThat(set.body().get("source").asText()).isEqualTo("api");

    JsonNode listed = tandem.call("GET", "/v1/contacts/" + id + "/preferences", null).body();
    assertThat(listed.get("items")).hasSize(1);
    assertThat(listed.at("/items/0/topic").asText()).isEqualTo("updates");
    assertThat(tandem.app.preferences.of(UUID.fromString(id)))
        .isEqualTo(Map.of("updates", Channel.SMS));

    put(id, "updates", "sms"); // the same again: no new event
    put(id, "updates", "email");
    assertThat(tandem.call("DELETE", "/v1/contacts/" + id + "/preferences/updates", null).status())
        .isEqualTo(204);
    assertThat(tandem.call("GET", "/v1/contacts/" + id + "/preferences", null).body().get("items"))
        .isEmpty();

    var changes = events(id, "preference.changed");
    assertThat(changes).hasSize(3);
    assertThat(changes.get(0).at("/detail/channel").asText()).isEqualTo("sms");
    assertThat(changes.get(1).at("/detail/previous").asText()).isEqualTo("sms");
    assertThat(changes.get(1).at("/detail/channel").asText()).isEqualTo("email");
    assertThat(changes.get(2).at("/detail/channel").isNull()).isTrue();
    assertThat(changes.get(2).at("/detail/previous").asText()).isEqualTo("email");
  }

  @Test
  void a_channel_without_an_address_an_unknown_topic_or_channel_is_a_422_naming_the_field() {
    String emailOnly =
        tandem.createContact(Map.of("email", TestApp.uniqueEmail())).get("id").asText();
    var noPhone = put(emailOnly, "updates", "sms");
    assertThat(noPhone.status()).isEqualTo(422);
    assertThat(noPhone.body().get("field").asText()).isEqualTo("channel");
    assertThat(noPhone.body().get("detail").asText()).contains("no phone number");

    var unknownTopic = put(emailOnly, "not-a-topic", "email");
    assertThat(unknownTopic.status()).isEqualTo(422);
    assertThat(unknownTopic.body().get("field").asText()).isEqualTo("topic");

    var badChannel = put(emailOnly, "updates", "fax");
    assertThat(badChannel.status()).isEqualTo(422);
    assertThat(badChannel.body().get("field").asText()).isEqualTo("channel");

    assertThat(put(UUID.randomUUID().toString(), "updates", "email").status()).isEqualTo(404);
  }

  @Test
  void routing_follows_the_preference_and_a_preference_never_grants_consent() {
    String id = contact();
    Map<String, Object> message =
        Map.of(
            "contactId",
            id,
            "topic",
            "updates",
            "sms",
            Map.of("text", "Your statement is ready"),
            "email",
            Map.of("subject", "Statement", "text", "Your statement is ready"));
    // transactional defaults: the preference, else email
    assertThat(firstChannel(message)).isEqualTo("email");
    put(id, "updates", "sms");
    assertThat(firstChannel(message)).isEqualTo("sms");

    // news is marketing: no SMS grant, so preferring SMS sends nothing by SMS
    tandem.grant(id, "email", "news", "Yes, email me news and offers");
    put(id, "news", "sms");
    var news =
        tandem.call(
            "POST",
            "/v1/messages?dryRun=true",
            Map.of(
                "contactId",
                id,
                "topic",
                "news",
                "sms",
                Map.of("text", "Sale"),
                "email",
                Map.of("subject", "Sale", "text", "Sale")));
    assertThat(news.body().at("/plan/steps").findValuesAsText("channel"))
        .as(news.body().toString())
        .containsExactly("email");
  }

  private String firstChannel(Map<String, Object> message) {
    var plan = tandem.call("POST", "/v1/messages?dryRun=true", message);
    assertThat(plan.status()).as(plan.body().toString()).isEqualTo(200);
    return plan.body().at("/plan/steps/0/channel").asText();
  }

  @Test
  void merge_keeps_the_survivors_own_preferences_and_erase_removes_them_all() {
    UUID survivor = UUID.fromString(contact());
    UUID merged = UUID.fromString(contact());
    var preferences = tandem.app.preferences;
    preferences.set(survivor, "updates", Channel.EMAIL, "api");
    preferences.set(merged, "updates", Channel.SMS, "api");
    preferences.set(merged, "account", Channel.SMS, "preference-center");

    tandem.app.database.jdbi().useTransaction(h -> preferences.merge(h, merged, survivor));

    assertThat(preferences.of(survivor))
        .isEqualTo(Map.of("updates", Channel.EMAIL, "account", Channel.SMS));
    assertThat(preferences.of(merged)).isEmpty();
    assertThat(preferences.list(survivor))
        .filteredOn(p -> p.topic().equals("account"))
        .singleElement()
        .extracting(Preferences.Preference::source)
        .isEqualTo("preference-center");

    tandem.app.database.jdbi().useTransaction(h -> preferences.erase(h, survivor));
    assertThat(preferences.of(survivor)).isEmpty();
  }
}
