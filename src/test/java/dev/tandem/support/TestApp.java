package dev.tandem.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.App;
import dev.tandem.config.ConfigLoader;
import dev.tandem.config.TandemConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real Tandem for tests: embedded PostgreSQL in a temporary data directory, the sandbox SMTP
 * server and SMSC on random ports, the API on a random port, a settable clock, and the dispatcher
 * driven by hand.
 */
public final class TestApp implements AutoCloseable {
  public static final String API_KEY = "tdm_test_key_0123456789abcdef";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  public final SettableClock clock = new SettableClock(Instant.parse("2026-11-27T10:00:00Z"));
  public final Path dataDir;
  public App app;
  private final Map<String, String> overrides;
  private final HttpClient http = HttpClient.newHttpClient();

  private TestApp(Path dataDir, Map<String, String> overrides) {
    this.dataDir = dataDir;
    this.overrides = overrides;
    restart();
  }

  public static TestApp start(Map<String, String> extra) {
    try {
      return new TestApp(Files.createTempDirectory("tandem-test-"), extra);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static TestApp start() {
    return start(Map.of());
  }

  /** (Re)starts Tandem on the same data directory. */
  public void restart() {
    var all = new HashMap<String, String>();
    all.put("dataDir", dataDir.toString());
    all.put("sandbox.mode", "on");
    all.put("http.port", "0");
    all.put("sandbox.receiptDelay", "0ms");
    all.put("dispatch.retryBase", "1s");
    all.put("smtp.timeout", "5s");
    all.put("smpp.responseTimeout", "5s");
    all.putAll(overrides);
    TandemConfig config = ConfigLoader.load(null, Map.of(), all);
    app = App.start(config, new App.Options(clock, false, 0, Optional.of(API_KEY)));
    await().atMost(Duration.ofSeconds(30)).until(() -> app.sms.ready());
  }

  /** Stops Tandem, keeping the data directory. */
  public void stop() {
    app.close();
  }

  /** A phone number no other test uses: +1 415 555 2xxx is valid for libphonenumber. */
  public static String uniquePhone() {
    return "+1415555" + (2000 + SEQUENCE.incrementAndGet() % 8000);
  }

  public static String uniqueEmail() {
    return "person" + SEQUENCE.incrementAndGet() + "@example.com";
  }

  public record Response(
      int status, String contentType, JsonNode body, Map<String, java.util.List<String>> headers) {}

  public Response call(String method, String path, Object body) {
    return call(method, path, body, API_KEY);
  }

  public Response call(String method, String path, Object body, String apiKey) {
    try {
      String text =
          body == null ? null : body instanceof String s ? s : JSON.writeValueAsString(body);
      var builder =
          HttpRequest.newBuilder(URI.create(app.url() + path))
              .timeout(Duration.ofSeconds(30))
              .method(
                  method,
                  text == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(text))
              .header("Content-Type", "application/json");
      if (apiKey != null) {
        builder.header("Authorization", "Bearer " + apiKey);
      }
      HttpResponse<String> response =
          http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
      String contentType = response.headers().firstValue("Content-Type").orElse("");
      JsonNode json =
          contentType.contains("json") && !response.body().isEmpty()
              ? JSON.readTree(response.body())
              : JSON.createObjectNode().put("text", response.body());
      return new Response(response.statusCode(), contentType, json, response.headers().map());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public JsonNode createContact(Map<String, Object> fields) {
    Response response = call("POST", "/v1/contacts", fields);
    assertThat(response.status()).as(response.body().toString()).isEqualTo(201);
    return response.body();
  }

  public JsonNode aContact() {
    return createContact(
        Map.of("phone", uniquePhone(), "email", uniqueEmail(), "name", "Test Person"));
  }

  public JsonNode sendBoth(String contactId) {
    Response response =
        call(
            "POST",
            "/v1/messages",
            Map.of(
                "contactId", contactId,
                "channels", java.util.List.of("sms", "email"),
                "sms", Map.of("text", "Your code is 123456"),
                "email",
                    Map.of("subject", "Your code", "html", "<p>Your code is <b>123456</b></p>")));
    assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
    return response.body();
  }

  /** POSTs a send request; returns the message id (asserting 202). */
  public String send(Map<String, Object> request) {
    Response response = call("POST", "/v1/messages", request);
    assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
    return response.body().get("id").asText();
  }

  /** Records a consent grant through the API, as the person agreed to {@code wording}. */
  public void grant(String contactId, String channel, String topic, String wording) {
    Response response =
        call(
            "POST",
            "/v1/contacts/" + contactId + "/consents",
            Map.of("channel", channel, "topic", topic, "action", "grant", "wording", wording));
    assertThat(response.status()).as(response.body().toString()).isEqualTo(201);
  }

  /** Creates a contact with this phone and sends it one SMS; returns the message id. */
  public String sendSms(String phone, String text) {
    JsonNode contact = createContact(Map.of("phone", phone));
    Response response =
        call(
            "POST",
            "/v1/messages",
            Map.of(
                "contactId",
                contact.get("id").asText(),
                "channels",
                java.util.List.of("sms"),
                "sms",
                Map.of("text", text)));
    assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
    return response.body().get("id").asText();
  }

  /** Sends one email to this address (its contact created if new); returns the message id. */
  public String sendEmail(String address, Map<String, Object> email) {
    Response response =
        call(
            "POST",
            "/v1/messages",
            Map.of(
                "to",
                Map.of("email", address),
                "channels",
                java.util.List.of("email"),
                "email",
                email));
    assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
    return response.body().get("id").asText();
  }

  /** Sends one SMS to a new contact with a phone number no other test uses. */
  public String sendSms(String text) {
    return sendSms(uniquePhone(), text);
  }

  public JsonNode message(String id) {
    return call("GET", "/v1/messages/" + id, null).body();
  }

  public String status(String messageId, String channel) {
    for (JsonNode delivery : message(messageId).get("deliveries")) {
      if (delivery.get("channel").asText().equals(channel)) {
        return delivery.get("status").asText();
      }
    }
    throw new AssertionError("no " + channel + " delivery in " + message(messageId));
  }

  public JsonNode delivery(String messageId, String channel) {
    for (JsonNode delivery : message(messageId).get("deliveries")) {
      if (delivery.get("channel").asText().equals(channel)) {
        return delivery;
      }
    }
    throw new AssertionError("no " + channel + " delivery");
  }

  /** Waits (bounded) until the delivery reaches {@code status}. */
  public void awaitStatus(String messageId, String channel, String status) {
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .untilAsserted(() ->
            assertThat(status(messageId, channel)).as(() -> smsState(messageId)).isEqualTo(status));
  }

  /** Parts and receipts of a message's SMS: what a failing wait shows. */
  public String smsState(String messageId) {
    return app.database
        .jdbi()
        .withHandle(h ->
            "parts "
                + h.createQuery(
                        "SELECT p.seq || ':' || p.provider_id || ':' || p.receipt_key || ':' || p.status FROM sms_part p"
                            + " JOIN delivery d ON d.id = p.delivery_id WHERE d.message_id = CAST(:m AS uuid) ORDER BY p.seq")
                    .bind("m", messageId)
                    .mapTo(String.class)
                    .list()
                + " receipts "
                + h.createQuery(
                        "SELECT receipt_key || ':' || stat || ':' || coalesce(delivery_id::text, 'unmatched') FROM sms_receipt ORDER BY id")
                    .mapTo(String.class)
                    .list());
  }

  @Override
  public void close() {
    if (app != null) {
      app.close();
    }
    try (var paths = Files.walk(dataDir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // temporary directory
    }
  }
}
