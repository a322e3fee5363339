package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.support.TestApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request the API refuses (4xx) changes nothing: every table reads the same before and after it
 * (contacts, consent events, timeline, idempotency keys, webhook outbox, …). And no bad input to a
 * write route is a 5xx.
 */
class RefusalsLeaveNoTraceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RANDOM = "0190a0a0-0000-7000-8000-000000000000";
  private final HttpClient http = HttpClient.newHttpClient();
  private TestApp tandem;
  private Jdbi jdbi;
  private final List<String> failures = new ArrayList<>();

  @BeforeEach
  void start() {
    tandem = TestApp.start();
    jdbi = tandem.app.database.jdbi();
  }

  @AfterEach
  void stop() {
    tandem.close();
  }

  record Answer(int status, String body) {}

  @Test
  void refused_writes_leave_every_table_as_it_was() throws Exception {
    String phoneA = TestApp.uniquePhone();
    String emailA = TestApp.uniqueEmail();
    String a =
        tandem
            .createContact(
                Map.of("phone", phoneA, "email", emailA, "name", "A", "externalId", "ext-a"))
            .get("id")
            .asText();
    String phoneB = TestApp.uniquePhone();
    String b =
        tandem.createContact(Map.of("phone", phoneB, "externalId", "ext-b")).get("id").asText();
    String noPhone =
        tandem.createContact(Map.of("email", TestApp.uniqueEmail())).get("id").asText();
    // a subscription to every event: any event written as a side effect shows in its outbox
    var hook =
        tandem.call(
            "POST",
            "/v1/webhooks",
            Map.of("url", "https://hooks.example.com/tandem", "events", List.of("*")));
    assertThat(hook.status()).as(hook.body().toString()).isEqualTo(201);
    String webhook = hook.body().get("id").asText();
    put("/v1/snippets/footer", Map.of("text", "Bye {{name}}"));
    put(
        "/v1/templates/uses-footer",
        Map.of(
            "variants",
            Map.of("default", Map.of("sms", Map.of("text", "Hi {{> footer}}"))),
            "sampleData",
            Map.of("name", "Ann")));
    String newPhone = TestApp.uniquePhone();
    String newEmail = TestApp.uniqueEmail();

    // contacts
    refused("POST", "/v1/contacts", Map.of("phone", "12ab"));
    refused("POST", "/v1/contacts", Map.of("phone", phoneA));
    refused("POST", "/v1/contacts", Map.of("email", newEmail, "phone", phoneA));
    refused("POST", "/v1/contacts", Map.of("phone", newPhone, "timeZone", "Mars/Base"));
    refused("POST", "/v1/contacts", Map.of("phone", newPhone, "locale", "not a locale!"));
    refused("POST", "/v1/contacts", Map.of("email", newEmail, "externalId", "ext-a"));
    refused("POST", "/v1/contacts", Map.of());
    refused("PATCH", "/v1/contacts/" + a, Map.of("name", "Renamed", "timeZone", "Nope/Nope"));
    refused("PATCH", "/v1/contacts/" + a, Map.of("name", "Renamed", "locale", "??"));
    refused("PATCH", "/v1/contacts/" + a, Map.of("name", "x".repeat(100_000)));
    refused("PATCH", "/v1/contacts/" + RANDOM, Map.of("name", "x"));
    refused("POST", "/v1/contacts/" + a + "/addresses", Map.of("phone", phoneB));
    refused("POST", "/v1/contacts/" + a + "/addresses", Map.of("phone", "bad"));
    refused(
        "POST", "/v1/contacts/" + a + "/addresses", Map.of("phone", newPhone, "email", newEmail));
    refused("POST", "/v1/contacts/" + RANDOM + "/addresses", Map.of("phone", newPhone));
    refused("POST", "/v1/contacts/merge", Map.of("survivor", a, "merged", a));
    refused("POST", "/v1/contacts/merge", Map.of("survivor", a, "merged", RANDOM));
    refused("POST", "/v1/contacts/merge", Map.of("survivor", a, "merged", b));
    refused("POST", "/v1/contacts/merge", Map.of("survivor", a));
    refused("DELETE", "/v1/contacts/" + RANDOM, null);
    refused("DELETE", "/v1/contacts/not-an-id", null);

    // messages
    String sms = "\"sms\":{\"text\":\"Hello\"}";
    refused(
        "POST",
        "/v1/messages",
        "{\"to\":{\"phone\":\"" + newPhone + "\"},\"channels\":[\"email\"]," + sms + "}");
    refused(
        "POST",
        "/v1/messages",
        "{\"to\":{\"phone\":\"" + newPhone + "\"},\"topic\":\"nope\"," + sms + "}");
    refused(
        "POST", "/v1/messages", "{\"to\":{\"phone\":\"" + newPhone + "\"},\"template\":\"nope\"}");
    refused(
        "POST",
        "/v1/messages",
        "{\"to\":{\"phone\":\"" + newPhone + "\"},\"template\":\"uses-footer\"}");
    refused(
        "POST",
        "/v1/messages",
        "{\"to\":{\"phone\":\"" + phoneB + "\",\"email\":\"" + emailA + "\"}," + sms + "}");
    refused(
        "POST",
        "/v1/messages",
        "{\"to\":{\"phone\":\""
            + newPhone
            + "\"},\"sendAt\":\"2099-01-01T00:00:00Z\","
            + sms
            + "}");
    refused(
        "POST",
        "/v1/messages",
        "{\"contactId\":\""
            + noPhone
            + "\",\"channels\":[\"sms\"],\"idempotencyKey\":\"k-1\","
            + sms
            + "}");
    refused(
        "POST", "/v1/messages", "{\"contactId\":\"" + a + "\",\"channels\":[\"fax\"]," + sms + "}");
    refused("POST", "/v1/messages", "{\"contactId\":\"" + RANDOM + "\"," + sms + "}");
    refused("POST", "/v1/messages/batch", Map.of("messages", List.of()));
    refusedRaw(
        "POST",
        "/v1/messages",
        "application/json",
        "{\"contactId\":\"" + a + "\",\"idempotencyKey\":\"k-2\"," + sms + "}",
        Map.of("Idempotency-Key", "k-3"));
    refusedRaw(
        "POST",
        "/v1/messages/batch",
        "application/json",
        "{\"messages\":[{\"contactId\":\"" + a + "\"," + sms + "}]}",
        Map.of("Idempotency-Key", "k-4"));
    refused(
        "POST",
        "/v1/messages/batch?dryRun=maybe",
        "{\"messages\":[{\"contactId\":\"" + a + "\"," + sms + "}]}");
    refused("POST", "/v1/sandbox/sms/inbound", Map.of("from", phoneA));

    // consent, double opt-in, suppressions, flags, preferences
    String consents = "/v1/contacts/" + a + "/consents";
    refused("POST", consents, Map.of("channel", "sms", "topic", "marketing", "action", "grant"));
    refused("POST", consents, Map.of("channel", "fax", "topic", "marketing", "action", "revoke"));
    refused("POST", consents, Map.of("channel", "sms", "topic", "nope", "action", "revoke"));
    refused("POST", consents, Map.of("channel", "sms", "topic", "marketing", "action", "maybe"));
    refused(
        "POST",
        consents,
        Map.of(
            "channel",
            "sms",
            "topic",
            "marketing",
            "action",
            "revoke",
            "at",
            "2099-01-01T00:00:00Z"));
    refused(
        "POST",
        consents,
        Map.of("channel", "sms", "topic", "marketing", "action", "revoke", "source", "keyword"));
    refused(
        "POST",
        "/v1/contacts/" + RANDOM + "/consents",
        Map.of("channel", "sms", "topic", "marketing", "action", "revoke"));
    refused(
        "POST", "/v1/contacts/" + a + "/double-opt-in", Map.of("channel", "sms", "topic", "nope"));
    refused(
        "POST",
        "/v1/contacts/" + a + "/double-opt-in",
        Map.of("channel", "fax", "topic", "marketing"));
    refused(
        "POST",
        "/v1/contacts/" + noPhone + "/double-opt-in",
        Map.of("channel", "sms", "topic", "marketing"));
    refused("POST", "/v1/contacts/" + RANDOM + "/preference-link", Map.of());
    refused("POST", "/v1/flags/" + RANDOM + "/resolve", Map.of());
    refused("POST", "/v1/suppressions", Map.of("channel", "sms", "reason", "asked"));
    refused(
        "POST", "/v1/suppressions", Map.of("channel", "sms", "address", "bad", "reason", "asked"));
    refused("POST", "/v1/suppressions", Map.of("channel", "sms", "address", phoneA));
    refused("DELETE", "/v1/suppressions?channel=sms&address=" + phoneA.replace("+", "%2B"), null);
    String preferences = "/v1/contacts/" + noPhone + "/preferences/";
    refused("PUT", preferences + "marketing", Map.of("channel", "sms"));
    refused("PUT", preferences + "nope", Map.of("channel", "email"));
    refused("PUT", preferences + "marketing", Map.of("channel", "fax"));
    refused("PUT", "/v1/contacts/" + RANDOM + "/preferences/marketing", Map.of("channel", "email"));

    // api keys, topics, templates, snippets, webhooks
    refused("POST", "/v1/apikeys", Map.of("name", ""));
    refused("POST", "/v1/apikeys", Map.of("name", "x", "scopes", List.of("nope")));
    refused("POST", "/v1/apikeys", Map.of("name", "x", "expiresAt", "2020-01-01T00:00:00Z"));
    refused("DELETE", "/v1/apikeys/" + RANDOM, null);
    refused("PUT", "/v1/topics/new-topic", Map.of("class", "nope"));
    refused("PUT", "/v1/topics/new-topic", Map.of("class", "marketing", "policy", "nope"));
    refused("PUT", "/v1/topics/Bad%20Key", Map.of("class", "marketing"));
    refused("DELETE", "/v1/topics/nope", null);
    refused("PUT", "/v1/templates/t-1", Map.of("variants", Map.of()));
    refused(
        "PUT",
        "/v1/templates/t-1",
        Map.of("variants", Map.of("default", Map.of("sms", Map.of("text", "Hi {{#open}}")))));
    refused(
        "PUT",
        "/v1/templates/t-1",
        Map.of("variants", Map.of("default", Map.of("sms", Map.of("text", "Hi {{> missing}}")))));
    refused("PUT", "/v1/templates/BAD KEY".replace(" ", "%20"), Map.of("variants", Map.of()));
    refused("DELETE", "/v1/templates/nope", null);
    refused("POST", "/v1/templates/nope/check", Map.of());
    refused("POST", "/v1/templates/nope/preview", Map.of());
    refused("PUT", "/v1/snippets/footer", Map.of("text", "{{#broken}}"));
    refused("PUT", "/v1/snippets/footer", Map.of("text", "Bye {{> footer}}"));
    refused("PUT", "/v1/snippets/other", Map.of());
    refused("DELETE", "/v1/snippets/footer", null);
    refused("DELETE", "/v1/snippets/nope", null);
    refused("POST", "/v1/webhooks", Map.of("url", "ftp://x", "events", List.of("*")));
    refused(
        "POST", "/v1/webhooks", Map.of("url", "https://h.example.com/", "events", List.of("nope")));
    refused("PATCH", "/v1/webhooks/" + webhook, Map.of("url", "ftp://x"));
    refused(
        "PATCH",
        "/v1/webhooks/" + webhook,
        Map.of("description", "new", "events", List.of("nope")));
    refused("PATCH", "/v1/webhooks/" + webhook, Map.of("enabled", "yes"));
    refused("PATCH", "/v1/webhooks/" + RANDOM, Map.of("description", "x"));
    refused("DELETE", "/v1/webhooks/" + RANDOM, null);
    refused("POST", "/v1/webhooks/" + webhook + "/deliveries/" + RANDOM + "/replay", null);

    // an erased contact
    String erased = tandem.aContact().get("id").asText();
    assertThat(tandem.call("DELETE", "/v1/contacts/" + erased, null).status()).isEqualTo(200);
    refused("DELETE", "/v1/contacts/" + erased, null);
    refused("PATCH", "/v1/contacts/" + erased, Map.of("name", "Back"));
    refused(
        "POST", "/v1/contacts/" + erased + "/addresses", Map.of("phone", TestApp.uniquePhone()));
    refused(
        "POST",
        "/v1/contacts/" + erased + "/consents",
        Map.of("channel", "email", "topic", "marketing", "action", "revoke"));
    refused("POST", "/v1/contacts/merge", Map.of("survivor", a, "merged", erased));
    refused("POST", "/v1/contacts/" + erased + "/preference-link", Map.of());
    refused("POST", "/v1/messages", "{\"contactId\":\"" + erased + "\"," + sms + "}");

    // imports: a file refused as a whole imports nothing (its run is kept, with the error, by
    // design: docs/imports.md "Every import — finished, dry run or refused — is kept")
    String csv =
        "phone,name\n" + TestApp.uniquePhone() + ",Ok\n" + TestApp.uniquePhone() + ",\"open\n";
    refusedRaw("POST", "/v1/imports", "text/csv", csv);
    refusedRaw(
        "POST",
        "/v1/imports",
        "text/csv",
        "phone,sms_consent\n" + TestApp.uniquePhone() + ",yes\n");
    refusedRaw(
        "POST", "/v1/imports?map=nonsense", "text/csv", "phone\n" + TestApp.uniquePhone() + "\n");
    refusedRaw(
        "POST", "/v1/imports", "text/csv; charset=nope", "phone\n" + TestApp.uniquePhone() + "\n");

    assertThat(failures).isEmpty();

    // the idempotency keys of refused requests were not consumed: a new request may use them
    for (String key : List.of("k-1", "k-2", "k-3")) {
      var accepted =
          tandem.call(
              "POST",
              "/v1/messages",
              Map.of("contactId", a, "idempotencyKey", key, "sms", Map.of("text", "Hello")));
      assertThat(accepted.status()).as(key + " " + accepted.body()).isEqualTo(202);
    }
  }

  @Test
  void no_bad_body_makes_a_write_route_fail_with_a_5xx() throws Exception {
    String a = tandem.aContact().get("id").asText();
    List<String[]> routes =
        List.of(
            new String[] {"POST", "/v1/contacts"},
            new String[] {"PATCH", "/v1/contacts/" + a},
            new String[] {"POST", "/v1/messages"},
            new String[] {"POST", "/v1/messages/batch"},
            new String[] {"POST", "/v1/sms/inspect"},
            new String[] {"POST", "/v1/sandbox/sms/inbound"},
            new String[] {"POST", "/v1/contacts/" + a + "/consents"},
            new String[] {"POST", "/v1/contacts/" + a + "/double-opt-in"},
            new String[] {"POST", "/v1/contacts/" + a + "/preference-link"},
            new String[] {"POST", "/v1/contacts/merge"},
            new String[] {"POST", "/v1/contacts/" + a + "/addresses"},
            new String[] {"POST", "/v1/suppressions"},
            new String[] {"POST", "/v1/apikeys"},
            new String[] {"PUT", "/v1/topics/probe"},
            new String[] {"PUT", "/v1/contacts/" + a + "/preferences/marketing"},
            new String[] {"PUT", "/v1/templates/probe"},
            new String[] {"POST", "/v1/templates/probe/check"},
            new String[] {"PUT", "/v1/snippets/probe"},
            new String[] {"POST", "/v1/webhooks"},
            new String[] {"POST", "/v1/imports"});
    List<String> bodies =
        List.of(
            "",
            "null",
            "[]",
            "\"text\"",
            "42",
            "{}",
            "{\"x\":1}",
            "{\"phone\":[],\"email\":{},\"name\":7,\"channel\":1,\"topic\":[],\"text\":{}}",
            "{\"to\":\"x\",\"sms\":\"x\",\"email\":[],\"channels\":\"sms\",\"contactId\":5}",
            "{\"messages\":[null,1,\"x\",[],{}]}",
            "{\"variants\":[],\"class\":5,\"url\":{},\"events\":\"*\",\"scopes\":\"api\"}",
            "{\"survivor\":\"x\",\"merged\":\"y\",\"action\":null,\"at\":\"never\"}",
            "{\"name\":\"\\u0000\",\"phone\":\"+1\\u0000\"}",
            "{\"phone\":\"" + "9".repeat(5000) + "\",\"text\":\"" + "é".repeat(200_000) + "\"}");
    for (String[] route : routes) {
      for (String body : bodies) {
        Answer answer = send(route[0], route[1], "application/json", body);
        if (answer.status() >= 500) {
          failures.add(route[0] + " " + route[1] + " " + body + " -> " + answer);
        }
      }
    }
    assertThat(failures).isEmpty();
  }

  private void put(String path, Object body) {
    var answer = tandem.call("PUT", path, body);
    assertThat(answer.status()).as(path + " " + answer.body()).isLessThan(300);
  }

  private void refused(String method, String path, Object body) throws Exception {
    refusedRaw(
        method,
        path,
        "application/json",
        body == null ? null : body instanceof String s ? s : JSON.writeValueAsString(body));
  }

  private void refusedRaw(String method, String path, String contentType, String body)
      throws Exception {
    refusedRaw(method, path, contentType, body, Map.of());
  }

  private void refusedRaw(
      String method, String path, String contentType, String body, Map<String, String> headers)
      throws Exception {
    Map<String, String> before = snapshot();
    Answer answer = send(method, path, contentType, body, headers);
    String what = method + " " + path + " " + (body == null ? "" : abbreviate(body));
    if (answer.status() < 400 || answer.status() >= 500) {
      failures.add(what + ": answered " + answer.status() + " " + abbreviate(answer.body()));
      return;
    }
    Map<String, String> after = snapshot();
    for (var table : before.keySet()) {
      boolean kept = table.equals("import_run") && path.startsWith("/v1/imports");
      if (!kept && !before.get(table).equals(after.get(table))) {
        failures.add(
            what + ": answered " + answer.status() + " " + code(answer) + " but changed " + table);
      }
    }
  }

  private static String code(Answer answer) {
    try {
      JsonNode json = JSON.readTree(answer.body());
      return json.path("code").asText();
    } catch (Exception e) {
      return "?";
    }
  }

  private static String abbreviate(String text) {
    return text.length() > 160 ? text.substring(0, 160) + "…" : text;
  }

  private Answer send(String method, String path, String contentType, String body)
      throws Exception {
    return send(method, path, contentType, body, Map.of());
  }

  private Answer send(
      String method, String path, String contentType, String body, Map<String, String> headers)
      throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create(tandem.app.url() + path))
            .header("Authorization", "Bearer " + TestApp.API_KEY)
            .header("Content-Type", contentType)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.body());
  }

  /**
   * A digest of every table's rows, in a stable order; an API key's last use is left out (every
   * request with a key records it).
   */
  private Map<String, String> snapshot() throws Exception {
    var digests = tables();
    // what the database does not show: messages handed to the sandbox, counters
    digests.put(
        "sandbox",
        tandem.app.sandboxSmtp.orElseThrow().received().size()
            + " emails, "
            + tandem.app.sandboxSmsc.orElseThrow().received().size()
            + " sms");
    String metrics = send("GET", "/metrics", "text/plain", null).body();
    digests.put(
        "metrics",
        String.join(
            "\n",
            metrics
                .lines()
                .filter(l -> l.matches("tandem_(messages_accepted|deliveries|fallbacks).*"))
                .toList()));
    return digests;
  }

  private Map<String, String> tables() {
    return jdbi.withHandle(handle -> {
      var columns = new LinkedHashMap<String, List<String>>();
      handle
          .createQuery(
              "SELECT table_name, column_name FROM information_schema.columns"
                  + " WHERE table_schema = current_schema() AND table_name NOT LIKE 'flyway%'"
                  + " AND column_name NOT LIKE 'last_used%' ORDER BY table_name, ordinal_position")
          .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
          .forEach(
              e -> columns.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
      var digests = new LinkedHashMap<String, String>();
      columns.forEach((table, cols) -> {
        String row =
            "row("
                + String.join(", ", cols.stream().map(c -> "t.\"" + c + "\"").toList())
                + ")::text";
        digests.put(
            table,
            handle
                .createQuery(
                    "SELECT count(*) || ':' || coalesce(md5(string_agg("
                        + row
                        + ", '|' ORDER BY "
                        + row
                        + ")), '') FROM \""
                        + table
                        + "\" t")
                .mapTo(String.class)
                .one());
      });
      return digests;
    });
  }
}
