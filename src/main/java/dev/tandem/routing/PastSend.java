package dev.tandem.routing;

import dev.tandem.channel.Channel;
import dev.tandem.topic.TopicClass;
import java.time.Instant;
import java.util.UUID;

public record PastSend(
    UUID messageId,
    Instant at,
    Channel channel,
    TopicClass topicClass,
    String topic,
    String dedupeKey) {}
