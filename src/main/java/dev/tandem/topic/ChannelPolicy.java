package dev.tandem.topic;

import java.util.Locale;
import java.util.Optional;

/** Which channel a topic's messages take first, and what the other channel is for. */
public enum ChannelPolicy {
  /** Email now; SMS is the fallback when the topic has one. */
  EMAIL_FIRST,
  /** SMS now; email is the fallback when the topic has one. */
  SMS_FIRST,
  /** Both at once (critical alerts). */
  BOTH,
  /** Email now; an SMS that points to it once the relay accepted the email. */
  POINTER,
  /**
   * The person's preferred channel for the topic, else the topic's default; the other falls back.
   */
  PREFERENCE;

  /** As written in the API and config: {@code email-first}, {@code sms-first}, … */
  public String key() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static Optional<ChannelPolicy> parse(String value) {
    for (ChannelPolicy p : values()) {
      if (p.key().equals(value)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
