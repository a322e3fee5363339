package dev.tandem.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.sandbox.SmscSimulator;
import dev.tandem.support.TestApp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Quiet hours end to end: a marketing SMS planned at night waits for the morning in the person's
 * zone, and one released at night (a fallback) waits again at send time. The test clock starts at
 * 2026-11-27T10:00Z, 05:00 in New York.
 */
class QuietHoursScenarioTest {
  TestApp tandem;

  @AfterEach
  void stop() {
    if (tandem != null) {
      tandem.close();
    }
  }

  String person(String phone) {
    JsonNode contact =
        tandem.createContact(
            Map.of("phone", phone, "email", TestApp.uniqueEmail(), "timeZone", "America/New_York"));
    String id = contact.get("id").asText();
    tandem.grant(id, "sms", "promo", "Yes, text me offers");
    tandem.grant(id, "email", "promo", "Yes, email me offers");
    return id;
  }

  void topic(Map<String, Object> policy) {
    var response = tandem.call("PUT", "/v1/topics/promo", policy);
    assertThat(response.status()).as(String.valueOf(response.body())).isBetween(200, 201);
  }

  JsonNode delivery(String messageId, String channel) {
    for (JsonNode d : tandem.message(messageId).get("deliveries")) {
      if (d.get("channel").asText().equals(channel)) {
        return d;
      }
    }
    throw new AssertionError("no " + channel + " delivery");
  }

  long smsTo(String phone) {
    SmscSimulator smsc = tandem.app.sandboxSmsc.orElseThrow();
    return smsc.received().stream().filter(s -> phone.endsWith(s.to())).count();
  }

  @Test
  void a_marketing_sms_accepted_at_night_goes_at_eight_in_the_persons_zone() {
    tandem = TestApp.start();
    topic(Map.of("class", "marketing", "policy", "sms-first"));
    String phone = TestApp.uniquePhone();
    String id =
        tandem.send(
            Map.of(
                "contactId", person(phone),
                "topic", "promo",
                "sms", Map.of("text", "Spring sale: 20% off this weekend.")));
    JsonNode sms = delivery(id, "sms");
    assertThat(sms.get("step").asText()).isEqualTo("deferred");
    assertThat(sms.get("dueAt").asText()).isEqualTo("2026-11-27T13:00:00Z");
    assertThat(tandem.message(id).get("plan").get("steps").get(0).get("code").asText())
        .isEqualTo("quiet-hours");

    tandem.app.dispatcher.drain();
    tandem.clock.advance(Duration.ofMinutes(179)); // 07:59 in New York
    tandem.app.dispatcher.drain();
    assertThat(smsTo(phone)).isZero();
    tandem.clock.advance(Duration.ofMinutes(1));
    tandem.app.dispatcher.drain();
    tandem.awaitStatus(id, "sms", "delivered");
    assertThat(smsTo(phone)).isEqualTo(1);
  }

  @Test
  void a_fallback_released_at_night_waits_for_the_morning_at_send_time() {
    tandem = TestApp.start();
    topic(
        Map.of(
            "class",
            "marketing",
            "policy",
            "email-first",
            "fallback",
            Map.of("on", List.of("not-opened"), "after", "PT14H")));
    tandem.clock.advance(Duration.ofHours(3).plusMinutes(30)); // 08:30 in New York
    String phone = TestApp.uniquePhone();
    String id =
        tandem.send(
            Map.of(
                "contactId", person(phone),
                "topic", "promo",
                "sms", Map.of("text", "Last day of the sale."),
                "email", Map.of("subject", "Last day", "text", "The sale ends tonight.")));
    tandem.app.dispatcher.drain();
    assertThat(delivery(id, "email").get("status").asText()).isEqualTo("sent");

    tandem.clock.advance(Duration.ofHours(14)); // 22:30 in New York: not opened, released
    tandem.app.dispatcher.drain();
    JsonNode sms = delivery(id, "sms");
    assertThat(sms.get("status").asText()).isEqualTo("queued");
    assertThat(sms.get("dueAt").asText()).isEqualTo("2026-11-28T13:00:00Z");
    assertThat(sms.get("lastError").asText()).contains("outside the allowed window");
    assertThat(smsTo(phone)).isZero();

    tandem.clock.advance(Duration.ofMinutes(9 * 60 + 30)); // 08:00 the next day
    tandem.app.dispatcher.drain();
    tandem.awaitStatus(id, "sms", "delivered");
    assertThat(delivery(id, "sms").get("attempts").asInt()).isEqualTo(1);
  }
}
