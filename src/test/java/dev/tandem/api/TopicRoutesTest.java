package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.support.TestApp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Topics are managed over the API; routing uses what was stored; bad values name their field. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TopicRoutesTest {
  TestApp tandem;

  @BeforeAll
  void start() {
    tandem = TestApp.start();
  }

  @AfterAll
  void stop() {
    tandem.close();
  }

  private TestApp.Response put(String key, Object body) {
    return tandem.call("PUT", "/v1/topics/" + key, body);
  }

  @Test
  void a_topic_is_created_then_replaced_and_fields_left_out_take_the_class_defaults() {
    var created =
        put(
            "order-shipped",
            Map.of(
                "class", "transactional",
                "description", "Shipping updates",
                "policy", "sms-first",
                "fallback", Map.of("on", List.of("failed", "no-receipt"), "after", "PT30M"),
                "caps", List.of(Map.of("max", 1, "window", "P1D", "channel", "sms")),
                "dailySmsBudget", "25.00"));
    assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
    assertThat(created.headers().get("Location")).containsExactly("/v1/topics/order-shipped");

    JsonNode read = tandem.call("GET", "/v1/topics/order-shipped", null).body();
    assertThat(read.get("policy").asText()).isEqualTo("sms-first");
    assertThat(read.at("/fallback/on").toString()).isEqualTo("[\"failed\",\"no-receipt\"]");
    assertThat(read.at("/fallback/after").asText()).isEqualTo("PT30M");
    assertThat(read.at("/caps/0/channel").asText()).isEqualTo("sms");
    assertThat(read.get("dailySmsBudget").asText()).isEqualTo("25.00");

    var replaced =
        put("order-shipped", Map.of("class", "transactional", "description", "Shipping updates"));
    assertThat(replaced.status()).isEqualTo(200);
    // transactional's defaults: preference, fall back to the other channel on failure, no caps
    assertThat(replaced.body().get("policy").asText()).isEqualTo("preference");
    assertThat(replaced.body().at("/fallback/on").toString()).isEqualTo("[\"failed\"]");
    assertThat(replaced.body().get("caps")).isEmpty();
    assertThat(replaced.body().get("dailySmsBudget").isNull()).isTrue();

    JsonNode listed = tandem.call("GET", "/v1/topics", null).body();
    assertThat(listed.get("default").asText()).isEqualTo("account");
    assertThat(listed.get("items").findValuesAsText("key")).contains("order-shipped", "news");
    assertThat(listed.get("items").get(0).has("policy")).isTrue();
  }

  @Test
  void routing_uses_the_stored_policy_of_the_topic() {
    String contact = tandem.aContact().get("id").asText();
    Map<String, Object> message =
        Map.of(
            "contactId",
            contact,
            "topic",
            "routed",
            "sms",
            Map.of("text", "Your parcel is on its way"),
            "email",
            Map.of("subject", "Shipped", "text", "Your parcel is on its way"));

    assertThat(put("routed", Map.of("class", "transactional", "policy", "sms-first")).status())
        .isEqualTo(201);
    var smsFirst = tandem.call("POST", "/v1/messages?dryRun=true", message);
    assertThat(smsFirst.status()).as(smsFirst.body().toString()).isEqualTo(200);
    assertThat(smsFirst.body().at("/plan/steps/0/channel").asText()).isEqualTo("sms");

    assertThat(put("routed", Map.of("class", "transactional", "policy", "email-first")).status())
        .isEqualTo(200);
    var emailFirst = tandem.call("POST", "/v1/messages?dryRun=true", message);
    assertThat(emailFirst.body().at("/plan/steps/0/channel").asText()).isEqualTo("email");
  }

  @Test
  void each_bad_value_is_a_422_naming_the_field() {
    assertField(Map.of("class", "marketing", "policy", "loudest"), "policy");
    assertField(
        Map.of("class", "marketing", "fallback", Map.of("on", List.of("rain"))), "fallback.on");
    assertField(
        Map.of("class", "marketing", "fallback", Map.of("on", List.of("not-clicked"))),
        "fallback.after");
    assertField(
        Map.of("class", "marketing", "caps", List.of(Map.of("max", -1, "window", "P1D"))),
        "caps[0].max");
    assertField(Map.of("class", "marketing", "colour", "red"), "colour");
    assertField(Map.of("description", "no class"), "class");

    var badKey = put("Not_A_Key", Map.of("class", "marketing"));
    assertThat(badKey.status()).isEqualTo(422);
    assertThat(badKey.body().get("field").asText()).isEqualTo("key");
    assertThat(tandem.call("GET", "/v1/topics/not-there", null).status()).isEqualTo(404);
  }

  private void assertField(Map<String, Object> body, String field) {
    var response = put("bad-values", body);
    assertThat(response.status()).as(response.body().toString()).isEqualTo(422);
    assertThat(response.contentType()).contains("application/problem+json");
    assertThat(response.body().get("field").asText()).isEqualTo(field);
    assertThat(tandem.call("GET", "/v1/topics/bad-values", null).status()).isEqualTo(404);
  }

  @Test
  void delete_is_refused_while_a_message_uses_the_topic_and_for_the_default_topic() {
    var refusedDefault = tandem.call("DELETE", "/v1/topics/account", null);
    assertThat(refusedDefault.status()).isEqualTo(409);
    assertThat(refusedDefault.body().get("detail").asText()).contains("consent.defaultTopic");

    put("used-by-message", Map.of("class", "transactional"));
    String contact = tandem.aContact().get("id").asText();
    tandem.send(
        Map.of(
            "contactId",
            contact,
            "topic",
            "used-by-message",
            "channels",
            List.of("email"),
            "email",
            Map.of("subject", "Hello", "text", "Hello")));
    var refused = tandem.call("DELETE", "/v1/topics/used-by-message", null);
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.body().get("detail").asText()).contains("messages");

    put("unused", Map.of("class", "marketing"));
    assertThat(tandem.call("DELETE", "/v1/topics/unused", null).status()).isEqualTo(204);
    assertThat(tandem.call("GET", "/v1/topics/unused", null).status()).isEqualTo(404);
    assertThat(tandem.call("DELETE", "/v1/topics/unused", null).status()).isEqualTo(404);
  }
}
