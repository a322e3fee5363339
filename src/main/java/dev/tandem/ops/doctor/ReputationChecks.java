package dev.tandem.ops.doctor;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** Marketing the reputation guard paused (docs/reputation.md), and why. */
final class ReputationChecks implements Check {
  private final Jdbi jdbi;

  ReputationChecks(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  private static java.time.Instant instant(Object value) {
    return value instanceof java.sql.Timestamp t
        ? t.toInstant()
        : ((OffsetDateTime) value).toInstant();
  }

  @Override
  public String name() {
    return "reputation";
  }

  @Override
  public List<Finding> run() {
    var findings = new ArrayList<Finding>();
    jdbi.useHandle(handle -> {
      for (var row :
          handle
              .createQuery(
                  "SELECT channel, scope, reason, paused_at FROM reputation_pause"
                      + " WHERE resumed_at IS NULL ORDER BY id")
              .mapToMap()
              .list()) {
        String channel = (String) row.get("channel");
        String scope = (String) row.get("scope");
        String where = channel + (scope.isEmpty() ? "" : " from " + scope);
        findings.add(
            Finding.warning(
                "marketing-paused",
                name(),
                "Marketing on "
                    + where
                    + " is paused since "
                    + instant(row.get("paused_at"))
                    + ": "
                    + row.get("reason")
                    + ".",
                "Mailbox providers and carriers filter senders whose complaint, bounce or opt-out"
                    + " rates stay this high; transactional messages still go, marketing waits.",
                "Find the cause (an old or bought list, a campaign people did not ask for, a"
                    + " missing unsubscribe link), then POST /v1/reputation/resume with"
                    + " {\"channel\": \""
                    + channel
                    + "\""
                    + (scope.isEmpty() ? "" : ", \"scope\": \"" + scope + "\"")
                    + "}."));
      }
    });
    if (findings.isEmpty()) {
      findings.add(Finding.ok("reputation-ok", name(), "No marketing is paused."));
    }
    return findings;
  }
}
