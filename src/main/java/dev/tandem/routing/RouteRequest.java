package dev.tandem.routing;

import dev.tandem.channel.Channel;
import dev.tandem.topic.TopicClass;
import dev.tandem.topic.TopicPolicy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

public record RouteRequest(
    String topic,
    TopicClass topicClass,
    TopicPolicy policy,
    Set<Channel> named,
    Map<Channel, String> addresses,
    Map<Channel, Gate> gates,
    Optional<Channel> preference,
    Zones zones,
    Instant now,
    List<PastSend> history,
    String dedupeKey,
    Map<Channel, Content> content,
    Map<Channel, Money> cost,
    Optional<Money> smsSpentToday,
    Optional<Instant> sendAt) {}
