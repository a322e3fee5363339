package dev.tandem.bench;

import dev.tandem.channel.Channel;
import dev.tandem.routing.Content;
import dev.tandem.routing.Gate;
import dev.tandem.routing.Money;
import dev.tandem.routing.PastSend;
import dev.tandem.routing.PlanJson;
import dev.tandem.routing.QuietHours;
import dev.tandem.routing.RouteRequest;
import dev.tandem.routing.Router;
import dev.tandem.routing.RoutingPlan;
import dev.tandem.routing.Zones;
import dev.tandem.topic.ChannelPolicy;
import dev.tandem.topic.TopicClass;
import dev.tandem.topic.TopicPolicy;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Router decisions per second. Baseline: a message with its channels named (the router only
 * checks the gate, addresses and content). Then a transactional message routed by preference with
 * a fallback, and a marketing message with quiet hours (ambiguous Idaho zones and a state rule),
 * two caps and a 50-entry history. Each includes making the plan's JSON, as accepting does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouterBench {
  Router router;
  RouteRequest named;
  RouteRequest transactional;
  RouteRequest marketing;

  @Setup
  public void setup() {
    router = new Router(QuietHours.defaults());
    Instant now = Instant.parse("2026-12-02T20:00:00Z");
    Map<Channel, String> addresses = Map.of(Channel.SMS, "+12085550100", Channel.EMAIL, "a@example.org");
    Map<Channel, Gate> gates =
        Map.of(Channel.SMS, new Gate(true, "allowed", "allowed"), Channel.EMAIL, new Gate(true, "allowed", "allowed"));
    Map<Channel, Content> content = Map.of(Channel.SMS, new Content(1), Channel.EMAIL, new Content(0));
    Map<Channel, Money> cost =
        Map.of(
            Channel.SMS, new Money(new BigDecimal("0.0079"), "USD"),
            Channel.EMAIL, new Money(new BigDecimal("0.0004"), "USD"));
    Zones zones = Zones.of(Optional.empty(), Optional.of("+12085550100"), ZoneId.of("UTC"));
    TopicPolicy tx = TopicPolicy.defaults(TopicClass.TRANSACTIONAL);
    named =
        new RouteRequest("order", TopicClass.TRANSACTIONAL, tx, EnumSet.of(Channel.SMS), addresses, gates,
            Optional.empty(), zones, now, List.of(), "k", content, cost, Optional.empty(), Optional.empty());
    transactional =
        new RouteRequest("order", TopicClass.TRANSACTIONAL, tx, Set.of(), addresses, gates,
            Optional.of(Channel.SMS), zones, now, List.of(), "k", content, cost, Optional.empty(), Optional.empty());
    var history = new ArrayList<PastSend>();
    for (int i = 0; i < 50; i++) {
      history.add(
          new PastSend(UUID.randomUUID(), now.minus(Duration.ofHours(3L * i + 1)),
              i % 2 == 0 ? Channel.SMS : Channel.EMAIL,
              i % 3 == 0 ? TopicClass.MARKETING : TopicClass.TRANSACTIONAL, "t" + (i % 4), "k" + i));
    }
    TopicPolicy mk =
        new TopicPolicy(ChannelPolicy.SMS_FIRST, Channel.EMAIL,
            new TopicPolicy.Fallback(EnumSet.of(TopicPolicy.Trigger.FAILED), Optional.empty()), 3, true,
            List.of(new TopicPolicy.Cap(20, Duration.ofDays(7), Optional.empty()),
                new TopicPolicy.Cap(5, Duration.ofDays(1), Optional.of(Channel.SMS))),
            TopicPolicy.OverCap.DEFER, Duration.ofDays(1), Optional.empty());
    marketing =
        new RouteRequest("promo", TopicClass.MARKETING, mk, Set.of(), addresses, gates,
            Optional.empty(), zones, Instant.parse("2026-12-03T05:30:00Z"), history, "kx", content, cost,
            Optional.empty(), Optional.empty());
  }

  @Benchmark
  public Object baselineNamedChannels() {
    return PlanJson.write(router.plan(named));
  }

  @Benchmark
  public Object transactionalWithFallback() {
    return PlanJson.write(router.plan(transactional));
  }

  @Benchmark
  public Object marketingQuietHoursCapsHistory() {
    RoutingPlan plan = router.plan(marketing);
    return PlanJson.write(plan);
  }
}
