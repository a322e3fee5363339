package dev.tandem.ops.doctor;

import dev.tandem.store.NamedSql;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** This JVM's clock against PostgreSQL's. */
final class ClockChecks implements Check {
  static final Duration WARN = Duration.ofSeconds(5);
  static final Duration ERROR = Duration.ofSeconds(60);

  private final Jdbi jdbi;
  private final Clock clock;
  private final String now;

  ClockChecks(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.now = NamedSql.forClass(ClockChecks.class).get("databaseNow");
  }

  @Override
  public String name() {
    return "clock";
  }

  @Override
  public List<Finding> run() {
    Instant before = clock.instant();
    Instant database =
        jdbi.withHandle(h -> h.createQuery(now).mapTo(OffsetDateTime.class).one()).toInstant();
    Instant after = clock.instant();
    // the round trip's midpoint is when the database read its clock, as near as we can tell
    Instant local = before.plus(Duration.between(before, after).dividedBy(2));
    Duration skew = Duration.between(database, local);
    Duration size = skew.abs();
    String found =
        "This node’s clock is "
            + (size.toMillis() < 1
                ? "in step with"
                : human(size) + (skew.isNegative() ? " behind" : " ahead of"))
            + " PostgreSQL’s.";
    if (size.compareTo(WARN) <= 0) {
      return List.of(Finding.ok("clock-ok", name(), found));
    }
    String why =
        "Claims, leases, retries and schedules compare this node’s time with times other nodes"
            + " wrote: deliveries are taken over too early (sent twice) or too late.";
    String fix = "Run NTP (chrony or systemd-timesyncd) on this host and on the database host.";
    return List.of(
        size.compareTo(ERROR) > 0
            ? Finding.error("clock-skew", name(), found, why, fix)
            : Finding.warning("clock-skew", name(), found, why, fix));
  }

  static String human(Duration d) {
    if (d.toDays() > 0) {
      return d.toDays() + " d " + d.toHoursPart() + " h";
    }
    if (d.toHours() > 0) {
      return d.toHours() + " h " + d.toMinutesPart() + " min";
    }
    if (d.toMinutes() > 0) {
      return d.toMinutes() + " min " + d.toSecondsPart() + " s";
    }
    return d.toSeconds() > 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
