package dev.tandem.api;

import dev.tandem.store.Ids;
import dev.tandem.store.NamedSql;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;

/**
 * API keys: {@code tdm_} + 256 random bits, shown once and stored as SHA-256. A slow password hash
 * buys nothing for keys this long (see docs/decisions/0004-api-key-hashing.md).
 */
public final class ApiKeys {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String PREFIX = "tdm_";

  private final Jdbi jdbi;
  private final Clock clock;
  private final String insert;
  private final String exists;
  private final Set<String> known = ConcurrentHashMap.newKeySet();

  public ApiKeys(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
    var sql = NamedSql.forClass(ApiKeys.class);
    this.insert = sql.get("insert");
    this.exists = sql.get("exists");
  }

  /** Creates a key and returns it; it is not stored in a form that can be shown again. */
  public String create(String name) {
    if (name == null || name.isBlank() || name.length() > 100) {
      throw new IllegalArgumentException(
          "--name must be 1 to 100 characters, e.g. --name billing-service");
    }
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    store(name.strip(), key);
    return key;
  }

  /** Registers {@code key} (from TANDEM_BOOTSTRAP_API_KEY) unless it is registered already. */
  public void bootstrap(String key) {
    if (key.length() < 20 || key.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw new IllegalArgumentException(
          "TANDEM_BOOTSTRAP_API_KEY must be at least 20 printable ASCII characters without spaces");
    }
    if (!valid(key)) {
      store("bootstrap", key);
    }
  }

  private void store(String name, String key) {
    jdbi.useHandle(handle ->
        handle
            .createUpdate(insert)
            .bind("id", Ids.next(clock))
            .bind("name", name)
            .bind("keyHash", hash(key))
            .bind("prefix", key.substring(0, Math.min(8, key.length())))
            .bind("createdAt", clock.instant())
            .execute());
  }

  /** True when the key was created here. Keys cannot be revoked yet, so valid hashes are cached. */
  public boolean valid(String key) {
    if (key == null || key.isEmpty() || key.length() > 200) {
      return false;
    }
    String hash = hash(key);
    if (known.contains(hash)) {
      return true;
    }
    boolean found =
        jdbi.withHandle(
            h -> h.createQuery(exists).bind("keyHash", hash).mapTo(Boolean.class).one());
    if (found) {
      known.add(hash);
    }
    return found;
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
