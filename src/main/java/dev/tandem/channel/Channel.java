package dev.tandem.channel;

import java.util.Locale;
import java.util.Optional;

/**
 * The channels a message can go on: a value every feature shares. Stored and shown in lower case.
 */
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
