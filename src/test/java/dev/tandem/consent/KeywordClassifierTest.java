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
  void letters_with_diacritics_fold_to_their_base_letters_in_every_language_vector()
      throws Exception {
    var rows = Vectors.read("stop_keywords_i18n.tsv");
    assertThat(rows).hasSizeGreaterThanOrEqualTo(30);
    for (String[] row : rows) {
      var languages =
          row[0].equals("default") ? java.util.List.<String>of() : java.util.List.of(row[0]);
      var classifier = new KeywordClassifier(KeywordClassifier.Keywords.defaults().with(languages));
      assertThat(classifier.classify(Vectors.unescape(row[1])).label)
          .as("%s '%s' (%s)", row[0], row[1], row[3])
          .isEqualTo(row[2]);
    }
  }

  @Test
  void normalization_folds_diacritics_ligatures_and_sharp_s() {
    assertThat(KeywordClassifier.normalize("Arrêt")).isEqualTo("ARRET");
    assertThat(KeywordClassifier.normalize("Désinscrire ça")).isEqualTo("DESINSCRIRE CA");
    assertThat(KeywordClassifier.normalize("Kündigen, Straße")).isEqualTo("KUNDIGEN STRASSE");
    assertThat(KeywordClassifier.normalize("Cœur Ærø Łódź")).isEqualTo("COEUR AERO LODZ");
    assertThat(KeywordClassifier.normalize("Não")).isEqualTo("NAO");
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
