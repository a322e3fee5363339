package dev.tandem.sms;

import dev.tandem.store.NamedSql;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the SMSC sent that Tandem could not use — an unreadable receipt, an undecodable or
 * unattributable inbound SMS — kept with the raw content and the reason, never dropped silently.
 */
public final class SmsProblems {
  private static final Logger log = LoggerFactory.getLogger(SmsProblems.class);

  /** One recorded problem. */
  public record Problem(String kind, String source, String raw, String reason, Instant at) {}

  /** A receipt that matched no SMS for this long is reported as a problem. */
  public static final java.time.Duration UNMATCHED_AFTER = java.time.Duration.ofMinutes(10);

  private final Jdbi jdbi;
  private final Clock clock;
  private final String insert;
  private final String recent;

  public SmsProblems(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
    var sql = NamedSql.forClass(SmsProblems.class);
    this.insert = sql.get("insert");
    this.recent = sql.get("recent");
  }

  public void record(String kind, String source, String raw, String reason) {
    log.warn("unusable {} from '{}': {}", kind, source, reason);
    jdbi.useHandle(handle ->
        handle
            .createUpdate(insert)
            .bind("kind", kind)
            .bind("source", source)
            .bind("raw", raw)
            .bind("reason", reason)
            .bind("receivedAt", clock.instant())
            .execute());
  }

  /** The newest problems first, with receipts unmatched for {@link #UNMATCHED_AFTER}. */
  public List<Problem> recent(int limit) {
    return jdbi.withHandle(handle ->
        handle
            .createQuery(recent)
            .bind("limit", limit)
            .bind("unmatchedBefore", clock.instant().minus(UNMATCHED_AFTER))
            .map((rs, ctx) ->
                new Problem(
                    rs.getString("kind"),
                    rs.getString("source"),
                    rs.getString("raw"),
                    rs.getString("reason"),
                    rs.getTimestamp("received_at").toInstant()))
            .list());
  }
}
