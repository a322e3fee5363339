package dev.tandem.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.store.NamedSql;
import dev.tandem.store.Page;
import dev.tandem.store.PageRequest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The contact timeline: every send, receipt and inbound message in time order, across channels.
 * Features append inside their own transaction, so an event exists exactly when its change does.
 */
public final class Timeline {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> DETAIL = new TypeReference<>() {};

  private final Jdbi jdbi;
  private final String insert;
  private final String page;

  public Timeline(Jdbi jdbi) {
    this.jdbi = jdbi;
    var sql = NamedSql.forClass(Timeline.class);
    this.insert = sql.get("insert");
    this.page = sql.get("page");
  }

  private volatile EventSink sink = EventSink.NONE;

  /** Who is told of each event, in the transaction that appends it (webhooks). */
  public void sink(EventSink sink) {
    this.sink = sink;
  }

  /** Appends events in one statement on the caller's transaction. */
  public void append(Handle handle, List<TimelineEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    EventSink told = sink;
    if (told.listening()) {
      told.recorded(
          handle,
          events.stream()
              .map(e ->
                  new EventSink.Notice(
                      "timeline",
                      e.type(),
                      e.contactId(),
                      e.at(),
                      e.channel(),
                      e.messageId(),
                      e.deliveryId(),
                      e.detail()))
              .toList());
    }
    int n = events.size();
    UUID[] contactIds = new UUID[n];
    String[] ats = new String[n];
    String[] types = new String[n];
    String[] channels = new String[n];
    UUID[] messageIds = new UUID[n];
    UUID[] deliveryIds = new UUID[n];
    String[] details = new String[n];
    for (int i = 0; i < n; i++) {
      TimelineEvent event = events.get(i);
      contactIds[i] = event.contactId();
      ats[i] = event.at().toString();
      types[i] = event.type();
      channels[i] = event.channel();
      messageIds[i] = event.messageId();
      deliveryIds[i] = event.deliveryId();
      details[i] = toJson(event.detail());
    }
    handle
        .createUpdate(insert)
        .bind("contactIds", contactIds)
        .bind("ats", ats)
        .bind("types", types)
        .bind("channels", channels)
        .bind("messageIds", messageIds)
        .bind("deliveryIds", deliveryIds)
        .bind("details", details)
        .execute();
  }

  /**
   * A contact's events newest first, a page at a time; the cursor is the last event's time and
   * number, so events recorded meanwhile never shift a page.
   */
  public Page<TimelineEvent> page(UUID contactId, PageRequest request) {
    record Row(long id, TimelineEvent event) {}
    List<Row> rows =
        jdbi.withHandle(handle ->
            handle
                .createQuery(page)
                .bind("contactId", contactId)
                .bind("at", request.isFirst() ? PageRequest.LATEST : request.instant(0))
                .bind("id", request.isFirst() ? Long.MAX_VALUE : request.number(1))
                .bind("limit", request.limit() + 1)
                .map((rs, ctx) ->
                    new Row(
                        rs.getLong("id"),
                        new TimelineEvent(
                            rs.getObject("contact_id", UUID.class),
                            rs.getTimestamp("at").toInstant(),
                            rs.getString("type"),
                            rs.getString("channel"),
                            rs.getObject("message_id", UUID.class),
                            rs.getObject("delivery_id", UUID.class),
                            fromJson(rs.getString("detail")))))
                .list());
    return request
        .page(rows, r -> List.of(r.event().at().toString(), Long.toString(r.id())))
        .map(Row::event);
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
