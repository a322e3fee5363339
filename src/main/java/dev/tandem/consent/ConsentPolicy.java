package dev.tandem.consent;

import dev.tandem.topic.TopicClass;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether a message on a topic may go to a person on a channel, from the two state rows that
 * matter: the topic's own and the channel-wide one ({@code *}). Pure.
 *
 * <ul>
 *   <li>A channel-wide revocation (STOP) newer than the topic's state blocks every class, critical
 *       included: critical ignores quiet hours and caps, never a STOP.
 *   <li>A revoked topic is blocked.
 *   <li>A granted topic is allowed.
 *   <li>With no state for the topic, marketing is blocked (it needs an explicit grant on this
 *       channel) and the rest is allowed.
 * </ul>
 *
 * A channel-wide grant (START) only lifts a channel-wide revocation; it is not a marketing opt-in.
 */
public final class ConsentPolicy {
  private ConsentPolicy() {}

  /** A consent state row: granted or revoked, since when, by which event. */
  public record State(boolean granted, Instant at, String source, long eventId) {}

  /**
   * The verdict, with a stable code ({@code channel-revoked}, {@code topic-revoked}, {@code
   * no-opt-in}, {@code unknown-topic}; {@code granted} or {@code not-revoked} when allowed) and the
   * reason to record on a suppressed delivery.
   */
  public record Decision(boolean allowed, String code, String reason) {
    static Decision allow(String code, String reason) {
      return new Decision(true, code, reason);
    }

    static Decision block(String code, String reason) {
      return new Decision(false, code, reason);
    }
  }

  public static Decision decide(
      String channel,
      String topic,
      TopicClass topicClass,
      Optional<State> topicState,
      Optional<State> channelState) {
    if (channelState.isPresent()
        && !channelState.get().granted()
        && (topicState.isEmpty() || !topicState.get().at().isAfter(channelState.get().at()))) {
      return Decision.block(
          "channel-revoked",
          channel
              + " revoked for every topic at "
              + channelState.get().at()
              + " ("
              + channelState.get().source()
              + ")");
    }
    if (topicState.isPresent()) {
      State state = topicState.get();
      return state.granted()
          ? Decision.allow("granted", "granted at " + state.at() + " (" + state.source() + ")")
          : Decision.block(
              "topic-revoked",
              topic + " revoked on " + channel + " at " + state.at() + " (" + state.source() + ")");
    }
    return topicClass == TopicClass.MARKETING
        ? Decision.block(
            "no-opt-in",
            "no consent: " + topic + " is marketing and needs an explicit opt-in on " + channel)
        : Decision.allow(
            "not-revoked", topicClass.name().toLowerCase(java.util.Locale.ROOT) + ", not revoked");
  }
}
