package dev.tandem.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * The lease-free form of due work (decision 0021), for work decided and written inside the one
 * transaction that found it: locks due rows with {@code FOR UPDATE SKIP LOCKED}, so any number of
 * nodes can sweep and a row is decided once. With {@code followsColumn}, the row it names (in the
 * same table) is locked too, and a row whose either side is busy is skipped. The locks last until
 * the caller's transaction ends. Names come from code and are checked against {@code [a-z_]+}.
 */
public final class DueRows {
  private final String lockDue;

  /**
   * @param table the table
   * @param idColumn its uuid primary key
   * @param dueColumn the timestamp from which a row is due
   * @param dueStatus the status of a row waiting for its time
   * @param followsColumn a column naming another row of the table to lock with it, or empty
   */
  public DueRows(
      String table,
      String idColumn,
      String dueColumn,
      String dueStatus,
      Optional<String> followsColumn) {
    for (String name : List.of(table, idColumn, dueColumn, dueStatus)) {
      Leases.check(name);
    }
    followsColumn.ifPresent(Leases::check);
    this.lockDue =
        "SELECT h."
            + idColumn
            + " FROM "
            + table
            + " h"
            + followsColumn
                .map(c -> " JOIN " + table + " p ON p." + idColumn + " = h." + c)
                .orElse("")
            + " WHERE h.status = '"
            + dueStatus
            + "' AND h."
            + dueColumn
            + " <= :now"
            + " ORDER BY h."
            + dueColumn
            + " LIMIT :limit"
            + (followsColumn.isPresent()
                ? " FOR UPDATE OF h, p SKIP LOCKED"
                : " FOR UPDATE OF h SKIP LOCKED");
  }

  /** Locks up to {@code limit} due rows (oldest due first) and returns their ids in that order. */
  public List<UUID> lockDue(Handle handle, Instant now, int limit) {
    return handle
        .createQuery(lockDue)
        .bind("now", now)
        .bind("limit", limit)
        .map((rs, ctx) -> rs.getObject(1, UUID.class))
        .list();
  }

  /** The SQL, for {@code EXPLAIN} in tests. */
  public String sql() {
    return lockDue;
  }
}
