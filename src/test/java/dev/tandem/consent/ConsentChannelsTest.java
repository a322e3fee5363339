package dev.tandem.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.support.TestApp;
import jakarta.mail.Address;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Consent across the channels: the mailto unsubscribe, revocation scope, manual suppressions. */
class ConsentChannelsTest {
  private TestApp tandem;

  @AfterEach
  void stop() {
    tandem.close();
  }

  private JsonNode consents(String id) {
    return tandem.call("GET", "/v1/contacts/" + id + "/consents", null).body();
  }

  private void mailToTandem(String from, String to, String subject, String body) throws Exception {
    String raw =
        "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\n\r\n" + body + "\r\n";
    Session session = Session.getInstance(new Properties());
    var message =
        new MimeMessage(session, new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)));
    try (Transport transport = session.getTransport("smtp")) {
      transport.connect("127.0.0.1", tandem.app.inboundSmtp.orElseThrow().port(), null, null);
      transport.sendMessage(message, new Address[] {new InternetAddress(to)});
    }
  }

  @Test
  void mail_to_the_list_unsubscribe_address_revokes_the_topic_and_a_forged_one_nothing()
      throws Exception {
    tandem =
        TestApp.start(
            Map.of("email.bounceDomain", "bounces.shop.example", "inbound.smtpPort", "0"));
    String email = TestApp.uniqueEmail();
    String id = tandem.createContact(Map.of("email", email)).get("id").asText();
    tandem.grant(id, "email", "news", "Newsletter");
    String message =
        tandem.send(
            Map.of(
                "contactId",
                id,
                "channels",
                List.of("email"),
                "topic",
                "news",
                "email",
                Map.of("subject", "News", "text", "x", "unsubscribe", "on")));
    tandem.app.dispatcher.drain();
    String raw =
        tandem.app.sandboxSmtp.orElseThrow().received().stream()
            .filter(e -> e.envelopeTo().contains(email))
            .findFirst()
            .orElseThrow()
            .raw();
    Matcher mailto =
        Pattern.compile("<mailto:(unsubscribe\\+[^>]+)>").matcher(raw.replaceAll("\r\n\\s+", " "));
    assertThat(mailto.find()).as(raw).isTrue();
    String address = mailto.group(1);

    String forged = address.replaceFirst("\\.u\\.[A-Za-z0-9_-]{3}", ".u.AAA");
    mailToTandem(email, forged, "unsubscribe", "");
    mailToTandem(email, address, "unsubscribe", "");

    await().atMost(Duration.ofSeconds(10)).until(() -> consents(id).get("history").size() == 2);
    JsonNode revoked = consents(id).get("history").get(1);
    assertThat(revoked.get("action").asText()).isEqualTo("revoked");
    assertThat(revoked.get("topic").asText()).isEqualTo("news");
    assertThat(revoked.get("source").asText()).isEqualTo("email-unsubscribe");
    assertThat(revoked.get("evidence").get("method").asText()).isEqualTo("mailto");
    assertThat(tandem.status(message, "email")).isEqualTo("sent");
    long requests =
        tandem
            .app
            .database
            .jdbi()
            .withHandle(h ->
                h.createQuery("SELECT count(*) FROM inbound_email WHERE kind = 'unsubscribe'")
                    .mapTo(Long.class)
                    .one());
    assertThat(requests).as("both kept, the forged one acted on nothing").isEqualTo(2);
  }

  @Test
  void a_reply_that_reads_like_a_withdrawal_is_flagged_on_email_too() throws Exception {
    tandem =
        TestApp.start(
            Map.of("email.bounceDomain", "bounces.shop.example", "inbound.smtpPort", "0"));
    String email = TestApp.uniqueEmail();
    String id = tandem.createContact(Map.of("email", email)).get("id").asText();
    mailToTandem(email, "reply@shop.example", "Re: news", "Please stop emailing me.");
    await().atMost(Duration.ofSeconds(10)).until(() -> consents(id).get("flags").size() == 1);
    assertThat(consents(id).get("flags").get(0).get("channel").asText()).isEqualTo("email");
    assertThat(tandem.call("GET", "/v1/flags", null).body().get("items")).hasSize(1);
    long flagId = consents(id).get("flags").get(0).get("id").asLong();
    assertThat(tandem.call("POST", "/v1/flags/" + flagId + "/resolve", null).status())
        .isEqualTo(204);
    assertThat(tandem.call("GET", "/v1/flags", null).body().get("items")).isEmpty();
  }

  @Test
  void with_revocation_scope_all_a_stop_revokes_email_too_and_says_so() {
    tandem = TestApp.start(Map.of("consent.revocationScope", "all"));
    String phone = TestApp.uniquePhone();
    String id =
        tandem
            .createContact(Map.of("phone", phone, "email", TestApp.uniqueEmail()))
            .get("id")
            .asText();
    tandem.app.sandboxSmsc.orElseThrow().injectMo(phone, "Tandem", "STOP");
    await().atMost(Duration.ofSeconds(10)).until(() -> consents(id).get("history").size() == 2);
    JsonNode history = consents(id).get("history");
    assertThat(history.findValuesAsText("channel")).containsExactlyInAnyOrder("sms", "email");
    JsonNode widened =
        history.get(0).get("channel").asText().equals("email") ? history.get(0) : history.get(1);
    assertThat(widened.get("evidence").get("widenedFrom").asText()).isEqualTo("sms");
    String message =
        tandem.send(
            Map.of(
                "contactId",
                id,
                "channels",
                List.of("email"),
                "email",
                Map.of("subject", "Receipt", "text", "x")));
    assertThat(tandem.status(message, "email")).isEqualTo("suppressed");
    tandem.app.dispatcher.drain();
  }

  @Test
  void by_default_a_stop_leaves_email_alone() {
    tandem = TestApp.start();
    String phone = TestApp.uniquePhone();
    String id =
        tandem
            .createContact(Map.of("phone", phone, "email", TestApp.uniqueEmail()))
            .get("id")
            .asText();
    tandem.app.sandboxSmsc.orElseThrow().injectMo(phone, "Tandem", "STOP");
    await().atMost(Duration.ofSeconds(10)).until(() -> consents(id).get("history").size() == 1);
    assertThat(consents(id).get("history").get(0).get("channel").asText()).isEqualTo("sms");
    tandem.app.dispatcher.drain();
  }

  @Test
  void a_manual_suppression_blocks_sends_and_only_it_can_be_lifted_by_hand() {
    tandem = TestApp.start();
    String phone = TestApp.uniquePhone();
    String id = tandem.createContact(Map.of("phone", phone)).get("id").asText();
    var added =
        tandem.call(
            "POST",
            "/v1/suppressions",
            Map.of("channel", "sms", "address", phone.substring(2), "reason", "a switchboard"));
    assertThat(added.status()).isEqualTo(201);
    assertThat(added.body().get("address").asText()).isEqualTo(phone);
    Map<String, Object> send =
        Map.of(
            "contactId",
            id,
            "channels",
            List.of("sms"),
            "sms",
            Map.of("text", "Your code is 1234"));
    String blocked = tandem.call("POST", "/v1/messages", send).body().get("id").asText();
    tandem.app.dispatcher.drain();
    assertThat(tandem.status(blocked, "sms")).isEqualTo("suppressed");
    assertThat(tandem.delivery(blocked, "sms").get("lastError").asText())
        .contains("manual: a switchboard");

    assertThat(
            tandem
                .call(
                    "DELETE",
                    "/v1/suppressions?channel=sms&address=" + phone.replace("+", "%2B"),
                    null)
                .status())
        .isEqualTo(204);
    String allowed = tandem.call("POST", "/v1/messages", send).body().get("id").asText();
    tandem.app.dispatcher.drain();
    assertThat(tandem.status(allowed, "sms")).isIn("sent", "delivered");

    var missing =
        tandem.call(
            "DELETE", "/v1/suppressions?channel=sms&address=" + phone.replace("+", "%2B"), null);
    assertThat(missing.status()).isEqualTo(404);
    var bad =
        tandem.call(
            "POST", "/v1/suppressions", Map.of("channel", "fax", "address", "x", "reason", "y"));
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.body().get("field").asText()).isEqualTo("channel");
  }
}
