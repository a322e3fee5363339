package dev.tandem.consent;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * One consent event to append to the ledger.
 *
 * @param channel {@code sms} or {@code email}
 * @param topic a configured topic key, or {@link #ALL_TOPICS}
 * @param wording what the person was shown or said
 * @param evidence inbound message id, IP and user agent, delivery id, … (no secrets)
 * @param at when the person gave or withdrew consent (an import's date may be in the past)
 * @param dedupeKey when set, a second event with the same key is not recorded (replays)
 */
public record ConsentChange(
    UUID contactId,
    String channel,
    String topic,
    Action action,
    Source source,
    String wording,
    Map<String, Object> evidence,
    Instant at,
    String dedupeKey) {

  /** The topic of a channel-wide change: STOP revokes every topic on SMS. */
  public static final String ALL_TOPICS = "*";

  public enum Action {
    GRANTED,
    REVOKED;

    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Where a consent event came from (the ledger's {@code source}). */
  public enum Source {
    SMS_KEYWORD,
    EMAIL_UNSUBSCRIBE,
    PREFERENCE_CENTER,
    API,
    IMPORT,
    DOUBLE_OPT_IN,
    SUPPORT;

    public String key() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Source of(String key) {
      return valueOf(key.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
  }
}
