package dev.tandem.email.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.support.TestApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Mailgun and SendGrid event webhooks, signed as each provider documents it, posted over HTTP to a
 * running Tandem that sent the mail through its SMTP relay: bounces fail deliveries (and release
 * the SMS fallback), complaints suppress marketing, and nothing unsigned, replayed or about another
 * address changes anything.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProviderEventsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String MAILGUN_KEY = "key-mailgun-signing-0123456789";

  KeyPair sendgrid;
  TestApp tandem;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start() throws Exception {
    var generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    sendgrid = generator.generateKeyPair();
    tandem =
        TestApp.start(
            Map.of(
                "emailEvents.mailgunSigningKey",
                MAILGUN_KEY,
                "emailEvents.sendgridVerificationKey",
                Base64.getEncoder().encodeToString(sendgrid.getPublic().getEncoded())));
  }

  @AfterAll
  void stop() {
    tandem.close();
  }

  record Sent(
      String messageId, String deliveryId, String smtpId, String address, String contactId) {}

  Sent sendEmail(Map<String, Object> extra) {
    String address = TestApp.uniqueEmail();
    var request = new HashMap<String, Object>();
    request.put("to", Map.of("email", address));
    request.put("channels", List.of("email"));
    request.put("email", Map.of("subject", "Your order has shipped", "text", "On its way."));
    request.putAll(extra);
    String id = tandem.send(request);
    tandem.app.dispatcher.runOnce();
    assertThat(tandem.status(id, "email")).isEqualTo("sent");
    JsonNode delivery = tandem.delivery(id, "email");
    return new Sent(
        id,
        delivery.get("id").asText(),
        delivery.get("providerId").asText(),
        address,
        tandem.message(id).get("contactId").asText());
  }

  // --- Mailgun: {"signature": {timestamp, token, signature}, "event-data": {...}} ---

  Map<String, Object> mailgunEvent(String event, Sent sent, Map<String, Object> extra) {
    var data = new LinkedHashMap<String, Object>();
    data.put("id", UUID.randomUUID().toString());
    data.put("timestamp", tandem.clock.instant().getEpochSecond() + 0.5);
    data.put("event", event);
    data.put("recipient", sent.address());
    data.put(
        "message",
        Map.of(
            "headers",
            Map.of("message-id", sent.smtpId(), "subject", "Your order has shipped"),
            "size",
            1200));
    data.putAll(extra);
    String timestamp = Long.toString(tandem.clock.instant().getEpochSecond());
    String token = UUID.randomUUID().toString().replace("-", "") + "0123456789abcdef01";
    var body = new LinkedHashMap<String, Object>();
    body.put(
        "signature",
        Map.of(
            "timestamp",
            timestamp,
            "token",
            token,
            "signature",
            MailgunEvents.sign(MAILGUN_KEY, timestamp, token)));
    body.put("event-data", data);
    return body;
  }

  TestApp.Response post(String path, Object body) {
    return tandem.call("POST", path, body, null);
  }

  @Test
  void a_mailgun_permanent_failure_fails_the_email_suppresses_it_and_sends_the_sms_fallback() {
    String phone = TestApp.uniquePhone();
    String address = TestApp.uniqueEmail();
    String id =
        tandem.send(
            Map.of(
                "to",
                Map.of("phone", phone, "email", address),
                "sms",
                Map.of("text", "Your order has shipped."),
                "email",
                Map.of("subject", "Your order has shipped", "text", "On its way.")));
    tandem.app.dispatcher.drain();
    assertThat(tandem.status(id, "email")).isEqualTo("sent");
    assertThat(tandem.status(id, "sms")).isEqualTo("held");
    JsonNode delivery = tandem.delivery(id, "email");
    var sent =
        new Sent(
            id,
            delivery.get("id").asText(),
            delivery.get("providerId").asText(),
            address,
            tandem.message(id).get("contactId").asText());

    var answer =
        post(
            "/webhooks/mailgun",
            mailgunEvent(
                "failed",
                sent,
                Map.of(
                    "severity",
                    "permanent",
                    "reason",
                    "bounce",
                    "delivery-status",
                    Map.of(
                        "code",
                        550,
                        "message",
                        "5.1.1 The email account that you tried to reach does not exist.",
                        "description",
                        ""))));

    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
    assertThat(answer.body().get("recorded").asInt()).isEqualTo(1);
    assertThat(tandem.status(id, "email")).isEqualTo("failed");
    assertThat(tandem.delivery(id, "email").get("lastError").asText())
        .contains("5.1.1")
        .contains("does not exist");
    assertThat(
            count(
                "SELECT count(*) FROM suppression WHERE address = '"
                    + address
                    + "' AND scope = 'all'"))
        .isOne();
    assertThat(tandem.status(id, "sms")).isEqualTo("queued");
    tandem.app.dispatcher.drain();
    tandem.awaitStatus(id, "sms", "delivered");
  }

  @Test
  void
      a_mailgun_request_comes_once_a_forged_one_is_refused_and_a_spent_token_cannot_carry_another_event() {
    Sent sent = sendEmail(Map.of());
    Map<String, Object> opened = mailgunEvent("opened", sent, Map.of());
    assertThat(post("/webhooks/mailgun", opened).body().get("ignored").asInt()).isOne();

    // the token of the "opened" event, now with a complaint in its unsigned event-data
    @SuppressWarnings("unchecked")
    var swapped = new LinkedHashMap<String, Object>((Map<String, Object>) opened);
    swapped.put("event-data", mailgunEvent("complained", sent, Map.of()).get("event-data"));
    var again = post("/webhooks/mailgun", swapped);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.body().get("seenBefore").asInt()).isOne();

    var forged = mailgunEvent("complained", sent, Map.of());
    @SuppressWarnings("unchecked")
    var signature = new LinkedHashMap<>((Map<String, Object>) forged.get("signature"));
    signature.put(
        "signature",
        MailgunEvents.sign(
            "not-the-key", (String) signature.get("timestamp"), (String) signature.get("token")));
    forged.put("signature", signature);
    var refused = post("/webhooks/mailgun", forged);
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.body().get("detail").asText()).contains("emailEvents.mailgunSigningKey");

    var stale = mailgunEvent("complained", sent, Map.of());
    tandem.clock.advance(Duration.ofHours(25));
    try {
      assertThat(post("/webhooks/mailgun", stale).status()).isEqualTo(403);
    } finally {
      tandem.clock.advance(Duration.ofHours(-25));
    }

    assertThat(count("SELECT count(*) FROM suppression WHERE address = '" + sent.address() + "'"))
        .isZero();

    var complaint = mailgunEvent("complained", sent, Map.of());
    assertThat(post("/webhooks/mailgun", complaint).body().get("recorded").asInt()).isOne();
    assertThat(post("/webhooks/mailgun", complaint).body().get("seenBefore").asInt()).isOne();
    assertThat(
            count(
                "SELECT count(*) FROM suppression WHERE address = '"
                    + sent.address()
                    + "' AND scope = 'marketing'"))
        .isOne();
    assertThat(timelineTypes(sent.contactId())).containsOnlyOnce("email.complained");
  }

  @Test
  void a_report_whose_message_id_names_a_delivery_to_another_address_changes_nothing() {
    Sent sent = sendEmail(Map.of());
    var other =
        new Sent(
            sent.messageId(),
            sent.deliveryId(),
            sent.smtpId(),
            "someone@else.example",
            sent.contactId());

    var answer =
        post(
            "/webhooks/mailgun",
            mailgunEvent(
                "failed",
                other,
                Map.of("severity", "permanent", "delivery-status", Map.of("code", 550))));

    assertThat(answer.body().get("recorded").asInt()).isOne();
    assertThat(tandem.status(sent.messageId(), "email")).isEqualTo("sent");
    assertThat(
            count(
                "SELECT count(*) FROM suppression WHERE address IN ('"
                    + sent.address()
                    + "', 'someone@else.example')"))
        .isZero();
    String reason =
        tandem
            .app
            .database
            .jdbi()
            .withHandle(h ->
                h.createQuery(
                        "SELECT unmatched FROM inbound_email WHERE sender = 'mailgun' AND status = '5.0.0' AND delivery_id IS NULL AND full_text LIKE '%someone@else.example%'")
                    .mapTo(String.class)
                    .one());
    assertThat(reason).contains("someone@else.example").contains("another address");
  }

  @Test
  void a_mailgun_temporary_failure_is_recorded_and_the_email_stays_sent() {
    Sent sent = sendEmail(Map.of());
    var answer =
        post(
            "/webhooks/mailgun",
            mailgunEvent(
                "failed",
                sent,
                Map.of(
                    "severity",
                    "temporary",
                    "delivery-status",
                    Map.of("code", 452, "message", "4.2.2 Mailbox full"))));
    assertThat(answer.body().get("recorded").asInt()).isOne();
    assertThat(tandem.status(sent.messageId(), "email")).isEqualTo("sent");
    assertThat(timelineTypes(sent.contactId())).contains("delivery.deferred");
  }

  // --- SendGrid: a signed JSON array ---

  int postSendGrid(List<Map<String, Object>> events, KeyPair key, long timestamp) throws Exception {
    byte[] body = JSON.writeValueAsBytes(events);
    String ts = Long.toString(timestamp);
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(key.getPrivate());
    signer.update(ts.getBytes(StandardCharsets.UTF_8));
    signer.update(body);
    String signature = Base64.getEncoder().encodeToString(signer.sign());
    return http.send(
            HttpRequest.newBuilder(URI.create(tandem.app.url() + "/webhooks/sendgrid"))
                .header("Content-Type", "application/json")
                .header("X-Twilio-Email-Event-Webhook-Signature", signature)
                .header("X-Twilio-Email-Event-Webhook-Timestamp", ts)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  Map<String, Object> sendgridEvent(String event, Sent sent, Map<String, Object> extra) {
    var e = new LinkedHashMap<String, Object>();
    e.put("email", sent.address());
    e.put("timestamp", tandem.clock.instant().getEpochSecond());
    e.put("smtp-id", "<" + sent.smtpId() + ">");
    e.put("event", event);
    e.put("category", List.of("orders"));
    e.put("sg_event_id", UUID.randomUUID().toString());
    e.put("sg_message_id", "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0");
    e.putAll(extra);
    return e;
  }

  @Test
  void a_sendgrid_batch_bounces_one_email_reports_a_complaint_on_another_and_ignores_opens()
      throws Exception {
    Sent bounced = sendEmail(Map.of());
    Sent complained = sendEmail(Map.of());
    var events = new ArrayList<Map<String, Object>>();
    events.add(sendgridEvent("processed", bounced, Map.of()));
    events.add(
        sendgridEvent(
            "bounce",
            bounced,
            Map.of("type", "bounce", "status", "5.1.1", "reason", "550 5.1.1 unknown recipient")));
    events.add(sendgridEvent("spamreport", complained, Map.of()));
    events.add(sendgridEvent("open", complained, Map.of("useragent", "Mozilla/5.0")));
    long now = tandem.clock.instant().getEpochSecond();

    assertThat(postSendGrid(events, sendgrid, now)).isEqualTo(200);

    assertThat(tandem.status(bounced.messageId(), "email")).isEqualTo("failed");
    assertThat(tandem.delivery(bounced.messageId(), "email").get("lastError").asText())
        .contains("5.1.1")
        .contains("unknown recipient");
    assertThat(
            count(
                "SELECT count(*) FROM suppression WHERE address = '"
                    + bounced.address()
                    + "' AND scope = 'all'"))
        .isOne();
    assertThat(
            count(
                "SELECT count(*) FROM suppression WHERE address = '"
                    + complained.address()
                    + "' AND scope = 'marketing'"))
        .isOne();

    // the same request again (SendGrid retrying it): each event is taken once
    assertThat(postSendGrid(events, sendgrid, now)).isEqualTo(200);
    assertThat(timelineTypes(bounced.contactId())).containsOnlyOnce("delivery.bounced");
    assertThat(timelineTypes(complained.contactId())).containsOnlyOnce("email.complained");
  }

  @Test
  void
      a_drop_for_an_unsubscribe_fails_the_email_without_a_bounce_and_a_report_without_a_message_id_is_kept_unmatched()
          throws Exception {
    Sent dropped = sendEmail(Map.of());
    Sent noId = sendEmail(Map.of());
    var withoutId =
        new LinkedHashMap<String, Object>(
            sendgridEvent("bounce", noId, Map.of("type", "bounce", "status", "5.1.1")));
    withoutId.remove("smtp-id");
    var events =
        List.<Map<String, Object>>of(
            sendgridEvent(
                "dropped", dropped, Map.of("reason", "Unsubscribed Address", "status", "5.0.0")),
            withoutId);

    assertThat(postSendGrid(events, sendgrid, tandem.clock.instant().getEpochSecond()))
        .isEqualTo(200);

    assertThat(tandem.status(dropped.messageId(), "email")).isEqualTo("failed");
    assertThat(tandem.delivery(dropped.messageId(), "email").get("lastError").asText())
        .contains("refused by the email provider")
        .contains("Unsubscribed Address");
    assertThat(
            count("SELECT count(*) FROM suppression WHERE address = '" + dropped.address() + "'"))
        .isZero();
    // the bounce that names no message is kept, unmatched, and changes nothing
    assertThat(tandem.status(noId.messageId(), "email")).isEqualTo("sent");
    assertThat(
            count(
                "SELECT count(*) FROM inbound_email WHERE sender = 'sendgrid' AND unmatched IS NOT"
                    + " NULL AND full_text LIKE '%"
                    + noId.address()
                    + "%'"))
        .isOne();
  }

  @Test
  void the_same_mailgun_event_signed_again_with_a_new_token_is_taken_once() {
    Sent sent = sendEmail(Map.of());
    var first = mailgunEvent("complained", sent, Map.of());
    var again = mailgunEvent("complained", sent, Map.of());
    @SuppressWarnings("unchecked")
    var data = new LinkedHashMap<String, Object>((Map<String, Object>) again.get("event-data"));
    @SuppressWarnings("unchecked")
    var firstData = (Map<String, Object>) first.get("event-data");
    data.put("id", firstData.get("id")); // Mailgun's retry: the same event, a fresh signature
    again.put("event-data", data);

    assertThat(post("/webhooks/mailgun", first).body().get("recorded").asInt()).isOne();
    assertThat(post("/webhooks/mailgun", again).body().get("seenBefore").asInt()).isOne();
    assertThat(timelineTypes(sent.contactId())).containsOnlyOnce("email.complained");
  }

  @Test
  void a_sendgrid_request_signed_by_another_key_or_too_old_or_altered_is_refused()
      throws Exception {
    Sent sent = sendEmail(Map.of());
    var events =
        List.of(sendgridEvent("bounce", sent, Map.of("type", "bounce", "status", "5.0.0")));
    var generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    long now = tandem.clock.instant().getEpochSecond();

    assertThat(postSendGrid(events, generator.generateKeyPair(), now)).isEqualTo(403);
    assertThat(postSendGrid(events, sendgrid, now - Duration.ofHours(25).toSeconds()))
        .isEqualTo(403);
    var unsigned =
        http.send(
            HttpRequest.newBuilder(URI.create(tandem.app.url() + "/webhooks/sendgrid"))
                .header("Content-Type", "application/json")
                .header("X-Twilio-Email-Event-Webhook-Signature", "not base64!")
                .header("X-Twilio-Email-Event-Webhook-Timestamp", Long.toString(now))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(events)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(unsigned.statusCode()).isEqualTo(403);
    assertThat(post("/webhooks/sendgrid", "{\"not\": \"an array\"}").status()).isEqualTo(400);
    assertThat(post("/webhooks/sendgrid", "[{").status()).isEqualTo(400);

    assertThat(tandem.status(sent.messageId(), "email")).isEqualTo("sent");
    assertThat(count("SELECT count(*) FROM suppression WHERE address = '" + sent.address() + "'"))
        .isZero();
  }

  @Test
  void a_provider_that_is_not_configured_answers_404() {
    try (var plain = TestApp.start()) {
      var answer = plain.call("POST", "/webhooks/mailgun", Map.of("signature", Map.of()), null);
      assertThat(answer.status()).isEqualTo(404);
      assertThat(answer.body().get("detail").asText()).contains("emailEvents.mailgunSigningKey");
      assertThat(plain.call("POST", "/webhooks/sendgrid", List.of(), null).status()).isEqualTo(404);
    }
  }

  List<String> timelineTypes(String contactId) {
    return tandem
        .call("GET", "/v1/contacts/" + contactId + "/timeline", null)
        .body()
        .get("items")
        .findValuesAsText("type");
  }

  int count(String sql) {
    return tandem
        .app
        .database
        .jdbi()
        .withHandle(h -> h.createQuery(sql).mapTo(Integer.class).one());
  }
}
