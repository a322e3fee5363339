package dev.tandem.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.sandbox.SmscSimulator;
import dev.tandem.support.TestApp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The consent ledger and policy end to end: keywords arrive as real SMPP deliver_sm from the
 * sandbox SMSC, replies leave as submit_sm, and sends are checked at acceptance and again at
 * dispatch.
 */
class ConsentTest {
  private static TestApp tandem;

  @BeforeAll
  static void start() {
    tandem = TestApp.start();
  }

  @AfterAll
  static void stop() {
    tandem.close();
  }

  private static SmscSimulator smsc() {
    return tandem.app.sandboxSmsc.orElseThrow();
  }

  private static String contact(String phone, String email) {
    return tandem.createContact(Map.of("phone", phone, "email", email)).get("id").asText();
  }

  private static String send(String contactId, String topic, String... channels) {
    var response =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "contactId",
                contactId,
                "channels",
                List.of(channels),
                "topic",
                topic,
                "sms",
                Map.of("text", "Hello from the " + topic + " topic"),
                "email",
                Map.of("subject", "About " + topic, "text", "Hello")));
    assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
    return response.body().get("id").asText();
  }

  private static JsonNode consents(String contactId) {
    return tandem.call("GET", "/v1/contacts/" + contactId + "/consents", null).body();
  }

  private static List<String> textsTo(String phone) {
    List<String> texts = new ArrayList<>();
    for (var submitted : smsc().received()) {
      if (submitted.to().equals(phone)) {
        texts.add(submitted.text());
      }
    }
    return texts;
  }

  /** Sends an SMS to Tandem and waits until the ledger or a flag has taken it in. */
  private static void reply(String phone, String text, int historyAfter, String contactId) {
    tandem.clock.advance(Duration.ofSeconds(1)); // at one instant a revocation would win a tie
    assertThat(smsc().injectMo(phone, "Tandem", text)).isTrue();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> consents(contactId).get("history").size() >= historyAfter);
  }

  @Test
  void marketing_needs_an_explicit_grant_on_each_channel() {
    String id = contact(TestApp.uniquePhone(), TestApp.uniqueEmail());
    String before = send(id, "news", "sms", "email");
    assertThat(tandem.status(before, "sms")).isEqualTo("suppressed");
    assertThat(tandem.delivery(before, "email").get("lastError").asText())
        .contains("no consent")
        .contains("news is marketing");

    tandem.grant(id, "email", "news", "Yes, send me news and offers by email");
    String after = send(id, "news", "sms", "email");
    assertThat(tandem.status(after, "sms")).isEqualTo("suppressed");
    assertThat(tandem.status(after, "email")).isEqualTo("queued");
    // transactional needs no opt-in
    String receipt = send(id, "account", "sms", "email");
    assertThat(tandem.status(receipt, "sms")).isEqualTo("queued");
    tandem.app.dispatcher.drain();
  }

  @Test
  void a_stop_between_acceptance_and_dispatch_suppresses_the_queued_sms_and_is_confirmed_once() {
    String phone = TestApp.uniquePhone();
    String id = contact(phone, TestApp.uniqueEmail());
    String queued = send(id, "account", "sms", "email");
    String alert = send(id, "alerts", "sms");
    assertThat(tandem.status(queued, "sms")).isEqualTo("queued");

    reply(phone, "Stop", 1, id);
    tandem.app.dispatcher.drain();

    assertThat(tandem.status(queued, "sms")).isEqualTo("suppressed");
    assertThat(tandem.delivery(queued, "sms").get("lastError").asText())
        .contains("sms revoked for every topic")
        .contains("sms-keyword");
    assertThat(tandem.status(alert, "sms"))
        .as("critical never overrides a STOP")
        .isEqualTo("suppressed");
    assertThat(tandem.status(queued, "email")).as("email is another channel").isEqualTo("sent");
    List<String> texts = textsTo(phone);
    assertThat(texts).hasSize(1);
    assertThat(texts.getFirst()).startsWith("Tandem: you are unsubscribed");

    JsonNode event = consents(id).get("history").get(0);
    assertThat(event.get("channel").asText()).isEqualTo("sms");
    assertThat(event.get("topic").asText()).isEqualTo("*");
    assertThat(event.get("action").asText()).isEqualTo("revoked");
    assertThat(event.get("source").asText()).isEqualTo("sms-keyword");
    assertThat(event.get("evidence").get("inboundSmsId").asText()).isNotEmpty();
    assertThat(event.get("wording").asText()).isEqualTo("Replied: Stop");
  }

  @Test
  void the_reply_goes_to_the_number_that_wrote_and_the_stop_covers_the_person() {
    String first = TestApp.uniquePhone();
    String second = TestApp.uniquePhone();
    String id = contact(first, TestApp.uniqueEmail());
    tandem.call("POST", "/v1/contacts/" + id + "/addresses", Map.of("phone", second));

    reply(second, "STOP", 1, id);
    tandem.app.dispatcher.drain();

    assertThat(textsTo(second)).singleElement().asString().contains("unsubscribed");
    assertThat(textsTo(first)).isEmpty();
    assertThat(tandem.status(send(id, "account", "sms"), "sms")).isEqualTo("suppressed");
  }

  @Test
  void start_lifts_a_stop_help_is_answered_and_free_text_is_flagged() {
    String phone = TestApp.uniquePhone();
    String id = contact(phone, TestApp.uniqueEmail());
    reply(phone, "STOP", 1, id);
    reply(phone, "unstop", 2, id);
    tandem.app.dispatcher.drain();
    String after = send(id, "account", "sms");
    assertThat(tandem.status(after, "sms")).isEqualTo("queued");
    String news = send(id, "news", "sms");
    assertThat(tandem.status(news, "sms"))
        .as("START lifts the STOP but is no marketing opt-in")
        .isEqualTo("suppressed");

    tandem.clock.advance(Duration.ofSeconds(1));
    assertThat(smsc().injectMo(phone, "Tandem", "HELP")).isTrue();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> {
          tandem.app.dispatcher.drain();
          return textsTo(phone).size() == 4; // STOP and START replies, the receipt, HELP
        });
    assertThat(smsc().injectMo(phone, "Tandem", "wrong number, leave me alone")).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> consents(id).get("flags").size() == 1);
    tandem.app.dispatcher.drain();

    // replies drained in one round reach the SMSC in any order
    List<String> texts = textsTo(phone);
    String help = tandem.app.config.consent().helpReply().replace("{sender}", "Tandem");
    assertThat(texts)
        .hasSize(4)
        .anySatisfy(t -> assertThat(t).contains("you are unsubscribed"))
        .anySatisfy(t -> assertThat(t).contains("subscribed again"))
        .anySatisfy(t -> assertThat(t).contains("account topic"))
        .anySatisfy(t -> assertThat(t).isEqualTo(help));
    JsonNode flag = consents(id).get("flags").get(0);
    assertThat(flag.get("kind").asText()).isEqualTo("possible-revocation");
    assertThat(flag.get("text").asText()).isEqualTo("wrong number, leave me alone");
    assertThat(consents(id).get("history")).hasSize(2); // the flag revoked nothing by itself
  }

  @Test
  void double_opt_in_by_sms_grants_on_yes_with_its_evidence() {
    String phone = TestApp.uniquePhone();
    String id = contact(phone, TestApp.uniqueEmail());
    var pending =
        tandem.call(
            "POST",
            "/v1/contacts/" + id + "/double-opt-in",
            Map.of("channel", "sms", "topic", "news"));
    assertThat(pending.status()).isEqualTo(202);
    tandem.app.dispatcher.drain();
    assertThat(textsTo(phone)).singleElement().asString().contains("reply YES");

    reply(phone, "Yes", 1, id);
    tandem.app.dispatcher.drain();

    JsonNode event = consents(id).get("history").get(0);
    assertThat(event.get("topic").asText()).isEqualTo("news");
    assertThat(event.get("action").asText()).isEqualTo("granted");
    assertThat(event.get("source").asText()).isEqualTo("double-opt-in");
    assertThat(event.get("wording").asText()).contains("reply YES to get News and offers");
    assertThat(event.get("evidence").get("pendingId").asText())
        .isEqualTo(pending.body().get("id").asText());
    assertThat(textsTo(phone).getLast()).contains("subscribed to News and offers");
    assertThat(tandem.status(send(id, "news", "sms"), "sms")).isEqualTo("queued");
    tandem.app.dispatcher.drain();
  }

  @Test
  void a_double_opt_in_on_a_channel_the_person_cannot_get_is_refused_and_leaves_nothing() {
    String id = tandem.createContact(Map.of("phone", TestApp.uniquePhone())).get("id").asText();
    var refused =
        tandem.call(
            "POST",
            "/v1/contacts/" + id + "/double-opt-in",
            Map.of("channel", "email", "topic", "news"));
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.body().get("detail").asText()).contains("has no email address");
    long waiting =
        tandem
            .app
            .database
            .jdbi()
            .withHandle(h ->
                h.createQuery(
                        "SELECT count(*) FROM consent_pending WHERE contact_id = CAST(:id AS uuid)")
                    .bind("id", id)
                    .mapTo(Long.class)
                    .one());
    assertThat(waiting).isZero();
  }

  @Test
  void an_expired_double_opt_in_is_not_confirmed_by_a_late_yes() {
    String phone = TestApp.uniquePhone();
    String id = contact(phone, TestApp.uniqueEmail());
    tandem.call(
        "POST", "/v1/contacts/" + id + "/double-opt-in", Map.of("channel", "sms", "topic", "news"));
    tandem.clock.advance(Duration.ofHours(49));
    try {
      reply(phone, "YES", 1, id);
      JsonNode event = consents(id).get("history").get(0);
      assertThat(event.get("topic").asText()).isEqualTo("*");
      assertThat(event.get("source").asText()).isEqualTo("sms-keyword");
      assertThat(tandem.status(send(id, "news", "sms"), "sms")).isEqualTo("suppressed");
    } finally {
      tandem.app.dispatcher.drain();
    }
  }

  @Test
  void the_state_rebuilt_from_the_events_alone_is_the_state_kept_as_they_came() {
    String id = contact(TestApp.uniquePhone(), TestApp.uniqueEmail());
    record(id, "email", "news", "grant", "2026-01-10T10:00:00Z");
    record(id, "email", "news", "revoke", "2026-03-01T10:00:00Z");
    // recorded later but given earlier: does not undo the newer revocation
    record(id, "email", "news", "grant", "2026-02-01T10:00:00Z");
    record(id, "sms", "account", "grant", "2026-05-01T10:00:00Z");
    // same instant: the revocation wins
    record(id, "sms", "account", "revoke", "2026-05-01T10:00:00Z");
    JsonNode kept = consents(id).get("state");
    assertThat(kept).hasSize(2);
    for (JsonNode row : kept) {
      assertThat(row.get("status").asText()).isEqualTo("revoked");
    }

    var rebuilt = tandem.call("POST", "/v1/consents/rebuild", null);
    assertThat(rebuilt.status()).isEqualTo(200);
    assertThat(consents(id).get("state")).isEqualTo(kept);
  }

  private static void record(String id, String channel, String topic, String action, String at) {
    var response =
        tandem.call(
            "POST",
            "/v1/contacts/" + id + "/consents",
            Map.of(
                "channel", channel,
                "topic", topic,
                "action", action,
                "at", at,
                "wording", "as agreed on the phone"));
    assertThat(response.status()).as(response.body().toString()).isEqualTo(201);
  }

  @Test
  void the_topics_are_listed_with_their_class_and_wording() {
    JsonNode topics = tandem.call("GET", "/v1/topics", null).body();
    assertThat(topics.get("default").asText()).isEqualTo("account");
    assertThat(topics.get("items").findValuesAsText("key"))
        .containsExactly("account", "alerts", "news"); // by key: topics are rows now, not a list
    assertThat(topics.get("items").get(2).get("class").asText()).isEqualTo("marketing");
    assertThat(topics.get("items").get(2).get("description").asText()).isEqualTo("News and offers");
  }

  @Test
  void bad_consent_changes_name_the_field() {
    String id = contact(TestApp.uniquePhone(), TestApp.uniqueEmail());
    var unknownTopic =
        tandem.call(
            "POST",
            "/v1/contacts/" + id + "/consents",
            Map.of("channel", "sms", "topic", "promos", "action", "grant", "wording", "x"));
    assertThat(unknownTopic.status()).isEqualTo(422);
    assertThat(unknownTopic.body().get("field").asText()).isEqualTo("topic");
    assertThat(unknownTopic.body().get("detail").asText()).contains("alerts").contains("news");
    var noWording =
        tandem.call(
            "POST",
            "/v1/contacts/" + id + "/consents",
            Map.of("channel", "sms", "topic", "news", "action", "grant"));
    assertThat(noWording.status()).isEqualTo(422);
    assertThat(noWording.body().get("field").asText()).isEqualTo("wording");
    var forgedSource =
        tandem.call(
            "POST",
            "/v1/contacts/" + id + "/consents",
            Map.of("channel", "sms", "topic", "news", "action", "revoke", "source", "sms-keyword"));
    assertThat(forgedSource.status()).isEqualTo(422);
    assertThat(forgedSource.body().get("field").asText()).isEqualTo("source");
    var badTopic =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "contactId",
                id,
                "channels",
                List.of("sms"),
                "topic",
                "promos",
                "sms",
                Map.of("text", "x")));
    assertThat(badTopic.status()).isEqualTo(422);
    assertThat(badTopic.body().get("field").asText()).isEqualTo("topic");
  }
}
