package dev.tandem.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.sandbox.SandboxSmtpServer;
import dev.tandem.support.TestApp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The SMTP client against the sandbox SMTP server over TCP. */
class SmtpSendingTest {
  TestApp tandem;

  @AfterEach
  void stop() {
    if (tandem != null) {
      tandem.close();
    }
  }

  private String sendEmail(String subject, String html) {
    return tandem.sendEmail(TestApp.uniqueEmail(), Map.of("subject", subject, "html", html));
  }

  private SandboxSmtpServer smtp() {
    return tandem.app.sandboxSmtp.orElseThrow();
  }

  private SandboxSmtpServer.ReceivedEmail receivedFor(String messageId) {
    String providerId = tandem.delivery(messageId, "email").get("providerId").asText();
    return smtp().received().stream()
        .filter(e -> e.messageId().contains(providerId))
        .findFirst()
        .orElseThrow();
  }

  static final String PNG =
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

  @Test
  void an_inline_image_goes_in_multipart_related_beside_the_html_and_files_stay_attachments()
      throws Exception {
    tandem = TestApp.start();
    var response =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "to",
                Map.of("email", TestApp.uniqueEmail()),
                "channels",
                List.of("email"),
                "email",
                Map.of(
                    "subject",
                    "Your receipt",
                    "html",
                    "<p><img src=\"cid:logo\" alt=\"Acme\"> Thanks for your order.</p>",
                    "attachments",
                    List.of(
                        Map.of(
                            "filename",
                            "logo.png",
                            "contentType",
                            "image/png",
                            "content",
                            PNG,
                            "contentId",
                            "logo"),
                        Map.of(
                            "filename",
                            "receipt.pdf",
                            "contentType",
                            "application/pdf",
                            "content",
                            Base64.getEncoder().encodeToString("%PDF-1.4".getBytes()))))));
    assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
    String id = response.body().get("id").asText();
    tandem.app.dispatcher.runOnce();

    var message =
        new jakarta.mail.internet.MimeMessage(
            jakarta.mail.Session.getInstance(new java.util.Properties()),
            new java.io.ByteArrayInputStream(
                receivedFor(id).raw().getBytes(StandardCharsets.UTF_8)));
    assertThat(message.isMimeType("multipart/mixed")).isTrue();
    var mixed = (jakarta.mail.Multipart) message.getContent();
    assertThat(mixed.getCount()).isEqualTo(2);
    assertThat(mixed.getBodyPart(0).isMimeType("multipart/related")).isTrue();
    var related = (jakarta.mail.Multipart) mixed.getBodyPart(0).getContent();
    assertThat(related.getBodyPart(0).isMimeType("multipart/alternative")).isTrue();
    var image = (jakarta.mail.internet.MimeBodyPart) related.getBodyPart(1);
    assertThat(image.getContentID()).isEqualTo("<logo>");
    assertThat(image.getDisposition()).isEqualTo("inline");
    assertThat(image.getFileName()).isEqualTo("logo.png");
    assertThat(image.getInputStream().readAllBytes()).isEqualTo(Base64.getDecoder().decode(PNG));
    assertThat(mixed.getBodyPart(1).getFileName()).isEqualTo("receipt.pdf");
    assertThat(mixed.getBodyPart(1).getDisposition()).isEqualTo("attachment");

    // the hosted copy cannot resolve cid:, so it shows the image as a data: URL
    String view =
        tandem
            .app
            .engagement
            .view(java.util.UUID.fromString(tandem.delivery(id, "email").get("id").asText()))
            .orElseThrow();
    assertThat(view).contains("src=\"data:image/png;base64," + PNG + "\"");
  }

  @Test
  void a_bad_inline_image_is_refused_naming_the_field() {
    tandem = TestApp.start();
    record Case(List<Map<String, Object>> attachments, String html, String field) {}
    Map<String, Object> logo =
        Map.of(
            "filename",
            "logo.png",
            "contentType",
            "image/png",
            "content",
            PNG,
            "contentId",
            "logo");
    for (var c :
        List.of(
            new Case(
                List.of(logo, logo), "<img src=\"cid:logo\">", "email.attachments[1].contentId"),
            new Case(List.of(), "<img src=\"cid:logo\">", "email.html"),
            new Case(
                List.of(
                    Map.of(
                        "filename",
                        "a.pdf",
                        "contentType",
                        "application/pdf",
                        "content",
                        PNG,
                        "contentId",
                        "doc")),
                "<p>x</p>",
                "email.attachments[0].contentId"),
            new Case(
                List.of(
                    Map.of(
                        "filename",
                        "a.png",
                        "contentType",
                        "image/png",
                        "content",
                        PNG,
                        "contentId",
                        "a b<c>")),
                "<p>x</p>",
                "email.attachments[0].contentId"))) {
      var response =
          tandem.call(
              "POST",
              "/v1/messages",
              Map.of(
                  "to", Map.of("email", TestApp.uniqueEmail()),
                  "channels", List.of("email"),
                  "email",
                      Map.of("subject", "S", "html", c.html(), "attachments", c.attachments())));
      assertThat(response.status()).as(c + " → " + response.body()).isEqualTo(422);
      assertThat(response.body().get("field").asText()).as(c.toString()).isEqualTo(c.field());
    }
  }

  @Test
  void connections_are_reused_across_messages() {
    tandem = TestApp.start(Map.of("smtp.poolSize", "2"));
    for (int i = 0; i < 12; i++) {
      sendEmail("Pool " + i, "<p>Message " + i + "</p>");
    }

    tandem.app.dispatcher.runOnce();

    assertThat(smtp().receivedCount()).isEqualTo(12);
    assertThat(smtp().connections()).isBetween(1, 2);
  }

  @Test
  void a_4xx_answer_is_retried_and_a_5xx_answer_fails_with_the_servers_text() {
    tandem = TestApp.start();
    smtp().rejectNext(1, 451, "4.3.0 Try again later");
    String later = sendEmail("Later", "<p>x</p>");
    tandem.app.dispatcher.runOnce();
    JsonNode waiting = tandem.delivery(later, "email");
    assertThat(waiting.get("status").asText()).isEqualTo("queued");
    assertThat(waiting.get("lastError").asText()).contains("SMTP 451").contains("Try again later");
    tandem.clock.advance(Duration.ofMinutes(1));
    tandem.app.dispatcher.runOnce();
    assertThat(tandem.status(later, "email")).isEqualTo("sent");

    smtp().rejectNext(1, 550, "5.1.1 Mailbox unavailable");
    String refused = sendEmail("Refused", "<p>x</p>");
    tandem.app.dispatcher.runOnce();
    assertThat(tandem.status(refused, "email")).isEqualTo("failed");
    assertThat(tandem.delivery(refused, "email").get("lastError").asText())
        .contains("SMTP 550")
        .contains("Mailbox unavailable");

    String after = sendEmail("After", "<p>x</p>"); // the connection survived the refusal
    tandem.app.dispatcher.runOnce();
    assertThat(tandem.status(after, "email")).isEqualTo("sent");
  }

  @Test
  void a_recipient_refused_at_rcpt_fails_or_waits_by_its_code_and_the_relay_stays_healthy() {
    tandem = TestApp.start();
    String unknown = TestApp.uniqueEmail();
    String full = TestApp.uniqueEmail();
    smtp().refuseRecipient(unknown, 550, "5.1.1 <" + unknown + ">: Recipient address rejected");
    smtp().refuseRecipient(full, 452, "4.2.2 Mailbox full");
    var log =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(dev.tandem.email.smtp.SmtpGateway.class);
    var appender =
        new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
    appender.start();
    log.addAppender(appender);
    try {
      String refused = tandem.sendEmail(unknown, Map.of("subject", "Hello", "html", "<p>x</p>"));
      String later = tandem.sendEmail(full, Map.of("subject", "Hello", "html", "<p>x</p>"));
      tandem.app.dispatcher.runOnce();

      assertThat(tandem.status(refused, "email")).isEqualTo("failed");
      assertThat(tandem.delivery(refused, "email").get("lastError").asText())
          .contains("SMTP 550")
          .contains("5.1.1");
      assertThat(tandem.status(later, "email")).isEqualTo("queued");
      assertThat(tandem.delivery(later, "email").get("lastError").asText()).contains("SMTP 452");
      // the relay answered: it is not down, and the log names no recipient
      assertThat(tandem.app.email.ready()).isTrue();
      assertThat(tandem.call("GET", "/health/ready", null, null).status()).isEqualTo(200);
      assertThat(appender.list)
          .noneMatch(e -> e.getFormattedMessage().contains(unknown))
          .noneMatch(e -> e.getFormattedMessage().contains("unavailable"));

      String after = sendEmail("After", "<p>x</p>"); // others still go
      tandem.app.dispatcher.runOnce();
      assertThat(tandem.status(after, "email")).isEqualTo("sent");
    } finally {
      log.detachAppender(appender);
    }
  }

  @Test
  void when_the_relay_is_down_the_next_relay_takes_the_mail() {
    try (SandboxSmtpServer fallback = SandboxSmtpServer.start(0, java.time.Clock.systemUTC())) {
      tandem = TestApp.start(Map.of("smtp.fallbackRelays", "127.0.0.1:" + fallback.port()));
      smtp().close();
      String id = sendEmail("Failover", "<p>x</p>");

      tandem.app.dispatcher.runOnce();

      assertThat(tandem.status(id, "email")).isEqualTo("sent");
      assertThat(fallback.received())
          .singleElement()
          .satisfies(e -> assertThat(e.subject()).isEqualTo("Failover"));
    }
  }

  @Test
  void the_envelope_sender_names_the_delivery_for_bounces() {
    tandem = TestApp.start(Map.of("email.bounceDomain", "bounces.shop.example"));
    String id = sendEmail("VERP", "<p>x</p>");
    tandem.app.dispatcher.runOnce();

    String deliveryId = tandem.delivery(id, "email").get("id").asText().replace("-", "");
    assertThat(receivedFor(id).envelopeFrom())
        .isEqualTo("bounces+" + deliveryId + "@bounces.shop.example");
  }

  @Test
  void headers_are_well_formed_and_utf8_is_encoded() {
    tandem = TestApp.start();
    String id =
        sendEmail(
            "Grüße – 10 % off ✓",
            "<h1>Hallo</h1><p>Schöne <a href=\"https://shop.example/x\">Angebote</a></p>");
    tandem.app.dispatcher.runOnce();

    String raw = receivedFor(id).raw();
    assertThat(raw)
        .contains("Subject: =?UTF-8?")
        .contains("Date: ")
        .contains("MIME-Version: 1.0")
        .contains("multipart/alternative")
        .contains("Message-ID: <");
    assertThat(
            raw.lines().filter(l -> !l.isEmpty()).allMatch(l -> l.chars().allMatch(c -> c < 128)))
        .as("every line is 7-bit: UTF-8 is encoded, not sent raw")
        .isTrue();
    assertThat(receivedFor(id).subject()).isEqualTo("Grüße – 10 % off ✓");
  }

  @Test
  void dkim_signatures_verify_with_an_independent_verifier() throws Exception {
    assumeTrue(
        pythonDkimAvailable(),
        "python3-dkim is not installed (apt-get install python3-dkim); DKIM verification skipped");
    var generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    var keys = generator.generateKeyPair();
    Path keyFile = Files.createTempFile("dkim", ".pem");
    Files.writeString(
        keyFile,
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(keys.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
    tandem =
        TestApp.start(
            Map.of(
                "email.dkimDomain",
                "shop.example",
                "email.dkimSelector",
                "s2026",
                "email.dkimPrivateKey",
                keyFile.toString()));
    String id = sendEmail("Signed – Grüße", "<p>Your order <b>#1042</b> shipped.</p>");
    tandem.app.dispatcher.runOnce();

    var received = receivedFor(id);
    assertThat(received.raw())
        .contains("DKIM-Signature:")
        .contains("d=shop.example")
        .contains("s=s2026")
        .contains("c=relaxed/relaxed")
        .contains("a=rsa-sha256")
        .doesNotContain("; l=");
    assertThat(received.messageId())
        .contains(tandem.delivery(id, "email").get("providerId").asText());
    String publicKey = Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
    assertThat(verifyWithPythonDkim(received.raw(), publicKey)).isEqualTo("verified");
    assertThat(verifyWithPythonDkim(received.raw().replace("shipped", "stolen"), publicKey))
        .isEqualTo("FAILED");
    Files.delete(keyFile);
  }

  @Test
  void attachments_go_as_multipart_mixed_and_bad_ones_are_refused_with_the_field()
      throws Exception {
    tandem = TestApp.start();
    String pdf =
        Base64.getEncoder()
            .encodeToString("%PDF-1.4 invoice 1042".getBytes(StandardCharsets.US_ASCII));
    var response =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "to",
                Map.of("email", TestApp.uniqueEmail()),
                "channels",
                List.of("email"),
                "email",
                Map.of(
                    "subject",
                    "Invoice",
                    "html",
                    "<p>Attached.</p>",
                    "attachments",
                    List.of(
                        Map.of(
                            "filename",
                            "Rechnung 1042 – März.pdf",
                            "contentType",
                            "application/pdf",
                            "content",
                            pdf)))));
    assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
    String id = response.body().get("id").asText();
    tandem.app.dispatcher.runOnce();

    var message =
        new jakarta.mail.internet.MimeMessage(
            jakarta.mail.Session.getInstance(new java.util.Properties()),
            new java.io.ByteArrayInputStream(
                receivedFor(id).raw().getBytes(StandardCharsets.UTF_8)));
    assertThat(message.isMimeType("multipart/mixed")).isTrue();
    var mixed = (jakarta.mail.Multipart) message.getContent();
    assertThat(mixed.getBodyPart(0).isMimeType("multipart/alternative")).isTrue();
    var attachment = mixed.getBodyPart(1);
    assertThat(attachment.getFileName()).isEqualTo("Rechnung 1042 – März.pdf");
    String unfolded = receivedFor(id).raw().replaceAll("\r\n[ \t]+", " ");
    String disposition =
        unfolded
            .lines()
            .filter(l -> l.startsWith("Content-Disposition:"))
            .findFirst()
            .orElseThrow();
    assertThat(disposition)
        .as("RFC 2231")
        .contains("filename*=UTF-8''Rechnung%201042%20%E2%80%93%20M%C3%A4rz.pdf")
        .doesNotContain("=?")
        .doesNotContain("filename=");
    assertThat(unfolded.lines().filter(l -> l.startsWith("Content-Type: application/pdf")))
        .as("a plain ASCII name for clients that read only Content-Type")
        .singleElement()
        .satisfies(type -> assertThat(type).contains("name=\"Rechnung 1042 - Marz.pdf\""));
    assertThat(attachmentNameByPython(receivedFor(id).raw()))
        .isEqualTo("Rechnung 1042 – März.pdf; defects: []");
    assertThat(new String(attachment.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
        .isEqualTo("%PDF-1.4 invoice 1042");

    var notBase64 =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "to",
                Map.of("email", TestApp.uniqueEmail()),
                "channels",
                List.of("email"),
                "email",
                Map.of(
                    "subject",
                    "x",
                    "text",
                    "y",
                    "attachments",
                    List.of(
                        Map.of(
                            "filename",
                            "a.pdf",
                            "contentType",
                            "application/pdf",
                            "content",
                            "%%%")))));
    var path =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "to",
                Map.of("email", TestApp.uniqueEmail()),
                "channels",
                List.of("email"),
                "email",
                Map.of(
                    "subject",
                    "x",
                    "text",
                    "y",
                    "attachments",
                    List.of(
                        Map.of(
                            "filename",
                            "../../etc/passwd",
                            "contentType",
                            "text/plain",
                            "content",
                            pdf)))));
    assertThat(notBase64.status()).isEqualTo(422);
    assertThat(notBase64.body().get("field").asText()).isEqualTo("email.attachments[0].content");
    assertThat(path.status()).isEqualTo(422);
    assertThat(path.body().get("field").asText()).isEqualTo("email.attachments[0].filename");
  }

  private static boolean pythonDkimAvailable() throws Exception {
    if (!Files.isExecutable(Path.of("/usr/bin/python3"))) {
      return false;
    }
    Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import dkim").start();
    return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  /** Debian's python3-dkim (dkimpy) with the public key served by a stand-in DNS lookup. */
  /** The attachment's name and header defects as Python's email package reads them. */
  private static String attachmentNameByPython(String raw) throws Exception {
    String script =
        """
        import sys, email, email.policy
        m = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
        for part in m.walk():
            if part.get_content_disposition() == "attachment":
                defects = [str(d) for h in ("Content-Type", "Content-Disposition") for d in part[h].defects]
                sys.stdout.buffer.write(("%s; defects: %s" % (part.get_filename(), defects)).encode())
        """;
    Process p =
        new ProcessBuilder("/usr/bin/python3", "-c", script).redirectErrorStream(true).start();
    try (var in = p.getOutputStream()) {
      in.write(raw.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    p.waitFor(60, TimeUnit.SECONDS);
    return out;
  }

  private static String verifyWithPythonDkim(String raw, String publicKey) throws Exception {
    Path message = Files.createTempFile("signed", ".eml");
    Files.writeString(
        message, raw.replace("\r\n", "\n").replace("\n", "\r\n"), StandardCharsets.UTF_8);
    String script =
        """
        import sys, dkim
        record = b"v=DKIM1; k=rsa; p=%s"
        def dns(name, timeout=5):
            return record if name == b"s2026._domainkey.shop.example." else None
        print("verified" if dkim.verify(open(sys.argv[1], "rb").read(), dnsfunc=dns) else "FAILED")
        """
            .formatted(publicKey);
    Process p =
        new ProcessBuilder("/usr/bin/python3", "-c", script, message.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    p.waitFor(60, TimeUnit.SECONDS);
    Files.delete(message);
    return out.lines().reduce((a, b) -> b).orElse(out);
  }
}
