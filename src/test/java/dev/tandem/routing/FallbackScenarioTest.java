package dev.tandem.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.sandbox.SmscSimulator;
import dev.tandem.support.TestApp;
import jakarta.mail.Address;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every fallback trigger over the real sandbox protocols (SMTP relay and inbound SMTP, SMPP with
 * receipts), with time driven by the test's clock: the first channel's outcome decides whether the
 * other channel follows, exactly once.
 */
class FallbackScenarioTest {
  static final String FIXTURE_TOKEN = "0191a2b3c4d57e6f8a9b0c1d2e3f4a5b";
  static final String FIXTURE_MESSAGE_ID = "0191a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b@tandem.localhost";

  TestApp tandem;

  @AfterEach
  void stop() {
    if (tandem != null) {
      tandem.close();
    }
  }

  static TestApp start(Map<String, String> extra) {
    var config = new HashMap<String, String>();
    config.put("email.bounceDomain", "bounces.shop.example");
    config.put("inbound.smtpPort", "0");
    config.putAll(extra);
    return TestApp.start(config);
  }

  SmscSimulator smsc() {
    return tandem.app.sandboxSmsc.orElseThrow();
  }

  /** A routed message (no channels named) with both contents, to a new person with both. */
  String sendRouted(String topic, String phone, String email) {
    var request = new HashMap<String, Object>();
    request.put("to", Map.of("phone", phone, "email", email));
    if (topic != null) {
      request.put("topic", topic);
    }
    request.put("sms", Map.of("text", "Your order #1042 has shipped."));
    request.put(
        "email",
        Map.of("subject", "Your order #1042 has shipped", "text", "Tracking: 1Z999AA10123456784"));
    return tandem.send(request);
  }

  JsonNode deliveryOf(String messageId, String channel) {
    for (JsonNode d : tandem.message(messageId).get("deliveries")) {
      if (d.get("channel").asText().equals(channel)) {
        return d;
      }
    }
    throw new AssertionError("no " + channel + " delivery in " + tandem.message(messageId));
  }

  String status(String messageId, String channel) {
    return deliveryOf(messageId, channel).get("status").asText();
  }

  List<String> smsTo(String phone) {
    var texts = new ArrayList<String>();
    for (SmscSimulator.Submitted s : smsc().received()) {
      if (("+" + s.to()).equals(phone) || s.to().equals(phone)) {
        texts.add(s.text());
      }
    }
    return texts;
  }

  long emailsTo(String address) {
    return tandem.app.sandboxSmtp.orElseThrow().received().stream()
        .filter(e -> e.envelopeTo().contains(address))
        .count();
  }

  void bounce(String deliveryId, String address) throws Exception {
    byte[] raw;
    try (InputStream in =
        FallbackScenarioTest.class.getResourceAsStream("/mail/postfix-hard.eml")) {
      raw =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .replace(FIXTURE_TOKEN, deliveryId.replace("-", ""))
              .replace(FIXTURE_MESSAGE_ID, deliveryId + "@tandem.localhost")
              .replace("ada@example.org", address)
              .getBytes(StandardCharsets.UTF_8);
    }
    Session session = Session.getInstance(new Properties());
    var message = new MimeMessage(session, new ByteArrayInputStream(raw));
    try (Transport transport = session.getTransport("smtp")) {
      transport.connect("127.0.0.1", tandem.app.inboundSmtp.orElseThrow().port(), null, null);
      transport.sendMessage(
          message,
          new Address[] {
            new InternetAddress("bounces+" + deliveryId.replace("-", "") + "@bounces.shop.example")
          });
    }
  }

  List<String> timelineTypes(String messageId) {
    String contactId = tandem.message(messageId).get("contactId").asText();
    var types = new ArrayList<String>();
    for (JsonNode e :
        tandem.call("GET", "/v1/contacts/" + contactId + "/timeline", null).body().get("items")) {
      if (messageId.equals(e.path("messageId").asText())) {
        types.add(
            e.get("type").asText()
                + (e.hasNonNull("channel") ? ":" + e.get("channel").asText() : ""));
      }
    }
    return types;
  }

  @Test
  void a_hard_bounce_of_the_email_sends_the_sms_once() throws Exception {
    tandem = start(Map.of());
    String phone = TestApp.uniquePhone();
    String email = TestApp.uniqueEmail();
    // the default topic is transactional: the preferred channel (email by default) first, SMS
    // when it fails
    String id = sendRouted(null, phone, email);
    assertThat(status(id, "email")).isEqualTo("queued");
    assertThat(status(id, "sms")).isEqualTo("held");
    assertThat(deliveryOf(id, "sms").get("step").asText()).isEqualTo("fallback");

    tandem.app.dispatcher.drain();
    assertThat(status(id, "email")).isEqualTo("sent");
    assertThat(status(id, "sms")).as("sent is not failed: the SMS waits").isEqualTo("held");
    assertThat(smsTo(phone)).isEmpty();

    bounce(deliveryOf(id, "email").get("id").asText(), email);
    assertThat(status(id, "email")).isEqualTo("failed");
    assertThat(status(id, "sms")).isEqualTo("queued");
    tandem.app.dispatcher.drain();
    tandem.awaitStatus(id, "sms", "delivered");
    assertThat(smsTo(phone)).containsExactly("Your order #1042 has shipped.");
    assertThat(timelineTypes(id)).contains("delivery.released:sms");

    // a second bounce report for the same email changes nothing
    bounce(deliveryOf(id, "email").get("id").asText(), email);
    tandem.app.dispatcher.drain();
    assertThat(smsTo(phone)).hasSize(1);
  }

  @Test
  void an_email_the_relay_refuses_sends_the_sms_in_the_same_round() {
    tandem = start(Map.of());
    String phone = TestApp.uniquePhone();
    String email = TestApp.uniqueEmail();
    tandem.app.sandboxSmtp.orElseThrow().rejectNext(1, 550, "5.1.1 no such user");
    String id = sendRouted(null, phone, email);
    tandem.app.dispatcher.drain();
    assertThat(status(id, "email")).isEqualTo("failed");
    tandem.awaitStatus(id, "sms", "delivered");
    assertThat(smsTo(phone)).hasSize(1);
  }

  @Test
  void a_fallback_on_failure_is_cancelled_when_no_failure_came_within_five_days() {
    tandem = start(Map.of());
    String phone = TestApp.uniquePhone();
    String email = TestApp.uniqueEmail();
    String id = sendRouted(null, phone, email);
    tandem.app.dispatcher.drain();
    assertThat(status(id, "email")).isEqualTo("sent");
    tandem.clock.advance(Duration.ofDays(4));
    tandem.app.dispatcher.drain();
    assertThat(status(id, "sms")).isEqualTo("held");
    tandem.clock.advance(Duration.ofDays(1));
    tandem.app.dispatcher.drain();
    assertThat(status(id, "sms")).isEqualTo("cancelled");
    assertThat(deliveryOf(id, "sms").get("lastError").asText()).contains("no failure");
    assertThat(smsTo(phone)).isEmpty();
    assertThat(emailsTo(email)).isEqualTo(1);
  }

  /** Creates or replaces a topic at runtime (PUT /v1/topics/{key}). */
  void topic(String key, Map<String, Object> policy) {
    var response = tandem.call("PUT", "/v1/topics/" + key, policy);
    assertThat(response.status()).as(String.valueOf(response.body())).isBetween(200, 201);
  }

  @Test
  void an_undeliverable_sms_receipt_sends_the_email() {
    tandem = start(Map.of());
    topic(
        "order-shipped",
        Map.of(
            "class",
            "transactional",
            "policy",
            "sms-first",
            "fallback",
            Map.of("on", List.of("failed"))));
    smsc().receiptStatus("UNDELIV");
    String phone = TestApp.uniquePhone();
    String email = TestApp.uniqueEmail();
    String id = sendRouted("order-shipped", phone, email);
    assertThat(status(id, "sms")).isEqualTo("queued");
    assertThat(status(id, "email")).isEqualTo("held");

    tandem.app.dispatcher.drain();
    tandem.awaitStatus(id, "sms", "failed"); // (the wait drives the dispatcher too)
    assertThat(status(id, "email")).isIn("queued", "sending", "sent");
    tandem.app.dispatcher.drain();
    assertThat(status(id, "email")).isEqualTo("sent");
    assertThat(emailsTo(email)).isEqualTo(1);
    assertThat(deliveryOf(id, "email").get("follows").asText())
        .isEqualTo(deliveryOf(id, "sms").get("id").asText());
  }

  @Test
  void no_final_receipt_within_the_wait_sends_the_email_and_a_delivered_sms_never_does() {
    tandem = start(Map.of());
    topic(
        "order-shipped",
        Map.of(
            "class",
            "transactional",
            "policy",
            "sms-first",
            "fallback",
            Map.of("on", List.of("failed", "no-receipt"), "after", "PT30M")));
    // this SMSC answers with receipts an hour late (real time: never, for this test)
    smsc().receiptDelay(Duration.ofHours(1));
    String late = sendRouted("order-shipped", TestApp.uniquePhone(), TestApp.uniqueEmail());
    tandem.app.dispatcher.drain();
    assertThat(status(late, "sms")).isEqualTo("sent");
    assertThat(deliveryOf(late, "email").get("dueAt").asText())
        .isEqualTo(tandem.clock.instant().plus(Duration.ofMinutes(30)).toString());

    tandem.clock.advance(Duration.ofMinutes(29));
    tandem.app.dispatcher.drain();
    assertThat(status(late, "email")).isEqualTo("held");
    tandem.clock.advance(Duration.ofMinutes(1));
    tandem.app.dispatcher.drain();
    assertThat(status(late, "email")).isEqualTo("sent");

    // receipts at once again: the SMS is delivered and its email fallback is cancelled
    smsc().receiptDelay(Duration.ZERO);
    String email = TestApp.uniqueEmail();
    String prompt = sendRouted("order-shipped", TestApp.uniquePhone(), email);
    tandem.app.dispatcher.drain();
    tandem.awaitStatus(prompt, "sms", "delivered");
    assertThat(status(prompt, "email")).isEqualTo("cancelled");
    tandem.clock.advance(Duration.ofHours(2));
    tandem.app.dispatcher.drain();
    assertThat(emailsTo(email)).isZero();
  }

  @Test
  void an_email_not_opened_within_the_wait_sends_the_sms_and_an_opened_one_never_does() {
    tandem = start(Map.of());
    topic(
        "renewal",
        Map.of(
            "class",
            "transactional",
            "policy",
            "email-first",
            "fallback",
            Map.of("on", List.of("not-opened"), "after", "PT2H")));
    String phone = TestApp.uniquePhone();
    String ignored = sendRouted("renewal", phone, TestApp.uniqueEmail());
    String readerPhone = TestApp.uniquePhone();
    String read = sendRouted("renewal", readerPhone, TestApp.uniqueEmail());
    tandem.app.dispatcher.drain();
    assertThat(status(ignored, "email")).isEqualTo("sent");
    tandem.app.engagement.opened(
        java.util.UUID.fromString(deliveryOf(read, "email").get("id").asText()));

    tandem.clock.advance(Duration.ofHours(2));
    tandem.app.dispatcher.drain();
    tandem.awaitStatus(ignored, "sms", "delivered");
    assertThat(smsTo(phone)).hasSize(1);
    assertThat(status(read, "sms")).isEqualTo("cancelled");
    assertThat(deliveryOf(read, "sms").get("lastError").asText()).contains("opened");
    assertThat(smsTo(readerPhone)).isEmpty();
  }

  @Test
  void a_pointer_sms_goes_only_after_the_relay_accepted_the_email_and_links_to_it()
      throws Exception {
    tandem = start(Map.of());
    topic("order-shipped", Map.of("class", "transactional", "policy", "pointer"));
    String phone = TestApp.uniquePhone();
    String id = sendRouted("order-shipped", phone, TestApp.uniqueEmail());
    assertThat(status(id, "sms")).isEqualTo("held");
    assertThat(deliveryOf(id, "sms").get("step").asText()).isEqualTo("pointer");

    // the relay holds the email: the pointer must not go before the relay says yes
    var relay = tandem.app.sandboxSmtp.orElseThrow();
    relay.holdMessages();
    var round = java.util.concurrent.CompletableFuture.supplyAsync(tandem.app.dispatcher::runOnce);
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> relay.heldCount() == 1);
    assertThat(status(id, "sms")).isEqualTo("held");
    assertThat(smsTo(phone)).isEmpty();
    relay.release(1);
    round.join();
    assertThat(status(id, "email")).isEqualTo("sent");
    tandem.app.dispatcher.drain();
    tandem.awaitStatus(id, "sms", "delivered");
    String text = smsTo(phone).get(0);
    assertThat(text).startsWith("Your order #1042 has shipped - details in your inbox: ");
    String link = text.substring(text.indexOf("http"));
    var view =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(link)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(view.statusCode()).isEqualTo(200);
    assertThat(view.body()).contains("Tracking: 1Z999AA10123456784");
    assertThat(deliveryOf(id, "sms").get("variant").asText()).isEqualTo("pointer");
  }

  @Test
  void a_pointer_never_goes_after_the_email_failed_the_sms_carries_the_content_or_nothing()
      throws Exception {
    tandem = start(Map.of());
    topic("order-shipped", Map.of("class", "transactional", "policy", "pointer"));
    var relay = tandem.app.sandboxSmtp.orElseThrow();
    relay.rejectNext(1, 550, "5.1.1 no such user");
    String phone = TestApp.uniquePhone();
    String withText = sendRouted("order-shipped", phone, TestApp.uniqueEmail());
    tandem.app.dispatcher.drain();
    assertThat(status(withText, "email")).isEqualTo("failed");
    tandem.awaitStatus(withText, "sms", "delivered");
    assertThat(smsTo(phone)).containsExactly("Your order #1042 has shipped.");
    assertThat(deliveryOf(withText, "sms").get("variant").asText()).isEqualTo("full");
  }

  @Test
  void a_pointer_that_waits_is_cancelled_by_a_bounce_within_its_wait() throws Exception {
    tandem = start(Map.of());
    topic(
        "invoice",
        Map.of("class", "transactional", "policy", "pointer", "fallback", Map.of("after", "PT5M")));
    String phone = TestApp.uniquePhone();
    String address = TestApp.uniqueEmail();
    String id =
        tandem.send(
            Map.of(
                "to", Map.of("phone", phone, "email", address),
                "topic", "invoice",
                "email", Map.of("subject", "Your invoice", "text", "Attached.")));
    tandem.app.dispatcher.drain();
    assertThat(status(id, "email")).isEqualTo("sent");
    assertThat(status(id, "sms")).isEqualTo("held");
    bounce(deliveryOf(id, "email").get("id").asText(), address);
    assertThat(status(id, "sms")).isEqualTo("cancelled");
    tandem.clock.advance(Duration.ofMinutes(10));
    tandem.app.dispatcher.drain();
    assertThat(smsTo(phone)).isEmpty();

    // the same without a bounce: the pointer goes once its wait is over
    String other = TestApp.uniquePhone();
    String ok =
        tandem.send(
            Map.of(
                "to", Map.of("phone", other, "email", TestApp.uniqueEmail()),
                "topic", "invoice",
                "email", Map.of("subject", "Your invoice", "text", "Attached.")));
    tandem.app.dispatcher.drain();
    assertThat(status(ok, "sms")).isEqualTo("held");
    tandem.clock.advance(Duration.ofMinutes(5));
    tandem.app.dispatcher.drain();
    tandem.awaitStatus(ok, "sms", "delivered");
    assertThat(smsTo(other)).hasSize(1);
  }
}
