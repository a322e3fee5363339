package dev.tandem.email;

import java.time.Instant;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * What inbound mail does to the email deliveries it reports on. Implemented by {@code delivery},
 * which owns the table, and wired in {@code App}: {@code delivery} depends on {@code email} (it
 * sends through {@link EmailGateway}), so {@code email} cannot call it directly.
 */
public interface EmailDeliveries {
  /**
   * The delivery bounced for good: it is failed with {@code reason}, in the caller's transaction.
   * The one place an email delivery becomes failed after it was handed to the relay.
   */
  void bounced(Handle handle, UUID deliveryId, String reason, Instant now);

  /** The remote MTA gave up for now: the delivery is queued again for {@code at}. */
  void sendAgain(Handle handle, UUID deliveryId, Instant at, String reason, Instant now);
}
