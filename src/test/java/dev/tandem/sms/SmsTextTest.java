package dev.tandem.sms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.support.Vectors;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmsTextTest {
  @Test
  void every_segment_vector_matches_without_substitution() throws Exception {
    for (String[] row : Vectors.read("sms_segments.tsv")) {
      String text = Vectors.unescape(row[0]);
      SmsText sms = SmsText.of(text, false);
      assertThat(sms.encoding().name()).as(row[0]).isEqualTo(row[1]);
      assertThat(sms.units()).as(row[0]).isEqualTo(Integer.parseInt(row[2]));
      assertThat(sms.segments()).as(row[0]).isEqualTo(Integer.parseInt(row[3]));
      assertThat(String.join("", sms.parts())).isEqualTo(text);
    }
  }

  @Test
  void an_escape_pair_is_never_split_across_parts() {
    String text = "a".repeat(152) + "€" + "a".repeat(152);
    SmsText sms = SmsText.of(text, false);
    assertThat(sms.units()).isEqualTo(306);
    assertThat(sms.parts()).extracting(Gsm7::septets).containsExactly(152, 153, 1);
  }

  @Test
  void a_surrogate_pair_is_never_split_across_parts() {
    SmsText sms = SmsText.of("😀".repeat(36), false);
    assertThat(sms.encoding()).isEqualTo(SmsEncoding.UCS2);
    assertThat(sms.units()).isEqualTo(72);
    assertThat(sms.parts()).extracting(String::length).containsExactly(66, 6);
    assertThat(SmsText.of("😀".repeat(67), false).segments()).isEqualTo(3);
  }

  @Test
  void smart_characters_are_replaced_when_that_keeps_the_text_in_gsm7() {
    SmsText sms = SmsText.of("“Hello” – it’s here…\u00A0now", true);

    assertThat(sms.encoding()).isEqualTo(SmsEncoding.GSM7);
    assertThat(sms.transmitted()).isEqualTo("\"Hello\" - it's here... now");
    assertThat(sms.substitutions())
        .extracting(SmsText.Substitution::from)
        .containsExactly("“", "”", "–", "’", "…", "\u00A0");
    assertThat(sms.substitutions())
        .filteredOn(s -> s.from().equals("…"))
        .first()
        .extracting(SmsText.Substitution::to)
        .isEqualTo("...");
    assertThat(sms.nonGsmCharacters()).isEmpty();
  }

  @Test
  void without_substitution_smart_characters_force_ucs2_and_are_named() {
    SmsText sms = SmsText.of("it’s", false);
    assertThat(sms.encoding()).isEqualTo(SmsEncoding.UCS2);
    assertThat(sms.nonGsmCharacters()).containsExactly("’");
    assertThat(sms.substitutions()).isEmpty();
  }

  @Test
  void when_a_character_has_no_substitute_the_text_stays_as_written_in_ucs2() {
    SmsText sms = SmsText.of("“Party” 🎉 tonight", true);
    assertThat(sms.encoding()).isEqualTo(SmsEncoding.UCS2);
    assertThat(sms.transmitted()).isEqualTo("“Party” 🎉 tonight");
    assertThat(sms.substitutions()).isEmpty();
    assertThat(sms.nonGsmCharacters()).containsExactly("🎉");
  }

  @Test
  void zero_width_characters_are_removed() {
    assertThat(SmsText.of("a\u200Bb\uFEFF", true).transmitted()).isEqualTo("ab");
  }

  @Test
  void an_empty_text_is_one_empty_part() {
    assertThat(SmsText.of("", true).parts()).isEqualTo(List.of(""));
  }
}
