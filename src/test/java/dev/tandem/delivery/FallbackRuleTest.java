package dev.tandem.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.channel.Channel;
import dev.tandem.topic.TopicPolicy.Trigger;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FallbackRuleTest {
  static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

  static FallbackRule.Held fallback(
      Set<Trigger> on,
      Channel followed,
      DeliveryStatus status,
      Optional<Instant> due,
      boolean opened,
      boolean clicked) {
    return new FallbackRule.Held(
        false,
        on,
        on.stream().anyMatch(Trigger::timed)
            ? Optional.of(Duration.ofMinutes(30))
            : Optional.empty(),
        due,
        followed,
        status,
        opened,
        clicked);
  }

  static FallbackRule.Decision decide(FallbackRule.Held held) {
    return FallbackRule.decide(held, NOW);
  }

  @Test
  void a_failed_first_channel_releases_a_fallback_on_failure_and_cancels_any_other() {
    for (var status :
        Set.of(DeliveryStatus.FAILED, DeliveryStatus.SUPPRESSED, DeliveryStatus.CANCELLED)) {
      assertThat(
              decide(
                  fallback(
                      Set.of(Trigger.FAILED),
                      Channel.EMAIL,
                      status,
                      Optional.empty(),
                      false,
                      false)))
          .isInstanceOf(FallbackRule.Release.class);
      assertThat(
              decide(
                  fallback(
                      Set.of(Trigger.NOT_OPENED),
                      Channel.EMAIL,
                      status,
                      Optional.empty(),
                      false,
                      false)))
          .isInstanceOf(FallbackRule.Cancel.class);
    }
  }

  @Test
  void a_delivered_or_engaged_first_channel_cancels_every_fallback() {
    for (var on :
        Set.of(
            Set.of(Trigger.FAILED),
            Set.of(Trigger.NO_RECEIPT),
            Set.of(Trigger.FAILED, Trigger.NO_RECEIPT))) {
      assertThat(
              decide(
                  fallback(
                      on, Channel.SMS, DeliveryStatus.DELIVERED, Optional.of(NOW), false, false)))
          .isInstanceOf(FallbackRule.Cancel.class);
    }
    assertThat(
            decide(
                fallback(
                    Set.of(Trigger.NOT_OPENED, Trigger.FAILED),
                    Channel.EMAIL,
                    DeliveryStatus.FAILED,
                    Optional.empty(),
                    true,
                    false)))
        .as("opened, then bounced: the person read it")
        .isInstanceOf(FallbackRule.Cancel.class);
    assertThat(
            decide(
                fallback(
                    Set.of(Trigger.NOT_CLICKED),
                    Channel.EMAIL,
                    DeliveryStatus.SENT,
                    Optional.of(NOW),
                    true,
                    false)))
        .as("a fallback only on not-clicked still goes after an open without a click")
        .isInstanceOf(FallbackRule.Release.class);
  }

  @Test
  void a_sent_first_channel_arms_the_timer_then_the_timer_decides() {
    var sent =
        fallback(
            Set.of(Trigger.NO_RECEIPT),
            Channel.SMS,
            DeliveryStatus.SENT,
            Optional.empty(),
            false,
            false);
    assertThat(decide(sent)).isEqualTo(new FallbackRule.Arm(NOW.plus(Duration.ofMinutes(30))));
    var armed =
        fallback(
            Set.of(Trigger.NO_RECEIPT),
            Channel.SMS,
            DeliveryStatus.SENT,
            Optional.of(NOW.plusSeconds(1)),
            false,
            false);
    assertThat(decide(armed)).isEqualTo(FallbackRule.Wait.WAIT);
    var due =
        fallback(
            Set.of(Trigger.NO_RECEIPT),
            Channel.SMS,
            DeliveryStatus.SENT,
            Optional.of(NOW),
            false,
            false);
    assertThat(decide(due)).isInstanceOf(FallbackRule.Release.class);
    var notOpened =
        fallback(
            Set.of(Trigger.NOT_OPENED),
            Channel.EMAIL,
            DeliveryStatus.SENT,
            Optional.of(NOW),
            false,
            false);
    assertThat(decide(notOpened)).isInstanceOf(FallbackRule.Release.class);
    var onlyFailure =
        fallback(
            Set.of(Trigger.FAILED),
            Channel.SMS,
            DeliveryStatus.SENT,
            Optional.empty(),
            false,
            false);
    assertThat(decide(onlyFailure))
        .as("waits for a failure as long as relays retry")
        .isEqualTo(new FallbackRule.Arm(NOW.plus(FallbackRule.FAILURE_WINDOW)));
    var noFailureCame =
        fallback(
            Set.of(Trigger.FAILED),
            Channel.SMS,
            DeliveryStatus.SENT,
            Optional.of(NOW),
            false,
            false);
    assertThat(decide(noFailureCame)).isInstanceOf(FallbackRule.Cancel.class);
  }

  @Test
  void a_pointer_goes_once_the_email_was_accepted_and_carries_the_content_only_when_allowed() {
    var waiting =
        new FallbackRule.Held(
            true,
            Set.of(),
            Optional.empty(),
            Optional.empty(),
            Channel.EMAIL,
            DeliveryStatus.QUEUED,
            false,
            false);
    assertThat(decide(waiting)).isEqualTo(FallbackRule.Wait.WAIT);
    var accepted =
        new FallbackRule.Held(
            true,
            Set.of(),
            Optional.empty(),
            Optional.empty(),
            Channel.EMAIL,
            DeliveryStatus.SENT,
            false,
            false);
    assertThat(decide(accepted))
        .isInstanceOfSatisfying(
            FallbackRule.Release.class, r -> assertThat(r.variant()).contains("pointer"));
    var delayed =
        new FallbackRule.Held(
            true,
            Set.of(),
            Optional.of(Duration.ofMinutes(5)),
            Optional.empty(),
            Channel.EMAIL,
            DeliveryStatus.SENT,
            false,
            false);
    assertThat(decide(delayed)).isEqualTo(new FallbackRule.Arm(NOW.plus(Duration.ofMinutes(5))));
    var bouncedNoContent =
        new FallbackRule.Held(
            true,
            Set.of(),
            Optional.empty(),
            Optional.empty(),
            Channel.EMAIL,
            DeliveryStatus.FAILED,
            false,
            false);
    assertThat(decide(bouncedNoContent)).isInstanceOf(FallbackRule.Cancel.class);
    var bouncedWithContent =
        new FallbackRule.Held(
            true,
            Set.of(Trigger.FAILED),
            Optional.empty(),
            Optional.empty(),
            Channel.EMAIL,
            DeliveryStatus.FAILED,
            false,
            false);
    assertThat(decide(bouncedWithContent))
        .isInstanceOfSatisfying(
            FallbackRule.Release.class, r -> assertThat(r.variant()).contains("full"));
  }
}
