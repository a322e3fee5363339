package dev.tandem.delivery;

import dev.tandem.channel.Channel;
import dev.tandem.store.NamedSql;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.jdbi.v3.core.Jdbi;

/**
 * Gauges of the delivery queue, read from the database (so every node reports the whole queue):
 * deliveries by channel and status (queued, held, sending), how many queued ones are due, how long
 * the oldest due one has waited past its time, and claims whose lease ran out (a node that died).
 * One query answers all of them and is reused for a few seconds, so a scrape costs at most one
 * query however many gauges it reads.
 */
public final class QueueMetrics {
  private static final Duration REUSE = Duration.ofSeconds(5);
  private static final List<String> STATUSES = List.of("queued", "held", "sending");

  private record Row(long total, long due, Instant oldestDue, long expired) {}

  /** {@code rows} null: the database did not answer. */
  private record Snapshot(Instant at, Map<String, Row> rows) {}

  private final Jdbi jdbi;
  private final Clock clock;
  private final String snapshot;
  private volatile Snapshot last = new Snapshot(Instant.MIN, Map.of());

  /** What a gauge reads when the database does not answer: no sample, not a reassuring zero. */
  private static final Row UNKNOWN = new Row(-1, -1, null, -1);

  public QueueMetrics(Jdbi jdbi, Clock clock, MeterRegistry registry) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.snapshot = NamedSql.forClass(QueueMetrics.class).get("snapshot");
    for (Channel channel : Channel.values()) {
      for (String status : STATUSES) {
        gauge(
            registry,
            "tandem.queue.deliveries",
            "Deliveries waiting, by channel and status",
            channel,
            status,
            Row::total);
      }
      gauge(
          registry,
          "tandem.queue.due",
          "Queued deliveries whose time has come",
          channel,
          "queued",
          Row::due);
      gauge(
          registry,
          "tandem.queue.expired.claims",
          "Deliveries claimed by a node whose lease ran out (it stopped or stalled)",
          channel,
          "sending",
          Row::expired);
      Gauge.builder(
              "tandem.queue.oldest.due.seconds",
              () -> {
                Row row = row(channel, "queued");
                return row == UNKNOWN
                    ? Double.NaN
                    : row == null || row.oldestDue() == null
                        ? 0
                        : Math.max(0, Duration.between(row.oldestDue(), clock.instant()).toMillis())
                            / 1000.0;
              })
          .description("How long the oldest due delivery has waited past its time")
          .tag("channel", channel.key())
          .register(registry);
    }
  }

  private void gauge(
      MeterRegistry registry,
      String name,
      String description,
      Channel channel,
      String status,
      ToDoubleFunction<Row> value) {
    var builder =
        Gauge.builder(
                name,
                () -> {
                  Row row = row(channel, status);
                  return row == null ? 0 : row == UNKNOWN ? Double.NaN : value.applyAsDouble(row);
                })
            .description(description)
            .tag("channel", channel.key());
    if (name.equals("tandem.queue.deliveries")) {
      builder.tag("status", status);
    }
    builder.register(registry);
  }

  private Row row(Channel channel, String status) {
    Snapshot current = last;
    Instant now = clock.instant();
    if (current.at().isBefore(now.minus(REUSE)) || current.at().isAfter(now)) {
      current = new Snapshot(now, read(now));
      last = current;
    }
    return current.rows() == null ? UNKNOWN : current.rows().get(channel.key() + "/" + status);
  }

  private Map<String, Row> read(Instant now) {
    try {
      return jdbi.withHandle(handle -> {
        var rows = new HashMap<String, Row>();
        handle
            .createQuery(snapshot)
            .bind("now", now)
            .map((rs, ctx) -> {
              var oldest = rs.getTimestamp("oldest_due");
              rows.put(
                  rs.getString("channel") + "/" + rs.getString("status"),
                  new Row(
                      rs.getLong("total"),
                      rs.getLong("due"),
                      oldest == null ? null : oldest.toInstant(),
                      rs.getLong("expired")));
              return null;
            })
            .list();
        return rows;
      });
    } catch (RuntimeException e) {
      return null; // the database is down: /health/ready says so; the gauges read NaN
    }
  }
}
