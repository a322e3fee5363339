package dev.tandem.sms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.support.Vectors;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class Gsm7Test {
  @Test
  void encodability_and_septet_counts_match_every_vector() throws IOException {
    for (String[] row : Vectors.read("sms_segments.tsv")) {
      String text = Vectors.unescape(row[0]);
      boolean gsm = row[1].equals("GSM7");
      assertThat(Gsm7.canEncode(text)).as(row[0]).isEqualTo(gsm);
      if (gsm) {
        assertThat(Gsm7.septets(text)).as(row[0]).isEqualTo(Integer.parseInt(row[2]));
      }
    }
  }

  @Test
  void encoding_round_trips_the_basic_and_extension_tables() {
    String all =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCXYZÄÖÑÜ§¿abcxyzäöñüà^{}\\[~]|€\f";
    assertThat(Gsm7.decode(Gsm7.encode(all))).isEqualTo(all);
    assertThat(Gsm7.encode("@")).containsExactly(0x00);
    assertThat(Gsm7.encode("€")).containsExactly(0x1B, 0x65);
  }

  @Test
  void characters_outside_both_tables_are_not_encodable() {
    for (String c : List.of("ç", "`", "\t", "Α", "\u00A0", "😀", "中")) {
      assertThat(Gsm7.canEncode(c)).as(c).isFalse();
    }
  }
}
