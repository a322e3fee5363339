package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.support.TestApp;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiTest {
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
  void problems_are_utf8_and_say_so() {
    var refused = tandem.call("POST", "/v1/contacts", Map.of("email", "café"));
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.contentType()).isEqualTo("application/problem+json; charset=utf-8");
    assertThat(refused.body().get("detail").asText()).contains("'café'");
    var unauthorized = tandem.call("GET", "/v1/topics", null, "tdm_wrong");
    assertThat(unauthorized.status()).isEqualTo(401);
    assertThat(unauthorized.contentType()).endsWith("charset=utf-8");
  }

  @Test
  void creates_a_contact_with_e164_phone_and_lower_cased_email() {
    var response =
        tandem.call(
            "POST",
            "/v1/contacts",
            Map.of(
                "phone",
                "(415) 555-7001",
                "email",
                "  Ada.Lovelace@Example.COM ",
                "name",
                "Ada",
                "timeZone",
                "Europe/London",
                "externalId",
                "crm-7001"));

    assertThat(response.status()).isEqualTo(201);
    assertThat(response.body().get("phone").asText()).isEqualTo("+14155557001");
    assertThat(response.body().get("email").asText()).isEqualTo("ada.lovelace@example.com");
    assertThat(response.body().get("timeZone").asText()).isEqualTo("Europe/London");
    String id = response.body().get("id").asText();
    assertThat(tandem.call("GET", "/v1/contacts/" + id, null).body().get("externalId").asText())
        .isEqualTo("crm-7001");
  }

  @Test
  void finds_a_contact_by_any_written_form_of_its_phone_or_email() {
    JsonNode contact =
        tandem.createContact(Map.of("phone", "+1 415 555 7002", "email", "grace@example.org"));
    for (String form :
        List.of(
            "+14155557002",
            "415-555-7002",
            "(415) 555 7002",
            "1-415-555-7002",
            "+1 (415) 555-7002")) {
      var found =
          tandem.call(
              "GET", "/v1/contacts?phone=" + URLEncoder.encode(form, StandardCharsets.UTF_8), null);
      assertThat(found.status()).as(form).isEqualTo(200);
      assertThat(found.body().get("items")).as(form).hasSize(1);
      assertThat(found.body().get("items").get(0).get("id")).isEqualTo(contact.get("id"));
    }
    var byEmail = tandem.call("GET", "/v1/contacts?email=GRACE%40Example.org", null);
    assertThat(byEmail.body().get("items").get(0).get("id")).isEqualTo(contact.get("id"));
    assertThat(
            tandem.call("GET", "/v1/contacts?email=nobody%40example.org", null).body().get("items"))
        .isEmpty();
  }

  @Test
  void the_same_phone_or_email_cannot_belong_to_two_contacts() {
    JsonNode first =
        tandem.createContact(Map.of("phone", "+14155557003", "email", "taken@example.com"));

    var samePhone = tandem.call("POST", "/v1/contacts", Map.of("phone", "415 555 7003"));
    var sameEmail =
        tandem.call(
            "POST", "/v1/contacts", Map.of("email", "TAKEN@example.com", "phone", "+14155557004"));

    assertThat(samePhone.status()).isEqualTo(409);
    assertThat(samePhone.contentType()).startsWith("application/problem+json");
    assertThat(samePhone.body().get("field").asText()).isEqualTo("phone");
    assertThat(samePhone.body().get("detail").asText()).contains(first.get("id").asText());
    assertThat(sameEmail.status()).isEqualTo(409);
    assertThat(sameEmail.body().get("field").asText()).isEqualTo("email");
    // the refused contact left nothing behind: its phone is still free
    assertThat(tandem.call("GET", "/v1/contacts?phone=%2B14155557004", null).body().get("items"))
        .isEmpty();
  }

  @Test
  void an_invalid_phone_or_email_is_422_naming_the_field_and_the_value() {
    var phone = tandem.call("POST", "/v1/contacts", Map.of("phone", "12ab"));
    var email = tandem.call("POST", "/v1/contacts", Map.of("email", "not-an-address"));
    var zone =
        tandem.call(
            "POST", "/v1/contacts", Map.of("phone", "+14155557005", "timeZone", "Mars/Olympus"));

    assertThat(phone.status()).isEqualTo(422);
    assertThat(phone.body().get("field").asText()).isEqualTo("phone");
    assertThat(phone.body().get("detail").asText()).contains("'12ab'");
    assertThat(email.status()).isEqualTo(422);
    assertThat(email.body().get("field").asText()).isEqualTo("email");
    assertThat(email.body().get("detail").asText()).contains("not-an-address");
    assertThat(zone.status()).isEqualTo(422);
    assertThat(zone.body().get("field").asText()).isEqualTo("timeZone");
  }

  @Test
  void malformed_json_is_400_and_a_wrong_type_names_the_field() {
    var broken = tandem.call("POST", "/v1/contacts", "{\"phone\": ");
    var wrongType = tandem.call("POST", "/v1/contacts", "{\"phone\": 4155557006}");
    var unknownField = tandem.call("POST", "/v1/contacts", "{\"phon\": \"+14155557006\"}");

    assertThat(broken.status()).isEqualTo(400);
    assertThat(broken.contentType()).startsWith("application/problem+json");
    assertThat(broken.body().get("detail").asText()).contains("not valid JSON");
    assertThat(wrongType.status()).isEqualTo(400);
    assertThat(wrongType.body().get("field").asText()).isEqualTo("phone");
    assertThat(unknownField.status()).isEqualTo(400);
    assertThat(unknownField.body().get("field").asText()).isEqualTo("phon");
  }

  @Test
  void an_unknown_contact_or_message_is_404() {
    var contact = tandem.call("GET", "/v1/contacts/01a21c9f-0000-7000-8000-000000000000", null);
    var notAnId = tandem.call("GET", "/v1/contacts/xyz", null);
    var send =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "contactId",
                "01a21c9f-0000-7000-8000-000000000000",
                "channels",
                List.of("sms"),
                "sms",
                Map.of("text", "hi")));
    var message = tandem.call("GET", "/v1/messages/01a21c9f-0000-7000-8000-000000000000", null);

    assertThat(List.of(contact.status(), notAnId.status(), send.status(), message.status()))
        .containsOnly(404);
    assertThat(send.body().toString()).contains("\"field\":\"contactId\"");
  }

  @Test
  void every_v1_route_needs_a_valid_api_key() {
    var none = tandem.call("GET", "/v1/contacts?phone=%2B14155557007", null, null);
    var wrong =
        tandem.call(
            "GET", "/v1/contacts?phone=%2B14155557007", null, "tdm_not_a_key_at_all_000000");

    assertThat(none.status()).isEqualTo(401);
    assertThat(none.contentType()).startsWith("application/problem+json");
    assertThat(none.headers().get("www-authenticate")).contains("Bearer");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(tandem.call("GET", "/health/live", null, null).status()).isEqualTo(200);
  }

  @Test
  void a_message_to_both_channels_is_sent_and_delivered_and_shows_on_the_timeline() {
    JsonNode contact = tandem.aContact();
    JsonNode accepted = tandem.sendBoth(contact.get("id").asText());
    String id = accepted.get("id").asText();
    assertThat(accepted.get("deliveries")).hasSize(2);
    assertThat(accepted.get("deliveries").findValuesAsText("status")).containsOnly("queued");

    assertThat(tandem.app.dispatcher.runOnce()).isGreaterThanOrEqualTo(2);

    tandem.awaitStatus(id, "sms", "delivered");
    assertThat(tandem.status(id, "email")).isEqualTo("sent");
    JsonNode sms = tandem.delivery(id, "sms");
    assertThat(sms.get("providerId").asText()).isNotBlank();
    assertThat(sms.get("attempts").asInt()).isEqualTo(1);
    JsonNode email = tandem.delivery(id, "email");
    assertThat(email.get("providerId").asText()).endsWith("@tandem.localhost");

    var received =
        tandem.app.sandboxSmtp.orElseThrow().received().stream()
            .filter(e -> e.messageId().contains(email.get("providerId").asText()))
            .toList();
    assertThat(received).hasSize(1);
    assertThat(received.get(0).raw())
        .contains("multipart/alternative")
        .contains("text/plain")
        .contains("text/html");
    assertThat(tandem.app.sandboxSmsc.orElseThrow().received())
        .anySatisfy(s -> assertThat(s.messageId()).isEqualTo(sms.get("providerId").asText()));

    JsonNode events =
        tandem
            .call("GET", "/v1/contacts/" + contact.get("id").asText() + "/timeline", null)
            .body()
            .get("items");
    List<String> types = new ArrayList<>();
    events.forEach(e ->
        types.add(
            e.get("type").asText()
                + (e.get("channel").isNull() ? "" : "/" + e.get("channel").asText())));
    assertThat(types)
        .containsExactlyInAnyOrder(
            "message.accepted",
            "delivery.sent/sms",
            "delivery.sent/email",
            "delivery.delivered/sms");
    // newest first
    assertThat(types.getLast()).isEqualTo("message.accepted");
    assertThat(types.indexOf("delivery.sent/sms"))
        .isGreaterThan(types.indexOf("delivery.delivered/sms"));
  }

  @Test
  void the_same_idempotency_key_returns_the_same_message_and_never_sends_twice() {
    JsonNode contact = tandem.aContact();
    Map<String, Object> request =
        Map.of(
            "contactId",
            contact.get("id").asText(),
            "channels",
            List.of("sms"),
            "sms",
            Map.of("text", "Once only"),
            "idempotencyKey",
            "order-" + contact.get("id").asText());
    var first = tandem.call("POST", "/v1/messages", request);
    var second = tandem.call("POST", "/v1/messages", request);
    int before = tandem.app.sandboxSmsc.orElseThrow().receivedCount();

    tandem.app.dispatcher.drain();
    var third = tandem.call("POST", "/v1/messages", request);
    tandem.app.dispatcher.drain();

    assertThat(first.status()).isEqualTo(202);
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.headers().get("idempotent-replayed")).contains("true");
    assertThat(second.body().get("id")).isEqualTo(first.body().get("id"));
    assertThat(third.body().get("id")).isEqualTo(first.body().get("id"));
    assertThat(tandem.app.sandboxSmsc.orElseThrow().receivedCount() - before).isEqualTo(1);

    var changed =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "contactId",
                contact.get("id").asText(),
                "channels",
                List.of("sms"),
                "sms",
                Map.of("text", "Something else"),
                "idempotencyKey",
                "order-" + contact.get("id").asText()));
    assertThat(changed.status()).isEqualTo(409);
    assertThat(changed.body().get("field").asText()).isEqualTo("idempotencyKey");
  }

  @Test
  void a_message_can_name_its_recipient_by_address_and_the_contact_is_created() {
    String phone = TestApp.uniquePhone();
    var response =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "to",
                Map.of("phone", phone),
                "channels",
                List.of("sms"),
                "sms",
                Map.of("text", "Hello")));

    assertThat(response.status()).isEqualTo(202);
    var found =
        tandem.call(
            "GET", "/v1/contacts?phone=" + URLEncoder.encode(phone, StandardCharsets.UTF_8), null);
    assertThat(found.body().get("items").get(0).get("id"))
        .isEqualTo(response.body().get("contactId"));
  }

  @Test
  void bad_message_requests_are_refused_with_the_field_at_fault() {
    JsonNode smsOnly = tandem.createContact(Map.of("phone", TestApp.uniquePhone()));
    String id = smsOnly.get("id").asText();

    var noChannels =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of("contactId", id, "channels", List.of(), "sms", Map.of("text", "x")));
    var nothingToSay = tandem.call("POST", "/v1/messages", Map.of("contactId", id));
    var badChannel =
        tandem.call("POST", "/v1/messages", Map.of("contactId", id, "channels", List.of("fax")));
    var noText =
        tandem.call("POST", "/v1/messages", Map.of("contactId", id, "channels", List.of("sms")));
    var noEmail =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "contactId",
                id,
                "channels",
                List.of("email"),
                "email",
                Map.of("subject", "Hi", "text", "x")));
    var injection =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "to",
                Map.of("email", TestApp.uniqueEmail()),
                "channels",
                List.of("email"),
                "email",
                Map.of("subject", "Hi\r\nBcc: victim@example.com", "text", "x")));
    var tooLong =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "contactId",
                id,
                "channels",
                List.of("sms"),
                "sms",
                Map.of("text", "x".repeat(10_000))));

    assertThat(noChannels.body().get("field").asText()).isEqualTo("channels");
    assertThat(nothingToSay.body().get("code").asText()).isEqualTo("missing-content");
    assertThat(badChannel.body().get("detail").asText()).contains("'fax'");
    assertThat(noText.body().get("field").asText()).isEqualTo("sms.text");
    assertThat(noEmail.body().get("detail").asText()).contains("no email address");
    assertThat(injection.body().get("field").asText()).isEqualTo("email.subject");
    assertThat(tooLong.body().get("field").asText()).isEqualTo("sms.text");
    assertThat(List.of(noChannels, nothingToSay, badChannel, noText, noEmail, injection, tooLong))
        .allSatisfy(r -> assertThat(r.status()).isEqualTo(422));
  }

  @Test
  void an_inbound_sms_from_an_unknown_number_creates_the_contact_and_lands_on_its_timeline() {
    String phone = TestApp.uniquePhone();
    var injected =
        tandem.call(
            "POST",
            "/v1/sandbox/sms/inbound",
            Map.of("from", phone, "to", "12345", "text", "Hello there €"));
    assertThat(injected.status()).isEqualTo(202);

    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .untilAsserted(() -> {
          var found =
              tandem.call(
                  "GET",
                  "/v1/contacts?phone=" + URLEncoder.encode(phone, StandardCharsets.UTF_8),
                  null);
          assertThat(found.body().get("items")).hasSize(1);
          String contactId = found.body().get("items").get(0).get("id").asText();
          JsonNode events =
              tandem
                  .call("GET", "/v1/contacts/" + contactId + "/timeline", null)
                  .body()
                  .get("items");
          assertThat(events).hasSize(1);
          assertThat(events.get(0).get("type").asText()).isEqualTo("sms.received");
          assertThat(events.get(0).get("detail").get("text").asText()).isEqualTo("Hello there €");
        });
  }

  @Test
  void health_and_metrics_report_the_state_of_the_node() {
    JsonNode contact = tandem.aContact();
    String id = tandem.sendBoth(contact.get("id").asText()).get("id").asText();
    tandem.app.dispatcher.runOnce();
    tandem.awaitStatus(id, "sms", "delivered");

    var ready = tandem.call("GET", "/health/ready", null, null);
    var metrics = tandem.call("GET", "/metrics", null, null).body().get("text").asText();

    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.body().get("checks").get("sms").asText()).isEqualTo("ok");
    assertThat(metrics)
        .contains("tandem_messages_accepted_total{channel=\"sms\"}")
        .containsPattern(
            "tandem_deliveries_total\\{channel=\"sms\",status=\"delivered\",topic=\"account\"\\} [1-9]")
        .containsPattern(
            "tandem_deliveries_total\\{channel=\"email\",status=\"sent\",topic=\"account\"\\} [1-9]");
  }

  @Test
  void sms_inspect_over_the_api_shows_encoding_parts_and_substitutions() {
    var smart = tandem.call("POST", "/v1/sms/inspect", Map.of("text", "It’s here"));
    var strict =
        tandem.call("POST", "/v1/sms/inspect", Map.of("text", "It’s here", "substitution", "off"));
    var bad = tandem.call("POST", "/v1/sms/inspect", Map.of("text", "x", "substitution", "maybe"));

    assertThat(smart.body().get("encoding").asText()).isEqualTo("GSM7");
    assertThat(smart.body().get("transmitted").asText()).isEqualTo("It's here");
    assertThat(smart.body().get("substitutions").get(0).get("from").asText()).isEqualTo("’");
    assertThat(strict.body().get("encoding").asText()).isEqualTo("UCS2");
    assertThat(strict.body().get("nonGsmCharacters").get(0).asText()).isEqualTo("’");
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.body().get("field").asText()).isEqualTo("substitution");
  }
}
