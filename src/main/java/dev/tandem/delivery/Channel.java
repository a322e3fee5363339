package dev.tandem.delivery;

import java.util.Locale;
import java.util.Optional;

/** The two channels. Stored and shown in lower case. */
public enum Channel {
  SMS,
  EMAIL;

  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Channel> parse(String value) {
    for (Channel channel : values()) {
      if (channel.key().equals(value)) {
        return Optional.of(channel);
      }
    }
    return Optional.empty();
  }
}
