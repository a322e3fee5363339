package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.support.TestApp;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The browsable reference: every operation and schema, links that land, text escaped. */
class ApiReferenceTest {
  @Test
  void the_reference_page_shows_every_operation_and_schema_with_working_links() throws Exception {
    try (TestApp tandem = TestApp.start()) {
      var page = tandem.call("GET", "/docs/api", null, null); // no API key: like /openapi.json
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.contentType()).startsWith("text/html");
      assertThat(page.headers().get("content-security-policy").getFirst())
          .contains("default-src 'none'");
      String html = page.body().get("text").asText();

      JsonNode document = new ObjectMapper().readTree(ApiServer.openApiDocument());
      document
          .get("paths")
          .forEach(ops ->
              ops.forEach(op ->
                  assertThat(html).contains("id=\"op-" + op.get("operationId").asText() + "\"")));
      document
          .at("/components/schemas")
          .fieldNames()
          .forEachRemaining(name -> assertThat(html).contains("id=\"schema-" + name + "\""));
      Set<String> targets = new HashSet<>();
      var ids = Pattern.compile("id=\"([^\"]+)\"").matcher(html);
      while (ids.find()) {
        targets.add(ids.group(1));
      }
      var links = Pattern.compile("href=\"#([^\"]+)\"").matcher(html);
      int checked = 0;
      while (links.find()) {
        assertThat(targets).as("the target of #" + links.group(1)).contains(links.group(1));
        checked++;
      }
      assertThat(checked).as("links checked").isGreaterThan(50);
      assertThat(html)
          .as("text from the document is escaped")
          .contains("({{&gt; key}} in templates)")
          .doesNotContain("{{> key}}");
    }
  }
}
