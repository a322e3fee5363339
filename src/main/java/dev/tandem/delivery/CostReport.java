package dev.tandem.delivery;

import dev.tandem.error.InvalidInput;
import dev.tandem.routing.Money;
import dev.tandem.store.NamedSql;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * What messages cost, read from the deliveries: a report over a time range grouped by topic,
 * channel or destination country, and a topic's SMS spend for its daily budget. Reads only.
 */
public final class CostReport {
  /** The longest range one report covers. */
  public static final Duration MAX_RANGE = Duration.ofDays(366);

  public enum GroupBy {
    TOPIC,
    CHANNEL,
    COUNTRY;

    public static GroupBy parse(String value) {
      for (GroupBy g : values()) {
        if (g.name().toLowerCase(Locale.ROOT).equals(value)) {
          return g;
        }
      }
      throw new InvalidInput(
          "invalid-group-by",
          "groupBy",
          "groupBy is '" + value + "'; use topic, channel or country.");
    }
  }

  /** One group in one currency. */
  public record Row(String key, String currency, long deliveries, long segments, BigDecimal cost) {}

  private final Jdbi jdbi;
  private final NamedSql sql = NamedSql.forClass(CostReport.class);

  public CostReport(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public List<Row> report(Instant from, Instant to, GroupBy groupBy) {
    if (!from.isBefore(to)) {
      throw new InvalidInput(
          "invalid-range", "to", "to (" + to + ") must be after from (" + from + ").");
    }
    if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
      throw new InvalidInput(
          "range-too-long",
          "to",
          "from " + from + " to " + to + " is more than 366 days; ask for a year at a time.");
    }
    String query =
        switch (groupBy) {
          case TOPIC -> sql.get("byTopic");
          case CHANNEL -> sql.get("byChannel");
          case COUNTRY -> sql.get("byCountry");
        };
    return jdbi.withHandle(handle ->
        handle
            .createQuery(query)
            .bind("from", from)
            .bind("to", to)
            .map((rs, ctx) ->
                new Row(
                    rs.getString("key"),
                    rs.getString("currency"),
                    rs.getLong("deliveries"),
                    rs.getLong("segments"),
                    rs.getBigDecimal("cost")))
            .list());
  }

  /** What {@code topic} has spent or reserved on SMS since {@code since}; empty when nothing. */
  public Optional<Money> smsSpent(String topic, Instant since) {
    return jdbi.withHandle(handle -> smsSpent(handle, topic, since));
  }

  /** The same, read in the caller's transaction. */
  public Optional<Money> smsSpent(org.jdbi.v3.core.Handle handle, String topic, Instant since) {
    return handle
        .createQuery(sql.get("smsSpent"))
        .bind("topic", topic)
        .bind("since", since)
        .map((rs, ctx) ->
            rs.getString("currency") == null
                ? Optional.<Money>empty()
                : Optional.of(new Money(rs.getBigDecimal("cost"), rs.getString("currency"))))
        .one();
  }
}
