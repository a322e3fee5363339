package dev.tandem.routing;

import dev.tandem.channel.Channel;
import dev.tandem.topic.ChannelPolicy;
import dev.tandem.topic.TopicClass;
import dev.tandem.topic.TopicPolicy;
import dev.tandem.topic.TopicPolicy.Trigger;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides, for one message, which channel goes now, which waits and until when, which is a fallback
 * and on what, with a reason for every channel chosen or skipped. A pure function of the {@link
 * RouteRequest}: no I/O, no clock. In order:
 *
 * <ol>
 *   <li><b>Dedupe</b>: the same topic and content key within the topic's window goes once.
 *   <li><b>What can go</b>: a channel needs an address, content (a pointer SMS needs only the
 *       email's), the send gate's yes, and an SMS within the topic's segment budget.
 *   <li><b>Channel policy</b>: named channels, or email-first, sms-first, both, pointer,
 *       preference; when the first channel cannot go, the other takes its place.
 *   <li><b>Daily SMS budget</b>: over it, SMS switches to email or waits for the next day.
 *   <li><b>Caps</b> across both channels and per channel, counted over the person's messages of the
 *       class; over a cap the message is dropped or deferred (a channel-only cap switches to the
 *       other channel first). Fallbacks count as if they went. Critical has no caps.
 *   <li><b>Quiet hours</b>: an SMS outside the allowed window (in every candidate zone) is deferred
 *       to the next allowed minute, never dropped. Critical ignores them.
 * </ol>
 */
public final class Router {
  private final QuietHours quietHours;

  public Router(QuietHours quietHours) {
    this.quietHours = quietHours;
  }

  public RoutingPlan plan(RouteRequest r) {
    TopicPolicy policy = r.policy();
    boolean critical = r.topicClass() == TopicClass.CRITICAL;
    Optional<PastSend> duplicate = duplicate(r);
    if (duplicate.isPresent()) {
      List<Skip> skipped = new ArrayList<>();
      for (Channel c : Channel.values()) {
        skipped.add(
            new Skip(
                c,
                new Reason(
                    "duplicate",
                    "the same message on "
                        + r.topic()
                        + " went to this person at "
                        + duplicate.get().at()
                        + ", within the dedupe window of "
                        + policy.dedupeWindow())));
      }
      return new RoutingPlan(
          List.of(),
          skipped,
          Optional.of(duplicate.get().messageId()),
          Optional.empty(),
          Optional.empty(),
          "not sent: a duplicate of message " + duplicate.get().messageId());
    }

    Map<Channel, Reason> cannot = new EnumMap<>(Channel.class);
    for (Channel c : Channel.values()) {
      unavailable(r, c).ifPresent(reason -> cannot.put(c, reason));
    }
    var plan = new Draft(r);
    if (!r.named().isEmpty()) {
      for (Channel c : Channel.values()) {
        if (!r.named().contains(c)) {
          continue;
        }
        if (cannot.containsKey(c)) {
          plan.skip(c, cannot.get(c));
        } else {
          plan.now(c, new Reason("named", c.key() + " was named by the caller"));
        }
      }
    } else {
      choose(r, policy, cannot, plan);
    }
    budget(r, policy, cannot, plan);
    scheduled(r, plan);
    if (!critical) {
      caps(r, policy, cannot, plan);
      if (policy.quietHours()) {
        quietHours(r, plan);
      }
    }
    return plan.build();
  }

  private static Optional<PastSend> duplicate(RouteRequest r) {
    Duration window = r.policy().dedupeWindow();
    if (window.isZero() || r.dedupeKey() == null) {
      return Optional.empty();
    }
    Instant since = r.now().minus(window);
    return r.history().stream()
        .filter(p -> r.topic().equals(p.topic()) && r.dedupeKey().equals(p.dedupeKey()))
        .filter(p -> p.at().isAfter(since))
        .findFirst();
  }

  /** Why {@code channel} cannot go at all, or empty. */
  private static Optional<Reason> unavailable(RouteRequest r, Channel channel) {
    if (!r.addresses().containsKey(channel)) {
      return Optional.of(
          new Reason(
              "no-address",
              "the person has no " + (channel == Channel.SMS ? "phone number" : "email address")));
    }
    Gate gate = r.gates().get(channel);
    if (gate != null && !gate.allowed()) {
      return Optional.of(new Reason(gate.code(), gate.reason()));
    }
    Content content = r.content().get(channel);
    boolean pointer =
        channel == Channel.SMS
            && r.policy().channels() == ChannelPolicy.POINTER
            && r.named().isEmpty()
            && r.content().containsKey(Channel.EMAIL);
    if (content == null && !pointer) {
      return Optional.of(
          new Reason("no-content", "the message has no " + channel.key() + " content"));
    }
    if (channel == Channel.SMS
        && content != null
        && !pointer
        && content.smsSegments() > r.policy().smsSegmentBudget()) {
      return Optional.of(
          new Reason(
              "over-segment-budget",
              "the SMS takes "
                  + content.smsSegments()
                  + " segments; the topic allows "
                  + r.policy().smsSegmentBudget()));
    }
    return Optional.empty();
  }

  private static Channel other(Channel c) {
    return c == Channel.SMS ? Channel.EMAIL : Channel.SMS;
  }

  private static void choose(
      RouteRequest r, TopicPolicy policy, Map<Channel, Reason> cannot, Draft plan) {
    String name = policy.channels().key();
    switch (policy.channels()) {
      case BOTH -> {
        for (Channel c : Channel.values()) {
          if (cannot.containsKey(c)) {
            plan.skip(c, cannot.get(c));
          } else {
            plan.now(c, new Reason("policy-both", "the topic sends on both channels at once"));
          }
        }
      }
      case POINTER -> {
        if (!cannot.containsKey(Channel.EMAIL)) {
          plan.now(Channel.EMAIL, new Reason("policy-pointer", "the email carries the content"));
          if (cannot.containsKey(Channel.SMS)) {
            plan.skip(Channel.SMS, cannot.get(Channel.SMS));
          } else {
            plan.pointer(
                new Reason(
                    "pointer",
                    "an SMS pointing to the email, once the relay accepted it"
                        + (r.content().containsKey(Channel.SMS)
                            ? "; its own text if the email fails"
                            : "")));
          }
        } else {
          plan.skip(Channel.EMAIL, cannot.get(Channel.EMAIL));
          Optional<Reason> sms = smsOnItsOwn(r, cannot);
          if (sms.isPresent()) {
            plan.skip(Channel.SMS, sms.get());
          } else {
            plan.now(
                Channel.SMS,
                new Reason(
                    "first-unavailable",
                    "the email cannot go ("
                        + cannot.get(Channel.EMAIL).code()
                        + "): the SMS carries the content"));
          }
        }
      }
      case EMAIL_FIRST, SMS_FIRST, PREFERENCE -> {
        Channel first;
        Reason why;
        if (policy.channels() == ChannelPolicy.PREFERENCE) {
          first = r.preference().orElse(policy.preferenceDefault());
          why =
              r.preference().isPresent()
                  ? new Reason(
                      "preference", "the person prefers " + first.key() + " for " + r.topic())
                  : new Reason(
                      "preference-default",
                      "no stated preference; the topic's default is " + first.key());
        } else {
          first = policy.channels() == ChannelPolicy.SMS_FIRST ? Channel.SMS : Channel.EMAIL;
          why = new Reason("policy-" + name, "the topic's policy is " + name);
        }
        if (cannot.containsKey(first)) {
          plan.skip(first, cannot.get(first));
          Channel second = other(first);
          if (cannot.containsKey(second)) {
            plan.skip(second, cannot.get(second));
          } else {
            plan.now(
                second,
                new Reason(
                    "first-unavailable",
                    first.key()
                        + " cannot go ("
                        + cannot.get(first).code()
                        + "), so "
                        + second.key()
                        + " instead"));
          }
          return;
        }
        plan.now(first, why);
        fallback(r, policy, cannot, plan, first);
      }
    }
  }

  /** Why a pointer topic's SMS cannot carry the content itself, or empty when it can. */
  private static Optional<Reason> smsOnItsOwn(RouteRequest r, Map<Channel, Reason> cannot) {
    if (cannot.containsKey(Channel.SMS)) {
      return Optional.of(cannot.get(Channel.SMS));
    }
    Content sms = r.content().get(Channel.SMS);
    if (sms == null) {
      return Optional.of(
          new Reason("no-content", "the email cannot go and the message has no SMS text"));
    }
    if (sms.smsSegments() > r.policy().smsSegmentBudget()) {
      return Optional.of(
          new Reason(
              "over-segment-budget",
              "the SMS takes "
                  + sms.smsSegments()
                  + " segments; the topic allows "
                  + r.policy().smsSegmentBudget()));
    }
    return Optional.empty();
  }

  private static void fallback(
      RouteRequest r, TopicPolicy policy, Map<Channel, Reason> cannot, Draft plan, Channel first) {
    Channel second = other(first);
    if (!policy.fallback().enabled()) {
      if (cannot.containsKey(second)) {
        plan.skip(second, cannot.get(second));
      } else {
        plan.skip(
            second,
            new Reason("no-fallback", "the topic has no fallback; " + first.key() + " only"));
      }
      return;
    }
    if (cannot.containsKey(second)) {
      plan.skip(second, cannot.get(second));
      return;
    }
    Set<Trigger> on = EnumSet.noneOf(Trigger.class);
    for (Trigger t : policy.fallback().on()) {
      boolean fits =
          switch (t) {
            case FAILED -> true;
            case NO_RECEIPT -> first == Channel.SMS;
            case NOT_OPENED, NOT_CLICKED -> first == Channel.EMAIL;
          };
      if (fits) {
        on.add(t);
      }
    }
    if (on.isEmpty()) {
      plan.skip(
          second,
          new Reason(
              "no-fallback-trigger",
              "none of the fallback's triggers "
                  + keys(policy.fallback().on())
                  + " can follow "
                  + first.key()));
      return;
    }
    plan.fallback(
        second,
        first,
        on,
        policy.fallback().after().filter(a -> on.stream().anyMatch(Trigger::timed)),
        new Reason(
            "fallback",
            second.key()
                + " if the "
                + first.key()
                + " "
                + String.join(" or ", on.stream().map(Router::words).toList())
                + policy
                    .fallback()
                    .after()
                    .filter(a -> on.stream().anyMatch(Trigger::timed))
                    .map(a -> " within " + a)
                    .orElse("")));
  }

  private static String words(Trigger t) {
    return switch (t) {
      case FAILED -> "fails";
      case NO_RECEIPT -> "has no final receipt";
      case NOT_OPENED -> "is not opened";
      case NOT_CLICKED -> "is not clicked";
    };
  }

  private static List<String> keys(Set<Trigger> triggers) {
    return triggers.stream().map(Trigger::key).sorted().toList();
  }

  /** The topic's daily SMS budget: over it, email instead, or the SMS waits for the next day. */
  private static void budget(
      RouteRequest r, TopicPolicy policy, Map<Channel, Reason> cannot, Draft plan) {
    if (policy.dailySmsBudget().isEmpty() || !plan.sendsNow(Channel.SMS)) {
      return;
    }
    Money cost = r.cost().get(Channel.SMS);
    if (cost == null) {
      return;
    }
    BigDecimal spent = r.smsSpentToday().map(Money::amount).orElse(BigDecimal.ZERO);
    BigDecimal budget = policy.dailySmsBudget().get();
    if (spent.add(cost.amount()).compareTo(budget) <= 0) {
      return;
    }
    String words =
        "the topic's SMS budget today is "
            + budget
            + " "
            + cost.currency()
            + "; "
            + spent
            + " is spent";
    if (!cannot.containsKey(Channel.EMAIL) && !plan.sendsNow(Channel.EMAIL)) {
      plan.remove(Channel.SMS);
      plan.remove(Channel.EMAIL);
      plan.now(Channel.EMAIL, new Reason("sms-budget", words + ": email instead"));
      plan.skip(Channel.SMS, new Reason("sms-budget", words));
    } else if (plan.sendsNow(Channel.EMAIL)) {
      plan.remove(Channel.SMS);
      plan.skip(Channel.SMS, new Reason("sms-budget", words + "; the email goes"));
    } else {
      Instant tomorrow = r.now().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1));
      plan.defer(
          Channel.SMS,
          tomorrow,
          new Reason("sms-budget", words + ": the SMS waits for tomorrow (UTC)"));
    }
  }

  private static void caps(
      RouteRequest r, TopicPolicy policy, Map<Channel, Reason> cannot, Draft plan) {
    if (policy.caps().isEmpty() || plan.steps.isEmpty()) {
      return;
    }
    List<TopicPolicy.Cap> over = over(r, policy, plan.channels());
    if (over.isEmpty()) {
      return;
    }
    // A cap on one channel only: the other channel may carry the message instead.
    if (over.stream().allMatch(c -> c.channel().isPresent())) {
      Channel capped = over.get(0).channel().get();
      Channel instead = other(capped);
      if (over.stream().allMatch(c -> c.channel().get() == capped)
          && plan.sendsNow(capped)
          && !plan.has(instead)
          && !cannot.containsKey(instead)
          && over(r, policy, List.of(instead)).isEmpty()) {
        plan.remove(capped);
        plan.skip(
            capped,
            new Reason(
                "cap-exceeded", capText(over.get(0), r) + ": " + instead.key() + " instead"));
        plan.now(
            instead,
            new Reason(
                "cap-switch", capped.key() + " is over its cap; " + instead.key() + " instead"));
        return;
      }
    }
    // Optional steps go first: a message without its fallback may still fit.
    if (plan.dropHeld(new Reason("cap-exceeded", capText(over.get(0), r) + ": no fallback"))
        && over(r, policy, plan.channels()).isEmpty()) {
      return;
    }
    over = over(r, policy, plan.channels());
    if (policy.overCap() == TopicPolicy.OverCap.DROP) {
      Reason reason = new Reason("cap-exceeded", capText(over.get(0), r) + ": not sent");
      for (Channel c : List.copyOf(plan.channels())) {
        plan.remove(c);
        plan.skip(c, reason);
      }
      return;
    }
    Optional<Instant> until = roomAt(r, over, plan.channels());
    for (Channel c : List.copyOf(plan.channels())) {
      if (until.isPresent()) {
        plan.defer(
            c,
            until.get(),
            new Reason("cap-deferred", capText(over.get(0), r) + ": waits until there is room"));
      } else {
        plan.remove(c);
        plan.skip(c, new Reason("cap-exceeded", capText(over.get(0), r) + ": the cap allows none"));
      }
    }
  }

  private static String capText(TopicPolicy.Cap cap, RouteRequest r) {
    return "at most "
        + cap.max()
        + " "
        + r.topicClass().name().toLowerCase(Locale.ROOT)
        + " message"
        + (cap.max() == 1 ? "" : "s")
        + cap.channel().map(c -> " by " + c.key()).orElse(" across both channels")
        + " per "
        + cap.window();
  }

  /** The caps these planned sends would exceed. */
  private static List<TopicPolicy.Cap> over(
      RouteRequest r, TopicPolicy policy, List<Channel> planned) {
    List<TopicPolicy.Cap> over = new ArrayList<>();
    for (TopicPolicy.Cap cap : policy.caps()) {
      long used = counted(r, cap, r.now()).size();
      long adding = planned.stream().filter(c -> cap.channel().map(c::equals).orElse(true)).count();
      if (adding > 0 && used + adding > cap.max()) {
        over.add(cap);
      }
    }
    return over;
  }

  private static List<Instant> counted(RouteRequest r, TopicPolicy.Cap cap, Instant at) {
    Instant since = at.minus(cap.window());
    return r.history().stream()
        .filter(p -> p.topicClass() == r.topicClass())
        .filter(p -> cap.channel().map(c -> c == p.channel()).orElse(true))
        .map(PastSend::at)
        .filter(t -> t.isAfter(since) && !t.isAfter(at))
        .sorted()
        .toList();
  }

  /** When the counted sends have left the windows enough for these planned ones, if ever. */
  private static Optional<Instant> roomAt(
      RouteRequest r, List<TopicPolicy.Cap> over, List<Channel> planned) {
    Instant latest = r.now();
    for (TopicPolicy.Cap cap : over) {
      long adding = planned.stream().filter(c -> cap.channel().map(c::equals).orElse(true)).count();
      if (adding > cap.max()) {
        return Optional.empty();
      }
      List<Instant> sends = counted(r, cap, r.now());
      int mustLeave = (int) (sends.size() + adding - cap.max());
      // the mustLeave oldest sends leave the window just after at + window
      Instant free =
          sends
              .get(mustLeave - 1)
              .plus(cap.window())
              .plusSeconds(1)
              .truncatedTo(ChronoUnit.SECONDS);
      if (free.isAfter(latest)) {
        latest = free;
      }
    }
    return Optional.of(latest);
  }

  /**
   * Holds what would go now until the caller's {@code sendAt}. Quiet hours are then judged at that
   * time (and may move an SMS later still); caps and dedupe were judged at acceptance.
   */
  private static void scheduled(RouteRequest r, Draft plan) {
    Optional<Instant> at = r.sendAt().filter(t -> t.isAfter(r.now()));
    if (at.isEmpty()) {
      return;
    }
    for (Channel c : Channel.values()) {
      if (plan.sendsNow(c)) {
        plan.defer(
            c, at.get(), new Reason("scheduled", "sendAt: the caller asked for " + at.get()));
      }
    }
  }

  /** Defers an SMS that would reach the person outside the allowed window. */
  private void quietHours(RouteRequest r, Draft plan) {
    for (Step s : List.copyOf(plan.steps)) {
      if (s.channel() != Channel.SMS || (s.kind() != Kind.NOW && s.kind() != Kind.DEFERRED)) {
        continue;
      }
      Instant at = s.notBefore().orElse(r.now());
      QuietHours.Verdict v = quietHours.check(r.zones(), r.topicClass(), at);
      if (v.allowedNow()) {
        continue;
      }
      if (v.next().isEmpty()) {
        plan.remove(Channel.SMS);
        plan.skip(Channel.SMS, new Reason("no-allowed-time", v.explanation()));
        continue;
      }
      Instant next = v.next().get();
      plan.defer(
          Channel.SMS,
          next,
          new Reason(
              "quiet-hours",
              v.explanation()
                  + (s.kind() == Kind.DEFERRED ? " (" + s.reason().text() + ")" : "")
                  + "; the SMS goes at "
                  + next
                  + " ("
                  + next.atZone(r.zones().candidates().get(0)).toLocalDateTime()
                  + " "
                  + r.zones().candidates().get(0)
                  + ")"));
    }
  }

  /** The plan being built: at most one step per channel. */
  private static final class Draft {
    final RouteRequest r;
    final List<Step> steps = new ArrayList<>();
    final List<Skip> skipped = new ArrayList<>();

    Draft(RouteRequest r) {
      this.r = r;
    }

    Optional<Money> cost(Channel c) {
      return Optional.ofNullable(r.cost().get(c));
    }

    void now(Channel c, Reason reason) {
      skipped.removeIf(s -> s.channel() == c);
      steps.add(
          new Step(
              c,
              Kind.NOW,
              Optional.empty(),
              Optional.empty(),
              Set.of(),
              Optional.empty(),
              reason,
              cost(c)));
    }

    void pointer(Reason reason) {
      steps.add(
          new Step(
              Channel.SMS,
              Kind.POINTER,
              Optional.empty(),
              Optional.of(Channel.EMAIL),
              r.content().containsKey(Channel.SMS) ? Set.of(Trigger.FAILED) : Set.of(),
              r.policy().fallback().after(),
              reason,
              cost(Channel.SMS)));
    }

    void fallback(
        Channel c, Channel follows, Set<Trigger> on, Optional<Duration> after, Reason reason) {
      steps.add(
          new Step(
              c,
              Kind.FALLBACK,
              Optional.empty(),
              Optional.of(follows),
              Set.copyOf(on),
              after,
              reason,
              cost(c)));
    }

    void defer(Channel c, Instant until, Reason reason) {
      for (int i = 0; i < steps.size(); i++) {
        Step s = steps.get(i);
        if (s.channel() == c && (s.kind() == Kind.NOW || s.kind() == Kind.DEFERRED)) {
          steps.set(
              i,
              new Step(
                  c,
                  Kind.DEFERRED,
                  Optional.of(until),
                  Optional.empty(),
                  Set.of(),
                  Optional.empty(),
                  reason,
                  s.cost()));
        }
      }
    }

    void skip(Channel c, Reason reason) {
      if (steps.stream().noneMatch(s -> s.channel() == c)
          && skipped.stream().noneMatch(s -> s.channel() == c)) {
        skipped.add(new Skip(c, reason));
      }
    }

    void remove(Channel c) {
      steps.removeIf(s -> s.channel() == c);
    }

    boolean has(Channel c) {
      return steps.stream().anyMatch(s -> s.channel() == c);
    }

    boolean sendsNow(Channel c) {
      return steps.stream()
          .anyMatch(s -> s.channel() == c && (s.kind() == Kind.NOW || s.kind() == Kind.DEFERRED));
    }

    /** Removes fallback and pointer steps; true if there were any. */
    boolean dropHeld(Reason reason) {
      boolean any = false;
      for (Step s : List.copyOf(steps)) {
        if (s.kind() == Kind.FALLBACK || s.kind() == Kind.POINTER) {
          steps.remove(s);
          skip(s.channel(), reason);
          any = true;
        }
      }
      return any;
    }

    List<Channel> channels() {
      return steps.stream().map(Step::channel).toList();
    }

    RoutingPlan build() {
      Optional<Money> now =
          total(
              steps.stream()
                  .filter(s -> s.kind() == Kind.NOW || s.kind() == Kind.DEFERRED)
                  .toList());
      Optional<Money> later =
          total(
              steps.stream()
                  .filter(s -> s.kind() == Kind.FALLBACK || s.kind() == Kind.POINTER)
                  .toList());
      return new RoutingPlan(
          List.copyOf(steps), List.copyOf(skipped), Optional.empty(), now, later, summary());
    }

    private static Optional<Money> total(List<Step> steps) {
      if (steps.isEmpty() || steps.stream().anyMatch(s -> s.cost().isEmpty())) {
        return Optional.empty();
      }
      String currency = steps.get(0).cost().get().currency();
      BigDecimal sum = BigDecimal.ZERO;
      for (Step s : steps) {
        if (!s.cost().get().currency().equals(currency)) {
          return Optional.empty();
        }
        sum = sum.add(s.cost().get().amount());
      }
      return Optional.of(new Money(sum, currency));
    }

    private String summary() {
      if (steps.isEmpty()) {
        return "nothing goes: "
            + String.join(
                "; ",
                skipped.stream().map(s -> s.channel().key() + " " + s.reason().code()).toList());
      }
      List<String> parts = new ArrayList<>();
      for (Step s : steps) {
        parts.add(
            switch (s.kind()) {
              case NOW -> s.channel().key() + " now";
              case DEFERRED -> s.channel().key() + " at " + s.notBefore().orElseThrow();
              case FALLBACK ->
                  s.channel().key()
                      + " if the "
                      + s.follows().orElseThrow().key()
                      + " "
                      + String.join(" or ", s.on().stream().sorted().map(Router::words).toList())
                      + s.after().map(a -> " within " + a).orElse("");
              case POINTER -> "sms pointing to the email once the relay accepts it";
            });
      }
      return String.join("; ", parts);
    }
  }
}
