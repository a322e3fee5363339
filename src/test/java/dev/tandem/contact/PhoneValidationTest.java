package dev.tandem.contact;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.support.TestApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The API and CSV imports accept the same numbers: possible ones marked not valid by default, known
 * ranges only with {@code contacts.phoneValidation: strict}.
 */
class PhoneValidationTest {
  private static final String NEW_UK_RANGE = "+447700900123";
  private static final String NEW_US_RANGE = "+15550001111";
  private TestApp tandem;

  @AfterEach
  void stop() {
    tandem.close();
  }

  private JsonNode importCsv(String csv) throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create(tandem.app.url() + "/v1/imports?topic=news"))
            .header("Authorization", "Bearer " + TestApp.API_KEY)
            .header("Content-Type", "text/csv")
            .POST(HttpRequest.BodyPublishers.ofString(csv))
            .build();
    var response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new ObjectMapper().readTree(response.body());
  }

  private JsonNode contactByPhone(String phone) {
    var found = tandem.call("GET", "/v1/contacts?phone=" + phone.replace("+", "%2B"), null).body();
    assertThat(found.get("items")).as(phone).hasSize(1);
    return tandem
        .call("GET", "/v1/contacts/" + found.get("items").get(0).get("id").asText(), null)
        .body();
  }

  @Test
  void an_import_accepts_possible_numbers_like_the_api_and_the_contact_shows_them_not_valid()
      throws Exception {
    tandem = TestApp.start();
    String known = TestApp.uniquePhone();

    JsonNode report =
        importCsv("phone,name\n" + NEW_UK_RANGE + ",Ann\n(555) 000-1111,Bob\n" + known + ",Cy\n");

    assertThat(report.get("created").asLong()).as(report.toString()).isEqualTo(3);
    for (String phone : new String[] {NEW_UK_RANGE, NEW_US_RANGE}) {
      JsonNode contact = contactByPhone(phone);
      assertThat(contact.get("phoneDetails").get(0).get("valid").asBoolean()).isFalse();
      assertThat(contact.get("warnings").get(0).get("code").asText()).isEqualTo("phone-not-valid");
    }
    assertThat(contactByPhone(known).get("warnings")).isEmpty();
  }

  @Test
  void strict_validation_refuses_the_same_numbers_in_the_api_and_in_imports() throws Exception {
    tandem = TestApp.start(Map.of("contacts.phoneValidation", "strict"));

    var created = tandem.call("POST", "/v1/contacts", Map.of("phone", NEW_US_RANGE));
    assertThat(created.status()).isEqualTo(422);
    assertThat(created.body().get("field").asText()).isEqualTo("phone");
    assertThat(created.body().get("detail").asText()).contains(NEW_US_RANGE);

    JsonNode report =
        importCsv("phone,name\n" + TestApp.uniquePhone() + ",Ann\n" + NEW_UK_RANGE + ",Bob\n");
    assertThat(report.get("created").asLong()).isEqualTo(1);
    assertThat(report.get("rejected").asLong()).isEqualTo(1);
    assertThat(report.get("rejectedRows").get(0).get("line").asLong()).isEqualTo(3);
    assertThat(report.get("rejectedRows").get(0).get("reason").asText()).contains(NEW_UK_RANGE);
  }
}
