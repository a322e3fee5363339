package dev.tandem.email.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.email.InboundMail;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Real-world-shaped bounces, complaints, automatic answers and replies from several MTAs. */
class MailClassifierTest {
  private static byte[] fixture(String name) throws IOException {
    try (InputStream in = MailClassifierTest.class.getResourceAsStream("/mail/" + name)) {
      return in.readAllBytes();
    }
  }

  @Test
  void every_fixture_gets_its_class_status_token_and_reference() throws Exception {
    List<String[]> rows;
    try (InputStream in = MailClassifierTest.class.getResourceAsStream("/mail/expected.tsv")) {
      rows =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .skip(1)
              .filter(l -> !l.isBlank())
              .map(l -> l.split("\t", -1))
              .toList();
    }
    assertThat(rows).hasSizeGreaterThanOrEqualTo(15);
    for (String[] row : rows) {
      InboundMail mail = MailClassifier.classify(fixture(row[0]), List.of());
      assertThat(mail.kind().name())
          .as(row[0] + " kind; problem " + mail.problem())
          .isEqualTo(row[1]);
      if (!row[2].equals("-")) {
        String status =
            mail.kind() == InboundMail.Kind.COMPLAINT
                ? mail.feedbackType().orElse("")
                : mail.bounce().map(InboundMail.Bounce::status).orElse("");
        assertThat(status).as(row[0] + " status").isEqualTo(row[2]);
      }
      assertThat(mail.verpToken().orElse("-")).as(row[0] + " VERP token").isEqualTo(row[3]);
      if (!row[4].equals("-")) {
        assertThat(mail.references()).as(row[0] + " references").contains(row[4]);
      }
      if (!row[5].equals("-")) {
        assertThat(mail.newText()).as(row[0] + " new text").isEqualTo(row[5].replace("\\n", "\n"));
      }
      if (mail.kind() == InboundMail.Kind.UNREADABLE) {
        assertThat(mail.problem()).as(row[0] + " reason").isPresent();
      }
    }
  }

  @Test
  void bounces_carry_the_failing_recipient_and_the_diagnostic() throws Exception {
    InboundMail postfix = MailClassifier.classify(fixture("postfix-hard.eml"), List.of());
    assertThat(postfix.bounce())
        .hasValueSatisfying(b -> {
          assertThat(b.recipient()).isEqualTo("ada@example.org");
          assertThat(b.action()).isEqualTo("failed");
          assertThat(b.diagnostic())
              .startsWith("550 5.1.1 <ada@example.org>: Recipient address rejected");
        });
    InboundMail microsoft = MailClassifier.classify(fixture("microsoft-ndr.eml"), List.of());
    assertThat(microsoft.bounce().orElseThrow().diagnostic())
        .contains("RESOLVER.ADR.RecipientNotFound");
  }

  @Test
  void the_envelope_recipient_names_the_delivery_when_headers_do_not() throws Exception {
    String raw =
        "From: MAILER-DAEMON@x.example\r\nSubject: Undelivered Mail Returned to Sender\r\n\r\n550 5.1.1 unknown\r\n";
    InboundMail mail =
        MailClassifier.classify(
            raw.getBytes(StandardCharsets.US_ASCII),
            List.of("bounces+0191A2B3C4D57E6F8A9B0C1D2E3F4A5B@bounces.shop.example"));
    assertThat(mail.verpToken()).contains("0191a2b3c4d57e6f8a9b0c1d2e3f4a5b");
  }

  @Test
  void odd_input_is_classified_without_crashing() {
    byte[] huge =
        ("From: big@example.org\r\nSubject: big\r\n\r\n" + "x".repeat(20 * 1024 * 1024))
            .getBytes(StandardCharsets.US_ASCII);
    assertThat(MailClassifier.classify(huge, List.of()).kind()).isEqualTo(InboundMail.Kind.REPLY);
    assertThat(
            MailClassifier.classify(
                    "no headers at all".getBytes(StandardCharsets.US_ASCII), List.of())
                .kind())
        .isEqualTo(InboundMail.Kind.REPLY);
    byte[] garbage = new byte[4096];
    new java.util.Random(7).nextBytes(garbage);
    assertThat(MailClassifier.classify(garbage, List.of())).isNotNull();
    assertThat(MailClassifier.classify(new byte[0], List.of())).isNotNull();
  }

  @Test
  void quoted_history_and_signatures_are_cut_from_replies() {
    assertThat(ReplyText.newText("Yes.\n\n-- \nAda\nCEO")).isEqualTo("Yes.");
    assertThat(ReplyText.newText("Fine by me\n> earlier\n> text")).isEqualTo("Fine by me");
    assertThat(ReplyText.newText("Ok\n\nLe ven. 27 nov. 2026 à 10:30, Shop <a@b.c> a écrit :\n> x"))
        .isEqualTo("Ok");
    assertThat(ReplyText.newText("Ok\n\nSent from my iPhone")).isEqualTo("Ok");
  }
}
