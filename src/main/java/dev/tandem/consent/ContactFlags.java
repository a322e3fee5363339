package dev.tandem.consent;

import dev.tandem.store.NamedSql;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Things a person wrote that may withdraw consent without a keyword ("leave me alone", "wrong
 * number"): the law accepts revocation by any reasonable means, so a person reviews them.
 */
public final class ContactFlags {
  /** One flag. */
  public record Flag(
      long id,
      UUID contactId,
      String kind,
      String channel,
      String text,
      UUID inboundId,
      Instant createdAt,
      Instant resolvedAt) {}

  private final Jdbi jdbi;
  private final Clock clock;
  private final String insert;
  private final String ofContact;
  private final String open;
  private final String resolve;

  public ContactFlags(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
    var sql = NamedSql.forClass(ContactFlags.class);
    this.insert = sql.get("insert");
    this.ofContact = sql.get("ofContact");
    this.open = sql.get("open");
    this.resolve = sql.get("resolve");
  }

  public void flag(UUID contactId, String kind, String channel, String text, UUID inboundId) {
    jdbi.useHandle(handle ->
        handle
            .createUpdate(insert)
            .bind("contactId", contactId)
            .bind("kind", kind)
            .bind("channel", channel)
            .bind("text", text.length() > 2000 ? text.substring(0, 2000) : text)
            .bindByType("inboundId", inboundId, UUID.class)
            .bind("now", clock.instant())
            .execute());
  }

  public List<Flag> ofContact(UUID contactId) {
    return jdbi.withHandle(h ->
        h.createQuery(ofContact).bind("contactId", contactId).map((rs, ctx) -> flag(rs)).list());
  }

  /** Open flags, oldest first. */
  public List<Flag> open(int limit) {
    return jdbi.withHandle(
        h -> h.createQuery(open).bind("limit", limit).map((rs, ctx) -> flag(rs)).list());
  }

  /** Marks a flag reviewed; false when there is no such open flag. */
  public boolean resolve(long id) {
    return jdbi.withHandle(
            h -> h.createUpdate(resolve).bind("id", id).bind("now", clock.instant()).execute())
        > 0;
  }

  private static Flag flag(java.sql.ResultSet rs) throws java.sql.SQLException {
    var resolved = rs.getTimestamp("resolved_at");
    return new Flag(
        rs.getLong("id"),
        rs.getObject("contact_id", UUID.class),
        rs.getString("kind"),
        rs.getString("channel"),
        rs.getString("text"),
        rs.getObject("inbound_id", UUID.class),
        rs.getTimestamp("created_at").toInstant(),
        resolved == null ? null : resolved.toInstant());
  }
}
