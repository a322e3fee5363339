package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.support.TestApp;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lists: contacts, messages, inbound, suppressions and the timeline, newest first, a page at a
 * time through an opaque cursor, in one envelope ({@code items}, {@code next}).
 */
class ListsTest {
  private TestApp tandem;

  @BeforeEach
  void start() {
    tandem = TestApp.start();
  }

  @AfterEach
  void stop() {
    tandem.close();
  }

  /** Every page of {@code path} (which has a query string or not), following {@code next}. */
  private List<List<JsonNode>> pages(String path, int limit) {
    List<List<JsonNode>> pages = new ArrayList<>();
    String after = null;
    do {
      String sep = path.contains("?") ? "&" : "?";
      var response =
          tandem.call(
              "GET",
              path + sep + "limit=" + limit + (after == null ? "" : "&after=" + after),
              null);
      assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
      List<JsonNode> items = new ArrayList<>();
      response.body().get("items").forEach(items::add);
      pages.add(items);
      JsonNode next = response.body().get("next");
      after = next.isNull() ? null : next.asText();
      assertThat(pages).as("a list that never ends").hasSizeLessThan(100);
    } while (after != null);
    return pages;
  }

  private static List<String> ids(List<List<JsonNode>> pages) {
    return pages.stream().flatMap(List::stream).map(n -> n.get("id").asText()).toList();
  }

  @Test
  void contacts_page_newest_first_and_a_contact_added_meanwhile_shifts_nothing() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      tandem.clock.advance(Duration.ofMillis(5));
      created.addFirst(tandem.aContact().get("id").asText());
    }

    var first = tandem.call("GET", "/v1/contacts?limit=3", null).body();
    assertThat(first.get("items")).hasSize(3);
    assertThat(first.get("next").isNull()).isFalse();
    tandem.clock.advance(Duration.ofMillis(5));
    String late = tandem.aContact().get("id").asText();
    List<String> seen = new ArrayList<>();
    first.get("items").forEach(c -> seen.add(c.get("id").asText()));
    String after = first.get("next").asText();
    while (after != null) {
      var page = tandem.call("GET", "/v1/contacts?limit=3&after=" + after, null).body();
      page.get("items").forEach(c -> seen.add(c.get("id").asText()));
      after = page.get("next").isNull() ? null : page.get("next").asText();
    }

    assertThat(seen).as("newest first, each once, none skipped").isEqualTo(created);
    assertThat(seen).doesNotContain(late);
    assertThat(ids(pages("/v1/contacts", 50))).first().isEqualTo(late);

    var lookup =
        tandem.call(
            "GET",
            "/v1/contacts?phone="
                + URLEncoder.encode(
                    tandem.call("GET", "/v1/contacts/" + late, null).body().get("phone").asText(),
                    StandardCharsets.UTF_8),
            null);
    assertThat(lookup.body().get("items")).singleElement();
    assertThat(lookup.body().get("next").isNull()).isTrue();
  }

  @Test
  void messages_are_listed_with_their_deliveries_and_narrowed_by_every_filter() {
    JsonNode ada = tandem.aContact();
    JsonNode bob = tandem.aContact();
    tandem.clock.advance(Duration.ofMillis(5));
    String both = tandem.sendBoth(ada.get("id").asText()).get("id").asText();
    tandem.clock.advance(Duration.ofMinutes(10));
    String smsOnly =
        tandem.send(
            Map.of(
                "contactId",
                bob.get("id").asText(),
                "channels",
                List.of("sms"),
                "sms",
                Map.of("text", "Your table is ready")));
    tandem.clock.advance(Duration.ofMillis(5));
    String emailOnly =
        tandem.send(
            Map.of(
                "contactId",
                bob.get("id").asText(),
                "channels",
                List.of("email"),
                "email",
                Map.of("subject", "Receipt", "text", "Thank you")));
    tandem.app.dispatcher.runOnce();
    tandem.awaitStatus(smsOnly, "sms", "delivered");
    tandem.awaitStatus(both, "sms", "delivered");

    assertThat(ids(pages("/v1/messages", 2))).containsExactly(emailOnly, smsOnly, both);
    JsonNode listed = pages("/v1/messages", 50).getFirst().get(2);
    assertThat(listed.get("contactId").asText()).isEqualTo(ada.get("id").asText());
    assertThat(listed.get("deliveries").findValuesAsText("channel"))
        .containsExactlyInAnyOrder("sms", "email");

    assertThat(ids(pages("/v1/messages?contactId=" + bob.get("id").asText(), 1)))
        .containsExactly(emailOnly, smsOnly);
    assertThat(ids(pages("/v1/messages?channel=sms", 50))).containsExactly(smsOnly, both);
    assertThat(ids(pages("/v1/messages?channel=email&contactId=" + bob.get("id").asText(), 50)))
        .containsExactly(emailOnly);
    assertThat(ids(pages("/v1/messages?channel=sms&status=delivered", 50)))
        .containsExactly(smsOnly, both);
    assertThat(ids(pages("/v1/messages?status=suppressed", 50))).isEmpty();
    String cut = tandem.clock.instant().minus(Duration.ofMinutes(5)).toString();
    assertThat(ids(pages("/v1/messages?since=" + cut, 50))).containsExactly(emailOnly, smsOnly);
    assertThat(ids(pages("/v1/messages?until=" + cut, 50))).containsExactly(both);
    assertThat(ids(pages("/v1/messages?topic=no-such-topic", 50))).isEmpty();
  }

  @Test
  void the_timeline_pages_newest_first_through_every_event() {
    JsonNode contact = tandem.aContact();
    String id = contact.get("id").asText();
    var messages = new java.util.ArrayList<String>();
    for (int i = 0; i < 3; i++) {
      tandem.clock.advance(Duration.ofSeconds(1));
      messages.add(tandem.sendBoth(id).get("id").asText());
    }
    tandem.app.dispatcher.runOnce();
    // receipts arrive on their own: the timeline is read once it has stopped changing
    messages.forEach(m -> tandem.awaitStatus(m, "sms", "delivered"));

    List<JsonNode> all = pages("/v1/contacts/" + id + "/timeline", 500).getFirst();
    List<List<JsonNode>> paged = pages("/v1/contacts/" + id + "/timeline", 2);

    assertThat(all.size()).isGreaterThanOrEqualTo(9);
    assertThat(paged.stream().flatMap(List::stream).toList()).isEqualTo(all);
    assertThat(paged.getFirst()).hasSize(2);
    List<String> times = all.stream().map(e -> e.get("at").asText()).toList();
    assertThat(times).isSortedAccordingTo((a, b) -> b.compareTo(a));
    assertThat(all.getLast().get("type").asText()).isEqualTo("message.accepted");
  }

  @Test
  void inbound_sms_are_listed_newest_first_by_channel_and_contact() {
    String first = TestApp.uniquePhone();
    String second = TestApp.uniquePhone();
    for (String phone : List.of(first, second, first)) {
      tandem.clock.advance(Duration.ofMillis(5));
      int expected = pages("/v1/inbound", 50).getFirst().size() + 1;
      var injected =
          tandem.call(
              "POST",
              "/v1/sandbox/sms/inbound",
              Map.of("from", phone, "to", "12345", "text", "hello from " + phone));
      assertThat(injected.status()).isEqualTo(202);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> pages("/v1/inbound", 50).getFirst().size() == expected);
    }

    List<JsonNode> all =
        pages("/v1/inbound?channel=sms", 1).stream().flatMap(List::stream).toList();
    assertThat(all).extracting(n -> n.get("from").asText()).containsExactly(first, second, first);
    assertThat(all.getFirst().get("text").asText()).isEqualTo("hello from " + first);
    assertThat(all.getFirst().get("channel").asText()).isEqualTo("sms");
    String contactId = all.getFirst().get("contactId").asText();
    assertThat(pages("/v1/inbound?contactId=" + contactId, 50).getFirst()).hasSize(2);
    assertThat(pages("/v1/inbound?channel=email", 50).getFirst()).isEmpty();
  }

  @Test
  void suppressions_page_newest_first_and_an_address_is_still_looked_up_directly() {
    List<String> added = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      tandem.clock.advance(Duration.ofSeconds(1));
      String phone = TestApp.uniquePhone();
      var response =
          tandem.call(
              "POST",
              "/v1/suppressions",
              Map.of("channel", "sms", "address", phone, "reason", "asked by phone"));
      assertThat(response.status()).as(response.body().toString()).isEqualTo(201);
      added.addFirst(phone);
    }
    tandem.clock.advance(Duration.ofSeconds(1));
    tandem.call(
        "POST",
        "/v1/suppressions",
        Map.of("channel", "email", "address", "gone@example.net", "reason", "left"));

    List<String> sms =
        pages("/v1/suppressions?channel=sms", 2).stream()
            .flatMap(List::stream)
            .map(n -> n.get("address").asText())
            .toList();
    assertThat(sms).isEqualTo(added);
    assertThat(pages("/v1/suppressions", 50).getFirst().getFirst().get("address").asText())
        .isEqualTo("gone@example.net");
    var one =
        tandem.call(
            "GET",
            "/v1/suppressions?channel=sms&address="
                + URLEncoder.encode(added.get(2), StandardCharsets.UTF_8),
            null);
    assertThat(one.body().get("items")).singleElement();
  }

  @Test
  void bad_paging_and_filters_are_refused_naming_the_parameter() {
    String wrongShape =
        Base64.getUrlEncoder().withoutPadding().encodeToString("[\"a\",\"b\"]".getBytes());
    String notAnId =
        Base64.getUrlEncoder().withoutPadding().encodeToString("[\"not-an-id\"]".getBytes());
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put("/v1/contacts?limit=0", "limit");
    cases.put("/v1/contacts?limit=501", "limit");
    cases.put("/v1/contacts?limit=ten", "limit");
    cases.put("/v1/contacts?after=%25%25%25", "after");
    cases.put("/v1/contacts?after=" + wrongShape, "after");
    cases.put("/v1/contacts?after=" + notAnId, "after");
    cases.put("/v1/messages?after=bm90IGpzb24", "after");
    cases.put("/v1/messages?status=lost", "status");
    cases.put("/v1/messages?channel=fax", "channel");
    cases.put("/v1/messages?since=yesterday", "since");
    cases.put("/v1/messages?until=2026-12-01", "until");
    cases.put("/v1/messages?contactId=42", "contactId");
    cases.put("/v1/inbound?channel=pigeon", "channel");
    cases.put("/v1/inbound?after=" + wrongShape, "after");
    cases.put("/v1/suppressions?after=" + notAnId, "after");
    cases.put("/v1/suppressions?channel=fax", "channel");
    cases.put("/v1/contacts?phone=%2B14155550100&email=a%40example.net", "email");
    String contact = tandem.aContact().get("id").asText();
    cases.put("/v1/contacts/" + contact + "/timeline?after=" + notAnId, "after");
    cases.put("/v1/contacts/" + contact + "/timeline?limit=-1", "limit");

    cases.forEach((path, field) -> {
      var response = tandem.call("GET", path, null);
      assertThat(response.status()).as(path + " " + response.body()).isEqualTo(422);
      assertThat(response.body().get("field").asText()).as(path).isEqualTo(field);
      assertThat(response.body().get("detail").asText()).as(path).isNotBlank();
    });
  }
}
