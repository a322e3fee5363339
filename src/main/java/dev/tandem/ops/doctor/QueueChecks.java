package dev.tandem.ops.doctor;

import dev.tandem.store.NamedSql;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** Deliveries waiting longer than they should, and claims nobody holds any more. */
final class QueueChecks implements Check {
  static final Duration BACKLOG_WARNING = Duration.ofMinutes(10);
  static final Duration BACKLOG_ERROR = Duration.ofHours(1);

  private final Jdbi jdbi;
  private final Clock clock;
  private final NamedSql sql = NamedSql.forClass(QueueChecks.class);

  QueueChecks(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  @Override
  public String name() {
    return "queue";
  }

  @Override
  public List<Finding> run() {
    Instant now = clock.instant();
    var findings = new ArrayList<Finding>();
    jdbi.useHandle(handle -> {
      for (var row : handle.createQuery(sql.get("backlog")).bind("now", now).mapToMap().list()) {
        String channel = (String) row.get("channel");
        long due = ((Number) row.get("due")).longValue();
        Instant oldest = ((OffsetDateTime) row.get("oldest_due")).toInstant();
        Duration age = Duration.between(oldest, now);
        String found =
            due
                + " "
                + channel
                + " deliveries are due; the oldest has waited "
                + ClockChecks.human(age)
                + ".";
        if (age.compareTo(BACKLOG_WARNING) <= 0) {
          findings.add(Finding.ok("queue-ok", name(), found));
          continue;
        }
        String why =
            "People get their "
                + channel
                + " late or not at all (codes expire, reminders arrive after the event).";
        String fix =
            "Check that tandem serve runs and that its "
                + (channel.equals("sms") ? "SMSC or SMS provider" : "SMTP relay")
                + " checks above pass; raise dispatch.batchSize or add nodes if it is only slow.";
        findings.add(
            age.compareTo(BACKLOG_ERROR) > 0
                ? Finding.error("queue-backlog", name(), found, why, fix)
                : Finding.warning("queue-backlog", name(), found, why, fix));
      }
      for (var row :
          handle.createQuery(sql.get("expiredClaims")).bind("now", now).mapToMap().list()) {
        String channel = (String) row.get("channel");
        long stuck = ((Number) row.get("stuck")).longValue();
        Instant oldest = ((OffsetDateTime) row.get("oldest_expiry")).toInstant();
        findings.add(
            Finding.warning(
                "deliveries-stuck",
                name(),
                stuck
                    + " "
                    + channel
                    + " deliveries are claimed by a node whose lease ran out "
                    + ClockChecks.human(Duration.between(oldest, now))
                    + " ago.",
                "A node stopped while sending them; until another node takes them over, their"
                    + " recipients wait (and may get them twice, if the send went out).",
                "Start tandem serve (a running node takes over expired claims); if one runs, check"
                    + " its log and the clock check, and keep dispatch.lease longer than a send"
                    + " takes."));
      }
    });
    if (findings.isEmpty()) {
      findings.add(Finding.ok("queue-ok", name(), "No delivery is due or stuck."));
    }
    return findings;
  }
}
