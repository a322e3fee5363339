package dev.tandem.consent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.topic.TopicClass;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConsentPolicyTest {
  private static final Instant T1 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant T2 = Instant.parse("2026-02-01T00:00:00Z");

  private static Optional<ConsentPolicy.State> granted(Instant at) {
    return Optional.of(new ConsentPolicy.State(true, at, "api", 1));
  }

  private static Optional<ConsentPolicy.State> revoked(Instant at) {
    return Optional.of(new ConsentPolicy.State(false, at, "sms-keyword", 2));
  }

  private static ConsentPolicy.Decision decide(
      TopicClass c, Optional<ConsentPolicy.State> topic, Optional<ConsentPolicy.State> all) {
    return ConsentPolicy.decide("sms", "t", c, topic, all);
  }

  @Test
  void without_any_state_only_marketing_is_blocked() {
    assertThat(decide(TopicClass.MARKETING, Optional.empty(), Optional.empty()).allowed())
        .isFalse();
    assertThat(decide(TopicClass.TRANSACTIONAL, Optional.empty(), Optional.empty()).allowed())
        .isTrue();
    assertThat(decide(TopicClass.CRITICAL, Optional.empty(), Optional.empty()).allowed()).isTrue();
  }

  @Test
  void a_stop_blocks_every_class_until_something_newer_says_otherwise() {
    for (TopicClass c : TopicClass.values()) {
      assertThat(decide(c, Optional.empty(), revoked(T2)).allowed()).as(c.name()).isFalse();
      assertThat(decide(c, granted(T1), revoked(T2)).allowed()).as(c.name()).isFalse();
      assertThat(decide(c, granted(T2), revoked(T2)).allowed()).as("same instant: " + c).isFalse();
      assertThat(decide(c, granted(T2), revoked(T1)).allowed()).as("newer grant: " + c).isTrue();
    }
  }

  @Test
  void start_lifts_a_stop_but_is_no_marketing_opt_in_and_no_topic_revocation_undo() {
    assertThat(decide(TopicClass.TRANSACTIONAL, Optional.empty(), granted(T2)).allowed()).isTrue();
    assertThat(decide(TopicClass.MARKETING, Optional.empty(), granted(T2)).allowed()).isFalse();
    assertThat(decide(TopicClass.MARKETING, granted(T1), granted(T2)).allowed()).isTrue();
    assertThat(decide(TopicClass.TRANSACTIONAL, revoked(T1), granted(T2)).allowed()).isFalse();
  }

  @Test
  void the_reason_says_what_decided() {
    assertThat(decide(TopicClass.MARKETING, Optional.empty(), Optional.empty()).reason())
        .isEqualTo("no consent: t is marketing and needs an explicit opt-in on sms");
    assertThat(decide(TopicClass.CRITICAL, granted(T1), revoked(T2)).reason())
        .isEqualTo("sms revoked for every topic at 2026-02-01T00:00:00Z (sms-keyword)");
  }
}
