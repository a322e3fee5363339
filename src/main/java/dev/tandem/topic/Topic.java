package dev.tandem.topic;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A topic people can consent to; {@code description} is shown to them, {@code policy} routes its
 * messages.
 */
public record Topic(String key, TopicClass topicClass, String description, TopicPolicy policy) {
  /** Lower-case letters, digits and '-', 1 to 64 characters, starting with a letter or digit. */
  public static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

  public Topic {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(topicClass, "topicClass");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(policy, "policy");
  }

  /** A topic with its class's default policy. */
  public Topic(String key, TopicClass topicClass, String description) {
    this(key, topicClass, description, TopicPolicy.defaults(topicClass));
  }
}
