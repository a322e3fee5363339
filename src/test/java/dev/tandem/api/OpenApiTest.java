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
}
