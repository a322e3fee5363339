package dev.tandem.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.email.inbound.MailClassifier;
import dev.tandem.support.TestApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Export and erasure of one person who has used every channel Tandem has. */
class PrivacyTest {
  private static final String PHONE = "+14155557777";
  private static final String EMAIL = "erin.erasable@example.com";
  private static final String NAME = "Erin Erasable";
  private TestApp tandem;
  private String id;

  @BeforeEach
  void aPersonWhoUsedEverything() throws Exception {
    tandem = TestApp.start();
    JsonNode report =
        importCsv(
            "phone,email,name,external_id,email_consent,email_consent_date,email_consent_wording\n"
                + PHONE
                + ","
                + EMAIL
                + ","
                + NAME
                + ",crm-erin,yes,2026-01-02,Send me the newsletter\n");
    assertThat(report.get("created").asLong()).isEqualTo(1);
    id =
        tandem
            .call("GET", "/v1/contacts?phone=%2B14155557777", null)
            .body()
            .get("items")
            .get(0)
            .get("id")
            .asText();

    String message =
        tandem.send(
            Map.of(
                "contactId",
                id,
                "channels",
                List.of("sms", "email"),
                "sms",
                Map.of("text", "Hi Erin, your order shipped"),
                "email",
                Map.of("subject", "Order shipped, Erin", "text", "Hi Erin Erasable")));
    tandem.app.dispatcher.drain();
    tandem.awaitStatus(message, "sms", "delivered");
    var smsc = tandem.app.sandboxSmsc.orElseThrow();
    smsc.injectMo(PHONE, "Tandem", "wrong number, leave me alone");
    smsc.injectMo(PHONE, "Tandem", "HELP");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() ->
            count("SELECT count(*) FROM inbound_sms") == 2
                && count("SELECT count(*) FROM contact_flag") == 1);
    tandem.app.dispatcher.drain();
    String deliveryId = tandem.delivery(message, "email").get("id").asText();
    String reply =
        "From: "
            + NAME
            + " <"
            + EMAIL
            + ">\r\nTo: reply@shop.example\r\nSubject: Re: Order shipped\r\n"
            + "In-Reply-To: <"
            + deliveryId
            + "@tandem.localhost>\r\n\r\nThanks! Call me on "
            + PHONE
            + ".\r\n";
    byte[] raw = reply.getBytes(StandardCharsets.UTF_8);
    tandem.app.inboundEmails.record(MailClassifier.classify(raw, List.of()), raw.length);
  }

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
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
  }

  private long count(String sql) {
    long n = tandem.app.database.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    return n;
  }

  /** Every table and row in the database whose text holds {@code needle}. */
  private List<String> whereFound(String needle) {
    return tandem
        .app
        .database
        .jdbi()
        .withHandle(h -> {
          List<String> tables =
              h.createQuery(
                      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                          + " AND table_type = 'BASE TABLE'")
                  .mapTo(String.class)
                  .list();
          assertThat(tables)
              .contains("contact", "message", "delivery", "inbound_sms", "event", "change");
          var found = new ArrayList<String>();
          for (String table : tables) {
            h.createQuery("SELECT t::text FROM \"" + table + "\" t WHERE t::text ILIKE :needle")
                .bind("needle", "%" + needle + "%")
                .mapTo(String.class)
                .forEach(row -> found.add(table + ": " + row));
          }
          return found;
        });
  }

  @Test
  void the_export_holds_everything_about_the_person() {
    var response = tandem.call("GET", "/v1/contacts/" + id + "/export", null);
    assertThat(response.status()).isEqualTo(200);
    JsonNode export = response.body();
    assertThat(export.get("contact").get("name").asText()).isEqualTo(NAME);
    assertThat(export.get("contact").get("addresses").findValuesAsText("value"))
        .containsExactlyInAnyOrder(PHONE, EMAIL);
    assertThat(export.get("consents").get(0).get("wording").asText())
        .isEqualTo("Send me the newsletter");
    assertThat(export.get("messages").findValuesAsText("channel")).contains("sms", "email");
    assertThat(export.get("inboundSms").findValuesAsText("text"))
        .containsExactlyInAnyOrder("wrong number, leave me alone", "HELP");
    assertThat(export.get("inboundEmail").get(0).get("newText").asText()).contains("Thanks!");
    assertThat(export.toString())
        .as("camelCase names and UTC instants, as everywhere in the API")
        .doesNotContain("_at\"")
        .doesNotContain("+00:00");
    assertThat(export.at("/contact/createdAt").asText()).endsWith("Z");
    assertThat(export.get("flags")).hasSize(1);
    assertThat(export.get("timeline").findValuesAsText("type"))
        .contains("message.accepted", "delivery.delivered", "sms.received", "email.received");
  }

  @Test
  void erasure_leaves_no_trace_of_the_person_but_keeps_the_consent_history_and_blocks_them()
      throws Exception {
    assertThat(whereFound(PHONE)).isNotEmpty(); // the search finds what is there

    var erased = tandem.call("DELETE", "/v1/contacts/" + id, null);
    assertThat(erased.status()).isEqualTo(200);

    for (String needle :
        List.of(
            PHONE,
            PHONE.substring(1),
            "415555 7777".replace(" ", ""),
            EMAIL,
            "erasable",
            "crm-erin",
            "Erin")) {
      assertThat(whereFound(needle)).as(needle).isEmpty();
    }
    var gone = tandem.call("GET", "/v1/contacts/" + id, null);
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.body().get("detail").asText()).contains("erased");
    assertThat(count("SELECT count(*) FROM consent_event WHERE evidence = '{\"erased\": true}'"))
        .isEqualTo(1);
    assertThat(count("SELECT count(*) FROM consent_state")).isEqualTo(1);

    JsonNode again = importCsv("phone,email,name\n" + PHONE + "," + EMAIL + "," + NAME + "\n");
    assertThat(again.get("rejected").asLong()).isEqualTo(1);
    assertThat(again.get("rejectedRows").get(0).get("reason").asText()).contains("erased");

    String message =
        tandem.send(
            Map.of(
                "to",
                Map.of("phone", PHONE),
                "channels",
                List.of("sms"),
                "sms",
                Map.of("text", "Hello again")));
    tandem.app.dispatcher.drain();
    assertThat(tandem.status(message, "sms")).isEqualTo("suppressed");
    assertThat(tandem.delivery(message, "sms").get("lastError").asText())
        .contains("erased at the person's request");
  }
}
