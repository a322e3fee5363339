package dev.tandem.template;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.sandbox.SmscSimulator;
import dev.tandem.support.TestApp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Templates through the API: saved as versions, linted, rendered per locale, sent, previewed. */
class TemplateApiTest {
  static TestApp tandem;

  @BeforeAll
  static void start() {
    tandem = TestApp.start();
    var footer =
        tandem.call(
            "PUT",
            "/v1/snippets/signature",
            Map.of(
                "text", "- The Acme team", "html", "<p class=\"sig\">&mdash; The Acme team</p>"));
    assertThat(footer.status()).as(footer.body().toString()).isIn(200, 201);
  }

  @AfterAll
  static void stop() {
    tandem.close();
  }

  static Map<String, Object> orderShipped(String defaultSubject) {
    var variants = new LinkedHashMap<String, Object>();
    variants.put(
        "default",
        Map.of(
            "email",
            Map.of(
                "subject",
                defaultSubject,
                "html",
                "<p>Hi {{contact.firstName}},</p><p>Order {{order}} for {{item}} is on its way"
                    + " and arrives {{eta}}.</p><p><a class=\"button\" href=\"{{trackUrl}}\">Track"
                    + " it</a></p>{{> signature}}",
                "text",
                "Hi {{contact.firstName}},\n\nOrder {{order}} for {{item}} is on its way and"
                    + " arrives {{eta}}.\nTrack it: {{trackUrl}}\n\n{{> signature}}"),
            "sms",
            Map.of(
                "text",
                "Acme: order {{order}} ships today, arrives {{eta}}. Track: {{trackUrl}}")));
    variants.put(
        "pt-BR",
        Map.of(
            "email",
            Map.of(
                "subject",
                "Seu pedido {{order}} foi enviado",
                "html",
                "<p>Olá {{contact.firstName}},</p><p>O pedido {{order}} ({{item}}) chega"
                    + " {{eta}}.</p><p><a class=\"button\" href=\"{{trackUrl}}\">Rastrear</a></p>"
                    + "{{> signature}}",
                "text",
                "Olá {{contact.firstName}}, o pedido {{order}} ({{item}}) chega {{eta}}."
                    + " Rastrear: {{trackUrl}} {{> signature}}")));
    return Map.of(
        "description",
        "Sent when an order leaves the warehouse",
        "sampleData",
        Map.of(
            "order",
            "1042",
            "item",
            "Blue <Kettle>",
            "eta",
            "Thursday",
            "trackUrl",
            "https://shop.example/track/1042"),
        "variants",
        variants);
  }

  List<String> smsTo(String phone) {
    var texts = new ArrayList<String>();
    for (SmscSimulator.Submitted s : tandem.app.sandboxSmsc.orElseThrow().received()) {
      if (("+" + s.to()).equals(phone) || s.to().equals(phone)) {
        texts.add(s.text());
      }
    }
    return texts;
  }

  String emailTo(String address) {
    return tandem.app.sandboxSmtp.orElseThrow().received().stream()
        .filter(e -> e.envelopeTo().contains(address))
        .map(e -> e.subject() + "\n" + e.raw())
        .findFirst()
        .orElse(null);
  }

  @Test
  void a_templated_send_renders_both_channels_in_the_contacts_locale_and_records_the_version() {
    var saved =
        tandem.call(
            "PUT", "/v1/templates/order-shipped", orderShipped("Your order {{order}} has shipped"));
    assertThat(saved.status()).as(saved.body().toString()).isIn(200, 201);
    int version = saved.body().get("version").asInt();
    JsonNode ana =
        tandem.createContact(
            Map.of(
                "phone",
                TestApp.uniquePhone(),
                "email",
                TestApp.uniqueEmail(),
                "name",
                "Ana Souza",
                "locale",
                "pt_br"));
    assertThat(ana.get("locale").asText()).isEqualTo("pt-BR");

    var sent =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "contactId", ana.get("id").asText(),
                "channels", List.of("sms", "email"),
                "template", "order-shipped",
                "data",
                    Map.of(
                        "order",
                        "1042",
                        "item",
                        "Chaleira <Azul>",
                        "eta",
                        "quinta-feira",
                        "trackUrl",
                        "https://shop.example/track/1042")));
    assertThat(sent.status()).as(sent.body().toString()).isEqualTo(202);
    tandem.app.dispatcher.drain();

    String phone = ana.get("phone").asText();
    Awaitility.await().until(() -> !smsTo(phone).isEmpty());
    String sms = smsTo(phone).get(0);
    // pt-BR has no SMS: it is derived from the pt-BR email, not taken from the English default
    assertThat(sms).startsWith("Seu pedido 1042 foi enviado").contains("/s/");
    assertThat(sms).doesNotContain("shop.example");
    String email = emailTo(ana.get("email").asText());
    assertThat(email).startsWith("Seu pedido 1042 foi enviado");
    assertThat(email).contains("Chaleira &lt;Azul&gt;").contains("The Acme team");

    var row =
        tandem
            .app
            .database
            .jdbi()
            .withHandle(h ->
                h.createQuery(
                        "SELECT template_key, template_version, locale FROM message WHERE id ="
                            + " CAST(:id AS uuid)")
                    .bind("id", sent.body().get("id").asText())
                    .mapToMap()
                    .one());
    assertThat(row).containsEntry("template_key", "order-shipped");
    assertThat(row).containsEntry("template_version", version);
    assertThat(row).containsEntry("locale", "pt-BR");
    JsonNode shown = tandem.message(sent.body().get("id").asText());
    assertThat(shown.get("template").get("key").asText()).isEqualTo("order-shipped");
    assertThat(shown.get("template").get("version").asInt()).isEqualTo(version);
    assertThat(shown.get("template").get("locale").asText()).isEqualTo("pt-BR");
  }

  @Test
  void a_retried_templated_send_is_the_same_message_and_an_edit_in_between_changes_nothing_sent() {
    tandem.call("PUT", "/v1/templates/retry", orderShipped("Shipped: {{order}}"));
    JsonNode contact = tandem.aContact();
    Map<String, Object> request =
        Map.of(
            "contactId", contact.get("id").asText(),
            "channels", List.of("sms", "email"),
            "template", "retry",
            "idempotencyKey", "retry-" + contact.get("id").asText(),
            "data",
                Map.of(
                    "order",
                    "9",
                    "item",
                    "Cup",
                    "eta",
                    "Friday",
                    "trackUrl",
                    "https://shop.example/t/9"));
    var first = tandem.call("POST", "/v1/messages", request);
    assertThat(first.status()).as(first.body().toString()).isEqualTo(202);
    // the template changes before the retry arrives: the retry is still the first message
    tandem.call("PUT", "/v1/templates/retry", orderShipped("Changed: {{order}}"));
    var again = tandem.call("POST", "/v1/messages", request);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.body().get("id").asText()).isEqualTo(first.body().get("id").asText());

    var other = new java.util.HashMap<>(request);
    other.put(
        "data",
        Map.of(
            "order",
            "10",
            "item",
            "Cup",
            "eta",
            "Friday",
            "trackUrl",
            "https://shop.example/t/10"));
    assertThat(tandem.call("POST", "/v1/messages", other).status()).isEqualTo(409);

    tandem.app.dispatcher.drain();
    Awaitility.await().until(() -> emailTo(contact.get("email").asText()) != null);
    assertThat(emailTo(contact.get("email").asText())).startsWith("Shipped: 9");
    assertThat(
            tandem.message(first.body().get("id").asText()).get("template").get("version").asInt())
        .isEqualTo(
            tandem.call("GET", "/v1/templates/retry", null).body().get("version").asInt() - 1);

    // and after the template is deleted, the retry is still answered with the message
    assertThat(tandem.call("DELETE", "/v1/templates/retry", null).status()).isEqualTo(204);
    var afterDelete = tandem.call("POST", "/v1/messages", request);
    assertThat(afterDelete.status()).as(afterDelete.body().toString()).isEqualTo(200);
    assertThat(afterDelete.body().get("id").asText()).isEqualTo(first.body().get("id").asText());
  }

  @Test
  void links_unsubscribe_and_view_become_the_deliverys_own_signed_links() throws Exception {
    var saved =
        tandem.call(
            "PUT",
            "/v1/templates/with-links",
            Map.of(
                "variants",
                Map.of(
                    "default",
                    Map.of(
                        "email",
                        Map.of(
                            "subject", "Hello",
                            "html",
                                "<p>News.</p><a href=\"{{links.view}}\">View online</a>"
                                    + " <a href=\"{{links.unsubscribe}}\">Unsubscribe</a>",
                            "text", "News. Unsubscribe: {{links.unsubscribe}}")))));
    assertThat(saved.status()).as(saved.body().toString()).isIn(200, 201);
    JsonNode contact = tandem.aContact();
    String id =
        tandem.send(
            Map.of(
                "contactId", contact.get("id").asText(),
                "channels", List.of("email"),
                "template", "with-links",
                "email", Map.of("tracking", "on")));
    tandem.app.dispatcher.drain();
    Awaitility.await().until(() -> emailTo(contact.get("email").asText()) != null);
    String raw =
        tandem.app.sandboxSmtp.orElseThrow().received().stream()
            .filter(e -> e.envelopeTo().contains(contact.get("email").asText()))
            .findFirst()
            .orElseThrow()
            .raw();
    var message =
        new jakarta.mail.internet.MimeMessage(
            jakarta.mail.Session.getInstance(new java.util.Properties()),
            new java.io.ByteArrayInputStream(
                raw.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    var alternative = (jakarta.mail.Multipart) message.getContent();
    String text = (String) alternative.getBodyPart(0).getContent();
    String html = (String) alternative.getBodyPart(1).getContent();
    String unsubscribe = tandem.app.publicUrl() + "/u/";
    assertThat(text).contains(unsubscribe).doesNotContain("tandem:");
    assertThat(html)
        .as("the unsubscribe link is direct, not a tracked click redirect")
        .contains("href=\"" + unsubscribe)
        .contains("href=\"" + tandem.app.publicUrl() + "/v/")
        .contains("/t/o/") // tracking is on: the open pixel
        .doesNotContain("tandem:");
    // the unsubscribe link in the body is the delivery's own: its page names this email
    String link =
        html.substring(html.indexOf(unsubscribe), html.indexOf('"', html.indexOf(unsubscribe)));
    var page =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(link)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("Unsubscribe");
    assertThat(id).isNotBlank();
  }

  @Test
  void a_short_link_code_that_is_taken_already_is_refused_so_the_accept_can_render_anew() {
    tandem.call(
        "PUT", "/v1/templates/order-shipped", orderShipped("Your order {{order}} has shipped"));
    JsonNode contact = tandem.aContact();
    String first =
        tandem.send(
            Map.of(
                "contactId", contact.get("id").asText(),
                "channels", List.of("sms"),
                "template", "order-shipped",
                "data",
                    Map.of(
                        "order",
                        "1",
                        "item",
                        "Mug",
                        "eta",
                        "Monday",
                        "trackUrl",
                        "https://a.example/1")));
    String second =
        tandem.send(
            Map.of(
                "contactId", contact.get("id").asText(),
                "channels", List.of("sms"),
                "template", "order-shipped",
                "data",
                    Map.of(
                        "order",
                        "2",
                        "item",
                        "Mug",
                        "eta",
                        "Monday",
                        "trackUrl",
                        "https://a.example/2")));
    var jdbi = tandem.app.database.jdbi();
    String code =
        jdbi.withHandle(h ->
            h.createQuery("SELECT code FROM short_link WHERE message_id = CAST(:id AS uuid)")
                .bind("id", first)
                .mapTo(String.class)
                .one());
    org.assertj.core.api.Assertions.assertThatThrownBy(() ->
            jdbi.useTransaction(h ->
                tandem.app.shortLinks.record(
                    h,
                    java.util.UUID.fromString(second),
                    java.util.UUID.fromString(contact.get("id").asText()),
                    List.of(
                        new TemplateRenderer.Link("https://evil.example/", "https://x/s/" + code)),
                    java.time.Instant.now())))
        .isInstanceOf(ShortLinks.CodeTaken.class);
    String stored =
        jdbi.withHandle(h ->
            h.createQuery("SELECT url FROM short_link WHERE code = :code")
                .bind("code", code)
                .mapTo(String.class)
                .one());
    assertThat(stored).isEqualTo("https://a.example/1");
  }

  @Test
  void a_missing_variable_is_a_422_naming_it_and_nothing_is_sent() {
    tandem.call(
        "PUT", "/v1/templates/order-shipped", orderShipped("Your order {{order}} has shipped"));
    JsonNode contact = tandem.aContact();
    var response =
        tandem.call(
            "POST",
            "/v1/messages",
            Map.of(
                "contactId", contact.get("id").asText(),
                "template", "order-shipped",
                "data",
                    Map.of("order", "1042", "item", "Kettle", "trackUrl", "https://x.example/t")));
    assertThat(response.status()).as(response.body().toString()).isEqualTo(422);
    assertThat(response.body().get("code").asText()).isEqualTo("template-variable-missing");
    assertThat(response.body().get("field").asText()).isEqualTo("data.eta");
    assertThat(response.body().get("detail").asText()).contains("{{eta}}");
  }

  @Test
  void editing_a_template_makes_a_new_version_and_an_identical_save_makes_none() {
    var first = tandem.call("PUT", "/v1/templates/versioned", orderShipped("Shipped: {{order}}"));
    assertThat(first.status()).as(first.body().toString()).isEqualTo(201);
    var same = tandem.call("PUT", "/v1/templates/versioned", orderShipped("Shipped: {{order}}"));
    assertThat(same.status()).isEqualTo(200);
    assertThat(same.body().get("changed").asBoolean()).isFalse();
    assertThat(same.body().get("version").asInt()).isEqualTo(1);
    var edited =
        tandem.call("PUT", "/v1/templates/versioned", orderShipped("On its way: {{order}}"));
    assertThat(edited.body().get("version").asInt()).isEqualTo(2);
    var old = tandem.call("GET", "/v1/templates/versioned?version=1", null);
    assertThat(old.body().get("variants").get("default").get("email").get("subject").asText())
        .isEqualTo("Shipped: {{order}}");
    assertThat(tandem.call("GET", "/v1/templates/versioned/versions", null).body().get("items"))
        .hasSize(2);
  }

  @Test
  void a_template_with_lint_errors_is_refused_with_each_finding() {
    Map<String, Object> bad =
        Map.of(
            "sampleData",
            Map.of("order", "1042"),
            "variants",
            Map.of(
                "default",
                Map.of(
                    "email",
                        Map.of("subject", "Order {{order}}", "html", "<p>{{eta}} {{> nope}}</p>"),
                    "sms", Map.of("text", "x".repeat(400)))));
    var response = tandem.call("PUT", "/v1/templates/bad-one", bad);
    assertThat(response.status()).as(response.body().toString()).isEqualTo(422);
    assertThat(response.body().get("findings").findValuesAsText("code"))
        .contains("snippet-missing");
    assertThat(tandem.call("GET", "/v1/templates/bad-one", null).status()).isEqualTo(404);
  }

  @Test
  void a_preview_shows_both_channels_segments_and_the_plan_without_sending() {
    tandem.call(
        "PUT", "/v1/templates/order-shipped", orderShipped("Your order {{order}} has shipped"));
    JsonNode contact = tandem.aContact();
    int before = tandem.app.sandboxSmsc.orElseThrow().received().size();
    var preview =
        tandem.call(
            "POST",
            "/v1/templates/order-shipped/preview",
            Map.of("contactId", contact.get("id").asText(), "channels", List.of("sms", "email")));
    assertThat(preview.status()).as(preview.body().toString()).isEqualTo(200);
    JsonNode body = preview.body();
    assertThat(body.get("email").get("subject").asText()).isEqualTo("Your order 1042 has shipped");
    assertThat(body.get("email").get("html").asText()).contains("Blue &lt;Kettle&gt;");
    assertThat(body.get("sms").get("source").asText()).isEqualTo("template");
    assertThat(body.get("sms").get("encoding").asText()).isEqualTo("GSM7");
    assertThat(body.get("sms").get("segments").asInt()).isEqualTo(1);
    assertThat(body.get("sms").get("text").asText()).contains("/s/PREVIEW000");
    assertThat(body.get("message").get("plan").get("steps")).isNotEmpty();
    assertThat(body.get("pointerSms").get("text").asText()).contains("details in your inbox");
    tandem.app.dispatcher.drain();
    assertThat(tandem.app.sandboxSmsc.orElseThrow().received()).hasSize(before);
  }

  @Test
  void a_short_link_redirects_to_its_stored_target_and_records_the_click() throws Exception {
    tandem.call(
        "PUT", "/v1/templates/order-shipped", orderShipped("Your order {{order}} has shipped"));
    JsonNode contact = tandem.aContact();
    String id =
        tandem.send(
            Map.of(
                "contactId", contact.get("id").asText(),
                "channels", List.of("sms"),
                "template", "order-shipped",
                "data",
                    Map.of(
                        "order",
                        "7",
                        "item",
                        "Mug",
                        "eta",
                        "Monday",
                        "trackUrl",
                        "https://shop.example/track/7")));
    tandem.app.dispatcher.drain();
    String phone = contact.get("phone").asText();
    Awaitility.await().until(() -> !smsTo(phone).isEmpty());
    String sms = smsTo(phone).get(0);
    String link =
        sms.substring(
            sms.indexOf("http"),
            sms.indexOf("http") + sms.substring(sms.indexOf("http")).indexOf("/s/") + 13);
    String path = link.substring(link.indexOf("/s/"));

    var client = java.net.http.HttpClient.newHttpClient();
    // a messaging app fetching the link for its preview is not a click
    var preview =
        client.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(tandem.app.url() + path))
                .header("User-Agent", "facebookexternalhit/1.1 Facebot Twitterbot/1.0")
                .build(),
            java.net.http.HttpResponse.BodyHandlers.discarding());
    assertThat(preview.statusCode()).isEqualTo(302);
    assertThat(
            tandem
                .call("GET", "/v1/contacts/" + contact.get("id").asText() + "/timeline", null)
                .body()
                .toString())
        .doesNotContain("sms.clicked");
    var response =
        client.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(tandem.app.url() + path))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.discarding());
    assertThat(response.statusCode()).isEqualTo(302);
    assertThat(response.headers().firstValue("Location")).contains("https://shop.example/track/7");
    JsonNode timeline =
        tandem.call("GET", "/v1/contacts/" + contact.get("id").asText() + "/timeline", null).body();
    assertThat(timeline.toString()).contains("sms.clicked").contains(id);

    // the person's export shows the link and its clicks; erasure removes it, and it stops working
    String contactId = contact.get("id").asText();
    JsonNode export = tandem.call("GET", "/v1/contacts/" + contactId + "/export", null).body();
    assertThat(export.toString())
        .contains("https://shop.example/track/7")
        .contains("order-shipped");
    assertThat(tandem.call("DELETE", "/v1/contacts/" + contactId, null).status()).isEqualTo(200);
    var afterErasure =
        client.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(tandem.app.url() + path))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.discarding());
    assertThat(afterErasure.statusCode()).isEqualTo(404);

    String forged = path.substring(0, path.length() - 1) + (path.endsWith("A") ? "B" : "A");
    var refused =
        client.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(tandem.app.url() + forged))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.discarding());
    assertThat(refused.statusCode()).isEqualTo(404);
  }
}
