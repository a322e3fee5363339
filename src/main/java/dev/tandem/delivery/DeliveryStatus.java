package dev.tandem.delivery;

import java.util.Locale;

/**
 * A delivery moves {@code queued → sending → sent → delivered | failed}; {@code sending} goes back
 * to {@code queued} when a transient failure will be retried. A delivery that consent forbids, at
 * acceptance or when it is dispatched, ends {@code suppressed}. A fallback or pointer step waits
 * {@code held} for the delivery it follows, then is queued or {@code cancelled}.
 */
public enum DeliveryStatus {
  QUEUED,
  SENDING,
  SENT,
  DELIVERED,
  FAILED,
  /** Not sent: consent or a suppression forbids it; {@code lastError} says which. */
  SUPPRESSED,
  /** A fallback or pointer waiting for the delivery it follows. */
  HELD,
  /** A fallback or pointer that will never go: {@code lastError} says why. */
  CANCELLED;

  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static DeliveryStatus of(String key) {
    return valueOf(key.toUpperCase(Locale.ROOT));
  }
}
