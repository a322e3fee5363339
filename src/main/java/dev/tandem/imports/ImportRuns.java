package dev.tandem.imports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.contact.ContactData;
import dev.tandem.error.NotFound;
import dev.tandem.store.Ids;
import dev.tandem.store.NamedSql;
import dev.tandem.store.Page;
import dev.tandem.store.PageRequest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The history of imports ({@code GET /v1/imports}): each run, finished or refused, with its report
 * or the reason. Reports quote the rows they reject, so an erasure blanks the person's addresses in
 * them (this is the imports feature's part of an erasure).
 */
public final class ImportRuns implements ContactData {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One import as recorded. */
  public record Run(
      UUID id,
      String name,
      boolean dryRun,
      String status,
      Optional<JsonNode> report,
      Optional<String> error,
      Instant startedAt,
      Instant finishedAt) {}

  private final Jdbi jdbi;
  private final NamedSql sql;

  ImportRuns(Jdbi jdbi) {
    this.jdbi = jdbi;
    this.sql = NamedSql.forClass(ImportRuns.class);
  }

  void record(
      UUID id,
      String name,
      boolean dryRun,
      ImportReport report,
      String error,
      Instant startedAt,
      Instant finishedAt) {
    String reportJson;
    try {
      reportJson = report == null ? null : JSON.writeValueAsString(report);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    jdbi.useHandle(h ->
        h.createUpdate(sql.get("insert"))
            .bind("id", id)
            .bind("name", name)
            .bind("dryRun", dryRun)
            .bind("status", error == null ? "completed" : "failed")
            .bind("report", reportJson)
            .bind("error", error)
            .bind("startedAt", startedAt.truncatedTo(ChronoUnit.MICROS))
            .bind("finishedAt", finishedAt.truncatedTo(ChronoUnit.MICROS))
            .execute());
  }

  /** Every import, newest first, a page at a time. */
  public Page<Run> page(PageRequest request) {
    UUID after = request.isFirst() ? Ids.HIGHEST : request.uuid(0);
    List<Run> rows =
        jdbi.withHandle(h ->
            h.createQuery(sql.get("page"))
                .bind("after", after)
                .bind("limit", request.limit() + 1)
                .map((rs, ctx) -> run(rs))
                .list());
    return request.page(rows, r -> List.of(r.id().toString()));
  }

  public Run get(UUID id) {
    return jdbi.withHandle(
            h -> h.createQuery(sql.get("byId")).bind("id", id).map((rs, ctx) -> run(rs)).findOne())
        .orElseThrow(
            () -> new NotFound("import-not-found", "id", "There is no import " + id + "."));
  }

  private static Run run(java.sql.ResultSet rs) throws java.sql.SQLException {
    String report = rs.getString("report");
    try {
      return new Run(
          rs.getObject("id", UUID.class),
          rs.getString("name"),
          rs.getBoolean("dry_run"),
          rs.getString("status"),
          report == null ? Optional.empty() : Optional.of(JSON.readTree(report)),
          Optional.ofNullable(rs.getString("error")),
          rs.getTimestamp("started_at").toInstant(),
          rs.getTimestamp("finished_at").toInstant());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored import report is not JSON", e);
    }
  }

  @Override
  public List<String> tables() {
    return List.of("import_run");
  }

  @Override
  public void merge(Handle handle, UUID from, UUID into) {}

  @Override
  public void erase(Handle handle, Erasure erasure) {
    for (String address : erasure.addresses()) {
      handle.createUpdate(sql.get("eraseAddress")).bind("address", address).execute();
    }
  }
}
