package dev.tandem.delivery;

import dev.tandem.channel.Channel;
import dev.tandem.event.Timeline;
import dev.tandem.event.TimelineEvent;
import dev.tandem.store.DueRows;
import dev.tandem.store.NamedSql;
import dev.tandem.topic.TopicPolicy.Trigger;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Held steps (fallbacks and pointer SMS) as durable due work. They are decided in the transaction
 * that changes the delivery they follow ({@link #followed}), so a receipt, a failure or a sent
 * email acts at once and exactly once; timers are swept by {@link #releaseDue}, which locks each
 * step and what it follows with {@code SKIP LOCKED}, so any number of nodes can sweep and a step is
 * decided once. Decisions come from {@link FallbackRule}.
 */
final class Fallbacks {
  private final Jdbi jdbi;
  private final Timeline timeline;
  private final MeterRegistry metrics;
  private final String heldFollowing;

  /** Held steps due by next_attempt_at, locked with the delivery they follow. */
  static final DueRows DUE =
      new DueRows("delivery", "id", "next_attempt_at", "held", Optional.of("follows"));

  private final String heldLocked;
  private final String release;
  private final String cancel;
  private final String arm;

  Fallbacks(Jdbi jdbi, Timeline timeline, MeterRegistry metrics) {
    this.jdbi = jdbi;
    this.timeline = timeline;
    this.metrics = metrics;
    var sql = NamedSql.forClass(Fallbacks.class);
    this.heldFollowing = sql.get("heldFollowing");
    this.heldLocked = sql.get("heldLocked");
    this.release = sql.get("release");
    this.cancel = sql.get("cancel");
    this.arm = sql.get("arm");
  }

  /** A held row as read, with its decision input. */
  private record Row(
      UUID id, UUID messageId, UUID contactId, Channel channel, FallbackRule.Held held) {}

  /**
   * Decides the held steps that follow these deliveries, which the caller's transaction just
   * changed. Returns how many were released to the queue.
   */
  int followed(Handle handle, Collection<UUID> deliveryIds, Instant now) {
    if (deliveryIds.isEmpty()) {
      return 0;
    }
    List<Row> rows =
        handle
            .createQuery(heldFollowing)
            .bind("ids", deliveryIds.toArray(UUID[]::new))
            .map((rs, ctx) -> row(rs))
            .list();
    return apply(handle, rows, now);
  }

  /** Decides up to {@code limit} held steps whose timer ran out; returns how many were released. */
  int releaseDue(Instant now, int limit) {
    return jdbi.inTransaction(handle -> {
      List<UUID> locked = DUE.lockDue(handle, now, limit);
      if (locked.isEmpty()) {
        return 0;
      }
      List<Row> rows =
          handle
              .createQuery(heldLocked)
              .bind("ids", locked.toArray(UUID[]::new))
              .map((rs, ctx) -> row(rs))
              .list();
      return apply(handle, rows, now);
    });
  }

  private int apply(Handle handle, List<Row> rows, Instant now) {
    if (rows.isEmpty()) {
      return 0;
    }
    var releases = handle.prepareBatch(release);
    var cancels = handle.prepareBatch(cancel);
    var arms = handle.prepareBatch(arm);
    List<TimelineEvent> events = new ArrayList<>();
    int released = 0;
    for (Row row : rows) {
      switch (FallbackRule.decide(row.held(), now)) {
        case FallbackRule.Release r -> {
          releases
              .bind("id", row.id())
              .bind("now", now)
              .bindByType("variant", r.variant().orElse(null), String.class)
              .add();
          events.add(event(row, now, "delivery.released", r.code(), r.reason()));
          metrics
              .counter("tandem.fallbacks", "channel", row.channel().key(), "outcome", "released")
              .increment();
          released++;
        }
        case FallbackRule.Cancel c -> {
          cancels.bind("id", row.id()).bind("now", now).bind("reason", c.reason()).add();
          events.add(event(row, now, "delivery.cancelled", c.code(), c.reason()));
          metrics
              .counter("tandem.fallbacks", "channel", row.channel().key(), "outcome", "cancelled")
              .increment();
        }
        case FallbackRule.Arm a ->
            arms.bind("id", row.id()).bind("now", now).bind("due", a.due()).add();
        case FallbackRule.Wait w -> {}
      }
    }
    for (var batch : List.of(releases, cancels, arms)) {
      if (batch.size() > 0) {
        batch.execute();
      }
    }
    timeline.append(handle, events);
    return released;
  }

  private static TimelineEvent event(
      Row row, Instant now, String type, String code, String reason) {
    Map<String, Object> detail = new HashMap<>();
    detail.put("step", row.held().pointer() ? "pointer" : "fallback");
    detail.put("code", code);
    detail.put("reason", reason);
    return new TimelineEvent(
        row.contactId(), now, type, row.channel().key(), row.messageId(), row.id(), detail);
  }

  private static Row row(ResultSet rs) throws SQLException {
    Set<Trigger> triggers = EnumSet.noneOf(Trigger.class);
    Array array = rs.getArray("triggers");
    if (array != null) {
      for (Object t : (Object[]) array.getArray()) {
        Trigger.parse((String) t).ifPresent(triggers::add);
      }
    }
    long wait = rs.getLong("wait_seconds");
    Optional<Duration> waitFor =
        rs.wasNull() ? Optional.empty() : Optional.of(Duration.ofSeconds(wait));
    var due = rs.getTimestamp("due");
    return new Row(
        rs.getObject("id", UUID.class),
        rs.getObject("message_id", UUID.class),
        rs.getObject("contact_id", UUID.class),
        Channel.parse(rs.getString("channel")).orElseThrow(),
        new FallbackRule.Held(
            "pointer".equals(rs.getString("step")),
            triggers,
            waitFor,
            Optional.ofNullable(due).map(java.sql.Timestamp::toInstant),
            Channel.parse(rs.getString("followed_channel")).orElseThrow(),
            DeliveryStatus.of(rs.getString("followed_status")),
            rs.getBoolean("opened"),
            rs.getBoolean("clicked")));
  }
}
