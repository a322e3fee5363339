package dev.tandem.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Exponential backoff: {@code base × 2^(attempt−1)}, capped at {@code max}, spread by up to +25% so
 * that deliveries that failed together do not all come back at once. The spread is derived from the
 * delivery id, so it is the same on every run.
 */
record RetryPolicy(int maxAttempts, Duration base, Duration max) {

  boolean exhausted(int attempts) {
    return attempts >= maxAttempts;
  }

  /** After the SMSC asked to slow down: the base delay, not growing, spread the same way. */
  Instant afterThrottling(UUID deliveryId, Instant now) {
    long spreadPercent = Math.floorMod(deliveryId.getLeastSignificantBits(), 26);
    return now.plus(base).plus(base.multipliedBy(spreadPercent).dividedBy(100));
  }

  Instant nextAttempt(UUID deliveryId, int attempts, Instant now) {
    int exponent = Math.min(Math.max(attempts - 1, 0), 30);
    Duration delay = base.multipliedBy(1L << exponent);
    if (delay.compareTo(max) > 0 || delay.isNegative()) {
      delay = max;
    }
    long spreadPercent = Math.floorMod(deliveryId.getLeastSignificantBits() ^ attempts, 26);
    return now.plus(delay).plus(delay.multipliedBy(spreadPercent).dividedBy(100));
  }
}
