package dev.tandem.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.sms.http.TwilioSignature;
import dev.tandem.support.FakeTwilio;
import dev.tandem.support.TestApp;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SMS through a Twilio-compatible HTTP provider: the same sends, receipts and replies as SMPP. */
class TwilioGatewayTest {
  FakeTwilio provider;
  TestApp tandem;
  String publicUrl;

  @BeforeEach
  void start() throws Exception {
    provider = new FakeTwilio();
    int port;
    try (var socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    publicUrl = "http://127.0.0.1:" + port;
    tandem =
        TestApp.start(
            Map.of(
                "sms.provider",
                "twilio",
                "twilio.baseUrl",
                provider.baseUrl(),
                "twilio.accountSid",
                FakeTwilio.SID,
                "twilio.authToken",
                FakeTwilio.TOKEN,
                "twilio.from",
                "+14155550000",
                "sms.senders",
                "+14155550000,Shop",
                "http.port",
                Integer.toString(port),
                "http.publicUrl",
                publicUrl));
  }

  @AfterEach
  void stop() {
    tandem.close();
    provider.close();
  }

  @Test
  void an_sms_that_names_a_configured_sender_goes_out_with_it_as_from() {
    String phone = TestApp.uniquePhone();
    String id =
        tandem.send(
            Map.of(
                "to", Map.of("phone", phone),
                "sms", Map.of("text", "From the shop", "from", "Shop")));

    tandem.app.dispatcher.runOnce();

    tandem.awaitStatus(id, "sms", "delivered");
    assertThat(provider.sent())
        .singleElement()
        .satisfies(sent -> {
          assertThat(sent.to()).isEqualTo(phone);
          assertThat(sent.from()).isEqualTo("Shop");
        });
  }

  @Test
  void an_sms_goes_out_as_a_form_post_and_the_signed_status_callback_marks_it_delivered() {
    String phone = TestApp.uniquePhone();
    String id = tandem.sendSms(phone, "It’s on its way");

    tandem.app.dispatcher.runOnce();

    tandem.awaitStatus(id, "sms", "delivered");
    assertThat(provider.sent())
        .singleElement()
        .satisfies(sent -> {
          assertThat(sent.to()).isEqualTo(phone);
          assertThat(sent.from()).isEqualTo("+14155550000");
          assertThat(sent.body()).isEqualTo("It's on its way");
          assertThat(sent.statusCallback()).isEqualTo(publicUrl + "/webhooks/twilio/status");
        });
    assertThat(tandem.delivery(id, "sms").get("providerId").asText()).startsWith("SM");
  }

  @Test
  void an_undelivered_callback_fails_the_sms_with_the_provider_error_code() {
    provider.finalStatus("undelivered");
    String id = tandem.sendSms(TestApp.uniquePhone(), "Hello");

    tandem.app.dispatcher.runOnce();

    tandem.awaitStatus(id, "sms", "failed");
    assertThat(tandem.delivery(id, "sms").get("lastError").asText())
        .contains("UNDELIV")
        .contains("30003");
  }

  @Test
  void provider_errors_fail_or_retry_by_their_meaning() {
    provider.failNextWith(400);
    String refused = tandem.sendSms(TestApp.uniquePhone(), "Refused");
    tandem.app.dispatcher.runOnce();
    assertThat(tandem.status(refused, "sms")).isEqualTo("failed");
    assertThat(tandem.delivery(refused, "sms").get("lastError").asText())
        .contains("21211")
        .contains("not a valid phone number");

    provider.failNextWith(429);
    String throttled = tandem.sendSms(TestApp.uniquePhone(), "Later");
    tandem.app.dispatcher.runOnce();
    assertThat(tandem.status(throttled, "sms")).isEqualTo("queued");
    assertThat(tandem.delivery(throttled, "sms").get("lastError").asText()).contains("429");
    tandem.clock.advance(Duration.ofMinutes(1));
    tandem.app.dispatcher.runOnce();
    tandem.awaitStatus(throttled, "sms", "delivered");
  }

  @Test
  void a_forged_status_callback_is_refused_with_403_and_changes_nothing() {
    String id = tandem.sendSms(TestApp.uniquePhone(), "Hello");
    provider.finalStatus("delivered");
    tandem.app.dispatcher.runOnce();
    tandem.awaitStatus(id, "sms", "delivered");
    String sid = tandem.delivery(id, "sms").get("providerId").asText();

    int forged =
        provider.forged(
            publicUrl + "/webhooks/twilio/status",
            Map.of("MessageSid", sid, "MessageStatus", "failed", "AccountSid", FakeTwilio.SID));
    int unsigned = tandem.call("POST", "/webhooks/twilio/status", null, null).status();

    assertThat(forged).isEqualTo(403);
    assertThat(unsigned).isEqualTo(403);
    assertThat(tandem.status(id, "sms")).isEqualTo("delivered");
  }

  @Test
  void a_signed_inbound_webhook_lands_on_the_timeline_and_a_forged_one_does_not() {
    String phone = TestApp.uniquePhone();
    String url = publicUrl + "/webhooks/twilio/inbound";
    int forged =
        provider.forged(url, Map.of("From", phone, "To", "+14155550000", "Body", "forged"));
    int signed =
        provider.callback(
            url,
            Map.of(
                "From", phone, "To", "+14155550000", "Body", "Yes please", "MessageSid", "SMabc"));

    assertThat(forged).isEqualTo(403);
    assertThat(signed).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> {
          var found =
              tandem.call(
                  "GET",
                  "/v1/contacts?phone="
                      + java.net.URLEncoder.encode(phone, java.nio.charset.StandardCharsets.UTF_8),
                  null);
          String contactId = found.body().get("items").get(0).get("id").asText();
          JsonNode events =
              tandem
                  .call("GET", "/v1/contacts/" + contactId + "/timeline", null)
                  .body()
                  .get("items");
          assertThat(events)
              .singleElement()
              .satisfies(
                  e -> assertThat(e.get("detail").get("text").asText()).isEqualTo("Yes please"));
        });
  }

  @Test
  void the_signature_follows_the_published_algorithm() {
    // The example from the provider's documentation of request validation
    String token = "12345";
    String url = "https://mycompany.com/myapp.php?foo=1&bar=2";
    Map<String, String> params =
        Map.of(
            "CallSid",
            "CA1234567890ABCDE",
            "Caller",
            "+12349013030",
            "Digits",
            "1234",
            "From",
            "+12349013030",
            "To",
            "+18005551212");
    assertThat(TwilioSignature.sign(token, url, params)).isEqualTo("0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
    assertThat(TwilioSignature.valid(token, url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")).isTrue();
    assertThat(TwilioSignature.valid(token, url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ")).isFalse();
  }
}
