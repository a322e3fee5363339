package dev.tandem.delivery;

import dev.tandem.contact.ContactData;
import dev.tandem.email.EmailDeliveries;
import dev.tandem.store.NamedSql;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * The changes other features make to messages and deliveries, written here because {@code delivery}
 * is the only writer of its tables: inbound mail failing or re-queueing what it reports on, and
 * delivery's part of a merge (messages and deliveries move with the person) and an erasure (they
 * stay, for the counts and costs, without content, address or receipt text).
 */
public final class DeliveryRecords implements EmailDeliveries, ContactData {
  /** Deliveries that reached an outcome, by channel, status and topic: one name, one help text. */
  public static io.micrometer.core.instrument.Counter counter(
      io.micrometer.core.instrument.MeterRegistry metrics,
      dev.tandem.channel.Channel channel,
      String status,
      String topic) {
    return io.micrometer.core.instrument.Counter.builder("tandem.deliveries")
        .description(
            "Deliveries that reached an outcome (sent, delivered, failed, suppressed), by channel and"
                + " topic")
        .tags("channel", channel.key(), "status", status, "topic", topic == null ? "" : topic)
        .register(metrics);
  }

  /** Messages accepted by the API, by the channel of each delivery. */
  public static io.micrometer.core.instrument.Counter accepted(
      io.micrometer.core.instrument.MeterRegistry metrics, dev.tandem.channel.Channel channel) {
    return io.micrometer.core.instrument.Counter.builder("tandem.messages.accepted")
        .description("Deliveries accepted by the API, by channel")
        .tag("channel", channel.key())
        .register(metrics);
  }

  private static final List<String> TABLES =
      List.of("message", "delivery", "sms_part", "sms_receipt");

  private final Optional<Fallbacks> fallbacks;
  private final Runnable onReleased;
  private final String bounced;
  private final String sendAgain;
  private final List<String> merge;
  private final List<String> erase;

  /** For merge and erasure only: a bounce recorded through it decides no fallback. */
  public DeliveryRecords() {
    this(Optional.empty(), () -> {});
  }

  /**
   * For inbound mail: a bounce decides the held steps that follow the bounced delivery in the same
   * transaction ({@code onReleased} runs when any was released, after the caller commits or not: it
   * only wakes the dispatcher early).
   */
  public DeliveryRecords(
      org.jdbi.v3.core.Jdbi jdbi,
      dev.tandem.event.Timeline timeline,
      io.micrometer.core.instrument.MeterRegistry metrics,
      Runnable onReleased) {
    this(Optional.of(new Fallbacks(jdbi, timeline, metrics)), onReleased);
  }

  private DeliveryRecords(Optional<Fallbacks> fallbacks, Runnable onReleased) {
    this.fallbacks = fallbacks;
    this.onReleased = onReleased;
    var sql = NamedSql.forClass(DeliveryRecords.class);
    this.bounced = sql.get("bounced");
    this.sendAgain = sql.get("sendAgain");
    this.merge = List.of(sql.get("moveMessages"), sql.get("moveDeliveries"));
    this.erase =
        List.of(
            sql.get("cancelWaiting"),
            sql.get("eraseMessages"),
            sql.get("eraseReceipts"),
            sql.get("eraseDeliveries"));
  }

  @Override
  public List<String> tables() {
    return TABLES;
  }

  @Override
  public void merge(Handle handle, UUID from, UUID into) {
    for (String statement : merge) {
      handle.createUpdate(statement).bind("from", from).bind("into", into).execute();
    }
  }

  @Override
  public void erase(Handle handle, Erasure erasure) {
    for (String statement : erase) {
      handle.createUpdate(statement).bind("ids", erasure.ids()).execute();
    }
  }

  @Override
  public void bounced(Handle handle, UUID deliveryId, String reason, Instant now) {
    handle
        .createUpdate(bounced)
        .bind("id", deliveryId)
        .bind("error", reason)
        .bind("now", now)
        .execute();
    if (fallbacks.isPresent() && fallbacks.get().followed(handle, List.of(deliveryId), now) > 0) {
      onReleased.run();
    }
  }

  @Override
  public void sendAgain(Handle handle, UUID deliveryId, Instant at, String reason, Instant now) {
    handle
        .createUpdate(sendAgain)
        .bind("id", deliveryId)
        .bind("at", at)
        .bind("error", reason)
        .bind("now", now)
        .execute();
  }
}
