package dev.tandem.delivery;

import java.util.Locale;

/**
 * A delivery moves {@code queued → sending → sent → delivered | failed}; {@code sending} goes back
 * to {@code queued} when a transient failure will be retried. A delivery that consent forbids, at
 * acceptance or when it is dispatched, ends {@code suppressed}.
 */
public enum DeliveryStatus {
  QUEUED,
  SENDING,
  SENT,
  DELIVERED,
  FAILED,
  /** Not sent: consent or a suppression forbids it; {@code lastError} says which. */
  SUPPRESSED;

  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static DeliveryStatus of(String key) {
    return valueOf(key.toUpperCase(Locale.ROOT));
  }
}
