package dev.tandem.imports;

import java.util.ArrayList;
import java.util.List;

/**
 * What an import did (or, in a dry run, would do): counts per outcome, the rejected rows with line
 * and reason, and the conflicts a person should look at. Lists keep the first {@link #LISTED}
 * entries; the counts are always complete.
 */
public final class ImportReport {
  static final int LISTED = 1000;

  /** A row that was not imported. */
  public record Rejected(long line, String reason) {}

  /**
   * Something the rows disagree about: {@code address-claimed} (one address, two people), {@code
   * name-differs}, {@code external-id-differs}, {@code consent-differs} (an opt-out in one list and
   * an opt-in in another).
   */
  public record Conflict(long line, String kind, String detail) {}

  /** The import's id in the history ({@code GET /v1/imports/{id}}); null until it is recorded. */
  public java.util.UUID id;

  public boolean dryRun;
  public long rows;
  public long created;
  public long updated;
  public long merged;
  public long unchanged;
  public long rejected;
  public long consentEvents;
  public long conflictCount;
  public final List<Rejected> rejectedRows = new ArrayList<>();
  public final List<Conflict> conflicts = new ArrayList<>();

  void reject(long line, String reason) {
    rejected++;
    if (rejectedRows.size() < LISTED) {
      rejectedRows.add(new Rejected(line, reason));
    }
  }

  void conflict(long line, String kind, String detail) {
    conflictCount++;
    if (conflicts.size() < LISTED) {
      conflicts.add(new Conflict(line, kind, detail));
    }
  }

  /** The report for a terminal. */
  public String summary() {
    var out = new StringBuilder();
    out.append(dryRun ? "Dry run: nothing was written.\n" : "");
    out.append(
        String.format(
            "%,d rows: %,d created, %,d updated, %,d merged, %,d unchanged, %,d rejected;"
                + " %,d consent events; %,d conflicts%n",
            rows, created, updated, merged, unchanged, rejected, consentEvents, conflictCount));
    if (!rejectedRows.isEmpty()) {
      out.append("Rejected:\n");
      rejectedRows.forEach(
          r -> out.append("  line ").append(r.line()).append(": ").append(r.reason()).append('\n'));
      if (rejected > rejectedRows.size()) {
        out.append("  … and ").append(rejected - rejectedRows.size()).append(" more\n");
      }
    }
    if (!conflicts.isEmpty()) {
      out.append("Conflicts:\n");
      conflicts.forEach(c ->
          out.append("  line ")
              .append(c.line())
              .append(" (")
              .append(c.kind())
              .append("): ")
              .append(c.detail())
              .append('\n'));
      if (conflictCount > conflicts.size()) {
        out.append("  … and ").append(conflictCount - conflicts.size()).append(" more\n");
      }
    }
    return out.toString();
  }
}
