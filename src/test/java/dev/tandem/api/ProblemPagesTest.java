package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.support.TestApp;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pages a problem's type points at: one per code, an index, HTML or JSON, no API key. */
class ProblemPagesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void the_index_links_every_code_and_every_page_answers_in_html_and_json() throws Exception {
    try (TestApp tandem = TestApp.start()) {
      var index = get(tandem, "/problems", null);
      assertThat(index.statusCode()).isEqualTo(200);
      assertThat(index.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
      assertThat(index.headers().firstValue("Content-Security-Policy").orElse(""))
          .contains("default-src 'none'");

      var jsonIndex = JSON.readTree(get(tandem, "/problems", "application/json").body());
      assertThat(jsonIndex.get("items")).hasSize(ProblemTypes.all().size());

      var failures = new ArrayList<String>();
      for (var type : ProblemTypes.all()) {
        String path = "/problems/" + type.code();
        if (!index.body().contains("href=\"" + path + "\"")) {
          failures.add("the index has no link to " + path);
        }
        var page = get(tandem, path, "text/html,application/xhtml+xml,*/*;q=0.8");
        if (page.statusCode() != 200
            || !page.headers().firstValue("Content-Type").orElse("").startsWith("text/html")
            || !page.body().contains(PreferencePages.esc(type.fix()))) {
          failures.add(path + " as HTML: " + page.statusCode());
        }
        var json = get(tandem, path, "application/json");
        JsonNode body = JSON.readTree(json.body());
        if (json.statusCode() != 200
            || !body.path("code").asText().equals(type.code())
            || !body.path("type").asText().equals(path)
            || body.path("statuses").isEmpty()) {
          failures.add(path + " as JSON: " + json.statusCode() + " " + json.body());
        }
      }
      assertThat(failures).isEmpty();
    }
  }

  @Test
  void an_unknown_code_is_a_404_problem_whatever_the_client_accepts() throws Exception {
    try (TestApp tandem = TestApp.start()) {
      for (String accept : new String[] {null, "text/html", "application/json"}) {
        var answer =
            get(
                tandem,
                "/problems/" + URLEncoder.encode("<b>nope</b>", StandardCharsets.UTF_8),
                accept);
        assertThat(answer.statusCode()).isEqualTo(404);
        assertThat(answer.headers().firstValue("Content-Type").orElse(""))
            .startsWith("application/problem+json");
        JsonNode problem = JSON.readTree(answer.body());
        assertThat(problem.get("code").asText()).isEqualTo("problem-not-found");
        assertThat(problem.get("field").asText()).isEqualTo("code");
      }
    }
  }

  @Test
  void the_type_of_a_problem_the_api_answers_leads_to_its_page() throws Exception {
    try (TestApp tandem = TestApp.start()) {
      var refused = tandem.call("POST", "/v1/contacts", Map.of("phone", "12ab"));
      assertThat(refused.status()).isEqualTo(422);
      String type = refused.body().get("type").asText();
      assertThat(type).isEqualTo("/problems/invalid-phone");

      var page = get(tandem, type, null);
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("Invalid phone number").contains("How to fix it");
      assertThat(JSON.readTree(get(tandem, type, "application/json").body()).get("statuses"))
          .containsExactly(JSON.valueToTree(422));

      // the HTTP server's own refusals have pages too
      assertThat(get(tandem, "/problems/http-431", null).statusCode()).isEqualTo(200);
      assertThat(get(tandem, "/problems/http-418", "application/json").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void with_a_public_url_the_type_is_an_absolute_url() throws Exception {
    try (TestApp tandem = TestApp.start(Map.of("http.publicUrl", "https://tandem.example.org/"))) {
      var refused = tandem.call("GET", "/v1/contacts/not-an-id", null);
      assertThat(refused.status()).isEqualTo(404);
      assertThat(refused.body().get("type").asText())
          .isEqualTo("https://tandem.example.org/problems/not-found");
      JsonNode page = JSON.readTree(get(tandem, "/problems/not-found", "application/json").body());
      assertThat(page.get("type").asText())
          .isEqualTo("https://tandem.example.org/problems/not-found");
    }
  }

  private HttpResponse<String> get(TestApp tandem, String path, String accept) throws Exception {
    var request = HttpRequest.newBuilder(URI.create(tandem.app.url() + path)).GET();
    if (accept != null) {
      request.header("Accept", accept);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
