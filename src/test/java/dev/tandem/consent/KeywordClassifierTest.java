package dev.tandem.consent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.support.Vectors;
import org.junit.jupiter.api.Test;

class KeywordClassifierTest {
  private final KeywordClassifier classifier = KeywordClassifier.withDefaults();

  @Test
  void every_keyword_vector_gets_its_expected_class() throws Exception {
    var rows = Vectors.read("stop_keywords.tsv");
    assertThat(rows).hasSizeGreaterThanOrEqualTo(30);
    for (String[] row : rows) {
      String text = Vectors.unescape(row[0]);
      assertThat(classifier.classify(text).label)
          .as("'" + row[0] + "' (" + row[3] + ")")
          .isEqualTo(row[1]);
    }
  }

  @Test
  void normalization_folds_width_case_punctuation_and_apostrophes() {
    assertThat(KeywordClassifier.normalize(" \uFF33\uFF34\uFF2F\uFF30!! ")).isEqualTo("STOP");
    assertThat(KeywordClassifier.normalize("Don’t   stop…")).isEqualTo("DON'T STOP");
    assertThat(KeywordClassifier.normalize("opt-out")).isEqualTo("OPT OUT");
  }

  @Test
  void keyword_lists_can_be_replaced_for_another_language() {
    var german =
        new KeywordClassifier(
            new KeywordClassifier.Keywords(
                java.util.Set.of("STOPP", "ABMELDEN"),
                java.util.Set.of("START"),
                java.util.Set.of("HILFE"),
                java.util.Set.of("BITTE", "DANKE"),
                java.util.List.of("KEINE SMS MEHR")));
    assertThat(german.classify("Stopp bitte")).isEqualTo(KeywordClassifier.Kind.OPT_OUT);
    assertThat(german.classify("Keine SMS mehr!")).isEqualTo(KeywordClassifier.Kind.OPT_OUT);
    assertThat(german.classify("Hilfe")).isEqualTo(KeywordClassifier.Kind.HELP);
    assertThat(german.classify("STOP")).isEqualTo(KeywordClassifier.Kind.NONE);
  }
}
