package dev.tandem.routing;

import dev.tandem.channel.Channel;
import dev.tandem.topic.TopicPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

public record Step(
    Channel channel,
    Kind kind,
    Optional<Instant> notBefore,
    Optional<Channel> follows,
    Set<TopicPolicy.Trigger> on,
    Optional<Duration> after,
    Reason reason,
    Optional<Money> cost) {}
