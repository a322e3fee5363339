package dev.tandem.delivery;

import java.util.Locale;

/**
 * A delivery moves {@code queued → sending → sent → delivered | failed}; {@code sending} goes back
 * to {@code queued} when a transient failure will be retried.
 */
public enum DeliveryStatus {
  QUEUED,
  SENDING,
  SENT,
  DELIVERED,
  FAILED;

  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static DeliveryStatus of(String key) {
    return valueOf(key.toUpperCase(Locale.ROOT));
  }
}
