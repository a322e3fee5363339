package dev.tandem.api;

import dev.tandem.error.InvalidInput;
import dev.tandem.error.NotFound;
import dev.tandem.store.Ids;
import dev.tandem.store.NamedSql;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;

/**
 * API keys: {@code tdm_} + 256 random bits, shown once and stored as SHA-256. A slow password hash
 * buys nothing for keys this long (see docs/decisions/0004-api-key-hashing.md). A key has scopes,
 * may expire and may be revoked; every node re-reads a key at most {@link #RECHECK} after it last
 * did, so a revocation holds everywhere within that time
 * (docs/decisions/0014-api-key-lifecycle.md).
 */
public final class ApiKeys {
  /** Every {@code /v1} route except key management. */
  public static final String API = "api";

  /** Listing, creating and revoking keys. */
  public static final String MANAGE_KEYS = "keys:manage";

  public static final Set<String> SCOPES = Set.of(API, MANAGE_KEYS);

  /** How long a node trusts what it last read about a key. */
  static final Duration RECHECK = Duration.ofMillis(500);

  /** lastUsedAt is written at most this often per key and node. */
  static final Duration LAST_USED_PRECISION = Duration.ofMinutes(1);

  private static final int MAX_CACHED = 10_000;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String PREFIX = "tdm_";

  /** A stored key, without its secret. */
  public record ApiKey(
      UUID id,
      String name,
      String prefix,
      Set<String> scopes,
      Instant createdAt,
      Instant expiresAt,
      Instant lastUsedAt,
      Instant revokedAt) {}

  /** A key just created: the secret is in {@code key}, and nowhere else. */
  public record Created(String key, ApiKey stored) {}

  /** What a presented key is worth now. */
  public sealed interface Check {
    record Valid(ApiKey key) implements Check {}

    record Refused(String reason) implements Check {}
  }

  private record Cached(Optional<ApiKey> key, long readAtNanos) {}

  private final Jdbi jdbi;
  private final Clock clock;
  private final String insert;
  private final String byHash;
  private final String list;
  private final String revoke;
  private final String used;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();
  private final java.util.function.LongSupplier nanoTime;

  public ApiKeys(Jdbi jdbi, Clock clock) {
    this(jdbi, clock, System::nanoTime);
  }

  /**
   * @param nanoTime monotonic real time for the cache's age, not the injected clock: other nodes
   *     revoke in real time (tests pass a ticker of their own)
   */
  ApiKeys(Jdbi jdbi, Clock clock, java.util.function.LongSupplier nanoTime) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.nanoTime = nanoTime;
    var sql = NamedSql.forClass(ApiKeys.class);
    this.insert = sql.get("insert");
    this.byHash = sql.get("byHash");
    this.list = sql.get("list");
    this.revoke = sql.get("revoke");
    this.used = sql.get("used");
  }

  /** Creates a key and returns it; it is not stored in a form that can be shown again. */
  public Created create(String name, Set<String> scopes, Instant expiresAt) {
    if (name == null || name.isBlank() || name.length() > 100) {
      throw new InvalidInput(
          "invalid-name", "name", "name must be 1 to 100 characters, e.g. billing-service.");
    }
    Set<String> checked = scopes(scopes);
    if (expiresAt != null && !expiresAt.isAfter(clock.instant())) {
      throw new InvalidInput(
          "invalid-expiry",
          "expiresAt",
          "expiresAt " + expiresAt + " is not in the future; give a later time or none.");
    }
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    return new Created(key, store(name.strip(), key, checked, expiresAt));
  }

  private static Set<String> scopes(Set<String> requested) {
    if (requested == null || requested.isEmpty()) {
      throw new InvalidInput(
          "invalid-scopes",
          "scopes",
          "scopes must name at least one of: " + String.join(", ", new TreeSet<>(SCOPES)) + ".");
    }
    for (String scope : requested) {
      if (!SCOPES.contains(scope)) {
        throw new InvalidInput(
            "invalid-scopes",
            "scopes",
            "'"
                + scope
                + "' is not a scope. Scopes: "
                + String.join(", ", new TreeSet<>(SCOPES))
                + ".");
      }
    }
    return new TreeSet<>(requested);
  }

  /** Registers {@code key} (from TANDEM_BOOTSTRAP_API_KEY) unless it is registered already. */
  public void bootstrap(String key) {
    if (key.length() < 20 || key.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw new IllegalArgumentException(
          "TANDEM_BOOTSTRAP_API_KEY must be at least 20 printable ASCII characters without spaces");
    }
    store("bootstrap", key, SCOPES, null);
  }

  private ApiKey store(String name, String key, Set<String> scopes, Instant expiresAt) {
    UUID id = Ids.next(clock);
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    String prefix = key.substring(0, Math.min(8, key.length()));
    jdbi.useHandle(handle ->
        handle
            .createUpdate(insert)
            .bind("id", id)
            .bind("name", name)
            .bind("keyHash", hash(key))
            .bind("prefix", prefix)
            .bind("createdAt", now)
            .bind("scopes", scopes.toArray(String[]::new))
            .bindByType("expiresAt", expiresAt, Instant.class)
            .execute());
    return new ApiKey(id, name, prefix, scopes, now, expiresAt, null, null);
  }

  /** Every key, revoked and expired ones included, oldest first. */
  public List<ApiKey> list() {
    return jdbi.withHandle(h -> h.createQuery(list).map((rs, ctx) -> apiKey(rs)).list());
  }

  /** Revokes a key (again: no change); it stops working on every node within {@link #RECHECK}. */
  public ApiKey revoke(UUID id) {
    ApiKey key =
        jdbi.withHandle(h ->
                h.createQuery(revoke)
                    .bind("id", id)
                    .bind("now", clock.instant())
                    .map((rs, ctx) -> apiKey(rs))
                    .findOne())
            .orElseThrow(
                () -> new NotFound("api-key-not-found", "id", "There is no API key " + id + "."));
    cache.clear();
    return key;
  }

  /** Whether {@code key} may be used now; records its use (at most once a minute). */
  public Check check(String key) {
    if (key == null || key.isEmpty() || key.length() > 200) {
      return new Check.Refused("The API key is not valid.");
    }
    String hash = hash(key);
    Optional<ApiKey> found = lookUp(hash);
    if (found.isEmpty()) {
      return new Check.Refused("The API key is not valid.");
    }
    ApiKey stored = found.get();
    Instant now = clock.instant();
    if (stored.revokedAt() != null) {
      return new Check.Refused(
          "The API key " + stored.prefix() + "… was revoked at " + stored.revokedAt() + ".");
    }
    if (stored.expiresAt() != null && !now.isBefore(stored.expiresAt())) {
      return new Check.Refused(
          "The API key "
              + stored.prefix()
              + "… expired at "
              + stored.expiresAt()
              + "; create a new one.");
    }
    recordUse(hash, stored, now);
    return new Check.Valid(stored);
  }

  private Optional<ApiKey> lookUp(String hash) {
    long now = nanoTime.getAsLong();
    Cached cached = cache.get(hash);
    if (cached != null && now - cached.readAtNanos() < RECHECK.toNanos()) {
      return cached.key();
    }
    Optional<ApiKey> key =
        jdbi.withHandle(h ->
            h.createQuery(byHash).bind("keyHash", hash).map((rs, ctx) -> apiKey(rs)).findOne());
    if (cache.size() >= MAX_CACHED) {
      cache.clear();
    }
    cache.put(hash, new Cached(key, now));
    return key;
  }

  private void recordUse(String hash, ApiKey key, Instant now) {
    if (key.lastUsedAt() != null && key.lastUsedAt().isAfter(now.minus(LAST_USED_PRECISION))) {
      return;
    }
    Instant at = now.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    jdbi.useHandle(h ->
        h.createUpdate(used)
            .bind("id", key.id())
            .bind("now", at)
            .bind("staleBefore", at.minus(LAST_USED_PRECISION))
            .execute());
    var usedKey =
        new ApiKey(
            key.id(),
            key.name(),
            key.prefix(),
            key.scopes(),
            key.createdAt(),
            key.expiresAt(),
            at,
            key.revokedAt());
    cache.computeIfPresent(
        hash, (h, cached) -> new Cached(Optional.of(usedKey), cached.readAtNanos()));
  }

  private static ApiKey apiKey(ResultSet rs) throws SQLException {
    return new ApiKey(
        rs.getObject("id", UUID.class),
        rs.getString("name"),
        rs.getString("prefix"),
        new TreeSet<>(List.of((String[]) rs.getArray("scopes").getArray())),
        instant(rs.getTimestamp("created_at")),
        instant(rs.getTimestamp("expires_at")),
        instant(rs.getTimestamp("last_used_at")),
        instant(rs.getTimestamp("revoked_at")));
  }

  private static Instant instant(Timestamp timestamp) {
    return timestamp == null ? null : timestamp.toInstant();
  }

  private static String hash(String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
