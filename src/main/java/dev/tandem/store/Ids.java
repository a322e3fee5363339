package dev.tandem.store;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/** UUIDv7 (RFC 9562): time-ordered, so new rows land at the end of their indexes. */
public final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Above every id: where a newest-first list starts. */
  public static final UUID HIGHEST = new UUID(-1L, -1L);

  /**
   * The order PostgreSQL gives uuids (byte by byte, unsigned), which for UUIDv7 is creation order;
   * {@link UUID#compareTo} compares signed halves and differs from it.
   */
  public static final java.util.Comparator<UUID> ORDER =
      java.util.Comparator.comparing((UUID u) -> u.getMostSignificantBits(), Long::compareUnsigned)
          .thenComparing(UUID::getLeastSignificantBits, Long::compareUnsigned);

  private Ids() {}

  public static UUID next(Clock clock) {
    long millis = clock.millis();
    long high = (millis << 16) | 0x7000L | (RANDOM.nextInt() & 0x0FFFL);
    long low = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low);
  }
}
