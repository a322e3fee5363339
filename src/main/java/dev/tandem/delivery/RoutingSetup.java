package dev.tandem.delivery;

import dev.tandem.channel.Channel;
import dev.tandem.routing.Money;
import dev.tandem.routing.Router;
import dev.tandem.topic.TopicClass;
import dev.tandem.topic.TopicPolicy;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * What accepting a message needs from routing and the features around it, wired by {@code App}.
 *
 * @param router the pure router
 * @param policyOf a topic's routing policy
 * @param preferenceOf the person's preferred channel for a topic
 * @param defaultZone where people are when neither their contact nor their number says
 * @param emailCost what one email costs, when configured
 * @param smsSpent a topic's SMS spend since an instant (for its daily budget)
 */
public record RoutingSetup(
    Router router,
    BiFunction<String, TopicClass, TopicPolicy> policyOf,
    Lookup<UUID, Optional<Channel>> preferenceOf,
    ZoneId defaultZone,
    Optional<Money> emailCost,
    Lookup<Instant, Optional<Money>> smsSpent) {

  /**
   * A read made inside the accepting transaction, on its handle: a second pooled connection per
   * request could starve the pool under load.
   */
  @FunctionalInterface
  public interface Lookup<A, R> {
    R apply(org.jdbi.v3.core.Handle handle, A first, String topic);
  }
}
