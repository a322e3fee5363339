package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.support.Vectors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The operator tools, run through the real command line. */
class SmsCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String run(String... args) {
    PrintStream out = System.out;
    var bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.run(args)).isZero();
      return bytes.toString(StandardCharsets.UTF_8);
    } finally {
      System.setOut(out);
    }
  }

  private static List<String[]> vectors(String name) throws IOException {
    try (InputStream in = SmsCommandTest.class.getResourceAsStream("/vectors/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .skip(1)
          .filter(l -> !l.isEmpty())
          .map(l -> l.split("\t", -1))
          .toList();
    }
  }

  @Test
  void sms_inspect_json_matches_every_segment_vector() throws Exception {
    for (String[] row : vectors("sms_segments.tsv")) {
      String text = Vectors.unescape(row[0]);
      JsonNode result = JSON.readTree(run("sms", "inspect", "--json", "--no-substitution", text));
      assertThat(result.get("encoding").asText()).as(row[0]).isEqualTo(row[1]);
      assertThat(result.get("units").asInt()).as(row[0]).isEqualTo(Integer.parseInt(row[2]));
      assertThat(result.get("segments").asInt()).as(row[0]).isEqualTo(Integer.parseInt(row[3]));
      assertThat(result.get("parts")).hasSize(Integer.parseInt(row[3]));
    }
  }

  @Test
  void sms_inspect_explains_substitutions_and_ucs2_characters_in_words() {
    String gsm = run("sms", "inspect", "It’s “done”");
    String ucs2 = run("sms", "inspect", "Party 🎉");
    assertThat(gsm).contains("GSM7").contains("replaced  ’ (U+2019) with '''");
    assertThat(ucs2).contains("UCS2").contains("UCS-2 because of 🎉 (U+1F389)");
  }

  @Test
  void sms_receipt_json_matches_every_receipt_vector() throws Exception {
    String[] columns = {
      "receipt",
      "id",
      "sub",
      "dlvrd",
      "submit_date",
      "done_date",
      "stat",
      "err",
      "text",
      "normalized_status",
      "is_final"
    };
    for (String[] row : vectors("dlr_receipts.tsv")) {
      JsonNode result = JSON.readTree(run("sms", "receipt", "--json", row[0]));
      for (int c = 1; c < columns.length; c++) {
        assertThat(result.get(columns[c]).asText())
            .as(row[0] + " → " + columns[c])
            .isEqualTo(row[c]);
      }
    }
  }

  @Test
  void sms_keyword_json_matches_every_keyword_vector() throws Exception {
    for (String[] row : vectors("stop_keywords.tsv")) {
      JsonNode result = JSON.readTree(run("sms", "keyword", "--json", Vectors.unescape(row[0])));
      assertThat(result.get("class").asText()).as(row[0]).isEqualTo(row[1]);
    }
  }

  @Test
  void sms_keyword_json_matches_every_vector_of_other_languages() throws Exception {
    for (String[] row : vectors("stop_keywords_i18n.tsv")) {
      java.nio.file.Path config = java.nio.file.Files.createTempFile("tandem", ".yaml");
      java.nio.file.Files.writeString(
          config, row[0].equals("default") ? "" : "consent:\n  keywordLanguages: " + row[0] + "\n");
      JsonNode result =
          JSON.readTree(
              run(
                  "sms",
                  "keyword",
                  "--json",
                  "--config",
                  config.toString(),
                  Vectors.unescape(row[1])));
      assertThat(result.get("class").asText()).as("%s '%s'", row[0], row[1]).isEqualTo(row[2]);
    }
  }

  @Test
  void sms_keyword_reads_arret_with_its_circumflex_as_an_opt_out() throws Exception {
    assertThat(run("sms", "keyword", "Arrêt")).startsWith("opt-out").contains("\"ARRET\"");
    java.nio.file.Path config = java.nio.file.Files.createTempFile("tandem", ".yaml");
    java.nio.file.Files.writeString(config, "consent:\n  keywordLanguages: fr, pt\n");
    assertThat(run("sms", "keyword", "--json", "désabonner")).contains("\"none\"");
    assertThat(run("sms", "keyword", "--json", "--config", config.toString(), "désabonner"))
        .contains("\"opt-out\"");
    assertThat(run("sms", "keyword", "--json", "--config", config.toString(), "Não quero mais"))
        .contains("\"opt-out\"");
  }

  @Test
  void sms_keyword_adds_the_configured_keywords_of_other_languages() throws Exception {
    java.nio.file.Path config = java.nio.file.Files.createTempFile("tandem", ".yaml");
    java.nio.file.Files.writeString(
        config, "consent:\n  optOutKeywords: \"BAJA, Alto\"\n  helpKeywords: AYUDA\n");
    assertThat(run("sms", "keyword", "--json", "baja")).contains("\"none\"");
    assertThat(run("sms", "keyword", "--json", "--config", config.toString(), "baja"))
        .contains("\"opt-out\"");
    assertThat(run("sms", "keyword", "--json", "--config", config.toString(), "ALTO por favor"))
        .contains("\"none\""); // politeness words are English; the classifier stays strict
    assertThat(run("sms", "keyword", "--json", "--config", config.toString(), "Ayuda"))
        .contains("\"help\"");
  }
}
