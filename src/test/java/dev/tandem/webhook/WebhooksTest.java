package dev.tandem.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tandem.support.TestApp;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Webhooks against a real HTTP receiver on a random port that checks every signature with its own
 * HMAC code and fails on purpose when told to.
 */
class WebhooksTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "whsec_test_0123456789abcdef";

  /** One request as the receiver got it. */
  record Received(
      String type, String eventId, String signature, boolean signed, int answered, JsonNode body) {}

  /** A webhook receiver: verifies, records, and answers {@code failWith} for the next N. */
  static final class Receiver implements AutoCloseable {
    final HttpServer server;
    final List<Received> received = new CopyOnWriteArrayList<>();
    final AtomicInteger failNext = new AtomicInteger();
    volatile int failWith = 503;
    volatile long now;

    Receiver() throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext(
          "/hook",
          exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String signature = exchange.getRequestHeaders().getFirst("Tandem-Signature");
            boolean signed = verify(signature, body, now);
            int status = failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? failWith : 204;
            received.add(
                new Received(
                    exchange.getRequestHeaders().getFirst("Tandem-Event-Type"),
                    exchange.getRequestHeaders().getFirst("Tandem-Event-Id"),
                    signature,
                    signed,
                    status,
                    JSON.readTree(body)));
            byte[] answer = (status == 204 ? "" : "busy, try later").getBytes();
            exchange.sendResponseHeaders(status, status == 204 ? -1 : answer.length);
            if (status != 204) {
              exchange.getResponseBody().write(answer);
            }
            exchange.close();
          });
      server.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** The receiver's own check: HMAC-SHA-256 of "t.body", at most 5 minutes old. */
    static boolean verify(String header, byte[] body, long nowSeconds) {
      if (header == null || !header.matches("t=\\d+,v1=[0-9a-f]{64}")) {
        return false;
      }
      long t = Long.parseLong(header.substring(2, header.indexOf(',')));
      String v1 = header.substring(header.indexOf("v1=") + 3);
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
        String expected = HexFormat.of().formatHex(mac.doFinal(body));
        return expected.equals(v1) && Math.abs(nowSeconds - t) <= 300;
      } catch (Exception e) {
        return false;
      }
    }

    List<String> types() {
      return received.stream().map(Received::type).toList();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  private TestApp tandem;
  private Receiver receiver;

  @BeforeEach
  void start() throws IOException {
    tandem = TestApp.start(Map.of("webhooks.allowPrivateNetworks", "on"));
    receiver = new Receiver();
    receiver.now = tandem.clock.instant().getEpochSecond();
  }

  @AfterEach
  void stop() {
    receiver.close();
    tandem.close();
  }

  private String subscribe(List<String> events) {
    var response =
        tandem.call(
            "POST",
            "/v1/webhooks",
            Map.of("url", receiver.url(), "events", events, "secret", SECRET));
    assertThat(response.status()).as(response.body().toString()).isEqualTo(201);
    assertThat(response.body().has("secret")).as("a given secret is never echoed").isFalse();
    return response.body().get("id").asText();
  }

  private void advance(Duration d) {
    tandem.clock.advance(d);
    receiver.now = tandem.clock.instant().getEpochSecond();
  }

  private String deliveredSms() {
    String id = tandem.sendSms("Your code is 4711");
    tandem.app.dispatcher.runOnce();
    tandem.awaitStatus(id, "sms", "delivered");
    return id;
  }

  private List<JsonNode> log(String webhook) {
    List<JsonNode> items = new ArrayList<>();
    tandem
        .call("GET", "/v1/webhooks/" + webhook + "/deliveries?limit=500", null)
        .body()
        .get("items")
        .forEach(items::add);
    return items;
  }

  @Test
  void a_subscription_gets_signed_deliveries_of_the_types_it_names_and_no_others() {
    subscribe(List.of("delivery.delivered", "sms.received"));
    String messageId = deliveredSms();
    tandem.call(
        "POST",
        "/v1/sandbox/sms/inbound",
        Map.of("from", TestApp.uniquePhone(), "to", "12345", "text", "Thanks!"));
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> {
          tandem.app.webhookSender.drain();
          return receiver.received.size() >= 2;
        });

    assertThat(receiver.types()).containsExactlyInAnyOrder("delivery.delivered", "sms.received");
    assertThat(receiver.received).allSatisfy(r -> assertThat(r.signed()).isTrue());
    Received delivered =
        receiver.received.stream()
            .filter(r -> r.type().equals("delivery.delivered"))
            .findFirst()
            .orElseThrow();
    assertThat(delivered.body().get("id").asText()).isEqualTo(delivered.eventId());
    assertThat(delivered.body().get("messageId").asText()).isEqualTo(messageId);
    assertThat(delivered.body().get("channel").asText()).isEqualTo("sms");
    assertThat(delivered.body().get("data").get("stat").asText()).isEqualTo("DELIVRD");
    Received inbound =
        receiver.received.stream()
            .filter(r -> r.type().equals("sms.received"))
            .findFirst()
            .orElseThrow();
    assertThat(inbound.body().get("data").get("text").asText()).isEqualTo("Thanks!");
  }

  @Test
  void a_failing_receiver_is_retried_with_backoff_and_the_log_shows_each_attempt() {
    String webhook = subscribe(List.of("delivery.delivered"));
    deliveredSms();
    receiver.failNext.set(2);

    assertThat(tandem.app.webhookSender.runOnce()).isEqualTo(1);
    JsonNode first = log(webhook).getFirst();
    assertThat(first.get("status").asText()).isEqualTo("pending");
    assertThat(first.get("attempts").asInt()).isEqualTo(1);
    assertThat(first.get("lastStatus").asInt()).isEqualTo(503);
    assertThat(first.get("lastResponse").asText()).isEqualTo("busy, try later");
    assertThat(first.get("nextAttemptAt").asText())
        .isEqualTo(tandem.clock.instant().plusSeconds(30).toString());
    assertThat(tandem.app.webhookSender.runOnce()).as("not due yet").isZero();

    advance(Duration.ofSeconds(31));
    assertThat(tandem.app.webhookSender.runOnce()).isEqualTo(1);
    assertThat(log(webhook).getFirst().get("nextAttemptAt").asText())
        .as("twice the wait")
        .isEqualTo(tandem.clock.instant().plusSeconds(60).toString());
    advance(Duration.ofSeconds(61));
    tandem.app.webhookSender.drain();

    JsonNode done = log(webhook).getFirst();
    assertThat(done.get("status").asText()).isEqualTo("delivered");
    assertThat(done.get("attempts").asInt()).isEqualTo(3);
    assertThat(receiver.received).extracting(Received::answered).containsExactly(503, 503, 204);
    assertThat(receiver.received)
        .extracting(Received::eventId)
        .as("the same event each time")
        .containsOnly(receiver.received.getFirst().eventId());
  }

  @Test
  void a_contacts_events_arrive_in_order_even_when_the_first_is_retried() {
    String webhook = subscribe(List.of("delivery.*"));
    deliveredSms();
    receiver.failNext.set(1);

    tandem.app.webhookSender.runOnce();
    assertThat(receiver.types()).as("the later event waits").containsExactly("delivery.sent");
    advance(Duration.ofSeconds(31));
    tandem.app.webhookSender.drain();

    assertThat(receiver.types())
        .containsExactly("delivery.sent", "delivery.sent", "delivery.delivered");
    assertThat(log(webhook))
        .allSatisfy(d -> assertThat(d.get("status").asText()).isEqualTo("delivered"));
  }

  @Test
  void pending_deliveries_are_sent_after_a_restart() {
    subscribe(List.of("delivery.delivered"));
    deliveredSms();

    tandem.restart();
    receiver.now = tandem.clock.instant().getEpochSecond();
    tandem.app.webhookSender.drain();

    assertThat(receiver.types()).containsExactly("delivery.delivered");
  }

  @Test
  void a_delivery_is_given_up_after_a_day_and_a_subscription_failing_for_days_is_disabled() {
    String webhook = subscribe(List.of("delivery.delivered"));
    receiver.failNext.set(1_000);
    receiver.failWith = 500;
    deliveredSms();
    tandem.app.webhookSender.runOnce();
    for (int i = 0; i < 30; i++) { // through the day, each retry when due
      advance(Duration.ofHours(1));
      tandem.app.webhookSender.runOnce();
    }
    JsonNode givenUp = log(webhook).getFirst();
    assertThat(givenUp.get("status").asText()).isEqualTo("failed");
    int tries = givenUp.get("attempts").asInt();
    assertThat(tries).isBetween(10, 30);
    advance(Duration.ofHours(2));
    tandem.app.webhookSender.runOnce();
    assertThat(log(webhook).getFirst().get("attempts").asInt())
        .as("no more tries")
        .isEqualTo(tries);

    advance(Duration.ofHours(48)); // 3 days and more after the first failure
    deliveredSms();
    tandem.app.webhookSender.runOnce();
    JsonNode disabled = tandem.call("GET", "/v1/webhooks/" + webhook, null).body();
    assertThat(disabled.get("enabled").asBoolean()).isFalse();
    assertThat(disabled.get("disabledReason").asText()).contains("500");
    int before = receiver.received.size();
    deliveredSms();
    advance(Duration.ofMinutes(5));
    tandem.app.webhookSender.drain();
    assertThat(receiver.received).as("a disabled subscription gets nothing").hasSize(before);

    receiver.failNext.set(0);
    var resumed = tandem.call("PATCH", "/v1/webhooks/" + webhook, Map.of("enabled", true));
    assertThat(resumed.body().get("enabled").asBoolean()).isTrue();
    assertThat(resumed.body().get("failingSince").isNull()).isTrue();
    advance(Duration.ofMinutes(5));
    tandem.app.webhookSender.drain();
    assertThat(log(webhook))
        .extracting(d -> d.get("status").asText())
        .as("the one pending when it was disabled goes; nothing was kept for it while disabled")
        .containsExactly("delivered", "failed");
  }

  /** A node that claimed a delivery and died before sending it: after the lease, another sends. */
  @Test
  void a_delivery_claimed_by_a_node_that_died_is_sent_after_its_lease() {
    String webhook = subscribe(List.of("delivery.delivered"));
    deliveredSms();
    var jdbi = tandem.app.database.jdbi();
    int claimed =
        jdbi.withHandle(h ->
            h.createUpdate(
                    "UPDATE webhook_event SET next_attempt_at = :lease WHERE status = 'pending'")
                .bind("lease", tandem.clock.instant().plusSeconds(50))
                .execute()); // what the claim of a node does; then the node is gone

    assertThat(claimed).isEqualTo(1);
    assertThat(tandem.app.webhookSender.drain()).as("leased: not sent yet").isZero();
    advance(Duration.ofSeconds(51));
    tandem.app.webhookSender.drain();

    assertThat(receiver.types()).containsExactly("delivery.delivered");
    assertThat(log(webhook).getFirst().get("status").asText()).isEqualTo("delivered");
  }

  @Test
  void replay_sends_an_event_again_with_its_id() {
    String webhook = subscribe(List.of("delivery.delivered"));
    deliveredSms();
    tandem.app.webhookSender.drain();
    String delivery = log(webhook).getFirst().get("id").asText();

    var replay =
        tandem.call(
            "POST", "/v1/webhooks/" + webhook + "/deliveries/" + delivery + "/replay", null);
    assertThat(replay.status()).isEqualTo(202);
    tandem.app.webhookSender.drain();

    assertThat(receiver.received).hasSize(2);
    assertThat(receiver.received.get(1).eventId()).isEqualTo(receiver.received.get(0).eventId());
    assertThat(
            tandem
                .call("POST", "/v1/webhooks/" + webhook + "/deliveries/999999/replay", null)
                .status())
        .isEqualTo(404);
  }

  @Test
  void an_erased_persons_deliveries_go_and_the_erasure_itself_is_told() {
    String webhook = subscribe(List.of("delivery.delivered", "contact.erased"));
    receiver.failNext.set(1);
    String messageId = deliveredSms();
    tandem.app.webhookSender.runOnce(); // fails: the delivery stays, with the phone number
    String contactId = tandem.message(messageId).get("contactId").asText();
    // the export names who was told about the person, and how it went
    var export = tandem.call("GET", "/v1/contacts/" + contactId + "/export", null).body();
    assertThat(export.get("webhookDeliveries"))
        .singleElement()
        .satisfies(d -> {
          assertThat(d.get("type").asText()).isEqualTo("delivery.delivered");
          assertThat(receiver.url()).contains("/"); // a path, which the export leaves out
          assertThat(d.get("receiver").asText())
              .isEqualTo(
                  java.net.URI.create(receiver.url()).resolve("/").toString().replaceAll("/$", ""));
          assertThat(d.get("status").asText()).isEqualTo("pending");
          assertThat(d.get("attempts").asInt()).isEqualTo(1);
        });

    assertThat(tandem.call("DELETE", "/v1/contacts/" + contactId, null).status()).isEqualTo(200);
    advance(Duration.ofMinutes(1));
    tandem.app.webhookSender.drain();

    assertThat(log(webhook))
        .extracting(d -> d.get("type").asText())
        .containsExactly("contact.erased");
    Received erased = receiver.received.getLast();
    assertThat(erased.type()).isEqualTo("contact.erased");
    assertThat(erased.body().get("contactId").asText()).isEqualTo(contactId);
    assertThat(erased.body().toString()).doesNotContain("+1");
  }

  /**
   * A node lists subscriptions for up to a second; one deleted meanwhile (on another node) must not
   * fail the change whose events are being written, and gets nothing.
   */
  @Test
  void a_subscription_deleted_elsewhere_fails_no_change_and_gets_nothing() {
    var jdbi = tandem.app.database.jdbi();
    var node =
        new Webhooks(
            jdbi,
            tandem.clock,
            () -> 0L,
            tandem.app.config.webhooks()); // its copy never goes stale
    var id = node.create(receiver.url(), List.of("*"), SECRET, null).webhook().id();
    var notice =
        new dev.tandem.event.EventSink.Notice(
            "timeline",
            "sms.received",
            java.util.UUID.randomUUID(),
            tandem.clock.instant(),
            "sms",
            null,
            null,
            Map.of("text", "hi"));
    jdbi.useTransaction(h -> node.recorded(h, List.of(notice)));
    jdbi.useHandle(h -> h.execute("DELETE FROM webhook WHERE id = ?", id));

    jdbi.useTransaction(h -> node.recorded(h, List.of(notice)));

    long written =
        jdbi.withHandle(h ->
            h.createQuery("SELECT count(*) FROM webhook_event WHERE webhook_id = :id")
                .bind("id", id)
                .mapTo(Long.class)
                .one());
    assertThat(written).as("the first, none after the delete").isEqualTo(1L);
  }

  @Test
  void the_fifty_first_subscription_is_refused_and_a_delete_makes_room() {
    Map<String, Object> body = Map.of("url", "https://example.net/x", "events", List.of("*"));
    String first = null;
    for (int i = 0; i < Webhooks.MAX_SUBSCRIPTIONS; i++) {
      var created = tandem.call("POST", "/v1/webhooks", body);
      assertThat(created.status()).isEqualTo(201);
      first = first == null ? created.body().get("id").asText() : first;
    }
    var refused = tandem.call("POST", "/v1/webhooks", body);
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.body().get("code").asText()).isEqualTo("too-many-webhooks");

    assertThat(tandem.call("DELETE", "/v1/webhooks/" + first, null).status()).isEqualTo(204);
    assertThat(tandem.call("POST", "/v1/webhooks", body).status()).isEqualTo(201);
  }

  @Test
  void bad_subscriptions_are_refused_naming_the_field() {
    Map<Object, String> cases = new java.util.LinkedHashMap<>();
    cases.put(Map.of("events", List.of("*")), "url");
    cases.put(Map.of("url", "ftp://example.net/x", "events", List.of("*")), "url");
    cases.put(Map.of("url", "https://user:pw@example.net/x", "events", List.of("*")), "url");
    cases.put(Map.of("url", "https://", "events", List.of("*")), "url");
    cases.put(
        Map.of("url", "https://example.net/" + "x".repeat(2001), "events", List.of("*")), "url");
    cases.put(Map.of("url", "https://example.net/x"), "events");
    cases.put(Map.of("url", "https://example.net/x", "events", List.of()), "events");
    cases.put(Map.of("url", "https://example.net/x", "events", List.of("delivery.lost")), "events");
    cases.put(Map.of("url", "https://example.net/x", "events", List.of("nothing.*")), "events");
    cases.put(
        Map.of("url", "https://example.net/x", "events", List.of("*"), "secret", "short"),
        "secret");
    cases.put(
        Map.of(
            "url",
            "https://example.net/x",
            "events",
            List.of("*"),
            "secret",
            "has spaces in it ok"),
        "secret");
    cases.forEach((body, field) -> {
      var response = tandem.call("POST", "/v1/webhooks", body);
      assertThat(response.status()).as(body + " " + response.body()).isEqualTo(422);
      assertThat(response.body().get("field").asText()).as(body.toString()).isEqualTo(field);
    });
    var unknownField =
        tandem.call(
            "POST",
            "/v1/webhooks",
            Map.of("url", "https://example.net/x", "events", List.of("*"), "retries", 3));
    assertThat(unknownField.status()).isEqualTo(400);
    var wrongType = tandem.call("POST", "/v1/webhooks", Map.of("url", 42, "events", List.of("*")));
    assertThat(wrongType.status()).isEqualTo(400);

    var created =
        tandem.call(
            "POST", "/v1/webhooks", Map.of("url", "https://example.net/x", "events", List.of("*")));
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.body().get("secret").asText())
        .as("made and shown once")
        .startsWith("whsec_");
    String id = created.body().get("id").asText();
    assertThat(tandem.call("GET", "/v1/webhooks/" + id, null).body().has("secret")).isFalse();
    assertThat(tandem.call("PATCH", "/v1/webhooks/" + id, Map.of("enabled", "yes")).status())
        .isEqualTo(400);
    assertThat(
            tandem
                .call("GET", "/v1/webhooks/" + id + "/deliveries?status=lost", null)
                .body()
                .get("field")
                .asText())
        .isEqualTo("status");
    assertThat(
            tandem.call("GET", "/v1/webhooks/00000000-0000-7000-8000-000000000000", null).status())
        .isEqualTo(404);
    assertThat(tandem.call("DELETE", "/v1/webhooks/" + id, null).status()).isEqualTo(204);
    assertThat(tandem.call("GET", "/v1/webhooks/" + id, null).status()).isEqualTo(404);
  }

  @Test
  void a_receiver_on_a_private_address_is_refused_unless_allowed() throws IOException {
    tandem.close();
    tandem = TestApp.start();
    receiver.now = tandem.clock.instant().getEpochSecond();
    String webhook = subscribe(List.of("delivery.delivered"));
    deliveredSms();

    tandem.app.webhookSender.runOnce();

    assertThat(receiver.received).isEmpty();
    assertThat(log(webhook).getFirst().get("lastResponse").asText())
        .contains("private address")
        .contains("webhooks.allowPrivateNetworks");
  }
}
