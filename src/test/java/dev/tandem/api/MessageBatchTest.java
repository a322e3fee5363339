package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.support.TestApp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** POST /v1/messages/batch: each item accepted or refused on its own, idempotent per item. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MessageBatchTest {
  TestApp tandem;

  @BeforeAll
  void start() {
    tandem = TestApp.start();
  }

  @AfterAll
  void stop() {
    tandem.close();
  }

  private static Map<String, Object> sms(String phone, String text, String key) {
    var request = new HashMap<String, Object>();
    request.put("to", Map.of("phone", phone));
    request.put("channels", List.of("sms"));
    request.put("sms", Map.of("text", text));
    if (key != null) {
      request.put("idempotencyKey", key);
    }
    return request;
  }

  private TestApp.Response batch(List<?> messages) {
    return tandem.call("POST", "/v1/messages/batch", Map.of("messages", messages));
  }

  private static List<Integer> statuses(JsonNode body) {
    List<Integer> statuses = new ArrayList<>();
    body.get("results").forEach(r -> statuses.add(r.get("status").asInt()));
    return statuses;
  }

  @Test
  void each_item_is_accepted_or_refused_on_its_own_and_the_accepted_ones_are_sent() {
    String tag = Long.toString(System.nanoTime());
    var unknownField = sms(TestApp.uniquePhone(), "Unknown field", null);
    unknownField.put("colour", "blue");
    TestApp.Response response =
        batch(
            List.of(
                sms(TestApp.uniquePhone(), "First", "b1-" + tag),
                sms("not a number", "Bad phone", "b2-" + tag),
                sms(TestApp.uniquePhone(), "Third", "b3-" + tag),
                unknownField,
                "not an object"));

    assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
    JsonNode body = response.body();
    assertThat(statuses(body)).containsExactly(202, 422, 202, 400, 400);
    assertThat(body.get("accepted").asInt()).isEqualTo(2);
    assertThat(body.get("refused").asInt()).isEqualTo(3);
    JsonNode results = body.get("results");
    for (int i = 0; i < 5; i++) {
      assertThat(results.get(i).get("index").asInt()).isEqualTo(i);
    }
    assertThat(results.get(1).get("problem").get("field").asText()).startsWith("messages[1].");
    assertThat(results.get(3).get("problem").get("detail").asText()).contains("colour");
    assertThat(results.get(4).get("problem").get("field").asText()).isEqualTo("messages[4]");

    String first = results.get(0).get("message").get("id").asText();
    String third = results.get(2).get("message").get("id").asText();
    assertThat(tandem.status(first, "sms")).isEqualTo("queued");
    tandem.app.dispatcher.drain();
    tandem.awaitStatus(first, "sms", "delivered");
    tandem.awaitStatus(third, "sms", "delivered");
  }

  @Test
  void the_same_batch_again_replays_every_item_and_writes_nothing() {
    String tag = Long.toString(System.nanoTime());
    List<Map<String, Object>> messages = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      messages.add(sms(TestApp.uniquePhone(), "Replay " + i, "replay-" + tag + "-" + i));
    }
    JsonNode first = batch(messages).body();
    long before = count("message");
    JsonNode again = batch(messages).body();

    assertThat(statuses(first)).containsOnly(202);
    assertThat(statuses(again)).containsOnly(200);
    assertThat(again.get("replayed").asInt()).isEqualTo(20);
    assertThat(count("message")).isEqualTo(before);
    for (int i = 0; i < 20; i++) {
      assertThat(again.get("results").get(i).get("message").get("id"))
          .isEqualTo(first.get("results").get(i).get("message").get("id"));
    }
  }

  @Test
  void items_for_one_new_person_make_one_contact() {
    String phone = TestApp.uniquePhone();
    List<Map<String, Object>> messages = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      messages.add(sms(phone, "Same person " + i, null));
    }
    JsonNode body = batch(messages).body();

    assertThat(statuses(body)).containsOnly(202);
    List<String> contacts = new ArrayList<>();
    body.get("results").forEach(r -> contacts.add(r.get("message").get("contactId").asText()));
    assertThat(contacts).containsOnly(contacts.getFirst());
  }

  @Test
  void a_batch_that_is_empty_too_large_or_keyed_as_a_whole_is_refused() {
    assertThat(batch(List.of()).body().get("code").asText()).isEqualTo("missing-messages");
    List<Map<String, Object>> tooMany = new ArrayList<>();
    for (int i = 0; i <= ApiServer.MAX_BATCH; i++) {
      tooMany.add(Map.of("to", Map.of("phone", "+14155550100")));
    }
    TestApp.Response large = batch(tooMany);
    assertThat(large.status()).isEqualTo(422);
    assertThat(large.body().get("detail").asText()).contains("1001").contains("at most 1000");

    long before = count("message");
    assertThat(tandem.call("POST", "/v1/messages/batch", Map.of("messages", "x")).status())
        .isEqualTo(422);
    assertThat(count("message")).isEqualTo(before);
  }

  @Test
  void a_full_batch_of_1000_is_accepted_and_a_body_over_the_limit_is_a_413() {
    String tag = Long.toString(System.nanoTime());
    List<Map<String, Object>> messages = new ArrayList<>();
    for (int i = 0; i < ApiServer.MAX_BATCH; i++) {
      messages.add(sms(TestApp.uniquePhone(), "Full batch " + i, "full-" + tag + "-" + i));
    }
    long before = count("message");
    TestApp.Response full = batch(messages);
    assertThat(full.status()).isEqualTo(200);
    assertThat(full.body().get("accepted").asInt()).isEqualTo(ApiServer.MAX_BATCH);
    assertThat(count("message")).isEqualTo(before + ApiServer.MAX_BATCH);

    List<Map<String, Object>> large = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      large.add(sms(TestApp.uniquePhone(), "x".repeat(4000), null));
    }
    TestApp.Response tooLarge = batch(large);
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.contentType()).contains("problem+json");
    assertThat(count("message")).isEqualTo(before + ApiServer.MAX_BATCH);
  }

  @Test
  void a_dry_run_batch_plans_every_item_and_writes_nothing() {
    long before = count("message");
    TestApp.Response response =
        tandem.call(
            "POST",
            "/v1/messages/batch?dryRun=true",
            Map.of(
                "messages",
                List.of(sms(TestApp.uniquePhone(), "Plan", null), sms("nope", "Bad", null))));

    assertThat(statuses(response.body())).containsExactly(200, 422);
    assertThat(response.body().get("planned").asInt()).isEqualTo(1);
    assertThat(count("message")).isEqualTo(before);
  }

  private long count(String table) {
    return tandem
        .app
        .database
        .jdbi()
        .withHandle(h -> h.createQuery("SELECT count(*) FROM " + table).mapTo(Long.class).one());
  }
}
