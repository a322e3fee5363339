package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.support.TestApp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Keys are listed, scoped, expire, record their last use, and a revocation holds on every node. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiKeyLifecycleTest {
  TestApp tandem;

  @BeforeAll
  void start() {
    tandem = TestApp.start();
  }

  @AfterAll
  void stop() {
    tandem.close();
  }

  private JsonNode createKey(Map<String, Object> request) {
    var response = tandem.call("POST", "/v1/apikeys", request);
    assertThat(response.status()).as(response.body().toString()).isEqualTo(201);
    return response.body();
  }

  private JsonNode listed(String id) {
    for (JsonNode key : tandem.call("GET", "/v1/apikeys", null).body().get("items")) {
      if (key.get("id").asText().equals(id)) {
        return key;
      }
    }
    throw new AssertionError("key " + id + " is not listed");
  }

  private static int status(int port, String key) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/sms/problems"))
                  .header("Authorization", "Bearer " + key)
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void a_key_revoked_on_one_node_is_refused_by_another_within_a_second() {
    JsonNode created = createKey(Map.of("name", "two-nodes", "scopes", List.of("api")));
    String key = created.get("key").asText();
    var ticker = new java.util.concurrent.atomic.AtomicLong(); // the other node's monotonic time
    try (ApiServer other =
        ApiServer.start(
            tandem
                .app
                .api
                .features()
                .withApiKeys(new ApiKeys(tandem.app.database.jdbi(), tandem.clock, ticker::get)),
            "127.0.0.1",
            0,
            "")) {
      assertThat(status(other.port(), key)).isEqualTo(200);
      assertThat(status(tandem.app.api.port(), key)).isEqualTo(200);

      var revoked = tandem.call("DELETE", "/v1/apikeys/" + created.get("id").asText(), null);
      assertThat(revoked.status()).as(revoked.body().toString()).isEqualTo(200);
      assertThat(revoked.body().get("revokedAt").asText()).isNotEmpty();

      assertThat(status(tandem.app.api.port(), key)).isEqualTo(401);
      // the other node still holds what it read; once that is RECHECK old it reads again
      ticker.addAndGet(ApiKeys.RECHECK.toNanos() - 1);
      assertThat(status(other.port(), key)).isEqualTo(200);
      ticker.addAndGet(1);
      assertThat(status(other.port(), key)).isEqualTo(401);
      assertThat(ApiKeys.RECHECK).isLessThan(Duration.ofSeconds(1));
    }
  }

  @Test
  void an_expired_key_is_refused() {
    Instant expires = tandem.clock.instant().plus(Duration.ofHours(1));
    JsonNode created = createKey(Map.of("name", "short-lived", "expiresAt", expires.toString()));
    String key = created.get("key").asText();
    assertThat(tandem.call("GET", "/v1/sms/problems", null, key).status()).isEqualTo(200);

    tandem.clock.advance(Duration.ofHours(2));
    try {
      var refused = tandem.call("GET", "/v1/sms/problems", null, key);
      assertThat(refused.status()).isEqualTo(401);
      assertThat(refused.body().get("detail").asText()).contains("expired");
    } finally {
      tandem.clock.advance(Duration.ofHours(-2));
    }
  }

  @Test
  void an_expiry_in_the_past_is_refused_naming_the_field() {
    var response =
        tandem.call(
            "POST",
            "/v1/apikeys",
            Map.of(
                "name", "stale", "expiresAt", tandem.clock.instant().minusSeconds(1).toString()));
    assertThat(response.status()).isEqualTo(422);
    assertThat(response.body().get("field").asText()).isEqualTo("expiresAt");
  }

  @Test
  void a_used_key_records_when_it_was_last_used() {
    JsonNode created = createKey(Map.of("name", "used"));
    assertThat(listed(created.get("id").asText()).get("lastUsedAt").isNull()).isTrue();

    tandem.call("GET", "/v1/sms/problems", null, created.get("key").asText());

    assertThat(Instant.parse(listed(created.get("id").asText()).get("lastUsedAt").asText()))
        .isEqualTo(tandem.clock.instant());
  }

  @Test
  void a_key_without_the_scope_to_manage_keys_gets_403_and_keeps_its_other_rights() {
    JsonNode created = createKey(Map.of("name", "sender", "scopes", List.of("api")));
    String key = created.get("key").asText();

    var list = tandem.call("GET", "/v1/apikeys", null, key);
    var revoke = tandem.call("DELETE", "/v1/apikeys/" + created.get("id").asText(), null, key);

    assertThat(list.status()).isEqualTo(403);
    assertThat(list.body().get("detail").asText()).contains("keys:manage");
    assertThat(revoke.status()).isEqualTo(403);
    assertThat(tandem.call("GET", "/v1/sms/problems", null, key).status()).isEqualTo(200);
  }

  @Test
  void a_key_that_may_only_manage_keys_cannot_send() {
    JsonNode created = createKey(Map.of("name", "admin", "scopes", List.of("keys:manage")));
    String key = created.get("key").asText();

    assertThat(tandem.call("GET", "/v1/apikeys", null, key).status()).isEqualTo(200);
    assertThat(tandem.call("GET", "/v1/sms/problems", null, key).status()).isEqualTo(403);
  }

  @Test
  void an_unknown_scope_is_refused_naming_it() {
    var response =
        tandem.call("POST", "/v1/apikeys", Map.of("name", "x", "scopes", List.of("root")));
    assertThat(response.status()).isEqualTo(422);
    assertThat(response.body().get("field").asText()).isEqualTo("scopes");
    assertThat(response.body().get("detail").asText()).contains("'root'");
  }

  @Test
  void the_list_shows_no_secret() {
    createKey(Map.of("name", "listed"));
    String listing = tandem.call("GET", "/v1/apikeys", null).body().toString();
    assertThat(listing).doesNotContain("keyHash").doesNotContain("\"key\"");
  }
}
