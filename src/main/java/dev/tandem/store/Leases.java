package dev.tandem.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * One claim-and-lease primitive for due work kept in a table: a row whose status is {@link
 * Spec#dueStatus} and whose {@link Spec#dueColumn} has passed is claimed with {@code FOR UPDATE
 * SKIP LOCKED}, moved to {@link Spec#claimedStatus}, stamped with a lease, the claiming node and a
 * fresh claim token. Results are written only while that token still holds ({@link #holds}), so a
 * node whose lease ran out and whose row was claimed again changes nothing. Expired leases are
 * queued again by any node ({@link #releaseExpired}); a node takes back its own claims at start
 * ({@link #releaseOwn}). See decision 0021.
 *
 * <p>The table must have the columns {@code status}, {@code lease_until}, {@code claimed_by},
 * {@code claim_token} and {@code claimed_at}, besides the id and due columns named in the spec.
 * Every name comes from code and is checked against {@code [a-z_]+}; none comes from input.
 *
 * <p>Work decided inside one transaction, with no lease, uses {@link DueRows} instead.
 *
 * <p>The SQL is built once, in the constructor. All methods take the caller's {@link Handle}, so a
 * claim or a write joins whatever transaction the caller runs it in.
 */
public final class Leases {
  private static final Pattern NAME = Pattern.compile("[a-z_]+");

  /**
   * What a kind of due work looks like in its table.
   *
   * @param table the table, e.g. {@code delivery}
   * @param idColumn its uuid primary key
   * @param dueColumn the timestamp from which a row is due; set to now when a lease is released
   * @param dueStatus the status of a row waiting to be claimed
   * @param claimedStatus the status of a claimed row
   * @param attemptsColumn an integer column counting claims, or empty
   * @param updatedAtColumn a timestamp column set to now on every change, or empty
   * @param errorColumn a text column that records why a claim was taken back, or empty
   */
  public record Spec(
      String table,
      String idColumn,
      String dueColumn,
      String dueStatus,
      String claimedStatus,
      Optional<String> attemptsColumn,
      Optional<String> updatedAtColumn,
      Optional<String> errorColumn) {
    public Spec {
      for (String name : List.of(table, idColumn, dueColumn, dueStatus, claimedStatus)) {
        check(name);
      }
      attemptsColumn.ifPresent(Leases::check);
      updatedAtColumn.ifPresent(Leases::check);
      errorColumn.ifPresent(Leases::check);
      if (dueStatus.equals(claimedStatus)) {
        throw new IllegalArgumentException(
            "a claimed row needs its own status: dueStatus and claimedStatus are both '"
                + dueStatus
                + "'");
      }
    }

    /** A spec with no attempts, updated-at or error column. */
    public static Spec of(
        String table, String idColumn, String dueColumn, String dueStatus, String claimedStatus) {
      return new Spec(
          table,
          idColumn,
          dueColumn,
          dueStatus,
          claimedStatus,
          Optional.empty(),
          Optional.empty(),
          Optional.empty());
    }

    public Spec withAttempts(String column) {
      return new Spec(
          table,
          idColumn,
          dueColumn,
          dueStatus,
          claimedStatus,
          Optional.of(column),
          updatedAtColumn,
          errorColumn);
    }

    public Spec withUpdatedAt(String column) {
      return new Spec(
          table,
          idColumn,
          dueColumn,
          dueStatus,
          claimedStatus,
          attemptsColumn,
          Optional.of(column),
          errorColumn);
    }

    public Spec withError(String column) {
      return new Spec(
          table,
          idColumn,
          dueColumn,
          dueStatus,
          claimedStatus,
          attemptsColumn,
          updatedAtColumn,
          Optional.of(column));
    }
  }

  /** A claimed batch: the ids claimed (oldest due first) and the token they were claimed under. */
  public record Claim(UUID token, List<UUID> ids) {}

  private final Spec spec;
  private final String claim;
  private final String extend;
  private final String releaseExpired;
  private final String releaseOwn;
  private final String holds;

  public Leases(Spec spec) {
    this.spec = spec;
    String t = spec.table();
    String id = spec.idColumn();
    String due = spec.dueColumn();
    String updated = spec.updatedAtColumn().map(c -> ", " + c + " = :now").orElse("");
    String attempts = spec.attemptsColumn().map(c -> ", " + c + " = w." + c + " + 1").orElse("");
    this.claim =
        "UPDATE "
            + t
            + " w SET status = '"
            + spec.claimedStatus()
            + "'"
            + attempts
            + ", lease_until = :leaseUntil, claimed_at = :now, claimed_by = :node,"
            + " claim_token = :token"
            + updated
            + " FROM (SELECT "
            + id
            + " FROM "
            + t
            + " WHERE status = '"
            + spec.dueStatus()
            + "' AND "
            + due
            + " <= :now"
            + " ORDER BY "
            + due
            + " LIMIT :limit FOR UPDATE SKIP LOCKED) due"
            + " WHERE w."
            + id
            + " = due."
            + id
            + " RETURNING w."
            + id
            + ", w."
            + due;
    this.extend =
        "UPDATE "
            + t
            + " SET lease_until = :leaseUntil"
            + " WHERE claim_token = :token AND status = '"
            + spec.claimedStatus()
            + "'";
    String release =
        "UPDATE "
            + t
            + " SET status = '"
            + spec.dueStatus()
            + "', lease_until = NULL,"
            + " claim_token = NULL, "
            + due
            + " = :now"
            + updated
            + spec.errorColumn().map(c -> ", " + c + " = :reason").orElse("")
            + " WHERE status = '"
            + spec.claimedStatus()
            + "' AND ";
    this.releaseExpired = release + "lease_until < :now";
    this.releaseOwn = release + "claimed_by = :node";
    this.holds = "status = '" + spec.claimedStatus() + "' AND claim_token = :token";
  }

  public Spec spec() {
    return spec;
  }

  /**
   * Claims up to {@code limit} due rows for {@code node} under one new token, leased until {@code
   * leaseUntil}. Rows another transaction has locked are skipped, so concurrent claimers never
   * claim the same row. Run it in a transaction of its own so the claim is visible at once.
   */
  public Claim claim(Handle handle, Instant now, int limit, Instant leaseUntil, String node) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    UUID token = UUID.randomUUID();
    List<UUID> ids =
        handle
            .createQuery(claim)
            .bind("now", now)
            .bind("limit", limit)
            .bind("leaseUntil", leaseUntil)
            .bind("node", node)
            .bind("token", token)
            .map((rs, ctx) ->
                java.util.Map.entry(rs.getObject(1, UUID.class), rs.getTimestamp(2).toInstant()))
            .list()
            .stream()
            // RETURNING has no order of its own: give the oldest due first, as claimed.
            .sorted(java.util.Map.Entry.comparingByValue())
            .map(java.util.Map.Entry::getKey)
            .toList();
    return new Claim(token, ids);
  }

  /** Extends the lease of the rows still held under {@code token}; returns how many. */
  public int extend(Handle handle, UUID token, Instant leaseUntil) {
    return handle
        .createUpdate(extend)
        .bind("token", token)
        .bind("leaseUntil", leaseUntil)
        .execute();
  }

  /**
   * Makes due again every claimed row whose lease ran out before {@code now} (its node stopped or
   * stalled); {@code reason} goes to the error column, if the spec has one. Returns how many.
   */
  public int releaseExpired(Handle handle, Instant now, String reason) {
    return release(handle, releaseExpired, now, reason).execute();
  }

  /**
   * Makes due again every row {@code node} holds: called at the node's start, when whatever it had
   * claimed was in flight when it stopped. Returns how many.
   */
  public int releaseOwn(Handle handle, String node, Instant now, String reason) {
    return release(handle, releaseOwn, now, reason).bind("node", node).execute();
  }

  private org.jdbi.v3.core.statement.Update release(
      Handle handle, String sql, Instant now, String reason) {
    var update = handle.createUpdate(sql).bind("now", now);
    if (spec.errorColumn().isPresent()) {
      update.bind("reason", reason);
    }
    return update;
  }

  /**
   * The condition a write of a claimed row's result must add to its WHERE, binding {@code :token}:
   * {@code status = '<claimed>' AND claim_token = :token}. A write whose claim was lost then
   * changes no row, and the update count says so.
   */
  public String holds() {
    return holds;
  }

  /**
   * Ends a claim: sets row {@code id} to {@code status} and clears its lease and token, only while
   * {@code token} still holds. Returns false (and changes nothing) when the claim was lost.
   */
  public boolean finish(Handle handle, UUID id, UUID token, String status, Instant now) {
    check(status);
    String updated = spec.updatedAtColumn().map(c -> ", " + c + " = :now").orElse("");
    return handle
            .createUpdate(
                "UPDATE "
                    + spec.table()
                    + " SET status = :status, lease_until = NULL,"
                    + " claim_token = NULL"
                    + updated
                    + " WHERE "
                    + spec.idColumn()
                    + " = :id AND "
                    + holds)
            .bind("status", status)
            .bind("id", id)
            .bind("token", token)
            .bind("now", now)
            .execute()
        == 1;
  }

  /** The SQL of the claim, for {@code EXPLAIN} in tests. */
  public String claimSql() {
    return claim;
  }

  static String check(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "a table, column or status name for a lease must match [a-z_]+, was '" + name + "'");
    }
    return name;
  }
}
