package dev.tandem.email;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.tandem.support.RawSmtp;
import dev.tandem.support.TestApp;
import jakarta.mail.Address;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bounces, complaints and replies arriving over SMTP and IMAP act on deliveries and timelines. */
class InboundEmailTest {
  static final String FIXTURE_TOKEN = "0191a2b3c4d57e6f8a9b0c1d2e3f4a5b";
  static final String FIXTURE_MESSAGE_ID = "0191a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b@tandem.localhost";

  TestApp tandem;

  @AfterEach
  void stop() {
    if (tandem != null) {
      tandem.close();
    }
  }

  private TestApp start() {
    return TestApp.start(
        Map.of("email.bounceDomain", "bounces.shop.example", "inbound.smtpPort", "0"));
  }

  private record Sent(String messageId, String deliveryId, String address, String contactId) {}

  private Sent sendEmail(String address) {
    String id =
        tandem.sendEmail(
            address,
            Map.of("subject", "Your order #1042 has shipped", "text", "Your order is on its way."));
    tandem.app.dispatcher.runOnce();
    assertThat(tandem.status(id, "email")).isEqualTo("sent");
    JsonNode delivery = tandem.delivery(id, "email");
    return new Sent(
        id, delivery.get("id").asText(), address, tandem.message(id).get("contactId").asText());
  }

  /**
   * A fixture with its token and Message-ID pointing at a real delivery, and the bounced address.
   */
  private static byte[] fixtureFor(String name, Sent sent) throws IOException {
    try (InputStream in = InboundEmailTest.class.getResourceAsStream("/mail/" + name)) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return text.replace(FIXTURE_TOKEN, sent.deliveryId().replace("-", ""))
          .replace(FIXTURE_MESSAGE_ID, sent.deliveryId() + "@tandem.localhost")
          .replace("ada@example.org", sent.address())
          .getBytes(StandardCharsets.UTF_8);
    }
  }

  private void deliverToTandem(byte[] raw, String recipient) throws Exception {
    Session session = Session.getInstance(new Properties());
    var message = new MimeMessage(session, new ByteArrayInputStream(raw));
    try (Transport transport = session.getTransport("smtp")) {
      transport.connect("127.0.0.1", tandem.app.inboundSmtp.orElseThrow().port(), null, null);
      transport.sendMessage(message, new Address[] {new InternetAddress(recipient)});
    }
  }

  private List<String> timelineTypes(String contactId) {
    JsonNode events =
        tandem.call("GET", "/v1/contacts/" + contactId + "/timeline", null).body().get("items");
    return events.findValuesAsText("type");
  }

  private int count(String sql) {
    return tandem
        .app
        .database
        .jdbi()
        .withHandle(h -> h.createQuery(sql).mapTo(Integer.class).one());
  }

  @Test
  void a_hard_bounce_fails_the_delivery_and_suppresses_the_address() throws Exception {
    tandem = start();
    Sent sent = sendEmail("ada@example.org");

    deliverToTandem(
        fixtureFor("postfix-hard.eml", sent),
        "bounces+" + sent.deliveryId().replace("-", "") + "@bounces.shop.example");

    JsonNode delivery = tandem.delivery(sent.messageId(), "email");
    assertThat(delivery.get("status").asText()).isEqualTo("failed");
    assertThat(delivery.get("lastError").asText())
        .contains("bounced: 5.1.1")
        .contains("User unknown");
    assertThat(timelineTypes(sent.contactId())).contains("delivery.bounced");
    assertThat(
            count(
                "SELECT count(*) FROM suppression WHERE address = 'ada@example.org' AND scope = 'all'"))
        .isEqualTo(1);

    Sent again = sendEmailExpectingFailure(sent.contactId());
    assertThat(tandem.delivery(again.messageId(), "email").get("lastError").asText())
        .contains("suppressed")
        .contains("hard bounce");
  }

  private Sent sendEmailExpectingFailure(String contactId) {
    var response =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "contactId",
                contactId,
                "channels",
                List.of("email"),
                "email",
                Map.of("subject", "Again", "text", "x")));
    String id = response.body().get("id").asText();
    tandem.app.dispatcher.runOnce();
    assertThat(tandem.status(id, "email")).isEqualTo("suppressed");
    return new Sent(id, "", "", contactId);
  }

  @Test
  void a_reply_lands_on_the_timeline_with_only_the_new_text() throws Exception {
    tandem = start();
    var received = new java.util.concurrent.CopyOnWriteArrayList<InboundEmails.ReceivedEmail>();
    tandem.app.inboundEmails.subscribe(received::add);
    Sent sent = sendEmail("ada@example.org");

    deliverToTandem(fixtureFor("reply-gmail.eml", sent), "reply@shop.example");

    JsonNode events =
        tandem
            .call("GET", "/v1/contacts/" + sent.contactId() + "/timeline", null)
            .body()
            .get("items");
    JsonNode reply = null;
    for (JsonNode e : events) {
      if (e.get("type").asText().equals("email.received")) {
        reply = e;
      }
    }
    assertThat(reply).isNotNull();
    assertThat(reply.get("detail").get("text").asText())
        .isEqualTo("Great, thanks! Can you leave it with the neighbour at number 12?\n\nAda");
    assertThat(reply.get("messageId").asText()).isEqualTo(sent.messageId());
    assertThat(received).singleElement().satisfies(r -> assertThat(r.deliveryId()).isPresent());
  }

  @Test
  void a_complaint_suppresses_marketing_to_the_address() throws Exception {
    tandem = start();
    Sent sent = sendEmail("henry@example.org");

    deliverToTandem(fixtureFor("arf-yahoo.eml", sent).clone(), "fbl@shop.example");

    assertThat(timelineTypes(sent.contactId())).contains("email.complained");
    assertThat(count("SELECT count(*) FROM suppression WHERE scope = 'marketing'")).isEqualTo(1);
  }

  @Test
  void a_bounce_for_an_unknown_token_and_broken_mime_are_kept_with_what_is_known()
      throws Exception {
    tandem = start();
    try (InputStream in = InboundEmailTest.class.getResourceAsStream("/mail/qmail.eml")) {
      deliverToTandem(
          in.readAllBytes(), "bounces+ffffffffffffffffffffffffffffffff@bounces.shop.example");
    }
    try (InputStream in =
        InboundEmailTest.class.getResourceAsStream("/mail/dsn-no-recipient.eml")) {
      deliverToTandem(in.readAllBytes(), "bounces@bounces.shop.example");
    }

    assertThat(
            count(
                "SELECT count(*) FROM inbound_email WHERE kind = 'hard_bounce' AND delivery_id IS NULL"))
        .isEqualTo(1);
    String problem =
        tandem
            .app
            .database
            .jdbi()
            .withHandle(h ->
                h.createQuery("SELECT problem FROM inbound_email WHERE kind = 'unreadable'")
                    .mapTo(String.class)
                    .one());
    assertThat(problem).contains("names no recipient");
  }

  /** A report shaped like {@code name} whose VERP token and Message-ID Tandem never issued. */
  private static byte[] forged(String name, String recipient) throws IOException {
    try (InputStream in = InboundEmailTest.class.getResourceAsStream("/mail/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace(FIXTURE_TOKEN, "ffffffffffffffffffffffffffffffff")
          .replace(FIXTURE_MESSAGE_ID, "forged-1@attacker.example")
          .replace("ada@example.org", recipient)
          .replace("henry@yahoo.com", recipient)
          .getBytes(StandardCharsets.UTF_8);
    }
  }

  private JsonNode unmatched() {
    var response = tandem.call("GET", "/v1/inbound/unmatched", null);
    assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
    return response.body().get("items");
  }

  @Test
  void
      a_bounce_or_complaint_that_names_no_delivery_of_ours_is_stored_unmatched_and_changes_nothing()
          throws Exception {
    tandem = start();
    Sent victim = sendEmail("victim@example.org");

    deliverToTandem(
        forged("postfix-hard.eml", "victim@example.org"), "bounces@bounces.shop.example");
    deliverToTandem(forged("arf-yahoo.eml", "victim@example.org"), "fbl@shop.example");

    assertThat(count("SELECT count(*) FROM suppression")).isZero();
    assertThat(tandem.status(victim.messageId(), "email")).isEqualTo("sent");
    assertThat(timelineTypes(victim.contactId()))
        .doesNotContain("delivery.bounced", "email.complained");
    JsonNode items = unmatched();
    assertThat(items.findValuesAsText("kind"))
        .containsExactlyInAnyOrder("hard_bounce", "complaint");
    assertThat(items.findValuesAsText("reason"))
        .allSatisfy(reason -> assertThat(reason).contains("no delivery Tandem sent"));
  }

  @Test
  void a_bounce_suppresses_the_address_of_the_delivery_it_names_not_its_final_recipient()
      throws Exception {
    tandem = start();
    Sent sent = sendEmail("ada@example.org");
    byte[] report =
        new String(fixtureFor("postfix-hard.eml", sent), StandardCharsets.UTF_8)
            .replace(
                "Final-Recipient: rfc822; ada@example.org",
                "Final-Recipient: rfc822; ceo@example.com")
            .getBytes(StandardCharsets.UTF_8);

    deliverToTandem(
        report, "bounces+" + sent.deliveryId().replace("-", "") + "@bounces.shop.example");

    assertThat(tandem.status(sent.messageId(), "email")).isEqualTo("failed");
    assertThat(count("SELECT count(*) FROM suppression WHERE address = 'ada@example.org'")).isOne();
    assertThat(count("SELECT count(*) FROM suppression WHERE address = 'ceo@example.com'"))
        .isZero();
  }

  private void deliverUnsolicited(int n) throws Exception {
    for (int i = 0; i < n; i++) {
      String raw =
          "From: Stranger "
              + i
              + " <stranger"
              + i
              + "@example.net>\r\nTo: reply@shop.example\r\nSubject: Cheap watches\r\n"
              + "Message-ID: <spam-"
              + i
              + "@example.net>\r\n\r\nBuy now.\r\n";
      deliverToTandem(raw.getBytes(StandardCharsets.US_ASCII), "reply@shop.example");
    }
  }

  @Test
  void mail_that_answers_nothing_we_sent_is_stored_unmatched_without_making_contacts()
      throws Exception {
    tandem = start();
    int contactsBefore = count("SELECT count(*) FROM contact");

    deliverUnsolicited(20);

    assertThat(count("SELECT count(*) FROM contact")).isEqualTo(contactsBefore);
    JsonNode items = unmatched();
    assertThat(items).hasSize(20);
    assertThat(items.get(0).get("reason").asText()).contains("answers nothing Tandem sent");
    assertThat(items.get(0).get("from").asText()).contains("@example.net");
    assertThat(items.get(0).get("contactId").isNull()).isTrue();
  }

  @Test
  void unknown_senders_become_contacts_when_the_configuration_says_so() throws Exception {
    tandem =
        TestApp.start(
            Map.of(
                "email.bounceDomain",
                "bounces.shop.example",
                "inbound.smtpPort",
                "0",
                "inbound.unknownSenders",
                "create-contact"));

    deliverUnsolicited(3);

    assertThat(
            count("SELECT count(*) FROM contact_address WHERE value LIKE 'stranger%@example.net'"))
        .isEqualTo(3);
    assertThat(unmatched()).hasSize(3);
  }

  @Test
  void a_soft_bounce_that_ended_the_remote_tries_sends_again_twice_then_fails() throws Exception {
    tandem = start();
    Sent sent = sendEmail("gina@example.com");
    String verp = "bounces+" + sent.deliveryId().replace("-", "") + "@bounces.shop.example";

    for (int bounce = 1; bounce <= 2; bounce++) {
      deliverToTandem(fixtureFor("qmail-soft.eml", sent), verp);
      JsonNode delivery = tandem.delivery(sent.messageId(), "email");
      assertThat(delivery.get("status").asText()).isEqualTo("queued");
      assertThat(delivery.get("lastError").asText())
          .contains("soft bounce 4.2.2")
          .contains(bounce + " of 2");
      tandem.clock.advance(Duration.ofHours(2));
      tandem.app.dispatcher.runOnce();
      assertThat(tandem.status(sent.messageId(), "email")).isEqualTo("sent");
    }
    deliverToTandem(fixtureFor("qmail-soft.eml", sent), verp);

    JsonNode delivery = tandem.delivery(sent.messageId(), "email");
    assertThat(delivery.get("status").asText()).isEqualTo("failed");
    assertThat(delivery.get("lastError").asText()).contains("soft-bounced 3 times");
    assertThat(
            tandem.app.sandboxSmtp.orElseThrow().received().stream()
                .filter(e -> e.envelopeTo().equals("gina@example.com"))
                .count())
        .isEqualTo(3);
  }

  @Test
  void a_full_mailbox_is_a_soft_bounce_that_suppresses_only_after_repeated_bounces()
      throws Exception {
    tandem = start();
    Sent sent = sendEmail("ada@example.org");
    String verp = "bounces+" + sent.deliveryId().replace("-", "") + "@bounces.shop.example";

    for (int bounce = 1; bounce <= 2; bounce++) {
      deliverToTandem(fixtureFor("dsn-mailbox-full.eml", sent), verp);
      assertThat(tandem.status(sent.messageId(), "email")).isEqualTo("queued");
      assertThat(count("SELECT count(*) FROM suppression")).isZero();
      tandem.clock.advance(Duration.ofHours(2));
      tandem.app.dispatcher.runOnce();
    }
    deliverToTandem(fixtureFor("dsn-mailbox-full.eml", sent), verp);

    assertThat(tandem.status(sent.messageId(), "email")).isEqualTo("failed");
    String reason =
        tandem
            .app
            .database
            .jdbi()
            .withHandle(h ->
                h.createQuery(
                        "SELECT reason FROM suppression WHERE address = 'ada@example.org' AND scope = 'all'")
                    .mapTo(String.class)
                    .one());
    assertThat(reason).contains("soft-bounced 3 times").contains("5.2.2");
  }

  @Test
  void bulk_mail_that_answers_nothing_we_sent_is_not_a_reply() throws Exception {
    tandem = start();
    var contact = tandem.createContact(Map.of("email", "deals@news.retailer.example"));
    try (InputStream in = InboundEmailTest.class.getResourceAsStream("/mail/bulk-newsletter.eml")) {
      deliverToTandem(in.readAllBytes(), "reply@shop.example");
    }

    assertThat(timelineTypes(contact.get("id").asText())).doesNotContain("email.received");
    assertThat(unmatched().findValuesAsText("kind")).containsExactly("bulk");
  }

  @Test
  void mail_with_nul_characters_is_stored_and_acknowledged() throws Exception {
    tandem = start();
    Sent sent = sendEmail("ada@example.org");
    String reply =
        "From: Ada \0Lovelace <ada@example.org>\r\nTo: reply@shop.example\r\n"
            + "Subject: Re: order\0 1042\r\nIn-Reply-To: <"
            + sent.deliveryId()
            + "@tandem.localhost>\r\nReferences: <x\0y@example.org>\r\n\r\n"
            + "Leave it at\0 the door.\r\n";

    try (var smtp =
        RawSmtp.connect("127.0.0.1", tandem.app.inboundSmtp.orElseThrow().port(), 10_000)) {
      assertThat(smtp.greeting()).isEqualTo(220);
      assertThat(smtp.command("HELO sender.example")).isEqualTo(250);
      int code =
          smtp.send(
              "ada@example.org",
              "reply@shop.example",
              new ByteArrayInputStream(reply.getBytes(StandardCharsets.UTF_8)));
      assertThat(code).as(smtp.lastReply).isEqualTo(250);
    }

    assertThat(
            count(
                "SELECT count(*) FROM inbound_email WHERE kind = 'reply' AND delivery_id IS NOT NULL"))
        .isOne();
    assertThat(timelineTypes(sent.contactId())).contains("email.received");
  }

  @Test
  void a_delay_notice_is_only_recorded() throws Exception {
    tandem = start();
    Sent sent = sendEmail("full.inbox@gmail.com");

    deliverToTandem(
        fixtureFor("gmail-soft.eml", sent),
        "bounces+" + sent.deliveryId().replace("-", "") + "@bounces.shop.example");

    assertThat(tandem.status(sent.messageId(), "email")).isEqualTo("sent");
    assertThat(timelineTypes(sent.contactId())).contains("delivery.deferred");
  }

  @Test
  void a_mailbox_polled_over_imap_feeds_the_same_pipeline() throws Exception {
    var setup = new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP);
    var greenMail = new GreenMail(setup.dynamicPort());
    greenMail.start();
    try {
      var user = greenMail.setUser("replies@shop.example", "replies", "secret");
      int port = greenMail.getImap().getPort();
      tandem =
          TestApp.start(
              Map.of("inbound.mailboxUrl", "imap://replies:secret@127.0.0.1:" + port + "/INBOX"));
      Sent sent = sendEmail("ada@example.org");
      user.deliver(
          new MimeMessage(
              Session.getInstance(new Properties()),
              new ByteArrayInputStream(fixtureFor("reply-gmail.eml", sent))));

      assertThat(tandem.app.mailboxPoller.orElseThrow().pollOnce()).isEqualTo(1);
      assertThat(tandem.app.mailboxPoller.orElseThrow().pollOnce()).isZero();
      assertThat(timelineTypes(sent.contactId())).contains("email.received");
    } finally {
      greenMail.stop();
    }
  }

  @Test
  void a_mailbox_polled_over_pop3_is_emptied_into_the_same_pipeline() throws Exception {
    var setup = new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3);
    var greenMail = new GreenMail(setup.dynamicPort());
    greenMail.start();
    try {
      var user = greenMail.setUser("bounces@shop.example", "bounces", "secret");
      int port = greenMail.getPop3().getPort();
      tandem =
          TestApp.start(
              Map.of("inbound.mailboxUrl", "pop3://bounces:secret@127.0.0.1:" + port + "/INBOX"));
      Sent sent = sendEmail("ada@example.org");
      user.deliver(
          new MimeMessage(
              Session.getInstance(new Properties()),
              new ByteArrayInputStream(fixtureFor("postfix-hard.eml", sent))));

      assertThat(tandem.app.mailboxPoller.orElseThrow().pollOnce()).isEqualTo(1);
      assertThat(tandem.app.mailboxPoller.orElseThrow().pollOnce())
          .isZero(); // deleted after reading
      assertThat(tandem.status(sent.messageId(), "email")).isEqualTo("failed");
    } finally {
      greenMail.stop();
    }
  }
}
