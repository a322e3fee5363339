package dev.tandem.event;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One entry on a contact's timeline. {@code type} is dotted ({@code message.accepted}, {@code
 * delivery.delivered}, {@code sms.received}); {@code channel}, {@code messageId} and {@code
 * deliveryId} are null where they do not apply.
 */
public record TimelineEvent(
    UUID contactId,
    Instant at,
    String type,
    String channel,
    UUID messageId,
    UUID deliveryId,
    Map<String, Object> detail) {}
