package dev.tandem.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.channel.Channel;
import dev.tandem.topic.TopicPolicy.Trigger;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** A fallback never follows a first channel that was delivered or engaged with. */
class FallbackRulePropertyTest {
  static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

  @Provide
  Arbitrary<FallbackRule.Held> held() {
    return Arbitraries.randomValue(FallbackRulePropertyTest::held);
  }

  static FallbackRule.Held held(Random random) {
    Set<Trigger> on = EnumSet.noneOf(Trigger.class);
    for (Trigger t : Trigger.values()) {
      if (random.nextBoolean()) {
        on.add(t);
      }
    }
    return new FallbackRule.Held(
        false,
        on,
        random.nextBoolean()
            ? Optional.of(Duration.ofMinutes(1 + random.nextInt(120)))
            : Optional.empty(),
        random.nextBoolean()
            ? Optional.of(NOW.minusSeconds(random.nextInt(7200) - 3600))
            : Optional.empty(),
        Channel.values()[random.nextInt(2)],
        DeliveryStatus.values()[random.nextInt(DeliveryStatus.values().length)],
        random.nextBoolean(),
        random.nextBoolean());
  }

  @Property(tries = 5000)
  void never_released_after_the_first_channel_was_delivered_or_engaged(
      @ForAll("held") FallbackRule.Held h) {
    boolean engaged =
        h.followedChannel() == Channel.EMAIL
            && (h.clicked() || (h.opened() && !h.triggers().equals(Set.of(Trigger.NOT_CLICKED))));
    if (h.followedStatus() == DeliveryStatus.DELIVERED || engaged) {
      assertThat(FallbackRule.decide(h, NOW))
          .as("%s", h)
          .isNotInstanceOf(FallbackRule.Release.class);
    }
  }

  @Property(tries = 5000)
  void released_only_on_one_of_its_triggers(@ForAll("held") FallbackRule.Held h) {
    if (FallbackRule.decide(h, NOW) instanceof FallbackRule.Release) {
      boolean failed =
          Set.of(DeliveryStatus.FAILED, DeliveryStatus.SUPPRESSED, DeliveryStatus.CANCELLED)
              .contains(h.followedStatus());
      if (failed) {
        assertThat(h.triggers()).contains(Trigger.FAILED);
      } else {
        assertThat(h.followedStatus()).isEqualTo(DeliveryStatus.SENT);
        assertThat(h.triggers().stream().anyMatch(Trigger::timed)).isTrue();
        assertThat(h.due()).hasValueSatisfying(due -> assertThat(due).isBeforeOrEqualTo(NOW));
      }
    }
  }
}
