package dev.tandem.delivery;

import dev.tandem.channel.Channel;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A message and the state of each of its deliveries, as {@code GET /v1/messages/{id}} shows it. */
public record MessageView(
    UUID id,
    UUID contactId,
    String topic,
    Instant createdAt,
    List<DeliveryView> deliveries,
    boolean replayed) {

  public record DeliveryView(
      UUID id,
      Channel channel,
      String address,
      DeliveryStatus status,
      int attempts,
      String providerId,
      String lastError,
      Integer segments,
      String encoding,
      java.math.BigDecimal cost,
      String currency,
      Instant updatedAt) {}

  MessageView asReplay() {
    return new MessageView(id, contactId, topic, createdAt, deliveries, true);
  }
}
