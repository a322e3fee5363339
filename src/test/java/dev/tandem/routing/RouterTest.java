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
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** One example per rule; the properties over random inputs are in RouterPropertyTest. */
class RouterTest {
  static final Router ROUTER = new Router(QuietHours.defaults());

  /** 15:00 in New York, a Wednesday. */
  static final Instant AFTERNOON = Instant.parse("2026-12-02T20:00:00Z");

  /** A request to a person with both addresses, both contents, everything allowed. */
  static final class Req {
    String topic = "order-shipped";
    TopicClass topicClass = TopicClass.TRANSACTIONAL;
    TopicPolicy policy = TopicPolicy.defaults(TopicClass.TRANSACTIONAL);
    Set<Channel> named = Set.of();
    Map<Channel, String> addresses =
        new EnumMap<>(Map.of(Channel.SMS, "+12125550100", Channel.EMAIL, "ada@example.org"));
    Map<Channel, Gate> gates = new EnumMap<>(Channel.class);
    Optional<Channel> preference = Optional.empty();
    Zones zones = Zones.of(Optional.empty(), Optional.of("+12125550100"), ZoneId.of("UTC"));
    Instant now = AFTERNOON;
    List<PastSend> history = new ArrayList<>();
    String dedupeKey = "content:abc";
    Map<Channel, Content> content =
        new EnumMap<>(Map.of(Channel.SMS, new Content(1), Channel.EMAIL, new Content(0)));
    Map<Channel, Money> cost =
        new EnumMap<>(
            Map.of(
                Channel.SMS, new Money(new BigDecimal("0.0079"), "USD"),
                Channel.EMAIL, new Money(new BigDecimal("0.0004"), "USD")));
    Optional<Money> spent = Optional.empty();
    Optional<Instant> sendAt = Optional.empty();

    Req policy(ChannelPolicy channels, TopicPolicy.Fallback fallback) {
      policy =
          new TopicPolicy(
              channels,
              policy.preferenceDefault(),
              fallback,
              policy.smsSegmentBudget(),
              policy.quietHours(),
              policy.caps(),
              policy.overCap(),
              policy.dedupeWindow(),
              policy.dailySmsBudget());
      return this;
    }

    Req marketing() {
      topicClass = TopicClass.MARKETING;
      policy = TopicPolicy.defaults(TopicClass.MARKETING);
      return this;
    }

    Req sent(Duration ago, Channel channel) {
      history.add(
          new PastSend(
              UUID.randomUUID(),
              now.minus(ago),
              channel,
              topicClass,
              "other",
              "k" + history.size()));
      return this;
    }

    RoutingPlan plan() {
      return ROUTER.plan(
          new RouteRequest(
              topic,
              topicClass,
              policy,
              named,
              addresses,
              gates,
              preference,
              zones,
              now,
              history,
              dedupeKey,
              content,
              cost,
              spent,
              sendAt));
    }
  }

  static String shape(RoutingPlan plan) {
    var parts = new ArrayList<String>();
    plan.steps().forEach(s -> parts.add(s.kind().name().toLowerCase() + ":" + s.channel().key()));
    plan.skipped().forEach(s -> parts.add("skip:" + s.channel().key() + ":" + s.reason().code()));
    return String.join(" ", parts);
  }

  static final TopicPolicy.Fallback ON_FAILURE =
      new TopicPolicy.Fallback(EnumSet.of(Trigger.FAILED), Optional.empty());

  @Test
  void each_channel_policy() {
    assertThat(shape(new Req().policy(ChannelPolicy.EMAIL_FIRST, ON_FAILURE).plan()))
        .isEqualTo("now:email fallback:sms");
    assertThat(shape(new Req().policy(ChannelPolicy.SMS_FIRST, ON_FAILURE).plan()))
        .isEqualTo("now:sms fallback:email");
    assertThat(shape(new Req().policy(ChannelPolicy.BOTH, ON_FAILURE).plan()))
        .isEqualTo("now:sms now:email");
    assertThat(shape(new Req().policy(ChannelPolicy.POINTER, ON_FAILURE).plan()))
        .isEqualTo("now:email pointer:sms");
    var preferring = new Req().policy(ChannelPolicy.PREFERENCE, ON_FAILURE);
    preferring.preference = Optional.of(Channel.SMS);
    assertThat(shape(preferring.plan())).isEqualTo("now:sms fallback:email");
    assertThat(preferring.plan().steps().get(0).reason().code()).isEqualTo("preference");
    assertThat(shape(new Req().policy(ChannelPolicy.PREFERENCE, TopicPolicy.Fallback.NONE).plan()))
        .isEqualTo("now:email skip:sms:no-fallback");
  }

  @Test
  void a_scheduled_message_waits_for_its_time_and_then_for_quiet_hours() {
    var later = new Req().policy(ChannelPolicy.SMS_FIRST, ON_FAILURE);
    later.sendAt = Optional.of(later.now.plus(Duration.ofHours(2)));
    RoutingPlan plan = later.plan();
    assertThat(shape(plan)).isEqualTo("deferred:sms fallback:email");
    assertThat(plan.steps().get(0).notBefore()).isEqualTo(later.sendAt);
    assertThat(plan.steps().get(0).reason().code()).isEqualTo("scheduled");

    var past = new Req().policy(ChannelPolicy.BOTH, ON_FAILURE);
    past.sendAt = Optional.of(past.now.minus(Duration.ofMinutes(5)));
    assertThat(shape(past.plan())).as("a time gone by: now").isEqualTo("now:sms now:email");

    var night = new Req().marketing().policy(ChannelPolicy.BOTH, ON_FAILURE);
    night.sendAt = Optional.of(Instant.parse("2026-12-03T08:00:00Z")); // 03:00 in New York
    RoutingPlan deferred = night.plan();
    assertThat(shape(deferred)).isEqualTo("deferred:sms deferred:email");
    Step sms = deferred.steps().stream().filter(s -> s.channel() == Channel.SMS).findFirst().get();
    Step email =
        deferred.steps().stream().filter(s -> s.channel() == Channel.EMAIL).findFirst().get();
    assertThat(email.notBefore()).isEqualTo(night.sendAt);
    assertThat(sms.notBefore().orElseThrow())
        .as("the SMS also waits for the morning there")
        .isAfter(night.sendAt.orElseThrow());
    assertThat(sms.reason().code()).isEqualTo("quiet-hours");
  }

  @Test
  void named_channels_go_subject_to_consent_without_a_fallback() {
    var named = new Req();
    named.named = Set.of(Channel.SMS, Channel.EMAIL);
    named.gates.put(Channel.SMS, new Gate(false, "channel-revoked", "sms revoked (STOP)"));
    assertThat(shape(named.plan())).isEqualTo("now:email skip:sms:channel-revoked");
  }

  @Test
  void when_the_first_channel_cannot_go_the_other_takes_its_place() {
    var blocked = new Req().policy(ChannelPolicy.SMS_FIRST, ON_FAILURE);
    blocked.gates.put(Channel.SMS, new Gate(false, "suppressed", "suppressed"));
    assertThat(shape(blocked.plan())).isEqualTo("now:email skip:sms:suppressed");
    var noPhone = new Req().policy(ChannelPolicy.SMS_FIRST, ON_FAILURE);
    noPhone.addresses.remove(Channel.SMS);
    assertThat(shape(noPhone.plan())).isEqualTo("now:email skip:sms:no-address");
    var tooLong = new Req().policy(ChannelPolicy.SMS_FIRST, ON_FAILURE);
    tooLong.content.put(Channel.SMS, new Content(11));
    assertThat(shape(tooLong.plan())).isEqualTo("now:email skip:sms:over-segment-budget");
  }

  @Test
  void a_fallback_keeps_only_the_triggers_that_can_follow_its_first_channel() {
    var plan =
        new Req()
            .policy(
                ChannelPolicy.EMAIL_FIRST,
                new TopicPolicy.Fallback(
                    EnumSet.of(Trigger.NO_RECEIPT, Trigger.NOT_OPENED),
                    Optional.of(Duration.ofHours(1))))
            .plan();
    assertThat(plan.steps().get(1).on()).containsExactly(Trigger.NOT_OPENED);
    var none =
        new Req()
            .policy(
                ChannelPolicy.EMAIL_FIRST,
                new TopicPolicy.Fallback(
                    EnumSet.of(Trigger.NO_RECEIPT), Optional.of(Duration.ofHours(1))))
            .plan();
    assertThat(shape(none)).isEqualTo("now:email skip:sms:no-fallback-trigger");
  }

  @Test
  void the_same_content_on_the_topic_within_the_window_goes_once() {
    var req = new Req().marketing();
    req.history.add(
        new PastSend(
            UUID.randomUUID(),
            AFTERNOON.minus(Duration.ofHours(3)),
            Channel.EMAIL,
            TopicClass.MARKETING,
            "order-shipped",
            "content:abc"));
    RoutingPlan plan = req.plan();
    assertThat(plan.steps()).isEmpty();
    assertThat(plan.duplicateOf()).contains(req.history.get(0).messageId());
    req.now = AFTERNOON.plus(Duration.ofDays(1));
    assertThat(req.plan().duplicateOf()).isEmpty();
  }

  @Test
  void marketing_caps_count_both_channels_and_switch_or_drop() {
    // one SMS today already: the marketing default allows 1 SMS a day, so email instead
    var req = new Req().marketing();
    req.preference = Optional.of(Channel.SMS);
    req.sent(Duration.ofHours(2), Channel.SMS);
    assertThat(shape(req.plan())).isEqualTo("now:email skip:sms:cap-exceeded");
    // three marketing messages this week on any channel: dropped (the default overCap)
    var full =
        new Req()
            .marketing()
            .sent(Duration.ofDays(1), Channel.EMAIL)
            .sent(Duration.ofDays(2), Channel.SMS)
            .sent(Duration.ofDays(3), Channel.EMAIL);
    assertThat(shape(full.plan())).isEqualTo("skip:sms:no-fallback skip:email:cap-exceeded");
    // critical has no caps
    var critical = new Req();
    critical.topicClass = TopicClass.CRITICAL;
    critical.policy = TopicPolicy.defaults(TopicClass.CRITICAL);
    critical.sent(Duration.ofHours(1), Channel.SMS).sent(Duration.ofHours(2), Channel.SMS);
    assertThat(shape(critical.plan())).isEqualTo("now:sms now:email");
  }

  @Test
  void over_a_cap_that_defers_the_message_waits_until_the_oldest_send_leaves_the_window() {
    var req = new Req().marketing();
    req.policy =
        new TopicPolicy(
            ChannelPolicy.EMAIL_FIRST,
            Channel.EMAIL,
            TopicPolicy.Fallback.NONE,
            3,
            false,
            List.of(new TopicPolicy.Cap(2, Duration.ofDays(7), Optional.empty())),
            TopicPolicy.OverCap.DEFER,
            Duration.ZERO,
            Optional.empty());
    req.sent(Duration.ofDays(6), Channel.EMAIL).sent(Duration.ofDays(1), Channel.SMS);
    RoutingPlan plan = req.plan();
    assertThat(shape(plan)).startsWith("deferred:email");
    assertThat(plan.steps().get(0).notBefore().orElseThrow())
        .isEqualTo(AFTERNOON.minus(Duration.ofDays(6)).plus(Duration.ofDays(7)).plusSeconds(1));
  }

  @Test
  void a_marketing_sms_at_night_waits_for_the_morning_in_the_persons_zone() {
    var req = new Req().marketing();
    req.preference = Optional.of(Channel.SMS);
    req.now = Instant.parse("2026-12-03T03:30:00Z"); // 22:30 in New York
    RoutingPlan plan = req.plan();
    assertThat(shape(plan)).startsWith("deferred:sms");
    assertThat(plan.steps().get(0).notBefore()).contains(Instant.parse("2026-12-03T13:00:00Z"));
    assertThat(plan.steps().get(0).reason().code()).isEqualTo("quiet-hours");
  }

  @Test
  void an_idaho_number_in_two_zones_may_get_marketing_sms_from_9_mountain_to_8_pacific() {
    var req = new Req().marketing();
    req.preference = Optional.of(Channel.SMS);
    req.addresses.put(Channel.SMS, "+12085550100");
    req.zones = Zones.of(Optional.empty(), Optional.of("+12085550100"), ZoneId.of("UTC"));
    assertThat(req.zones.candidates())
        .containsExactlyInAnyOrder(ZoneId.of("America/Boise"), ZoneId.of("America/Los_Angeles"));
    req.now = Instant.parse("2026-12-02T15:30:00Z"); // 08:30 Mountain, 07:30 Pacific
    assertThat(req.plan().steps().get(0).notBefore())
        .contains(Instant.parse("2026-12-02T16:00:00Z"));
    req.now = Instant.parse("2026-12-03T03:30:00Z"); // 20:30 Mountain, 19:30 Pacific
    assertThat(req.plan().steps().get(0).kind()).isEqualTo(Kind.NOW);
    req.now = Instant.parse("2026-12-03T04:00:00Z"); // 21:00 Mountain
    assertThat(req.plan().steps().get(0).kind()).isEqualTo(Kind.DEFERRED);
  }

  @Test
  void a_florida_area_code_brings_the_florida_window_even_with_an_explicit_zone() {
    Zones zones =
        Zones.of(Optional.of("America/New_York"), Optional.of("+13055550100"), ZoneId.of("UTC"));
    assertThat(zones.regions()).contains("US-FL");
    Instant at2030 = Instant.parse("2026-12-03T01:30:00Z"); // 20:30 New York
    assertThat(QuietHours.defaults().allowed(zones, TopicClass.MARKETING, at2030)).isFalse();
    Zones newYork = Zones.of(Optional.empty(), Optional.of("+12125550100"), ZoneId.of("UTC"));
    assertThat(QuietHours.defaults().allowed(newYork, TopicClass.MARKETING, at2030)).isTrue();
  }

  @Test
  void zones_come_from_the_contact_then_the_number_then_the_default() {
    assertThat(
            Zones.of(Optional.of("Europe/Paris"), Optional.of("+12125550100"), ZoneId.of("UTC"))
                .source())
        .isEqualTo("explicit");
    Zones uk = Zones.of(Optional.empty(), Optional.of("+447911123456"), ZoneId.of("UTC"));
    assertThat(uk.candidates()).hasSize(4);
    assertThat(uk.source()).isEqualTo("phone-prefix");
    Zones tollFree = Zones.of(Optional.empty(), Optional.of("+18005550100"), ZoneId.of("UTC"));
    assertThat(tollFree.source()).isEqualTo("phone-country");
    assertThat(tollFree.candidates()).doesNotContain(ZoneId.of("Pacific/Guam"));
    assertThat(
            Zones.of(Optional.empty(), Optional.empty(), ZoneId.of("Europe/Berlin")).candidates())
        .containsExactly(ZoneId.of("Europe/Berlin"));
    assertThat(Zones.of(Optional.empty(), Optional.of("+14055550100"), ZoneId.of("UTC")).regions())
        .contains("US", "US-OK");
    assertThat(Zones.of(Optional.empty(), Optional.of("+14155552671"), ZoneId.of("UTC")).regions())
        .contains("US-CA");
  }

  @Test
  void windows_that_never_overlap_skip_the_sms_with_the_reason() {
    var morningsOnly = new Router(QuietHours.parse("*\tmon-sun\t09:00\t12:00\tshort"));
    var req = new Req().marketing();
    req.preference = Optional.of(Channel.SMS);
    req.zones =
        new Zones(
            List.of(ZoneId.of("America/New_York"), ZoneId.of("Asia/Tokyo")),
            "phone-prefix",
            Set.of());
    RoutingPlan plan =
        morningsOnly.plan(
            new RouteRequest(
                req.topic,
                req.topicClass,
                req.policy,
                req.named,
                req.addresses,
                req.gates,
                req.preference,
                req.zones,
                req.now,
                req.history,
                req.dedupeKey,
                req.content,
                req.cost,
                req.spent,
                req.sendAt));
    assertThat(shape(plan)).contains("skip:sms:no-allowed-time");
    assertThat(
            plan.skipped().stream()
                .filter(k -> k.channel() == Channel.SMS)
                .findFirst()
                .orElseThrow()
                .reason()
                .text())
        .contains("never overlap");
  }

  @Test
  void over_the_daily_sms_budget_email_goes_instead() {
    var req = new Req().policy(ChannelPolicy.SMS_FIRST, ON_FAILURE);
    req.policy =
        new TopicPolicy(
            ChannelPolicy.SMS_FIRST,
            Channel.SMS,
            ON_FAILURE,
            3,
            false,
            List.of(),
            TopicPolicy.OverCap.DEFER,
            Duration.ZERO,
            Optional.of(new BigDecimal("10.00")));
    req.spent = Optional.of(new Money(new BigDecimal("9.999"), "USD"));
    RoutingPlan plan = req.plan();
    assertThat(shape(plan)).isEqualTo("now:email skip:sms:sms-budget");
    req.spent = Optional.of(new Money(new BigDecimal("1.00"), "USD"));
    assertThat(shape(req.plan())).isEqualTo("now:sms fallback:email");
    assertThat(req.plan().cost()).contains(new Money(new BigDecimal("0.0079"), "USD"));
    assertThat(req.plan().fallbackCost()).contains(new Money(new BigDecimal("0.0004"), "USD"));
  }

  @Test
  void the_plan_is_json_with_every_step_and_skip() {
    var json = PlanJson.write(new Req().policy(ChannelPolicy.SMS_FIRST, ON_FAILURE).plan());
    assertThat(json.get("steps").get(1).get("kind").asText()).isEqualTo("fallback");
    assertThat(json.get("steps").get(1).get("on").get(0).asText()).isEqualTo("failed");
    assertThat(json.get("cost").get("amount").asText()).isEqualTo("0.0079");
    assertThat(json.get("summary").asText()).contains("sms now").contains("email if the sms fails");
  }

  @Test
  void quiet_hours_can_differ_per_class_as_data() {
    QuietHours rules =
        QuietHours.parse(
            "US\tmon-sun\t08:00\t21:00\tfederal\n"
                + "US:transactional\tmon-sun\t07:00\t22:00\tgentler for receipts\n");
    Zones newYork =
        Zones.of(Optional.of("America/New_York"), Optional.of("+12125550100"), ZoneId.of("UTC"));
    Instant at0730 = Instant.parse("2026-12-02T12:30:00Z");
    assertThat(rules.allowed(newYork, TopicClass.MARKETING, at0730)).isFalse();
    assertThat(rules.allowed(newYork, TopicClass.TRANSACTIONAL, at0730)).isTrue();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> QuietHours.parse("US:promo\tmon-sun\t08:00\t21:00\tx"))
        .hasMessageContaining("line 1")
        .hasMessageContaining("'promo' is not a class");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> QuietHours.parse("US\tmon-sun\t21:00\t08:00\tx"))
        .hasMessageContaining("is not before");
  }
}
