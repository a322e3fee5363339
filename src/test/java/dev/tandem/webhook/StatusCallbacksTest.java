package dev.tandem.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.config.TandemConfig;
import dev.tandem.error.InvalidInput;
import dev.tandem.support.TestApp;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Per-message status callbacks against the real receiver of {@link WebhooksTest}, which checks
 * every signature with {@code webhooks.callbackSecret}.
 */
class StatusCallbacksTest {
  private static final String SECRET = "whsec_test_0123456789abcdef";

  private TestApp tandem;
  private WebhooksTest.Receiver receiver;

  @BeforeEach
  void start() throws IOException {
    tandem =
        TestApp.start(
            Map.of("webhooks.allowPrivateNetworks", "on", "webhooks.callbackSecret", SECRET));
    receiver = new WebhooksTest.Receiver();
    receiver.now = tandem.clock.instant().getEpochSecond();
  }

  @AfterEach
  void stop() {
    receiver.close();
    tandem.close();
  }

  @Test
  void a_message_with_a_status_callback_gets_its_statuses_posted_signed_and_no_other_does() {
    String id =
        tandem.send(
            Map.of(
                "to", Map.of("phone", TestApp.uniquePhone()),
                "sms", Map.of("text", "Your parcel is on its way"),
                "statusCallback", receiver.url()));
    String other =
        tandem.send(
            Map.of(
                "to", Map.of("phone", TestApp.uniquePhone()),
                "sms", Map.of("text", "No callback for this one")));
    tandem.app.dispatcher.drain();
    tandem.awaitStatus(id, "sms", "delivered");
    tandem.awaitStatus(other, "sms", "delivered");
    tandem.app.webhookSender.drain();

    assertThat(receiver.types()).contains("delivery.sent", "delivery.delivered");
    assertThat(receiver.types()).allMatch(t -> t.startsWith("delivery."));
    assertThat(receiver.received)
        .allSatisfy(r -> {
          assertThat(r.signed()).as("signed with webhooks.callbackSecret").isTrue();
          assertThat(r.body().get("messageId").asText()).isEqualTo(id);
        });
    assertThat(
            receiver.received.stream()
                .filter(r -> r.type().equals("delivery.delivered"))
                .findFirst()
                .orElseThrow()
                .body()
                .get("channel")
                .asText())
        .isEqualTo("sms");
  }

  @Test
  void a_receiver_that_fails_gets_the_status_again_later() {
    receiver.failNext.set(1);
    String id =
        tandem.send(
            Map.of(
                "to", Map.of("phone", TestApp.uniquePhone()),
                "sms", Map.of("text", "Retry me"),
                "statusCallback", receiver.url()));
    tandem.app.dispatcher.drain();
    tandem.app.webhookSender.drain();
    assertThat(receiver.received).hasSize(1);
    assertThat(receiver.received.get(0).answered()).isEqualTo(503);

    tandem.clock.advance(Duration.ofSeconds(31));
    receiver.now = tandem.clock.instant().getEpochSecond();
    tandem.awaitStatus(id, "sms", "delivered");
    tandem.app.webhookSender.drain();
    assertThat(receiver.received.get(1).eventId())
        .as("the same event, sent again")
        .isEqualTo(receiver.received.get(0).eventId());
    assertThat(receiver.received.get(1).answered()).isEqualTo(204);
    assertThat(receiver.types()).contains("delivery.delivered");
  }

  @Test
  void a_bad_status_callback_is_refused_and_nothing_is_stored() {
    for (String url :
        List.of("ftp://hooks.example/x", "https://user:pw@hooks.example/x", "not a url", "")) {
      TestApp.Response response =
          tandem.call(
              "POST",
              "/v1/messages",
              Map.of(
                  "to", Map.of("phone", TestApp.uniquePhone()),
                  "sms", Map.of("text", "Hi"),
                  "statusCallback", url));
      assertThat(response.status()).as(url + ": " + response.body()).isEqualTo(422);
      assertThat(response.body().get("field").asText()).isEqualTo("statusCallback");
    }
    assertThat(tandem.call("GET", "/v1/messages", null).body().get("items")).isEmpty();
    assertThat(tandem.call("GET", "/v1/contacts", null).body().get("items")).isEmpty();
  }

  @Test
  void http_is_only_for_private_receivers_when_they_are_allowed_and_a_secret_is_required() {
    var allowed = config(true, Optional.of(SECRET));
    assertThat(webhooks(allowed).statusCallback("http://127.0.0.1:9/hook"))
        .isEqualTo("http://127.0.0.1:9/hook");
    assertThat(webhooks(allowed).statusCallback("https://hooks.example/tandem"))
        .isEqualTo("https://hooks.example/tandem");
    assertThatThrownBy(() -> webhooks(allowed).statusCallback("http://169.254.169.254/latest"))
        .isInstanceOf(InvalidInput.class)
        .hasMessageContaining("use https");

    var closed = config(false, Optional.of(SECRET));
    assertThatThrownBy(() -> webhooks(closed).statusCallback("http://127.0.0.1:9/hook"))
        .isInstanceOf(InvalidInput.class)
        .hasMessageContaining("webhooks.allowPrivateNetworks");

    var unsigned = config(true, Optional.empty());
    assertThatThrownBy(() -> webhooks(unsigned).statusCallback("https://hooks.example/tandem"))
        .isInstanceOf(InvalidInput.class)
        .hasMessageContaining("webhooks.callbackSecret");
  }

  private static TandemConfig.Webhooks config(boolean allowPrivate, Optional<String> secret) {
    return new TandemConfig.Webhooks(
        Duration.ofHours(24), Duration.ofHours(72), Duration.ofSeconds(10), allowPrivate, secret);
  }

  /** Only the checks are used: no database behind it. */
  private static Webhooks webhooks(TandemConfig.Webhooks config) {
    return new Webhooks(null, Clock.systemUTC(), () -> 0L, config);
  }
}
