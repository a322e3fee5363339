package dev.tandem.template;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sms.SmsText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SMS derived from 33 real-shaped emails — ESP table layouts with preheaders, MSO conditionals,
 * logos, buttons and footers; order lines in tables; plain ones; seven languages; emoji and smart
 * punctuation — stays within budget, carries the email's main link (never unsubscribe, a social
 * link or the logo) and says what the email says first. Each fixture states what it expects in its
 * first line.
 */
class DerivedSmsFixturesTest {
  static final Path DIR = Path.of("src/test/resources/dev/tandem/template/emails");
  static final String SHORT = "https://tandem.example/s/AbCdEfG123";
  static final Pattern EXPECT = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  static Stream<Path> fixtures() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(DIR)) {
      files = list.filter(p -> p.toString().endsWith(".html")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(30);
    return files.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void the_derived_sms_fits_keeps_the_main_link_and_says_what_the_email_says(Path file)
      throws IOException {
    String html = Files.readString(file, StandardCharsets.UTF_8);
    Map<String, String> expect = new HashMap<>();
    Matcher m = EXPECT.matcher(html.lines().findFirst().orElseThrow());
    while (m.find()) {
      expect.put(m.group(1), m.group(2));
    }
    String subject = expect.get("subject");
    String link = expect.get("link");
    for (int budget = 1; budget <= 3; budget++) {
      var r = DerivedSms.derive(subject, html, null, url -> SHORT, budget, true);
      String at = file.getFileName() + " budget " + budget + ": " + r.text();

      assertThat(SmsText.of(r.text(), true).segments()).as(at).isLessThanOrEqualTo(budget);
      if (link.isEmpty()) {
        assertThat(r.mainLink()).as(at).isEmpty();
      } else {
        assertThat(r.mainLink()).as(at).contains(link);
        assertThat(r.text()).as(at).endsWith(SHORT);
      }
      assertThat(r.text()).as(at).startsWith(subject.substring(0, Math.min(6, subject.length())));
      assertThat(r.text().toLowerCase())
          .as(at)
          .doesNotContain("unsubscribe", "view this email", "hi ada,", "©");
      if (budget == 3) {
        assertThat(r.text()).as(at).contains(expect.get("contains"));
      }
    }
  }
}
