package dev.tandem.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.config.TandemConfig.VonageSignatureMethod;
import dev.tandem.sms.http.VonageSignature;
import dev.tandem.support.FakeVonage;
import dev.tandem.support.TestApp;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** SMS through the Vonage SMS API: the same sends, receipts and replies as SMPP and Twilio. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one Tandem for all: each test resets the provider
class VonageGatewayTest {
  FakeVonage provider;
  TestApp tandem;
  String publicUrl;

  @BeforeAll
  void start() throws Exception {
    int port;
    try (var socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    publicUrl = "http://127.0.0.1:" + port;
    var holder = new TestApp[1];
    provider = new FakeVonage(() -> holder[0].clock.instant());
    tandem =
        TestApp.start(
            Map.of(
                "sms.provider",
                "vonage",
                "vonage.baseUrl",
                provider.baseUrl(),
                "vonage.apiKey",
                FakeVonage.KEY,
                "vonage.apiSecret",
                FakeVonage.SECRET,
                "vonage.signatureSecret",
                FakeVonage.SIGNATURE_SECRET,
                "vonage.signatureMethod",
                "sha256",
                "vonage.from",
                "+14155550000",
                "http.port",
                Integer.toString(port),
                "http.publicUrl",
                publicUrl));
    holder[0] = tandem;
  }

  @AfterAll
  void stop() {
    tandem.close();
    provider.close();
  }

  @BeforeEach
  void reset() {
    provider.reset();
  }

  @Test
  void a_long_sms_is_split_by_the_provider_and_delivered_when_every_part_has_its_receipt() {
    String phone = TestApp.uniquePhone();
    String text = "It’s on its way. ".repeat(12).strip(); // 203 characters, GSM-7 after swaps
    String id = tandem.sendSms(phone, text);

    tandem.app.dispatcher.runOnce();

    tandem.awaitStatus(id, "sms", "delivered");
    var sent = provider.sent();
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).to()).isEqualTo(phone.substring(1));
    assertThat(sent.get(0).from()).isEqualTo("14155550000");
    assertThat(sent.get(0).type()).isEqualTo("text");
    assertThat(sent.get(0).text()).doesNotContain("’").startsWith("It's on its way.");
    assertThat(sent.get(0).ids()).hasSize(2);
    assertThat(sent.get(0).clientRef()).isEqualTo(tandem.delivery(id, "sms").get("id").asText());
    assertThat(tandem.delivery(id, "sms").get("providerId").asText())
        .isEqualTo(String.join(",", sent.get(0).ids()));
  }

  @Test
  void a_text_outside_gsm7_goes_as_unicode() {
    String id = tandem.sendSms(TestApp.uniquePhone(), "Ready 🎉");
    tandem.app.dispatcher.runOnce();
    tandem.awaitStatus(id, "sms", "delivered");
    assertThat(provider.sent())
        .singleElement()
        .satisfies(s -> {
          assertThat(s.type()).isEqualTo("unicode");
          assertThat(s.text()).isEqualTo("Ready 🎉");
        });
  }

  @Test
  void a_failed_receipt_fails_the_sms_with_the_provider_error_code() {
    provider.finalStatus("failed");
    String id = tandem.sendSms(TestApp.uniquePhone(), "Hello");

    tandem.app.dispatcher.runOnce();

    tandem.awaitStatus(id, "sms", "failed");
    assertThat(tandem.delivery(id, "sms").get("lastError").asText()).contains("UNDELIV");
  }

  @Test
  void statuses_about_the_message_fail_it_and_statuses_about_the_account_keep_it_queued() {
    provider.answerNextWith("7");
    String barred = tandem.sendSms(TestApp.uniquePhone(), "Barred");
    tandem.app.dispatcher.runOnce();
    assertThat(tandem.status(barred, "sms")).isEqualTo("failed");
    assertThat(tandem.delivery(barred, "sms").get("lastError").asText())
        .contains("status 7")
        .contains("Number barred");

    provider.answerNextWith("4");
    String credentials = tandem.sendSms(TestApp.uniquePhone(), "Later");
    tandem.app.dispatcher.runOnce();
    assertThat(tandem.status(credentials, "sms")).isEqualTo("queued");
    assertThat(tandem.delivery(credentials, "sms").get("lastError").asText())
        .contains("Bad Credentials");
    assertThat(tandem.app.sms.ready()).as("not ready while the account is refused").isFalse();

    tandem.clock.advance(Duration.ofMinutes(1));
    tandem.app.dispatcher.runOnce();
    tandem.awaitStatus(credentials, "sms", "delivered");
    assertThat(tandem.app.sms.ready()).isTrue();

    provider.answerNextWith("1");
    String throttled = tandem.sendSms(TestApp.uniquePhone(), "Slow down");
    tandem.app.dispatcher.runOnce();
    assertThat(tandem.status(throttled, "sms")).isEqualTo("queued");
    tandem.clock.advance(Duration.ofMinutes(1));
    tandem.app.dispatcher.runOnce();
    tandem.awaitStatus(throttled, "sms", "delivered");
  }

  @Test
  void a_forged_stale_or_unsigned_receipt_is_refused_with_403_and_changes_nothing() {
    provider.finalStatus("delivered");
    String id = tandem.sendSms(TestApp.uniquePhone(), "Hello");
    tandem.app.dispatcher.runOnce();
    tandem.awaitStatus(id, "sms", "delivered");
    var sent = provider.sent().get(0);
    String url = publicUrl + "/webhooks/vonage/receipt";
    var params = new LinkedHashMap<String, String>();
    params.put("messageId", sent.ids().get(0));
    params.put("status", "failed");
    params.put("msisdn", sent.to());

    var forged =
        VonageSignature.signed(
            VonageSignatureMethod.SHA256, "not-the-secret", params, tandem.clock.instant());
    var stale =
        VonageSignature.signed(
            VonageSignatureMethod.SHA256,
            FakeVonage.SIGNATURE_SECRET,
            params,
            tandem.clock.instant().minus(Duration.ofMinutes(6)));
    var tampered = new LinkedHashMap<>(provider.signed(params));
    tampered.put("err-code", "1");

    assertThat(provider.get(url, forged)).isEqualTo(403);
    assertThat(provider.get(url, stale)).isEqualTo(403);
    assertThat(provider.get(url, tampered)).isEqualTo(403);
    assertThat(provider.get(url, params)).isEqualTo(403);
    assertThat(tandem.status(id, "sms")).isEqualTo("delivered");
  }

  @Test
  void inbound_sms_by_form_and_in_parts_by_json_land_on_the_timeline_as_one_text() {
    String phone = TestApp.uniquePhone();
    String url = publicUrl + "/webhooks/vonage/inbound";
    var single = new LinkedHashMap<String, String>();
    single.put("msisdn", phone.substring(1));
    single.put("to", "14155550000");
    single.put("messageId", "0B00000001");
    single.put("text", "Yes please");
    single.put("type", "text");
    assertThat(provider.postForm(url, provider.signed(single))).isEqualTo(204);

    for (int part = 1; part <= 2; part++) {
      var params = new LinkedHashMap<String, String>();
      params.put("msisdn", phone.substring(1));
      params.put("to", "14155550000");
      params.put("messageId", "0B0000000" + (part + 1));
      params.put("text", part == 1 ? "First half, " : "second half.");
      params.put("type", "text");
      params.put("concat", "true");
      params.put("concat-ref", "17");
      params.put("concat-total", "2");
      params.put("concat-part", Integer.toString(part));
      assertThat(provider.postJson(url, provider.signed(params))).isEqualTo(204);
    }

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> {
          var found =
              tandem.call(
                  "GET",
                  "/v1/contacts?phone=" + URLEncoder.encode(phone, StandardCharsets.UTF_8),
                  null);
          String contactId = found.body().get("items").get(0).get("id").asText();
          JsonNode events =
              tandem
                  .call("GET", "/v1/contacts/" + contactId + "/timeline", null)
                  .body()
                  .get("items");
          assertThat(events)
              .extracting(e -> e.get("detail").get("text").asText())
              .containsExactlyInAnyOrder("Yes please", "First half, second half.");
        });
  }

  @Test
  void a_signed_inbound_sms_played_again_within_its_five_minutes_is_taken_once() {
    String phone = TestApp.uniquePhone();
    String url = publicUrl + "/webhooks/vonage/inbound";
    var params = new LinkedHashMap<String, String>();
    params.put("msisdn", phone.substring(1));
    params.put("to", "14155550000");
    params.put("messageId", "0C00000000000001");
    params.put("text", "HELP");
    params.put("type", "text");
    var signed = provider.signed(params);

    assertThat(provider.postForm(url, signed)).isEqualTo(204);
    assertThat(provider.postForm(url, signed)).isEqualTo(204); // a replay, or the provider's retry

    await().atMost(Duration.ofSeconds(10)).until(() -> inboundFrom(phone) > 0);
    assertThat(inboundFrom(phone)).isOne();
    tandem.app.dispatcher.drain();
    // one HELP answered, not two (each costs a text)
    assertThat(provider.sent()).filteredOn(s -> s.to().equals(phone.substring(1))).hasSize(1);
  }

  int inboundFrom(String phone) {
    return tandem
        .app
        .database
        .jdbi()
        .withHandle(h ->
            h.createQuery("SELECT count(*) FROM inbound_sms WHERE sender = :p")
                .bind("p", phone)
                .mapTo(Integer.class)
                .one());
  }

  @Test
  void a_webhook_body_that_is_not_a_json_object_is_a_400() {
    var bad = tandem.call("POST", "/webhooks/vonage/receipt", "{not json", null);
    assertThat(bad.status()).isEqualTo(400);
    var array = tandem.call("POST", "/webhooks/vonage/receipt", "[1,2]", null);
    assertThat(array.status()).isEqualTo(400);
    assertThat(array.body().get("detail").asText()).contains("object");
  }

  @Test
  void the_signature_matches_the_provider_library_for_every_method() {
    // vectors from the provider's own Java library (RequestSigningTest): a=alphabet, b=bananas,
    // timestamp 2100, secret "abcde"
    var params = new java.util.TreeMap<String, String>(Map.of("a", "alphabet", "b", "bananas"));
    var at = Instant.ofEpochSecond(2100);
    assertThat(
            VonageSignature.signed(VonageSignatureMethod.MD5HASH, "abcde", params, at).get("sig"))
        .isEqualTo("7d43241108912b32cc315b48ce681acf");
    assertThat(VonageSignature.signed(VonageSignatureMethod.MD5, "abcde", params, at).get("sig"))
        .isEqualTo("e0afe267aefd6dd18a848c1681517a19");
    assertThat(VonageSignature.signed(VonageSignatureMethod.SHA1, "abcde", params, at).get("sig"))
        .isEqualTo("b7f749de27b4adcf736cc95c9a7e059a16c85127");
    assertThat(VonageSignature.signed(VonageSignatureMethod.SHA256, "abcde", params, at).get("sig"))
        .isEqualTo("8d1b0428276b6a070578225914c3502cc0687a454dfbbbb370c76a14234cb546");
    assertThat(VonageSignature.signed(VonageSignatureMethod.SHA512, "abcde", params, at).get("sig"))
        .isEqualTo(
            "1c834a1f6a377d4473971387b065cb38e2ad6c4869ba77b7b53e207a344e87ba04b456dfc697b371a2d1ce476d01dafd4394aa97525eff23badad39d2389a710");
    var signed = VonageSignature.signed(VonageSignatureMethod.SHA256, "abcde", params, at);
    var upper = new java.util.TreeMap<>(signed);
    upper.put("sig", signed.get("sig").toUpperCase(java.util.Locale.ROOT));
    assertThat(VonageSignature.valid(VonageSignatureMethod.SHA256, "abcde", upper, at)).isTrue();
    assertThat(
            VonageSignature.valid(
                VonageSignatureMethod.SHA256, "abcde", signed, at.plus(Duration.ofMinutes(6))))
        .isFalse();
  }
}
