package dev.tandem.delivery;

import dev.tandem.channel.Channel;
import dev.tandem.topic.TopicPolicy.Trigger;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * What becomes of a held step (a fallback, or an SMS that points to an email) given the state of
 * the delivery it follows. Pure: the database work is in {@link Fallbacks}.
 *
 * <ul>
 *   <li>A fallback never follows a first channel that was delivered, or engaged with (opened or
 *       clicked; for a fallback only on {@code not-clicked}, clicked).
 *   <li>A failed, suppressed or cancelled first channel releases a fallback on {@code failed} and
 *       cancels any other.
 *   <li>Once the first channel was sent, a timed fallback arms its timer; when it runs out, it goes
 *       if its trigger holds (no final receipt for an SMS, no open or click for an email).
 *   <li>A pointer SMS goes once the relay accepted the email (after its wait, if it has one, so
 *       that a quick bounce still stops it); if the email failed it goes with its own content when
 *       allowed to ({@code failed} in its triggers), else it is cancelled.
 * </ul>
 */
final class FallbackRule {
  /**
   * How long a fallback only on failure waits for one once the first channel was sent: relays retry
   * for up to five days (Postfix's default queue lifetime) before they bounce.
   */
  static final Duration FAILURE_WINDOW = Duration.ofDays(5);

  private FallbackRule() {}

  /** A held step and what is known of the delivery it follows. */
  record Held(
      boolean pointer,
      Set<Trigger> triggers,
      Optional<Duration> after,
      Optional<Instant> due,
      Channel followedChannel,
      DeliveryStatus followedStatus,
      boolean opened,
      boolean clicked) {}

  sealed interface Decision {}

  /** Queue it now; {@code variant} is set for a pointer step. */
  record Release(Optional<String> variant, String code, String reason) implements Decision {}

  record Cancel(String code, String reason) implements Decision {}

  /** The followed delivery was sent: wake at {@code due} to check the timed triggers. */
  record Arm(Instant due) implements Decision {}

  enum Wait implements Decision {
    WAIT
  }

  static Decision decide(Held h, Instant now) {
    return h.pointer() ? pointer(h, now) : fallback(h, now);
  }

  private static Decision pointer(Held h, Instant now) {
    return switch (h.followedStatus()) {
      case SENT, DELIVERED -> {
        // with a wait, a bounce that comes quickly still cancels the pointer
        if (h.after().isPresent() && h.due().isEmpty()) {
          yield new Arm(now.plus(h.after().get()));
        }
        if (h.due().isPresent() && now.isBefore(h.due().get())) {
          yield Wait.WAIT;
        }
        yield new Release(
            Optional.of("pointer"),
            "email-accepted",
            "the relay accepted the email it points to"
                + h.after().map(a -> " and no bounce came within " + a).orElse(""));
      }
      case FAILED, SUPPRESSED, CANCELLED ->
          h.triggers().contains(Trigger.FAILED)
              ? new Release(
                  Optional.of("full"),
                  "email-failed",
                  "the email did not go ("
                      + h.followedStatus().key()
                      + "), so the SMS carries the content itself")
              : new Cancel(
                  "email-failed",
                  "the email did not go ("
                      + h.followedStatus().key()
                      + ") and the SMS has no content of its own within the segment budget");
      case QUEUED, SENDING, HELD -> Wait.WAIT;
    };
  }

  private static Decision fallback(Held h, Instant now) {
    boolean email = h.followedChannel() == Channel.EMAIL;
    boolean onlyClicks = h.triggers().equals(Set.of(Trigger.NOT_CLICKED));
    if (email && (h.clicked() || (h.opened() && !onlyClicks))) {
      return new Cancel(
          "first-engaged",
          "the email was " + (h.clicked() ? "clicked" : "opened") + ": no fallback needed");
    }
    return switch (h.followedStatus()) {
      case DELIVERED ->
          new Cancel("first-delivered", "the " + h.followedChannel().key() + " was delivered");
      case FAILED, SUPPRESSED, CANCELLED ->
          h.triggers().contains(Trigger.FAILED)
              ? new Release(
                  Optional.empty(),
                  "first-failed",
                  "the " + h.followedChannel().key() + " " + h.followedStatus().key())
              : new Cancel(
                  "first-failed-no-trigger",
                  "the "
                      + h.followedChannel().key()
                      + " "
                      + h.followedStatus().key()
                      + " and this fallback goes only on "
                      + h.triggers());
      case SENT -> sent(h, now, email);
      case QUEUED, SENDING, HELD -> Wait.WAIT;
    };
  }

  private static Decision sent(Held h, Instant now, boolean email) {
    boolean timed = h.triggers().stream().anyMatch(Trigger::timed) && h.after().isPresent();
    if (!timed) {
      // only a failure releases it: wait for one as long as relays retry, then let it go
      if (h.due().isEmpty()) {
        return new Arm(now.plus(FAILURE_WINDOW));
      }
      return now.isBefore(h.due().get())
          ? Wait.WAIT
          : new Cancel(
              "no-failure",
              "no failure was reported for the "
                  + h.followedChannel().key()
                  + " within "
                  + FAILURE_WINDOW.toDays()
                  + " days of sending it");
    }
    if (h.due().isEmpty()) {
      return new Arm(now.plus(h.after().get()));
    }
    if (now.isBefore(h.due().get())) {
      return Wait.WAIT;
    }
    String within = " within " + h.after().get();
    if (!email && h.triggers().contains(Trigger.NO_RECEIPT)) {
      return new Release(Optional.empty(), "no-receipt", "no final receipt for the SMS" + within);
    }
    if (email && h.triggers().contains(Trigger.NOT_OPENED) && !h.opened()) {
      return new Release(Optional.empty(), "not-opened", "the email was not opened" + within);
    }
    if (email && h.triggers().contains(Trigger.NOT_CLICKED) && !h.clicked()) {
      return new Release(
          Optional.empty(), "not-clicked", "no link in the email was clicked" + within);
    }
    return new Cancel(
        "no-trigger-held",
        "none of " + h.triggers() + " held for the " + h.followedChannel().key() + within);
  }
}
