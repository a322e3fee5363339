package dev.tandem.imports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.support.TestApp;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Importing the two fixture lists (src/test/resources/imports), which overlap and disagree. */
class ImportTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private TestApp tandem;

  @BeforeEach
  void start() {
    tandem = TestApp.start();
  }

  @AfterEach
  void stop() {
    tandem.close();
  }

  private static byte[] fixture(String name) throws IOException {
    try (InputStream in = ImportTest.class.getResourceAsStream("/imports/" + name)) {
      return in.readAllBytes();
    }
  }

  private record Result(int status, JsonNode body) {}

  private Result upload(byte[] csv, String contentType, String... query) throws Exception {
    var params = new ArrayList<String>();
    for (int i = 0; i < query.length; i += 2) {
      params.add(query[i] + "=" + URLEncoder.encode(query[i + 1], StandardCharsets.UTF_8));
    }
    var request =
        HttpRequest.newBuilder(
                URI.create(tandem.app.url() + "/v1/imports?" + String.join("&", params)))
            .header("Authorization", "Bearer " + TestApp.API_KEY)
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(csv))
            .build();
    var response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    return new Result(response.statusCode(), JSON.readTree(response.body()));
  }

  private Result importSms() throws Exception {
    return upload(
        fixture("sms-list.csv"),
        "text/csv",
        "topic",
        "news",
        "map",
        "sms_consent_date=Opt-In Date",
        "map",
        "sms_consent_source=Opt-In Source",
        "map",
        "sms_consent_wording=Opt-In Wording",
        "name",
        "sms-list.csv");
  }

  private Result importEmail() throws Exception {
    return upload(fixture("email-list.csv"), "text/csv; charset=utf-8", "topic", "news");
  }

  private JsonNode contactByPhone(String phone) {
    return tandem
        .call("GET", "/v1/contacts?phone=" + URLEncoder.encode(phone, StandardCharsets.UTF_8), null)
        .body()
        .get("items");
  }

  private JsonNode contactByEmail(String email) {
    return tandem.call("GET", "/v1/contacts?email=" + email, null).body().get("items");
  }

  private long count(String table) {
    long n =
        tandem
            .app
            .database
            .jdbi()
            .withHandle(
                h -> h.createQuery("SELECT count(*) FROM " + table).mapTo(Long.class).one());
    return n;
  }

  private static List<String> lines(JsonNode list) {
    var out = new ArrayList<String>();
    list.forEach(item ->
        out.add(
            item.get("line").asLong()
                + " "
                + item.path("kind").asText("")
                + " "
                + item.get(item.has("reason") ? "reason" : "detail").asText()));
    return out;
  }

  @Test
  void two_overlapping_lists_become_one_record_per_person_with_a_report() throws Exception {
    Result sms = importSms();
    assertThat(sms.status()).as(sms.body().toString()).isEqualTo(200);
    JsonNode s = sms.body();
    assertThat(s.get("rows").asLong()).isEqualTo(8);
    assertThat(s.get("created").asLong()).isEqualTo(5);
    assertThat(s.get("unchanged").asLong()).as("line 8 repeats line 2").isEqualTo(1);
    assertThat(s.get("rejected").asLong()).isEqualTo(2);
    assertThat(lines(s.get("rejectedRows")))
        .satisfiesExactly(
            r -> assertThat(r).startsWith("6 ").contains("not-a-phone"),
            r -> assertThat(r).startsWith("7 ").contains("'maybe'"));
    assertThat(s.get("consentEvents").asLong()).isEqualTo(5);
    assertThat(s.get("conflictCount").asLong()).isZero();

    Result email = importEmail();
    JsonNode e = email.body();
    assertThat(email.status()).as(e.toString()).isEqualTo(200);
    assertThat(e.get("rows").asLong()).isEqualTo(7);
    assertThat(e.get("created").asLong()).as("grace@, Bob, dup").isEqualTo(3);
    assertThat(e.get("updated").asLong()).as("Ada and Alan gain their email").isEqualTo(2);
    assertThat(e.get("merged").asLong()).as("line 8 joins Grace's two records").isEqualTo(1);
    assertThat(e.get("rejected").asLong()).isEqualTo(1);
    assertThat(lines(e.get("conflicts")))
        .anySatisfy(c ->
            assertThat(c)
                .startsWith("4 consent-differs")
                .contains("sms news was revoked and this row says granted"))
        .anySatisfy(c ->
            assertThat(c)
                .startsWith("5 address-claimed")
                .contains("phone +14155550104")
                .contains("Katherine Johnson")
                .contains("Bob Smith"));

    JsonNode ada = contactByPhone("+14155550101").get(0);
    assertThat(ada.get("emails")).extracting(JsonNode::asText).containsExactly("ada@example.com");
    JsonNode grace = contactByEmail("grace@example.com").get(0);
    assertThat(grace.get("phones")).extracting(JsonNode::asText).containsExactly("+14155550102");
    JsonNode katherine = contactByPhone("+14155550104").get(0);
    assertThat(katherine.get("name").asText()).isEqualTo("Katherine Johnson");
    assertThat(katherine.get("emails")).isEmpty();
    JsonNode bob = contactByEmail("kj@example.com").get(0);
    assertThat(bob.get("name").asText()).isEqualTo("Bob Smith");
    assertThat(bob.get("phones"))
        .as("names alone never merge, and a different one keeps apart")
        .isEmpty();
    assertThat(contactByEmail("dup@example.com")).hasSize(1);

    // Alan: opted out of news by SMS on 1 February; the email list's older opt-in does not undo it
    String alan = contactByPhone("+14155550103").get(0).get("id").asText();
    JsonNode consents = tandem.call("GET", "/v1/contacts/" + alan + "/consents", null).body();
    JsonNode smsNews = null;
    for (JsonNode row : consents.get("effective")) {
      if (row.get("channel").asText().equals("sms") && row.get("topic").asText().equals("news")) {
        smsNews = row;
      }
    }
    assertThat(smsNews.get("allowed").asBoolean()).isFalse();
    assertThat(consents.get("history")).hasSize(3); // sms revoked, email granted, sms granted
    JsonNode first = consents.get("history").get(0);
    assertThat(first.get("source").asText()).isEqualTo("import");
    assertThat(first.get("at").asText()).startsWith("2026-02-01");
    assertThat(first.get("evidence").get("file").asText()).isEqualTo("sms-list.csv");
    assertThat(first.get("evidence").get("line").asInt()).isEqualTo(4);

    // the merge is on record and on the timeline
    JsonNode merges =
        tandem.call("GET", "/v1/contacts/" + grace.get("id").asText() + "/merges", null).body();
    assertThat(merges.get("items")).hasSize(1);
    assertThat(merges.get("items").get(0).get("automatic").asBoolean()).isTrue();

    // the multi-line quoted field arrived whole
    JsonNode hopper = contactByPhone("+14155550106").get(0);
    String hopperId = hopper.get("id").asText();
    JsonNode wording =
        tandem
            .call("GET", "/v1/contacts/" + hopperId + "/consents", null)
            .body()
            .get("history")
            .get(0)
            .get("wording");
    assertThat(wording.asText()).isEqualTo("Text me deals from Shop.\nMsg & data rates may apply.");
    assertThat(hopper.get("name").asText()).isEqualTo("Hopper, Grace");
  }

  @Test
  void a_locale_column_sets_the_language_templates_pick_and_a_bad_one_rejects_its_row()
      throws Exception {
    JsonNode report =
        upload(
                ("phone,name,language\n+14155550601,Ana,pt_br\n+14155550602,Bo,not a tag!\n"
                        + "+14155550603,Cy,\n")
                    .getBytes(StandardCharsets.UTF_8),
                "text/csv")
            .body();

    assertThat(report.get("created").asLong()).isEqualTo(2);
    assertThat(lines(report.get("rejectedRows"))).singleElement().asString().contains("locale");
    assertThat(contactByPhone("+14155550601").get(0).get("locale").asText()).isEqualTo("pt-BR");
    assertThat(contactByPhone("+14155550603").get(0).get("locale").isNull()).isTrue();
  }

  @Test
  void a_row_without_name_or_id_never_joins_two_people_who_differ() throws Exception {
    tandem.createContact(Map.of("phone", "+14155550401", "name", "Alice"));
    tandem.createContact(Map.of("email", "bob@example.com", "name", "Bob"));
    tandem.createContact(Map.of("phone", "+14155550402", "externalId", "C-3"));
    tandem.createContact(Map.of("email", "dee@example.com", "externalId", "D-4"));

    JsonNode report =
        upload(
                ("phone,email\n+14155550401,bob@example.com\n+14155550402,dee@example.com\n"
                        + "+14155550403,new@example.com\n")
                    .getBytes(StandardCharsets.UTF_8),
                "text/csv")
            .body();

    assertThat(report.get("merged").asLong()).isZero();
    assertThat(report.get("created").asLong()).isEqualTo(1);
    assertThat(lines(report.get("conflicts")))
        .anySatisfy(c ->
            assertThat(c).startsWith("2 address-claimed").contains("'Bob'").contains("'Alice'"))
        .anySatisfy(
            c -> assertThat(c).startsWith("3 external-id-differs").contains("D-4").contains("C-3"));
    assertThat(contactByEmail("bob@example.com").get(0).get("phones")).isEmpty();
  }

  @Test
  void importing_the_same_files_again_changes_nothing() throws Exception {
    importSms();
    importEmail();
    var tables =
        List.of("contact", "contact_address", "consent_event", "consent_state", "contact_merge");
    var before = new ArrayList<Long>();
    tables.forEach(t -> before.add(count(t)));

    JsonNode sms = importSms().body();
    JsonNode email = importEmail().body();

    var after = new ArrayList<Long>();
    tables.forEach(t -> after.add(count(t)));
    assertThat(after).isEqualTo(before);
    for (JsonNode report : List.of(sms, email)) {
      assertThat(report.get("created").asLong()).isZero();
      assertThat(report.get("updated").asLong()).isZero();
      assertThat(report.get("merged").asLong()).isZero();
      assertThat(report.get("consentEvents").asLong()).isZero();
    }
    assertThat(sms.get("unchanged").asLong()).isEqualTo(6);
  }

  @Test
  void a_dry_run_reports_and_writes_nothing() throws Exception {
    long contacts = count("contact");
    JsonNode report =
        upload(fixture("email-list.csv"), "text/csv", "topic", "news", "dryRun", "true").body();
    assertThat(report.get("dryRun").asBoolean()).isTrue();
    assertThat(report.get("created").asLong()).isEqualTo(5);
    assertThat(count("contact")).isEqualTo(contacts);
    assertThat(count("consent_event")).isZero();
  }

  @Test
  void a_malformed_file_fails_with_the_line_and_imports_nothing() throws Exception {
    byte[] csv =
        "phone,name\n+14155550201,Ok Row\n+14155550202,\"Never closed\n+14155550203,x\n"
            .getBytes(StandardCharsets.UTF_8);
    Result result = upload(csv, "text/csv");
    assertThat(result.status()).isEqualTo(422);
    assertThat(result.body().get("field").asText()).isEqualTo("file");
    assertThat(result.body().get("detail").asText())
        .contains("line 3")
        .contains("never closed")
        .contains("Nothing was imported");
    assertThat(contactByPhone("+14155550201")).isEmpty();

    Result noAddress =
        upload("first,last\nAda,Lovelace\n".getBytes(StandardCharsets.UTF_8), "text/csv");
    assertThat(noAddress.status()).isEqualTo(422);
    assertThat(noAddress.body().get("detail").asText()).contains("no column is a phone");

    Result noTopic =
        upload(
            "phone,sms_consent\n+14155550204,yes\n".getBytes(StandardCharsets.UTF_8), "text/csv");
    assertThat(noTopic.status()).isEqualTo(422);
    assertThat(noTopic.body().get("field").asText()).isEqualTo("topic");
  }

  /**
   * The file is read and parsed on a thread of its own while earlier chunks are written: a line
   * that cannot be read chunks later still undoes the whole import, and no reader is left behind.
   */
  @Test
  void a_malformed_line_chunks_into_the_file_undoes_what_was_written_before_it() throws Exception {
    var csv = new StringBuilder("phone,name\n");
    for (int i = 0; i < 3500; i++) {
      csv.append(String.format("+1415554%04d,Person %d%n", i, i));
    }
    csv.append("+14155549999,\"Never closed\n+14155549998,x\n");

    Result result = upload(csv.toString().getBytes(StandardCharsets.UTF_8), "text/csv");

    assertThat(result.status()).isEqualTo(422);
    assertThat(result.body().get("detail").asText())
        .contains("line 3502")
        .contains("Nothing was imported");
    assertThat(contactByPhone("+14155540000")).isEmpty();
    assertThat(contactByPhone("+14155543499")).isEmpty();
    assertThat(Thread.getAllStackTraces().keySet())
        .extracting(Thread::getName)
        .doesNotContain("import-reader");
  }

  @Test
  void rows_rejected_in_several_chunks_are_reported_in_file_order() throws Exception {
    var csv = new StringBuilder("phone,name\n");
    for (int i = 0; i < 2500; i++) {
      csv.append(i % 500 == 7 ? "not a phone" : String.format("+1415553%04d", i))
          .append(",Person ")
          .append(i)
          .append('\n');
    }

    JsonNode report = upload(csv.toString().getBytes(StandardCharsets.UTF_8), "text/csv").body();

    assertThat(report.get("rows").asLong()).isEqualTo(2500);
    assertThat(report.get("created").asLong()).isEqualTo(2495);
    assertThat(report.get("rejected").asLong()).isEqualTo(5);
    assertThat(report.get("rejectedRows").findValuesAsText("line"))
        .containsExactly("9", "509", "1009", "1509", "2009");
  }

  @Test
  void every_import_is_in_the_history_with_its_report_and_an_erasure_blanks_the_person_there()
      throws Exception {
    String phone = "+14155557001";
    byte[] csv =
        ("phone,name\n" + phone + ",Ann One\n" + phone + ",Bob Two\nnot a phone,Cy\n")
            .getBytes(StandardCharsets.UTF_8);
    Result done = upload(csv, "text/csv", "name", "two-names.csv");
    assertThat(done.status()).isEqualTo(200);
    String id = done.body().get("id").asText();
    tandem.clock.advance(java.time.Duration.ofMillis(5)); // ids order to the millisecond
    Result refused =
        upload(
            "phone\n\"never closed\n".getBytes(StandardCharsets.UTF_8),
            "text/csv",
            "name",
            "broken.csv",
            "dryRun",
            "true");
    assertThat(refused.status()).isEqualTo(422);

    JsonNode history = tandem.call("GET", "/v1/imports?limit=10", null).body();
    assertThat(history.get("items").findValuesAsText("name"))
        .containsExactly("broken.csv", "two-names.csv");
    JsonNode failed = history.get("items").get(0);
    assertThat(failed.get("status").asText()).isEqualTo("failed");
    assertThat(failed.get("dryRun").asBoolean()).isTrue();
    assertThat(failed.get("error").asText()).contains("line 2").contains("Nothing was imported");
    JsonNode run = tandem.call("GET", "/v1/imports/" + id, null).body();
    assertThat(run.get("status").asText()).isEqualTo("completed");
    assertThat(run.at("/report/created").asLong()).isEqualTo(1);
    assertThat(run.at("/report/rejected").asLong()).isEqualTo(1);
    assertThat(run.get("report").toString()).contains(phone);

    String contact = contactByPhone(phone).get(0).get("id").asText();
    assertThat(tandem.call("DELETE", "/v1/contacts/" + contact, null).status()).isEqualTo(200);

    JsonNode after = tandem.call("GET", "/v1/imports/" + id, null).body();
    assertThat(after.get("report").toString()).doesNotContain(phone).contains("[erased]");
    assertThat(after.at("/report/conflictCount").asLong()).isEqualTo(1);
    assertThat(tandem.call("GET", "/v1/imports/" + java.util.UUID.randomUUID(), null).status())
        .isEqualTo(404);
  }

  @Test
  void bytes_in_the_wrong_encoding_are_refused_unless_the_encoding_is_named() throws Exception {
    byte[] latin1 = "phone,name\n+14155550301,Ren\u00e9e\n".getBytes(StandardCharsets.ISO_8859_1);
    Result asUtf8 = upload(latin1, "text/csv");
    assertThat(asUtf8.status()).isEqualTo(422);
    assertThat(asUtf8.body().get("detail").asText()).contains("line 2").contains("not UTF-8");
    assertThat(contactByPhone("+14155550301")).isEmpty();

    Result named = upload(latin1, "text/csv; charset=windows-1252");
    assertThat(named.status()).isEqualTo(200);
    assertThat(contactByPhone("+14155550301").get(0).get("name").asText()).isEqualTo("Ren\u00e9e");
  }

  @Test
  void a_body_larger_than_the_servers_request_limit_is_streamed_in() throws Exception {
    var csv = new StringBuilder("phone,name,notes\n");
    String notes = "x".repeat(100);
    for (int i = 0; i < 20_000; i++) {
      csv.append(String.format("+1415557%04d,Person %d,%s%n", i % 10_000, i, notes));
    }
    byte[] body = csv.toString().getBytes(StandardCharsets.UTF_8);
    assertThat(body.length).isGreaterThan(2_000_000); // Javalin buffers at most 1 MB by default

    JsonNode report = upload(body, "text/csv", "dryRun", "true").body();

    assertThat(report.get("rows").asLong()).isEqualTo(20_000);
    assertThat(report.get("created").asLong()).isEqualTo(10_000);
    assertThat(report.get("conflictCount").asLong())
        .as("same phone, another name")
        .isEqualTo(10_000);
  }

  @Test
  void rows_far_apart_in_a_large_file_still_resolve_to_one_person() throws Exception {
    var csv = new StringBuilder("phone,email,name\n");
    for (int i = 0; i < 1500; i++) {
      csv.append(String.format("+1415556%04d,,Person %d%n", i, i));
    }
    for (int i = 0; i < 1500; i++) { // a later chunk: the same people with their email
      csv.append(String.format("+1415556%04d,p%d@example.net,Person %d%n", i, i, i));
    }
    JsonNode report = upload(csv.toString().getBytes(StandardCharsets.UTF_8), "text/csv").body();
    assertThat(report.get("created").asLong()).isEqualTo(1500);
    assertThat(report.get("updated").asLong()).isEqualTo(1500);
    assertThat(contactByEmail("p1234@example.net").get(0).get("phones").get(0).asText())
        .isEqualTo("+14155561234");
  }

  @Test
  void the_changes_feed_tells_of_an_imported_contact_before_its_consent() throws Exception {
    JsonNode before = tandem.call("GET", "/v1/changes?limit=1000", null).body();
    while (before.get("changes").size() == 1000) { // skip what other tests wrote
      before =
          tandem
              .call("GET", "/v1/changes?limit=1000&after=" + before.get("next").asText(), null)
              .body();
    }
    String cursor = before.get("next").asText();
    byte[] csv =
        "phone,name,sms_consent\n+14155550501,Ada,yes\n+14155550502,Grace,yes\n"
            .getBytes(StandardCharsets.UTF_8);
    assertThat(upload(csv, "text/csv", "topic", "news").status()).isEqualTo(200);

    var kindsByContact = new java.util.LinkedHashMap<String, List<String>>();
    JsonNode page = tandem.call("GET", "/v1/changes?limit=1000&after=" + cursor, null).body();
    page.get("changes")
        .forEach(change ->
            kindsByContact
                .computeIfAbsent(change.get("contactId").asText(), k -> new ArrayList<>())
                .add(change.get("kind").asText()));
    assertThat(kindsByContact).hasSize(2);
    assertThat(kindsByContact.values())
        .allSatisfy(
            kinds -> assertThat(kinds).containsExactly("contact.created", "consent.changed"));
  }

  @Test
  void a_nul_character_rejects_its_row_with_the_line_and_the_rest_is_imported() throws Exception {
    byte[] csv =
        "phone,name\n+14155550601,Ada\n+14155550602,Gr\u0000ace\n+14155550603,Alan\n"
            .getBytes(StandardCharsets.UTF_8);
    Result result = upload(csv, "text/csv");

    assertThat(result.status()).as(result.body().toString()).isEqualTo(200);
    assertThat(result.body().get("created").asLong()).isEqualTo(2);
    assertThat(lines(result.body().get("rejectedRows")))
        .singleElement()
        .satisfies(r -> assertThat(r).startsWith("3 ").contains("U+0000").contains("name"));
    assertThat(contactByPhone("+14155550603")).hasSize(1);
    assertThat(contactByPhone("+14155550602")).isEmpty();
  }
}
