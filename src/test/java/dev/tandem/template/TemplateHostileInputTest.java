package dev.tandem.template;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.support.TestApp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad and hostile input on the template surfaces: a 4xx naming the field, never a 5xx or a hang.
 */
class TemplateHostileInputTest {
  static TestApp tandem;

  @BeforeAll
  static void start() {
    tandem = TestApp.start();
  }

  @AfterAll
  static void stop() {
    tandem.close();
  }

  static Map<String, Object> simple(String sms) {
    return Map.of(
        "sampleData",
        Map.of("n", "1"),
        "variants",
        Map.of("default", Map.of("sms", Map.of("text", sms))));
  }

  @Test
  void nested_sections_over_long_lists_are_refused_not_rendered_for_ever() {
    var saved =
        tandem.call(
            "PUT",
            "/v1/templates/bomb",
            Map.of(
                "sampleData",
                Map.of("a", List.of(1)),
                "variants",
                Map.of(
                    "default",
                    Map.of(
                        "sms",
                        Map.of("text", "{{#a}}{{#a}}{{#a}}{{#a}}x{{/a}}{{/a}}{{/a}}{{/a}}")))));
    assertThat(saved.status()).as(saved.body().toString()).isIn(200, 201);
    var list = new ArrayList<Integer>();
    for (int i = 0; i < 1_000; i++) {
      list.add(i);
    }
    JsonNode contact = tandem.aContact();
    var response =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "contactId",
                contact.get("id").asText(),
                "template",
                "bomb",
                "data",
                Map.of("a", list)));
    assertThat(response.status()).as(response.body().toString()).isEqualTo(422);
    assertThat(response.body().get("code").asText()).isEqualTo("rendered-too-large");

    // sections that write nothing still iterate: the work is bounded, not only the output
    var silent =
        tandem.call(
            "PUT",
            "/v1/templates/bomb2",
            Map.of(
                "sampleData",
                Map.of("a", List.of(1)),
                "variants",
                Map.of(
                    "default",
                    Map.of(
                        "sms",
                        Map.of("text", "x{{#a}}{{#a}}{{#a}}{{#a}}{{/a}}{{/a}}{{/a}}{{/a}}")))));
    assertThat(silent.status()).as(silent.body().toString()).isIn(200, 201);
    var quiet =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "contactId",
                contact.get("id").asText(),
                "template",
                "bomb2",
                "data",
                Map.of("a", list)));
    assertThat(quiet.status()).as(quiet.body().toString()).isEqualTo(422);
    assertThat(quiet.body().get("detail").asText()).contains("section iterations");
  }

  @Test
  void a_snippet_that_would_include_itself_is_refused() {
    assertThat(tandem.call("PUT", "/v1/snippets/loop-a", Map.of("text", "A")).status())
        .isIn(200, 201);
    assertThat(tandem.call("PUT", "/v1/snippets/loop-b", Map.of("text", "B {{> loop-a}}")).status())
        .isIn(200, 201);
    var cycle = tandem.call("PUT", "/v1/snippets/loop-a", Map.of("text", "A {{> loop-b}}"));
    assertThat(cycle.status()).as(cycle.body().toString()).isEqualTo(422);
    assertThat(cycle.body().get("code").asText()).isEqualTo("snippet-include-cycle");
    var self =
        tandem.call(
            "PUT", "/v1/snippets/loop-c", Map.of("html", "<b>{{> loop-c}}</b>", "text", "c"));
    assertThat(self.status()).isEqualTo(422);
    var inUse = tandem.call("DELETE", "/v1/snippets/loop-a", null);
    assertThat(inUse.status()).isEqualTo(409);
    assertThat(inUse.body().get("detail").asText()).contains("loop-b");
  }

  @Test
  void a_snippet_edit_that_would_break_a_template_is_refused_naming_it() {
    assertThat(tandem.call("PUT", "/v1/snippets/sign-off", Map.of("text", "Bye")).status())
        .isIn(200, 201);
    var saved =
        tandem.call(
            "PUT",
            "/v1/templates/uses-sign-off",
            Map.of(
                "sampleData", Map.of("n", "1"),
                "variants",
                    Map.of("default", Map.of("sms", Map.of("text", "Code {{n}} {{> sign-off}}")))));
    assertThat(saved.status()).as(saved.body().toString()).isIn(200, 201);

    var breaking = tandem.call("PUT", "/v1/snippets/sign-off", Map.of("text", "Bye {{agent}}"));
    assertThat(breaking.status()).as(breaking.body().toString()).isEqualTo(422);
    assertThat(breaking.body().get("code").asText()).isEqualTo("snippet-breaks-templates");
    assertThat(breaking.body().get("detail").asText()).contains("uses-sign-off");
    assertThat(breaking.body().get("findings").findValuesAsText("field"))
        .contains("sampleData.agent");
    assertThat(tandem.call("GET", "/v1/snippets/sign-off", null).body().get("text").asText())
        .isEqualTo("Bye");
    assertThat(tandem.call("PUT", "/v1/snippets/sign-off", Map.of("text", "Bye for now")).status())
        .isEqualTo(200);
  }

  @Test
  void a_malformed_template_is_a_422_naming_the_field() {
    record Case(Object body, String field) {}
    for (var c :
        List.of(
            new Case(Map.of("variants", "nope"), "variants"),
            new Case(
                Map.of(
                    "variants",
                    Map.of(
                        "default",
                        Map.of("sms", Map.of("text", "x")),
                        "x!y",
                        Map.of("sms", Map.of("text", "y")))),
                "variants.x!y"),
            new Case(
                Map.of("variants", Map.of("de", Map.of("sms", Map.of("text", "x")))),
                "variants.default"),
            new Case(
                Map.of("variants", Map.of("default", Map.of("email", Map.of("subject", "s")))),
                "variants.default.email.html"),
            new Case(
                Map.of("variants", Map.of("default", Map.of("sms", Map.of("text", 7)))),
                "variants.default.sms.text"),
            new Case(
                Map.of(
                    "variants",
                    Map.of("default", Map.of("sms", Map.of("text", "x", "trackLinks", "no")))),
                "variants.default.sms.trackLinks"),
            new Case(
                Map.of("variants", Map.of("default", Map.of("fax", Map.of()))),
                "variants.default.fax"),
            new Case(
                Map.of(
                    "sampleData",
                    List.of(1),
                    "variants",
                    Map.of("default", Map.of("sms", Map.of("text", "x")))),
                "sampleData"),
            new Case(
                Map.of(
                    "topic",
                    "no-such-topic",
                    "variants",
                    Map.of("default", Map.of("sms", Map.of("text", "x")))),
                "topic"),
            new Case(Map.of("bogus", 1, "variants", Map.of()), "bogus"))) {
      var response = tandem.call("PUT", "/v1/templates/malformed", c.body());
      assertThat(response.status()).as(c + " → " + response.body()).isEqualTo(422);
      assertThat(response.body().get("field").asText()).as(c.toString()).isEqualTo(c.field());
    }
    var badKey = tandem.call("PUT", "/v1/templates/Bad%20Key", simple("x"));
    assertThat(badKey.status()).isEqualTo(422);
    assertThat(badKey.body().get("field").asText()).isEqualTo("key");
    assertThat(tandem.call("PUT", "/v1/templates/malformed", "{not json").status()).isEqualTo(400);
    assertThat(tandem.call("GET", "/v1/templates/malformed", null).status()).isEqualTo(404);
  }

  @Test
  void a_bad_templated_send_is_refused_naming_the_field_and_writes_nothing() {
    assertThat(tandem.call("PUT", "/v1/templates/plain", simple("Code {{n}}")).status())
        .isIn(200, 201);
    String contact = tandem.aContact().get("id").asText();
    record Case(Map<String, Object> body, int status, String field) {}
    for (var c :
        List.of(
            new Case(
                Map.of(
                    "contactId",
                    contact,
                    "template",
                    "plain",
                    "data",
                    Map.of("n", "1"),
                    "sms",
                    Map.of("text", "x")),
                422,
                "template"),
            new Case(
                Map.of("contactId", contact, "template", "plain", "data", List.of(1)), 422, "data"),
            new Case(
                Map.of(
                    "contactId",
                    contact,
                    "template",
                    "plain",
                    "data",
                    Map.of("n", "1"),
                    "templateVersion",
                    "1"),
                422,
                "templateVersion"),
            new Case(
                Map.of(
                    "contactId",
                    contact,
                    "template",
                    "plain",
                    "data",
                    Map.of("n", "1"),
                    "templateVersion",
                    99),
                404,
                "template"),
            new Case(
                Map.of("contactId", contact, "template", "nope", "data", Map.of()),
                404,
                "template"),
            new Case(
                Map.of(
                    "contactId",
                    contact,
                    "template",
                    "plain",
                    "data",
                    Map.of("n", "1"),
                    "locale",
                    "!!"),
                422,
                "template.locale"),
            new Case(
                Map.of(
                    "contactId",
                    contact,
                    "template",
                    "plain",
                    "data",
                    Map.of("n", "1"),
                    "channels",
                    List.of("email")),
                422,
                "channels"),
            new Case(
                Map.of(
                    "contactId",
                    contact,
                    "template",
                    "plain",
                    "data",
                    Map.of("n", "x".repeat(2000))),
                422,
                "variants.default.sms.text"),
            new Case(
                Map.of("contactId", contact, "data", Map.of("n", "1"), "sms", Map.of("text", "x")),
                422,
                "data"))) {
      var response = tandem.call("POST", "/v1/messages", c.body());
      assertThat(response.status()).as(c + " → " + response.body()).isEqualTo(c.status());
      assertThat(response.body().get("field").asText()).as(c.toString()).isEqualTo(c.field());
    }
    assertThat(tandem.call("GET", "/v1/contacts/" + contact + "/timeline", null).body().toString())
        .doesNotContain("message.accepted");
  }

  @Test
  void a_made_up_short_link_is_a_404_whatever_its_shape() throws Exception {
    var client = java.net.http.HttpClient.newHttpClient();
    for (String code : List.of("AAAAAAAAAA", "x", "%2e%2e%2f", "A".repeat(5000), "PREVIEW000")) {
      var response =
          client.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(tandem.app.url() + "/s/" + code))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(code).isIn(404, 414, 431);
    }
  }

  @Test
  void a_preview_for_an_unknown_contact_or_template_is_a_404() {
    assertThat(tandem.call("PUT", "/v1/templates/plain", simple("Code {{n}}")).status())
        .isIn(200, 201);
    assertThat(
            tandem
                .call(
                    "POST",
                    "/v1/templates/plain/preview",
                    Map.of("contactId", java.util.UUID.randomUUID().toString()))
                .status())
        .isEqualTo(404);
    assertThat(tandem.call("POST", "/v1/templates/none/preview", Map.of()).status()).isEqualTo(404);
    assertThat(
            tandem
                .call("POST", "/v1/templates/plain/preview", Map.of("channels", List.of("sms")))
                .status())
        .isEqualTo(422);
  }
}
