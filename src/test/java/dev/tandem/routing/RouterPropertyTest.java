package dev.tandem.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.channel.Channel;
import dev.tandem.topic.ChannelPolicy;
import dev.tandem.topic.TopicClass;
import dev.tandem.topic.TopicPolicy;
import dev.tandem.topic.TopicPolicy.Trigger;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The router's promises over random people, consents, zones, times and histories. Each was seen to
 * fail with its rule taken out of the router (see the commit that added this class).
 */
class RouterPropertyTest {
  static final Router ROUTER = new Router(QuietHours.defaults());
  static final QuietHours RULES = QuietHours.defaults();
  static final List<String> PHONES =
      List.of(
          "+12125550100", // New York
          "+12085550100", // Idaho: Boise and Los Angeles
          "+13055550100", // Florida: 8-20
          "+15125550100", // Texas: Sunday from 12:00
          "+14015550100", // Rhode Island: weekdays 9-18, no Sunday
          "+18005550100", // toll-free: continental US
          "+447911123456", // Guernsey/Jersey/Isle of Man/London
          "+33612345678");
  static final List<String> EXPLICIT =
      List.of("America/Los_Angeles", "Asia/Tokyo", "Pacific/Honolulu", "Europe/Berlin");

  @Provide
  Arbitrary<RouteRequest> requests() {
    return Arbitraries.randomValue(RouterPropertyTest::request);
  }

  static RouteRequest request(Random random) {
    TopicClass topicClass = TopicClass.values()[random.nextInt(3)];
    Set<Trigger> on = EnumSet.noneOf(Trigger.class);
    for (Trigger t : Trigger.values()) {
      if (random.nextInt(3) == 0) {
        on.add(t);
      }
    }
    var caps = new ArrayList<TopicPolicy.Cap>();
    for (int i = random.nextInt(3); i > 0; i--) {
      caps.add(
          new TopicPolicy.Cap(
              random.nextInt(4),
              Duration.ofHours(1 + random.nextInt(24 * 7)),
              random.nextBoolean()
                  ? Optional.empty()
                  : Optional.of(Channel.values()[random.nextInt(2)])));
    }
    var policy =
        new TopicPolicy(
            ChannelPolicy.values()[random.nextInt(ChannelPolicy.values().length)],
            Channel.values()[random.nextInt(2)],
            new TopicPolicy.Fallback(on, Optional.of(Duration.ofMinutes(1 + random.nextInt(600)))),
            1 + random.nextInt(10),
            random.nextInt(4) != 0,
            caps,
            random.nextBoolean() ? TopicPolicy.OverCap.DEFER : TopicPolicy.OverCap.DROP,
            random.nextBoolean() ? Duration.ZERO : Duration.ofHours(1 + random.nextInt(48)),
            random.nextInt(3) == 0
                ? Optional.of(new BigDecimal(random.nextInt(3)))
                : Optional.empty());
    String phone = PHONES.get(random.nextInt(PHONES.size()));
    Map<Channel, String> addresses = new EnumMap<>(Channel.class);
    if (random.nextInt(5) != 0) {
      addresses.put(Channel.SMS, phone);
    }
    if (random.nextInt(5) != 0) {
      addresses.put(Channel.EMAIL, "person@example.org");
    }
    Map<Channel, Gate> gates = new EnumMap<>(Channel.class);
    for (Channel c : Channel.values()) {
      gates.put(
          c,
          random.nextInt(3) == 0
              ? new Gate(false, "topic-revoked", c.key() + " revoked")
              : new Gate(true, "allowed", "allowed"));
    }
    Map<Channel, Content> content = new EnumMap<>(Channel.class);
    if (random.nextInt(4) != 0) {
      content.put(Channel.SMS, new Content(1 + random.nextInt(4)));
    }
    if (random.nextInt(4) != 0) {
      content.put(Channel.EMAIL, new Content(0));
    }
    if (content.isEmpty()) {
      content.put(Channel.EMAIL, new Content(0));
    }
    Optional<String> explicit =
        random.nextInt(3) == 0
            ? Optional.of(EXPLICIT.get(random.nextInt(EXPLICIT.size())))
            : Optional.empty();
    Instant now =
        Instant.parse("2026-01-01T00:00:00Z").plusSeconds(random.nextInt(365 * 24 * 3600));
    List<PastSend> history = new ArrayList<>();
    for (int i = random.nextInt(8); i > 0; i--) {
      history.add(
          new PastSend(
              UUID.randomUUID(),
              now.minusSeconds(random.nextInt(10 * 24 * 3600)),
              Channel.values()[random.nextInt(2)],
              TopicClass.values()[random.nextInt(3)],
              random.nextBoolean() ? "topic" : "other",
              "k" + random.nextInt(3)));
    }
    Set<Channel> named = EnumSet.noneOf(Channel.class);
    if (random.nextInt(4) == 0) {
      named.add(Channel.values()[random.nextInt(2)]);
      if (random.nextBoolean()) {
        named.add(Channel.values()[random.nextInt(2)]);
      }
    }
    return new RouteRequest(
        "topic",
        topicClass,
        policy,
        named,
        addresses,
        gates,
        random.nextBoolean() ? Optional.of(Channel.values()[random.nextInt(2)]) : Optional.empty(),
        Zones.of(explicit, Optional.of(phone), ZoneId.of("UTC")),
        now,
        history,
        "k" + random.nextInt(3),
        content,
        Map.of(
            Channel.SMS, new Money(new BigDecimal("0.5"), "USD"),
            Channel.EMAIL, new Money(new BigDecimal("0.001"), "USD")),
        Optional.of(new Money(new BigDecimal(random.nextInt(3)), "USD")),
        random.nextInt(4) == 0
            ? Optional.of(now.plus(Duration.ofMinutes(random.nextInt(6000) - 1000)))
            : Optional.empty());
  }

  @Property(tries = 3000)
  void no_plan_sends_on_a_channel_the_send_gate_refused(@ForAll("requests") RouteRequest r) {
    RoutingPlan plan = ROUTER.plan(r);
    for (Step step : plan.steps()) {
      assertThat(r.gates().get(step.channel()).allowed()).as("%s in %s", step, plan).isTrue();
      assertThat(r.addresses()).containsKey(step.channel());
    }
  }

  @Property(tries = 3000)
  void no_marketing_sms_goes_outside_the_window_in_any_candidate_zone(
      @ForAll("requests") RouteRequest r) {
    if (r.topicClass() != TopicClass.MARKETING || !r.policy().quietHours()) {
      return;
    }
    RoutingPlan plan = ROUTER.plan(r);
    for (Step step : plan.steps()) {
      if (step.channel() == Channel.SMS
          && (step.kind() == Kind.NOW || step.kind() == Kind.DEFERRED)) {
        Instant at = step.notBefore().orElse(r.now());
        assertThat(RULES.allowed(r.zones(), r.topicClass(), at))
            .as("SMS at %s for %s in %s", at, r.zones(), plan)
            .isTrue();
      }
    }
  }

  @Property(tries = 3000)
  void caps_are_never_exceeded_across_both_channels_fallbacks_counted(
      @ForAll("requests") RouteRequest r) {
    if (r.topicClass() == TopicClass.CRITICAL) {
      return;
    }
    RoutingPlan plan = ROUTER.plan(r);
    for (TopicPolicy.Cap cap : r.policy().caps()) {
      long planned =
          plan.steps().stream()
              .filter(s -> cap.channel().map(c -> c == s.channel()).orElse(true))
              .count();
      if (planned == 0) {
        continue;
      }
      for (Step step : plan.steps()) {
        Instant at = step.notBefore().orElse(r.now());
        Instant since = at.minus(cap.window());
        long used =
            r.history().stream()
                .filter(p -> p.topicClass() == r.topicClass())
                .filter(p -> cap.channel().map(c -> c == p.channel()).orElse(true))
                .filter(p -> p.at().isAfter(since) && !p.at().isAfter(at))
                .count();
        assertThat(used + planned)
            .as("cap %s at %s: %d sent + %d planned in %s", cap, at, used, planned, plan)
            .isLessThanOrEqualTo(cap.max());
      }
    }
  }

  @Property(tries = 3000)
  void a_fallback_follows_a_channel_that_goes_and_only_on_triggers_that_fit_it(
      @ForAll("requests") RouteRequest r) {
    RoutingPlan plan = ROUTER.plan(r);
    for (Step step : plan.steps()) {
      if (step.kind() == Kind.FALLBACK || step.kind() == Kind.POINTER) {
        Channel first = step.follows().orElseThrow();
        assertThat(plan.steps())
            .as("%s follows %s in %s", step, first, plan)
            .anyMatch(
                s -> s.channel() == first && (s.kind() == Kind.NOW || s.kind() == Kind.DEFERRED));
        assertThat(step.channel()).isNotEqualTo(first);
        if (first == Channel.EMAIL) {
          assertThat(step.on()).doesNotContain(Trigger.NO_RECEIPT);
        } else {
          assertThat(step.on()).doesNotContain(Trigger.NOT_OPENED, Trigger.NOT_CLICKED);
        }
      }
    }
  }
}
