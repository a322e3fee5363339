package dev.tandem.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.store.NamedSql;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The contact timeline: every send, receipt and inbound message in time order, across channels.
 * Features append inside their own transaction, so an event exists exactly when its change does.
 */
public final class Timeline {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> DETAIL = new TypeReference<>() {};

  private final Jdbi jdbi;
  private final String insert;
  private final String forContact;

  public Timeline(Jdbi jdbi) {
    this.jdbi = jdbi;
    var sql = NamedSql.forClass(Timeline.class);
    this.insert = sql.get("insert");
    this.forContact = sql.get("forContact");
  }

  /** Appends events in one batch on the caller's transaction. */
  public void append(Handle handle, List<TimelineEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    PreparedBatch batch = handle.prepareBatch(insert);
    for (TimelineEvent event : events) {
      batch
          .bind("contactId", event.contactId())
          .bind("at", event.at())
          .bind("type", event.type())
          .bind("channel", event.channel())
          .bindByType("messageId", event.messageId(), UUID.class)
          .bindByType("deliveryId", event.deliveryId(), UUID.class)
          .bind("detail", toJson(event.detail()))
          .add();
    }
    batch.execute();
  }

  /** The first {@code limit} events of a contact, oldest first. */
  public List<TimelineEvent> forContact(UUID contactId, int limit) {
    return jdbi.withHandle(handle ->
        handle
            .createQuery(forContact)
            .bind("contactId", contactId)
            .bind("limit", limit)
            .map((rs, ctx) ->
                new TimelineEvent(
                    rs.getObject("contact_id", UUID.class),
                    rs.getTimestamp("at").toInstant(),
                    rs.getString("type"),
                    rs.getString("channel"),
                    rs.getObject("message_id", UUID.class),
                    rs.getObject("delivery_id", UUID.class),
                    fromJson(rs.getString("detail"))))
            .list());
  }

  private static String toJson(Map<String, Object> detail) {
    try {
      return JSON.writeValueAsString(detail == null ? Map.of() : detail);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("event detail is not serializable: " + detail, e);
    }
  }

  private static Map<String, Object> fromJson(String json) {
    try {
      return JSON.readValue(json, DETAIL);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored event detail is not JSON: " + json, e);
    }
  }
}
