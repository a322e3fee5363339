package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.support.TestApp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Accepting a message: retries get the replay, and a refused request leaves nothing behind. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MessageAcceptTest {
  TestApp tandem;

  @BeforeAll
  void start() {
    tandem = TestApp.start();
  }

  @AfterAll
  void stop() {
    tandem.close();
  }

  @Test
  void concurrent_retries_with_one_key_to_a_new_phone_all_get_the_same_message() throws Exception {
    int rounds = 5;
    int retries = 20;
    try (ExecutorService threads = Executors.newFixedThreadPool(retries)) {
      for (int round = 0; round < rounds; round++) {
        Map<String, Object> request =
            Map.of(
                "to", Map.of("phone", TestApp.uniquePhone()),
                "channels", List.of("sms"),
                "sms", Map.of("text", "Your code is 4242"),
                "idempotencyKey", "retry-round-" + round + "-" + System.nanoTime());
        var go = new CountDownLatch(1);
        List<Future<TestApp.Response>> calls = new ArrayList<>();
        for (int i = 0; i < retries; i++) {
          calls.add(
              threads.submit(() -> {
                go.await();
                return tandem.call("POST", "/v1/messages", request);
              }));
        }
        go.countDown();
        List<String> ids = new ArrayList<>();
        int created = 0;
        for (var call : calls) {
          TestApp.Response response = call.get();
          assertThat(response.status()).as("round %d: %s", round, response.body()).isIn(200, 202);
          created += response.status() == 202 ? 1 : 0;
          ids.add(response.body().get("id").asText());
        }
        assertThat(created).as("round %d", round).isEqualTo(1);
        assertThat(ids).as("round %d", round).containsOnly(ids.get(0));
      }
    }
  }

  @Test
  void concurrent_messages_to_one_new_person_make_one_contact_and_a_refused_one_fails_alone()
      throws Exception {
    String phone = TestApp.uniquePhone();
    String a = tandem.createContact(Map.of("phone", TestApp.uniquePhone())).get("id").asText();
    String aPhone = tandem.call("GET", "/v1/contacts/" + a, null).body().get("phone").asText();
    String bEmail = TestApp.uniqueEmail();
    tandem.createContact(Map.of("email", bEmail));
    int good = 18;
    try (ExecutorService threads = Executors.newFixedThreadPool(good + 2)) {
      var go = new CountDownLatch(1);
      List<Future<TestApp.Response>> calls = new ArrayList<>();
      for (int i = 0; i < good + 2; i++) {
        boolean refused = i % 10 == 5;
        Map<String, Object> to =
            refused ? Map.of("phone", aPhone, "email", bEmail) : Map.of("phone", phone);
        Map<String, Object> request =
            Map.of(
                "to",
                to,
                "channels",
                List.of("sms"),
                "sms",
                Map.of("text", "Message " + i),
                "idempotencyKey",
                "together-" + i + "-" + System.nanoTime());
        calls.add(
            threads.submit(() -> {
              go.await();
              return tandem.call("POST", "/v1/messages", request);
            }));
      }
      go.countDown();
      List<Integer> statuses = new ArrayList<>();
      List<String> contacts = new ArrayList<>();
      for (var call : calls) {
        TestApp.Response response = call.get();
        statuses.add(response.status());
        if (response.status() == 202) {
          contacts.add(response.body().get("contactId").asText());
        } else {
          assertThat(response.body().get("code").asText()).isEqualTo("addresses-of-two-contacts");
        }
      }
      assertThat(statuses).filteredOn(s -> s == 202).hasSize(good);
      assertThat(statuses).filteredOn(s -> s == 409).hasSize(2);
      assertThat(contacts).containsOnly(contacts.getFirst());
    }
  }

  private long count(String table) {
    return tandem
        .app
        .database
        .jdbi()
        .withHandle(h -> h.createQuery("SELECT count(*) FROM " + table).mapTo(Long.class).one());
  }

  private Map<String, Long> counts() {
    return Map.of(
        "contact", count("contact"),
        "contact_address", count("contact_address"),
        "change", count("change"),
        "event", count("event"),
        "message", count("message"));
  }

  @Test
  void an_email_to_a_new_phone_is_refused_and_writes_nothing() {
    Map<String, Long> before = counts();

    var response =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "to", Map.of("phone", TestApp.uniquePhone()),
                "channels", List.of("email"),
                "email", Map.of("subject", "Hello", "text", "Hello")));

    assertThat(response.status()).as(response.body().toString()).isEqualTo(422);
    assertThat(response.body().get("code").asText()).isEqualTo("no-email-address");
    assertThat(counts()).isEqualTo(before);
  }

  @Test
  void a_reused_idempotency_key_to_a_new_phone_is_refused_and_writes_nothing() {
    String key = "reused-" + System.nanoTime();
    tandem.send(
        Map.of(
            "to", Map.of("phone", TestApp.uniquePhone()),
            "channels", List.of("sms"),
            "sms", Map.of("text", "First"),
            "idempotencyKey", key));
    Map<String, Long> before = counts();

    var response =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "to", Map.of("phone", TestApp.uniquePhone()),
                "channels", List.of("sms"),
                "sms", Map.of("text", "Second, to someone else"),
                "idempotencyKey", key));

    assertThat(response.status()).as(response.body().toString()).isEqualTo(409);
    assertThat(response.body().get("code").asText()).isEqualTo("idempotency-key-reused");
    assertThat(counts()).isEqualTo(before);
  }
}
