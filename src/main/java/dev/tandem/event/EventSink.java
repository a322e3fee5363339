package dev.tandem.event;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Told of every timeline event and feed change as it is recorded, inside the transaction that
 * records it, so what it writes (webhook deliveries) exists exactly when the change does.
 */
public interface EventSink {
  /**
   * One thing that happened. {@code source} is {@code timeline} or {@code feed}: contact and
   * consent-state changes come from the feed, everything else from the timeline.
   */
  record Notice(
      String source,
      String type,
      UUID contactId,
      Instant at,
      String channel,
      UUID messageId,
      UUID deliveryId,
      Map<String, Object> data) {}

  void recorded(Handle handle, List<Notice> notices);

  /** False when nothing would be done with a notice: then none is made. */
  default boolean listening() {
    return true;
  }

  EventSink NONE =
      new EventSink() {
        @Override
        public void recorded(Handle handle, List<Notice> notices) {}

        @Override
        public boolean listening() {
          return false;
        }
      };
}
