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
 * An import right after its dry run. The dry run's rows, rolled back, used to stay in the tables;
 * ANALYZE (autovacuum's, seconds later) saw none of them: contact_address had pages but, by its
 * statistics, no rows, and the real import that filled it within its transaction ran at 55 rows/s.
 */
class ImportPlanTest {
  private static final int ROWS = 20_000;

  @Test
  void the_owners_lookup_probes_the_index_even_when_statistics_say_the_table_is_empty() {
    try (TestApp tandem = TestApp.start()) {
      var jdbi = tandem.app.database.jdbi();
      // only the ANALYZE below, as autovacuum would, never a VACUUM that drops the empty pages
      jdbi.useHandle(h ->
          h.execute(
              "ALTER TABLE contact_address SET (autovacuum_enabled = false);"
                  + "ALTER TABLE contact SET (autovacuum_enabled = false)"));
      jdbi.useTransaction(h -> { // what a dry run used to leave: pages of rows nobody saw
        insertRows(h);
        h.rollback();
      });
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
            insertRows(h);
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

  @Test
  void a_dry_run_leaves_no_dead_rows_and_counts_the_tables_anew() {
    try (TestApp tandem = TestApp.start()) {
      String csv =
          "phone,name\n"
              + IntStream.range(0, 5_000)
                  .mapToObj(i -> String.format("+1415%07d,Person %d", 3_000_000 + i, i))
                  .collect(Collectors.joining("\n"));
      var report =
          tandem.app.importer.run(
              new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)),
              new Importer.Options(Map.of(), null, true, null, "dry"),
              Importer.Progress.NONE);
      assertThat(report.created).isEqualTo(5_000);

      var swept =
          tandem
              .app
              .database
              .jdbi()
              .withHandle(h ->
                  h.createQuery(
                          "SELECT relname FROM pg_stat_user_tables"
                              + " WHERE last_vacuum IS NOT NULL AND last_analyze IS NOT NULL"
                              + " AND n_dead_tup = 0 AND relname IN ('contact', 'contact_address')")
                      .mapTo(String.class)
                      .list());
      assertThat(swept).containsExactlyInAnyOrder("contact", "contact_address");
    }
  }

  private static void insertRows(Handle h) {
    h.execute(
        "INSERT INTO contact (id, created_at)"
            + " SELECT gen_random_uuid(), now() FROM generate_series(1, "
            + ROWS
            + ");"
            + "INSERT INTO contact_address (kind, value, contact_id, created_at)"
            + " SELECT 'phone', '+1415' || (2000000 + row_number() OVER ()), id, now()"
            + " FROM contact");
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
