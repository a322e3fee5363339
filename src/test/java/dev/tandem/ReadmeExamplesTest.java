package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tandem.support.TestApp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every curl example in README.md runs against a live Tandem and succeeds. */
class ReadmeExamplesTest {
  @Test
  void every_curl_example_in_the_readme_runs() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is not installed");
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    List<String> blocks = new ArrayList<>();
    Matcher m = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    while (m.find()) {
      if (m.group(1).contains("curl ")) {
        blocks.add(m.group(1));
      }
    }
    assertThat(blocks).hasSizeGreaterThanOrEqualTo(4);

    try (TestApp tandem = TestApp.start()) {
      for (String block : blocks) {
        var process =
            new ProcessBuilder("bash", "-euo", "pipefail", "-c", block).redirectErrorStream(true);
        process.environment().put("TANDEM_URL", tandem.app.url());
        process.environment().put("TANDEM_KEY", TestApp.API_KEY);
        Process run = process.start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as(block + "\n→ " + output).isZero();
      }
      assertThat(tandem.app.dispatcher.drain())
          .isEqualTo(8); // both of the order, the two of the batch, the parcel SMS (its email is
      // held), both of the templated order, the news email
      var found =
          tandem.call("GET", "/v1/contacts?phone=%2B447911123456", null).body().get("items");
      assertThat(found).hasSize(1);
    }
  }
}
