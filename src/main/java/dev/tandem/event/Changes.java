package dev.tandem.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.error.InvalidInput;
import dev.tandem.store.NamedSql;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The feed of contact and consent changes ({@code GET /v1/changes}) for systems that keep their own
 * copy. Written in the transaction of the change; read in (transaction id, id) order, and only
 * below the oldest transaction still running, so a change that commits late is never skipped by a
 * reader that already moved past its id.
 */
public final class Changes {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One change; {@code cursor} is what to pass as {@code after} to read on from here. */
  public record Change(String cursor, UUID contactId, String kind, JsonNode data, Instant at) {}

  /** A page of the feed; {@code next} is the cursor to ask with next time (same if empty). */
  public record Page(List<Change> changes, String next) {}

  private final Jdbi jdbi;
  private final String insert;
  private final String after;

  public Changes(Jdbi jdbi) {
    this.jdbi = jdbi;
    var sql = NamedSql.forClass(Changes.class);
    this.insert = sql.get("insert");
    this.after = sql.get("after");
  }

  /** A change to record: {@code contact.created}, {@code consent.changed}, … */
  public record NewChange(UUID contactId, String kind, Map<String, Object> data, Instant at) {}

  private volatile EventSink sink = EventSink.NONE;

  /** Who is told of each change, in the transaction that appends it (webhooks). */
  public void sink(EventSink sink) {
    this.sink = sink;
  }

  public void append(Handle handle, List<NewChange> changes) {
    if (changes.isEmpty()) {
      return;
    }
    EventSink told = sink;
    if (told.listening()) {
      told.recorded(
          handle,
          changes.stream()
              .map(c ->
                  new EventSink.Notice(
                      "feed", c.kind(), c.contactId(), c.at(), null, null, null, c.data()))
              .toList());
    }
    PreparedBatch batch = handle.prepareBatch(insert);
    for (NewChange change : changes) {
      batch
          .bind("contactId", change.contactId())
          .bind("kind", change.kind())
          .bind("data", json(change.data()))
          .bind("at", change.at())
          .add();
    }
    batch.execute();
  }

  /** Up to {@code limit} changes after {@code cursor} (null or empty: from the start). */
  public Page after(String cursor, int limit) {
    long xid = 0;
    long id = 0;
    if (cursor != null && !cursor.isEmpty()) {
      String[] parts = cursor.split("-", 2);
      try {
        xid = Long.parseLong(parts[0]);
        id = Long.parseLong(parts[1]);
      } catch (RuntimeException e) {
        throw new InvalidInput(
            "invalid-cursor",
            "after",
            "'"
                + cursor
                + "' is not a cursor from this feed. Pass the 'next' value of the previous page,"
                + " or nothing to start at the beginning.");
      }
    }
    long fromXid = xid;
    long fromId = id;
    List<Change> changes =
        jdbi.withHandle(handle ->
            handle
                .createQuery(after)
                .bind("xid", Long.toString(fromXid))
                .bind("id", fromId)
                .bind("limit", limit)
                .map((rs, ctx) -> {
                  try {
                    return new Change(
                        rs.getLong("xid") + "-" + rs.getLong("id"),
                        rs.getObject("contact_id", UUID.class),
                        rs.getString("kind"),
                        JSON.readTree(rs.getString("data")),
                        rs.getTimestamp("at").toInstant());
                  } catch (JsonProcessingException e) {
                    throw new IllegalStateException(e);
                  }
                })
                .list());
    String next = changes.isEmpty() ? cursor == null ? "" : cursor : changes.getLast().cursor();
    return new Page(changes, next);
  }

  private static String json(Map<String, Object> data) {
    try {
      return JSON.writeValueAsString(data);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
