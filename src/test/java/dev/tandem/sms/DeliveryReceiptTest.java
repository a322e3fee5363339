package dev.tandem.sms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.config.TandemConfig.ReceiptIds;
import dev.tandem.support.Vectors;
import java.time.LocalDateTime;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class DeliveryReceiptTest {
  @Test
  void every_receipt_vector_parses_to_its_fields() throws Exception {
    for (String[] row : Vectors.read("dlr_receipts.tsv")) {
      DeliveryReceipt receipt =
          DeliveryReceipt.parse(row[0]).orElseThrow(() -> new AssertionError(row[0]));
      assertThat(receipt.id()).as(row[0]).isEqualTo(row[1]);
      assertThat(receipt.sub()).isEqualTo(row[2]);
      assertThat(receipt.dlvrd()).isEqualTo(row[3]);
      assertThat(receipt.submitDate()).contains(LocalDateTime.parse(row[4]));
      assertThat(receipt.doneDate()).contains(LocalDateTime.parse(row[5]));
      assertThat(receipt.stat()).isEqualTo(row[6]);
      assertThat(receipt.err()).isEqualTo(row[7]);
      assertThat(receipt.text()).as(row[0]).isEqualTo(row[8]);
      String expected = row[9].toUpperCase(Locale.ROOT);
      assertThat(receipt.outcome().name()).as(row[0]).isEqualTo(expected);
    }
  }

  @Test
  void text_without_an_id_or_a_stat_is_not_a_receipt() {
    assertThat(DeliveryReceipt.parse("hello world")).isEmpty();
    assertThat(DeliveryReceipt.parse("id:123 sub:001")).isEmpty();
    assertThat(DeliveryReceipt.parse("")).isEmpty();
  }

  @Test
  void receipt_keys_match_across_hex_decimal_padding_and_case() {
    assertThat(ReceiptKeys.ofResponse("1A2B", ReceiptIds.HEX_TO_DECIMAL))
        .isEqualTo(ReceiptKeys.ofReceipt("6699"));
    assertThat(ReceiptKeys.ofResponse("6699", ReceiptIds.DECIMAL_TO_HEX))
        .isEqualTo(ReceiptKeys.ofReceipt("1A2B"));
    assertThat(ReceiptKeys.ofResponse("00ABC", ReceiptIds.SAME))
        .isEqualTo(ReceiptKeys.ofReceipt("abc"));
    assertThat(ReceiptKeys.ofReceipt("0000")).isEqualTo("0");
  }

  @Test
  void formatted_receipts_parse_back() {
    var at = LocalDateTime.parse("2026-11-27T10:30:00");
    String text =
        DeliveryReceipt.format(
            "42", at, at.plusMinutes(1), "DELIVRD", "000", "Your code is 123456 and more");
    DeliveryReceipt receipt = DeliveryReceipt.parse(text).orElseThrow();
    assertThat(receipt.id()).isEqualTo("42");
    assertThat(receipt.outcome()).isEqualTo(DeliveryReceipt.Outcome.DELIVERED);
    assertThat(receipt.text()).isEqualTo("Your code is 123456");
  }
}
