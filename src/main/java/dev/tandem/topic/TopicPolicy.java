package dev.tandem.topic;

import dev.tandem.channel.Channel;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How a topic's messages are routed: the channel policy, the fallback, the SMS segment budget,
 * quiet hours, frequency caps, the dedupe window and the daily SMS budget.
 *
 * @param channels which channel goes first and what the other is for
 * @param preferenceDefault the first channel under {@link ChannelPolicy#PREFERENCE} when the person
 *     stated none
 * @param fallback when the other channel follows the first; {@link Fallback#NONE} for never
 * @param smsSegmentBudget the most segments an SMS on this topic may take
 * @param quietHours whether SMS waits for the person's allowed window (marketing by default)
 * @param caps frequency caps, counted over the person's messages of the same class
 * @param overCap what happens to a message over a cap
 * @param dedupeWindow the same topic and content key to the same person within this window is sent
 *     once; zero for no dedupe
 * @param dailySmsBudget the most this topic may spend on SMS in a day (price table currency); over
 *     it SMS switches to email or waits for the next day
 */
public record TopicPolicy(
    ChannelPolicy channels,
    Channel preferenceDefault,
    Fallback fallback,
    int smsSegmentBudget,
    boolean quietHours,
    List<Cap> caps,
    OverCap overCap,
    Duration dedupeWindow,
    Optional<BigDecimal> dailySmsBudget) {

  /** The longest a fallback waits, a dedupe window or a cap window lasts. */
  public static final Duration LONGEST = Duration.ofDays(31);

  public TopicPolicy {
    Objects.requireNonNull(channels, "channels");
    Objects.requireNonNull(preferenceDefault, "preferenceDefault");
    Objects.requireNonNull(fallback, "fallback");
    Objects.requireNonNull(overCap, "overCap");
    Objects.requireNonNull(dedupeWindow, "dedupeWindow");
    Objects.requireNonNull(dailySmsBudget, "dailySmsBudget");
    if (smsSegmentBudget < 1 || smsSegmentBudget > 10) {
      throw new IllegalArgumentException(
          "smsSegmentBudget is " + smsSegmentBudget + "; use 1 to 10 segments");
    }
    if (dedupeWindow.isNegative() || dedupeWindow.compareTo(LONGEST) > 0) {
      throw new IllegalArgumentException(
          "dedupeWindow is " + dedupeWindow + "; use zero to 31 days");
    }
    dailySmsBudget.ifPresent(b -> {
      if (b.signum() < 0) {
        throw new IllegalArgumentException("dailySmsBudget is negative: " + b);
      }
    });
    caps = List.copyOf(caps);
  }

  /** The policy a topic of this class gets unless it says otherwise (issue 10's defaults). */
  public static TopicPolicy defaults(TopicClass topicClass) {
    return switch (topicClass) {
      // SMS and email at once; no quiet hours, no caps (never against an opt-out: the send gate)
      case CRITICAL ->
          new TopicPolicy(
              ChannelPolicy.BOTH,
              Channel.SMS,
              Fallback.NONE,
              10,
              false,
              List.of(),
              OverCap.DEFER,
              Duration.ZERO,
              Optional.empty());
      // the person's preferred channel, the other one when it fails
      case TRANSACTIONAL ->
          new TopicPolicy(
              ChannelPolicy.PREFERENCE,
              Channel.EMAIL,
              new Fallback(EnumSet.of(Trigger.FAILED), Optional.empty()),
              10,
              false,
              List.of(),
              OverCap.DEFER,
              Duration.ZERO,
              Optional.empty());
      // preference, quiet hours, at most 3 a week across both channels and 1 SMS a day, no fallback
      case MARKETING ->
          new TopicPolicy(
              ChannelPolicy.PREFERENCE,
              Channel.EMAIL,
              Fallback.NONE,
              3,
              true,
              List.of(
                  new Cap(3, Duration.ofDays(7), Optional.empty()),
                  new Cap(1, Duration.ofDays(1), Optional.of(Channel.SMS))),
              OverCap.DROP,
              Duration.ofDays(1),
              Optional.empty());
    };
  }

  /**
   * When the second channel follows the first.
   *
   * @param on the triggers; empty for never
   * @param after how long to wait for a receipt, an open or a click ({@link Trigger#NO_RECEIPT},
   *     {@link Trigger#NOT_OPENED}, {@link Trigger#NOT_CLICKED} need it)
   */
  public record Fallback(Set<Trigger> on, Optional<Duration> after) {
    public static final Fallback NONE = new Fallback(Set.of(), Optional.empty());

    public Fallback {
      on = on.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(on));
      Objects.requireNonNull(after, "after");
      boolean timed = on.stream().anyMatch(Trigger::timed);
      if (timed && after.isEmpty()) {
        throw new IllegalArgumentException(
            "a fallback on " + on + " needs 'after': how long to wait, e.g. PT30M");
      }
      after.ifPresent(d -> {
        if (d.isNegative() || d.isZero() || d.compareTo(LONGEST) > 0) {
          throw new IllegalArgumentException(
              "fallback 'after' must be more than zero and at most 31 days; it is " + d);
        }
      });
    }

    public boolean enabled() {
      return !on.isEmpty();
    }
  }

  /** What makes the fallback go. */
  public enum Trigger {
    /** The first channel failed: rejected, hard bounce, receipt UNDELIV/EXPIRED/REJECTD. */
    FAILED,
    /** No final receipt for the SMS within {@code after}. */
    NO_RECEIPT,
    /** The email was not opened within {@code after}. */
    NOT_OPENED,
    /** No link in the email was clicked within {@code after}. */
    NOT_CLICKED;

    public boolean timed() {
      return this != FAILED;
    }

    public String key() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<Trigger> parse(String value) {
      for (Trigger t : values()) {
        if (t.key().equals(value)) {
          return Optional.of(t);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * At most {@code max} messages of the topic's class within {@code window}, on {@code channel} or,
   * when empty, across both channels.
   */
  public record Cap(int max, Duration window, Optional<Channel> channel) {
    public Cap {
      if (max < 0) {
        throw new IllegalArgumentException("cap max is negative: " + max);
      }
      if (window.isNegative() || window.isZero() || window.compareTo(Duration.ofDays(31)) > 0) {
        throw new IllegalArgumentException(
            "cap window is " + window + "; use more than zero and at most 31 days");
      }
      Objects.requireNonNull(channel, "channel");
    }
  }

  /** What happens to a message over a cap. */
  public enum OverCap {
    /** Waits until the cap allows it. */
    DEFER,
    /** Not sent; the plan says why. */
    DROP
  }
}
