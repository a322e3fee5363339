package dev.tandem.imports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.store.NamedSql;
import dev.tandem.support.TestApp;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;

/**
 * The import's lookups use their indexes whatever the statistics say. After a dry run, ANALYZE
 * (autovacuum's, seconds later) sees none of its rows: contact_address has pages but, by its
 * statistics, no rows. The real import then fills it within its transaction, and a plan trusting
 * those statistics scans the whole table for every chunk (100k rows: 55 rows/s instead of 4,000).
 */
class ImportPlanTest {
  private static final int ROWS = 20_000;

  @Test
  void the_owners_lookup_uses_the_index_after_a_dry_run_left_empty_statistics() {
    try (TestApp tandem = TestApp.start()) {
      var jdbi = tandem.app.database.jdbi();
      // only the ANALYZE below, as autovacuum would, never a VACUUM that drops the empty pages
      jdbi.useHandle(h ->
          h.execute(
              "ALTER TABLE contact_address SET (autovacuum_enabled = false);"
                  + "ALTER TABLE contact SET (autovacuum_enabled = false)"));
      String csv =
          "phone,name\n"
              + IntStream.range(0, ROWS)
                  .mapToObj(i -> String.format("+1415%07d,Person %d", 2_000_000 + i, i))
                  .collect(Collectors.joining("\n"));
      var report =
          tandem.app.importer.run(
              new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)),
              new Importer.Options(Map.of(), null, true, null, "dry"),
              Importer.Progress.NONE);
      assertThat(report.created).isEqualTo(ROWS);
      jdbi.useHandle(h -> h.execute("ANALYZE contact_address, contact"));
      boolean noRowsByStatistics =
          jdbi.withHandle(h ->
              h.createQuery(
                      "SELECT reltuples = 0 AND relpages > 0 FROM pg_class"
                          + " WHERE relname = 'contact_address'")
                  .mapTo(Boolean.class)
                  .one());
      assertThat(noRowsByStatistics).as("statistics: pages but no rows").isTrue();

      String plan =
          jdbi.inTransaction(h -> {
            h.execute(
                "INSERT INTO contact (id, created_at)"
                    + " SELECT gen_random_uuid(), now() FROM generate_series(1, "
                    + ROWS
                    + ");"
                    + "INSERT INTO contact_address (kind, value, contact_id, created_at)"
                    + " SELECT 'phone', '+1415' || (2000000 + row_number() OVER ()), id, now()"
                    + " FROM contact");
            String result = explainOwners(h);
            h.rollback();
            return result;
          });

      // one index probe per key, not a walk over the whole table (by index or not) for each chunk
      assertThat(plan)
          .containsPattern(
              "Index (Only )?Scan using contact_address_pkey on contact_address a .*\\n\\s+"
                  + "Index Cond: \\(\\((a\\.)?kind = k\\.kind\\) AND \\((a\\.)?value = k\\.value\\)\\)")
          .doesNotContain("Seq Scan on contact_address");
    }
  }

  private static String explainOwners(Handle h) {
    String[] kinds = new String[Importer.CHUNK];
    String[] values = new String[Importer.CHUNK];
    for (int i = 0; i < Importer.CHUNK; i++) {
      kinds[i] = "phone";
      values[i] = "+1415" + (2_000_000 + i * 7);
    }
    return h
        .createQuery("EXPLAIN " + NamedSql.forClass(Importer.class).get("owners"))
        .bind("kinds", kinds)
        .bind("values", values)
        .mapTo(String.class)
        .list()
        .stream()
        .collect(Collectors.joining("\n"));
  }
}
