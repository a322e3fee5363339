package dev.tandem.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.support.TestApp;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Routed messages through the API: the plan is returned and stored; a dry run writes nothing. */
class RoutingApiTest {
  static TestApp tandem;

  @BeforeAll
  static void start() {
    tandem = TestApp.start();
  }

  @AfterAll
  static void stop() {
    tandem.close();
  }

  static Map<String, Object> routed(String phone, String email) {
    return Map.of(
        "to", Map.of("phone", phone, "email", email),
        "sms", Map.of("text", "Your order #1042 has shipped."),
        "email", Map.of("subject", "Your order #1042 has shipped", "text", "On its way."));
  }

  int count(String sql) {
    return tandem
        .app
        .database
        .jdbi()
        .withHandle(h -> h.createQuery(sql).mapTo(Integer.class).one());
  }

  @Test
  void a_message_with_send_at_waits_for_its_time_and_bad_times_are_refused() {
    var contact =
        tandem.createContact(Map.of("phone", TestApp.uniquePhone(), "timeZone", "Europe/London"));
    String at = tandem.clock.instant().plus(java.time.Duration.ofHours(2)).toString();
    Map<String, Object> request =
        Map.of(
            "contactId",
            contact.get("id").asText(),
            "channels",
            java.util.List.of("sms"),
            "topic",
            "account",
            "sms",
            Map.of("text", "Your appointment is in an hour."),
            "sendAt",
            at,
            "idempotencyKey",
            "scheduled-" + contact.get("id").asText());

    var accepted = tandem.call("POST", "/v1/messages", request);
    assertThat(accepted.status()).as(accepted.body().toString()).isEqualTo(202);
    String id = accepted.body().get("id").asText();
    JsonNode sms = accepted.body().get("deliveries").get(0);
    assertThat(sms.get("step").asText()).isEqualTo("deferred");
    assertThat(sms.get("dueAt").asText()).isEqualTo(at);
    assertThat(tandem.call("POST", "/v1/messages", request).status()).as("a retry").isEqualTo(200);
    var moved = new java.util.HashMap<String, Object>(request);
    moved.put("sendAt", tandem.clock.instant().plus(java.time.Duration.ofHours(3)).toString());
    assertThat(tandem.call("POST", "/v1/messages", moved).status())
        .as("the same key with another time")
        .isEqualTo(409);

    tandem.app.dispatcher.runOnce();
    assertThat(tandem.status(id, "sms")).isEqualTo("queued");
    tandem.clock.advance(java.time.Duration.ofHours(2).plusSeconds(1));
    tandem.app.dispatcher.runOnce();
    tandem.awaitStatus(id, "sms", "delivered");

    for (String bad :
        java.util.List.of("tomorrow", "2026-12-24T09:00:00", "2099-01-01T00:00:00Z")) {
      var refused = new java.util.HashMap<String, Object>(request);
      refused.put("sendAt", bad);
      refused.remove("idempotencyKey");
      var answer = tandem.call("POST", "/v1/messages", refused);
      assertThat(answer.status()).as(bad + " " + answer.body()).isEqualTo(422);
      assertThat(answer.body().get("field").asText()).isEqualTo("sendAt");
    }
  }

  @Test
  void a_dry_run_returns_the_plan_and_writes_nothing_not_even_the_new_contact() {
    String phone = TestApp.uniquePhone();
    int messages = count("SELECT count(*) FROM message");
    int deliveries = count("SELECT count(*) FROM delivery");
    int events = count("SELECT count(*) FROM event");

    var planned =
        tandem.call("POST", "/v1/messages?dryRun=true", routed(phone, TestApp.uniqueEmail()));

    assertThat(planned.status()).isEqualTo(200);
    JsonNode body = planned.body();
    assertThat(body.get("dryRun").asBoolean()).isTrue();
    assertThat(body.get("plan").get("steps")).isNotEmpty();
    assertThat(body.get("deliveries")).hasSize(2);
    assertThat(count("SELECT count(*) FROM message")).isEqualTo(messages);
    assertThat(count("SELECT count(*) FROM delivery")).isEqualTo(deliveries);
    assertThat(count("SELECT count(*) FROM event")).isEqualTo(events);
    assertThat(
            tandem
                .call(
                    "GET",
                    "/v1/contacts?phone=" + URLEncoder.encode(phone, StandardCharsets.UTF_8),
                    null)
                .body()
                .get("items"))
        .isEmpty();
    assertThat(tandem.call("GET", "/v1/messages/" + body.get("id").asText(), null).status())
        .isEqualTo(404);
  }

  @Test
  void the_plan_is_stored_with_the_message_and_shown_again() {
    var accepted =
        tandem.call("POST", "/v1/messages", routed(TestApp.uniquePhone(), TestApp.uniqueEmail()));
    assertThat(accepted.status()).isEqualTo(202);
    JsonNode shown =
        tandem.call("GET", "/v1/messages/" + accepted.body().get("id").asText(), null).body();
    assertThat(shown.get("plan")).isEqualTo(accepted.body().get("plan"));
    assertThat(shown.get("deliveries").findValuesAsText("step")).contains("now");
  }

  @Test
  void a_bad_dry_run_value_is_a_422_naming_it() {
    var response =
        tandem.call(
            "POST",
            "/v1/messages?dryRun=yes",
            routed(TestApp.uniquePhone(), TestApp.uniqueEmail()));
    assertThat(response.status()).isEqualTo(422);
    assertThat(response.body().get("field").asText()).isEqualTo("dryRun");
  }

  @Test
  void a_routed_message_with_no_address_for_its_content_is_planned_with_the_reason() {
    JsonNode contact = tandem.createContact(Map.of("email", TestApp.uniqueEmail()));
    var response =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "contactId",
                contact.get("id").asText(),
                "sms",
                Map.of("text", "Only a text for someone with no phone.")));
    assertThat(response.status()).isEqualTo(202);
    assertThat(response.body().get("deliveries")).isEmpty();
    assertThat(response.body().get("plan").get("skipped").findValuesAsText("channel"))
        .contains("sms");
  }

  @Test
  void a_contact_shows_where_quiet_hours_place_it_and_why() {
    JsonNode idaho =
        tandem.createContact(Map.of("phone", "+12085550" + (100 + (int) (Math.random() * 800))));
    assertThat(idaho.get("zone").get("source").asText()).isEqualTo("phone-prefix");
    assertThat(idaho.get("zone").get("candidates").toString())
        .contains("America/Boise")
        .contains("America/Los_Angeles");
    assertThat(idaho.get("zone").get("regions").toString()).contains("US-ID");
    JsonNode explicit =
        tandem.createContact(Map.of("phone", TestApp.uniquePhone(), "timeZone", "Europe/Paris"));
    assertThat(explicit.get("zone").get("source").asText()).isEqualTo("explicit");
    assertThat(explicit.get("zone").get("candidates").get(0).asText()).isEqualTo("Europe/Paris");
    JsonNode emailOnly = tandem.createContact(Map.of("email", TestApp.uniqueEmail()));
    assertThat(emailOnly.get("zone").get("source").asText()).isEqualTo("default");
  }

  @Test
  void durations_a_topic_cannot_use_are_refused_naming_the_field_not_a_500_later() {
    for (var bad :
        List.of(
            Map.of("fallback", Map.of("on", List.of("no-receipt"), "after", "P100000000D")),
            Map.of("dedupeWindow", "P400D"),
            Map.of("fallback", Map.of("on", List.of("not-opened"), "after", "PT9999999999S")))) {
      var body = new java.util.HashMap<String, Object>(bad);
      body.put("class", "transactional");
      var response = tandem.call("PUT", "/v1/topics/too-long", body);
      assertThat(response.status()).as(bad.toString()).isEqualTo(422);
      assertThat(response.body().get("field").asText()).isIn("fallback.after", "dedupeWindow");
    }
  }
}
