package dev.tandem.delivery;

import dev.tandem.email.EmailDeliveries;
import dev.tandem.store.NamedSql;
import java.time.Instant;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * The changes other features make to messages and deliveries, written here because {@code delivery}
 * is the only writer of its tables: inbound mail failing or re-queueing what it reports on.
 */
public final class DeliveryRecords implements EmailDeliveries {
  private final String bounced;
  private final String sendAgain;

  public DeliveryRecords() {
    var sql = NamedSql.forClass(DeliveryRecords.class);
    this.bounced = sql.get("bounced");
    this.sendAgain = sql.get("sendAgain");
  }

  @Override
  public void bounced(Handle handle, UUID deliveryId, String reason, Instant now) {
    handle
        .createUpdate(bounced)
        .bind("id", deliveryId)
        .bind("error", reason)
        .bind("now", now)
        .execute();
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
