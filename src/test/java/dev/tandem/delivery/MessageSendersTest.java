package dev.tandem.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.sandbox.SandboxSmtpServer;
import dev.tandem.sandbox.SmscSimulator;
import dev.tandem.support.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Per-message senders end to end: the request names one of the configured senders, the sandbox SMSC
 * and SMTP server receive the message from it, and a sender not configured is refused with nothing
 * written.
 */
class MessageSendersTest {
  private static final String IDENTITIES =
      "[\"Shop <news@shop.example>\","
          + " {\"from\": \"Shop Support <help@shop.example>\", \"replyTo\": \"desk@shop.example\"}]";

  private TestApp tandem;
  private Path dkimKey;

  @BeforeEach
  void start() throws Exception {
    var generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    dkimKey = Files.createTempFile("dkim", ".pem");
    Files.writeString(
        dkimKey,
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
    tandem =
        TestApp.start(
            Map.of(
                "sms.senders", "Shop,+14155550100,12345",
                "email.identities", IDENTITIES,
                "email.dkimDomain", "shop.example",
                "email.dkimSelector", "s2026",
                "email.dkimPrivateKey", dkimKey.toString()));
  }

  @AfterEach
  void stop() throws Exception {
    tandem.close();
    Files.deleteIfExists(dkimKey);
  }

  private SmscSimulator.Submitted submitted(String text) {
    return tandem.app.sandboxSmsc.orElseThrow().received().stream()
        .filter(s -> s.text().equals(text))
        .findFirst()
        .orElseThrow(() -> new AssertionError("the SMSC got no SMS saying " + text));
  }

  private SandboxSmtpServer.ReceivedEmail receivedFor(String messageId) {
    String providerId = tandem.delivery(messageId, "email").get("providerId").asText();
    return tandem.app.sandboxSmtp.orElseThrow().received().stream()
        .filter(e -> e.messageId().contains(providerId))
        .findFirst()
        .orElseThrow();
  }

  private static String header(String raw, String name) {
    var m = Pattern.compile("(?im)^" + name + ":[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)").matcher(raw);
    return m.find() ? m.group(1).replaceAll("\\r?\\n[ \\t]+", " ").strip() : null;
  }

  @Test
  void an_sms_goes_from_the_sender_it_names_even_across_a_restart_before_dispatch() {
    String phone = TestApp.uniquePhone();
    String id =
        tandem.send(
            Map.of(
                "to", Map.of("phone", phone),
                "channels", List.of("sms"),
                "sms", Map.of("text", "From the number", "from", "+14155550100")));
    assertThat(tandem.message(id).at("/sender/sms").asText()).isEqualTo("+14155550100");

    tandem.stop();
    tandem.restart();
    tandem.app.dispatcher.drain();

    assertThat(submitted("From the number").from()).isEqualTo("14155550100");
    tandem.awaitStatus(id, "sms", "delivered");
  }

  @Test
  void a_stop_is_confirmed_from_the_number_it_was_sent_to() {
    String phone = TestApp.uniquePhone();
    tandem.createContact(Map.of("phone", phone));
    var smsc = tandem.app.sandboxSmsc.orElseThrow();
    // the person texts the second listed sender, not the default (Shop)
    assertThat(smsc.injectMo(phone, "14155550100", "STOP")).isTrue();

    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(20))
        .untilAsserted(() -> {
          tandem.app.dispatcher.runOnce();
          assertThat(smsc.received())
              .filteredOn(s -> ("+" + s.to()).equals(phone) || s.to().equals(phone))
              .singleElement()
              .satisfies(reply -> {
                assertThat(reply.text()).containsIgnoringCase("unsubscribed");
                assertThat(reply.from()).isEqualTo("14155550100"); // international, without +
              });
        });
  }

  @Test
  void an_sms_that_names_no_sender_goes_from_the_first_listed_one() {
    String id =
        tandem.send(
            Map.of(
                "to", Map.of("phone", TestApp.uniquePhone()),
                "channels", List.of("sms"),
                "sms", Map.of("text", "From the default")));
    String shortCode =
        tandem.send(
            Map.of(
                "to", Map.of("phone", TestApp.uniquePhone()),
                "channels", List.of("sms"),
                "sms", Map.of("text", "From the short code", "from", "12345")));
    tandem.app.dispatcher.drain();

    assertThat(submitted("From the default").from()).isEqualTo("Shop");
    assertThat(submitted("From the short code").from()).isEqualTo("12345");
    assertThat(tandem.message(id).at("/sender/sms").asText()).isEqualTo("Shop");
    assertThat(tandem.message(shortCode).at("/sender/sms").asText()).isEqualTo("12345");
  }

  @Test
  void an_email_goes_from_the_identity_it_names_with_its_reply_to_and_is_still_signed() {
    String id =
        tandem.send(
            Map.of(
                "to", Map.of("email", TestApp.uniqueEmail()),
                "channels", List.of("email"),
                "email",
                    Map.of(
                        "subject", "Your order",
                        "text", "It shipped.",
                        "from", "Help@Shop.example")));
    String replying =
        tandem.send(
            Map.of(
                "to", Map.of("email", TestApp.uniqueEmail()),
                "channels", List.of("email"),
                "email",
                    Map.of(
                        "subject", "News",
                        "text", "Spring sale.",
                        "from", "news@shop.example",
                        "replyTo", "sales@shop.example")));
    tandem.app.dispatcher.drain();

    String raw = receivedFor(id).raw();
    assertThat(header(raw, "From")).isEqualTo("Shop Support <help@shop.example>");
    assertThat(header(raw, "Reply-To")).isEqualTo("desk@shop.example");
    String signature = header(raw, "DKIM-Signature");
    assertThat(signature).contains("d=shop.example");
    assertThat(signature.replace(" ", "").toLowerCase()).contains("from").contains("reply-to");
    JsonNode sender = tandem.message(id).get("sender");
    assertThat(sender.at("/email/from").asText()).isEqualTo("Shop Support <help@shop.example>");
    assertThat(sender.at("/email/replyTo").asText()).isEqualTo("desk@shop.example");

    String other = receivedFor(replying).raw();
    assertThat(header(other, "From")).isEqualTo("Shop <news@shop.example>");
    assertThat(header(other, "Reply-To")).isEqualTo("sales@shop.example");
  }

  @Test
  void a_sender_not_configured_is_refused_and_nothing_is_stored() {
    String phone = TestApp.uniquePhone();
    String email = TestApp.uniqueEmail();
    var refusals =
        Map.of(
            "sms.from",
            Map.<String, Object>of(
                "to", Map.of("phone", phone),
                "sms", Map.of("text", "Hi", "from", "Spoofed")),
            "email.from",
            Map.<String, Object>of(
                "to", Map.of("email", email),
                "email", Map.of("subject", "Hi", "text", "Hi", "from", "ceo@bank.example")),
            "email.replyTo",
            Map.<String, Object>of(
                "to", Map.of("email", email),
                "email", Map.of("subject", "Hi", "text", "Hi", "replyTo", "not an address")));
    refusals.forEach((field, request) -> {
      TestApp.Response response = tandem.call("POST", "/v1/messages", request);
      assertThat(response.status()).as(response.body().toString()).isEqualTo(422);
      assertThat(response.body().get("field").asText()).isEqualTo(field);
    });
    TestApp.Response sms = tandem.call("POST", "/v1/messages", refusals.get("sms.from"));
    assertThat(sms.body().get("detail").asText())
        .contains("'Spoofed'")
        .contains("Shop")
        .contains("sms.senders");
    TestApp.Response mail = tandem.call("POST", "/v1/messages", refusals.get("email.from"));
    assertThat(mail.body().get("detail").asText())
        .contains("ceo@bank.example")
        .contains("email.identities");

    assertThat(tandem.call("GET", "/v1/messages", null).body().get("items")).isEmpty();
    assertThat(tandem.call("GET", "/v1/contacts", null).body().get("items"))
        .as("no contact was created")
        .isEmpty();
  }

  @Test
  void the_same_idempotency_key_with_another_sender_is_a_conflict() {
    Map<String, Object> first =
        Map.of(
            "to", Map.of("phone", TestApp.uniquePhone()),
            "sms", Map.of("text", "Once", "from", "Shop"),
            "idempotencyKey", "sender-key-1");
    tandem.send(first);
    TestApp.Response again = tandem.call("POST", "/v1/messages", first);
    assertThat(again.status()).isEqualTo(200);
    TestApp.Response other =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "to", first.get("to"),
                "sms", Map.of("text", "Once", "from", "12345"),
                "idempotencyKey", "sender-key-1"));
    assertThat(other.status()).as(other.body().toString()).isEqualTo(409);
    assertThat(other.body().get("field").asText()).isEqualTo("idempotencyKey");
  }
}
