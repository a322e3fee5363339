package dev.tandem.sms;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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

  /** Reads the TSV vectors shipped in src/test/resources/vectors (copied from shared/vectors). */
  static final class Vectors {
    static List<String[]> read(String name) throws IOException {
      try (InputStream in = Gsm7Test.class.getResourceAsStream("/vectors/" + name)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8)
            .lines()
            .skip(1)
            .filter(l -> !l.isEmpty())
            .map(l -> l.split("\t", -1))
            .toList();
      }
    }

    static String unescape(String s) {
      var out = new StringBuilder();
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '\\' && i + 1 < s.length()) {
          char n = s.charAt(++i);
          switch (n) {
            case 'u' -> {
              out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
              i += 4;
            }
            case 'U' -> {
              out.appendCodePoint(Integer.parseInt(s.substring(i + 1, i + 9), 16));
              i += 8;
            }
            case 'n' -> out.append('\n');
            case 'r' -> out.append('\r');
            case 't' -> out.append('\t');
            case '\\' -> out.append('\\');
            default -> out.append('\\').append(n);
          }
        } else {
          out.append(c);
        }
      }
      return out.toString();
    }
  }
}
