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
        tandem.call("GET", "/v1/contacts/" + contactId + "/timeline", null).body().get("events")) {
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
}
