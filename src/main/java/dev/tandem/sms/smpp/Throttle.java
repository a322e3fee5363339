package dev.tandem.sms.smpp;

import java.time.Duration;

/**
 * A token bucket of one token refilled {@code perSecond} times a second: submits on one bind are
 * spaced at least 1/perSecond apart, which is what SMSC contracts limit. 0 means no limit.
 */
final class Throttle {
  private final long intervalNanos;
  private long nextFree;

  Throttle(int perSecond) {
    this.intervalNanos = perSecond <= 0 ? 0 : 1_000_000_000L / perSecond;
  }

  /** Blocks (a virtual thread) until this caller may submit. */
  void acquire() throws InterruptedException {
    if (intervalNanos == 0) {
      return;
    }
    long wait;
    synchronized (this) {
      long now = System.nanoTime();
      long at = Math.max(now, nextFree);
      nextFree = at + intervalNanos;
      wait = at - now;
    }
    if (wait > 0) {
      Thread.sleep(Duration.ofNanos(wait));
    }
  }
}
