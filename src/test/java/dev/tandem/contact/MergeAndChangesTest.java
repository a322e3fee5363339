package dev.tandem.contact;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.support.TestApp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Merging two records of one person by hand, and the changes feed other systems read. */
class MergeAndChangesTest {
  private static TestApp tandem;

  @BeforeAll
  static void start() {
    tandem = TestApp.start();
  }

  @AfterAll
  static void stop() {
    tandem.close();
  }

  @Test
  void a_manual_merge_keeps_both_histories_and_the_newer_consent() {
    String phone = TestApp.uniquePhone();
    String email = TestApp.uniqueEmail();
    String bySms = tandem.createContact(Map.of("phone", phone, "name", "Ada")).get("id").asText();
    String byEmail =
        tandem
            .createContact(Map.of("email", email, "externalId", "crm-" + email))
            .get("id")
            .asText();
    String sms =
        tandem.send(
            Map.of(
                "contactId",
                bySms,
                "channels",
                List.of("sms"),
                "sms",
                Map.of("text", "Your code is 1234")));
    tandem.grant(byEmail, "email", "news", "Newsletter");

    var merged =
        tandem.call(
            "POST",
            "/v1/contacts/merge",
            Map.of(
                "survivor", bySms, "merged", byEmail, "reason", "same person, confirmed by phone"));

    assertThat(merged.status()).as(merged.body().toString()).isEqualTo(200);
    JsonNode contact = merged.body().get("contact");
    assertThat(contact.get("phone").asText()).isEqualTo(phone);
    assertThat(contact.get("email").asText()).isEqualTo(email);
    assertThat(contact.get("externalId").asText()).isEqualTo("crm-" + email);
    assertThat(contact.get("name").asText()).isEqualTo("Ada");
    // the absorbed id still answers, with the survivor
    assertThat(tandem.call("GET", "/v1/contacts/" + byEmail, null).body().get("id").asText())
        .isEqualTo(bySms);
    assertThat(tandem.message(sms).get("contactId").asText()).isEqualTo(bySms);
    JsonNode history =
        tandem.call("GET", "/v1/contacts/" + bySms + "/consents", null).body().get("history");
    assertThat(history).hasSize(1);
    List<String> types =
        tandem
            .call("GET", "/v1/contacts/" + bySms + "/timeline", null)
            .body()
            .get("items")
            .findValuesAsText("type");
    assertThat(types).contains("message.accepted", "consent.granted", "contact.merged");
    JsonNode merges =
        tandem.call("GET", "/v1/contacts/" + bySms + "/merges", null).body().get("items");
    assertThat(merges).hasSize(1);
    assertThat(merges.get(0).get("automatic").asBoolean()).isFalse();
    assertThat(merges.get(0).get("reason").asText()).isEqualTo("same person, confirmed by phone");

    var again =
        tandem.call("POST", "/v1/contacts/merge", Map.of("survivor", bySms, "merged", byEmail));
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.body().get("detail").asText()).contains("was merged into " + bySms);
  }

  @Test
  void a_contact_takes_more_addresses_but_never_another_contacts() {
    String id = tandem.createContact(Map.of("phone", TestApp.uniquePhone())).get("id").asText();
    String other = TestApp.uniqueEmail();
    tandem.createContact(Map.of("email", other));
    String second = TestApp.uniquePhone();

    var added = tandem.call("POST", "/v1/contacts/" + id + "/addresses", Map.of("phone", second));
    var again = tandem.call("POST", "/v1/contacts/" + id + "/addresses", Map.of("phone", second));
    var taken = tandem.call("POST", "/v1/contacts/" + id + "/addresses", Map.of("email", other));

    assertThat(added.status()).isEqualTo(200);
    assertThat(added.body().get("phones")).hasSize(2);
    assertThat(again.status()).isEqualTo(200);
    assertThat(taken.status()).isEqualTo(409);
    assertThat(taken.body().get("detail").asText()).contains("merge them");
  }

  @Test
  void two_different_external_ids_are_never_merged() {
    String a =
        tandem.createContact(Map.of("externalId", "A-" + TestApp.uniqueEmail())).get("id").asText();
    String b =
        tandem.createContact(Map.of("externalId", "B-" + TestApp.uniqueEmail())).get("id").asText();
    var refused = tandem.call("POST", "/v1/contacts/merge", Map.of("survivor", a, "merged", b));
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.body().get("detail").asText()).contains("two people");
    var self = tandem.call("POST", "/v1/contacts/merge", Map.of("survivor", a, "merged", a));
    assertThat(self.status()).isEqualTo(422);
  }

  @Test
  void the_changes_feed_pages_through_contact_and_consent_changes_with_a_cursor() {
    JsonNode page = tandem.call("GET", "/v1/changes?limit=1000", null).body();
    while (page.get("changes").size() == 1000) { // skip what other tests wrote
      page =
          tandem
              .call("GET", "/v1/changes?limit=1000&after=" + page.get("next").asText(), null)
              .body();
    }
    String start = page.get("next").asText();

    String id = tandem.createContact(Map.of("email", TestApp.uniqueEmail())).get("id").asText();
    tandem.grant(id, "email", "news", "Newsletter");
    tandem.call(
        "POST",
        "/v1/contacts/" + id + "/consents",
        Map.of("channel", "email", "topic", "news", "action", "revoke"));

    List<String> seen = new ArrayList<>();
    String cursor = start;
    for (int i = 0; i < 10; i++) {
      JsonNode next = tandem.call("GET", "/v1/changes?limit=1&after=" + cursor, null).body();
      if (next.get("changes").isEmpty()) {
        assertThat(next.get("next").asText()).isEqualTo(cursor);
        break;
      }
      JsonNode change = next.get("changes").get(0);
      assertThat(change.get("contactId").asText()).isEqualTo(id);
      seen.add(change.get("kind").asText() + " " + change.get("data").path("status").asText(""));
      cursor = next.get("next").asText();
    }
    assertThat(seen)
        .containsExactly("contact.created ", "consent.changed granted", "consent.changed revoked");

    var bad = tandem.call("GET", "/v1/changes?after=yesterday", null);
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.body().get("field").asText()).isEqualTo("after");
  }
}
