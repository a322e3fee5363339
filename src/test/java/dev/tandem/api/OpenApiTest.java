package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.support.TestApp;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The OpenAPI document lists exactly the routes the server has, with the same methods. */
class OpenApiTest {
  @Test
  void openapi_document_describes_every_route_and_no_other() throws Exception {
    try (TestApp tandem = TestApp.start()) {
      JsonNode served = tandem.call("GET", "/openapi.json", null, null).body();
      JsonNode document = new ObjectMapper().readTree(ApiServer.openApiDocument());
      assertThat(served).isEqualTo(document);

      Set<String> documented = new HashSet<>();
      document
          .get("paths")
          .fields()
          .forEachRemaining(path ->
              path.getValue()
                  .fieldNames()
                  .forEachRemaining(method -> documented.add(method + " " + path.getKey())));
      Set<String> registered = new HashSet<>();
      for (ApiServer.Route route : tandem.app.api.routes()) {
        registered.add(route.method() + " " + route.path());
      }

      assertThat(registered).isNotEmpty();
      assertThat(documented).isEqualTo(registered);
    }
  }

  /**
   * What a client generator needs: a unique operationId and a declared tag on every operation, and
   * a schema with properties (or a reference) for every JSON answer, never a bare object.
   */
  @Test
  void every_operation_is_named_tagged_and_answers_a_described_shape() throws Exception {
    JsonNode document = new ObjectMapper().readTree(ApiServer.openApiDocument());
    Set<String> tags = new HashSet<>();
    document.get("tags").forEach(t -> tags.add(t.get("name").asText()));
    Set<String> ids = new HashSet<>();
    var problems = new java.util.ArrayList<String>();
    document
        .get("paths")
        .fields()
        .forEachRemaining(path ->
            path.getValue()
                .fields()
                .forEachRemaining(op -> {
                  String where = op.getKey() + " " + path.getKey();
                  JsonNode o = op.getValue();
                  if (!o.hasNonNull("operationId") || !ids.add(o.get("operationId").asText())) {
                    problems.add(where + ": no operationId, or one used twice");
                  }
                  if (!o.has("tags") || o.get("tags").isEmpty()) {
                    problems.add(where + ": no tag");
                  } else {
                    o.get("tags")
                        .forEach(t -> {
                          if (!tags.contains(t.asText())) {
                            problems.add(where + ": tag " + t + " is not declared");
                          }
                        });
                  }
                  o.path("responses")
                      .fields()
                      .forEachRemaining(r -> {
                        JsonNode schema = r.getValue().path("content").path("application/json");
                        if (schema.isMissingNode()) {
                          return;
                        }
                        JsonNode s = schema.path("schema");
                        if (!s.has("$ref")
                            && !s.has("properties")
                            && !s.has("items")
                            && !s.has("allOf")) {
                          problems.add(where + " " + r.getKey() + ": a bare schema");
                        }
                      });
                }));
    assertThat(document.get("servers")).isNotEmpty();
    assertThat(problems).isEmpty();
  }
}
