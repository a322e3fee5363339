package dev.tandem.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.config.ConfigLoader;
import dev.tandem.config.TandemConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded cluster lives in the data directory, survives restarts and a killed Tandem. */
class EmbeddedDatabaseTest {
  @TempDir Path dataDir;

  private static List<String> names(Database db) {
    return db.jdbi()
        .withHandle(h -> h.createQuery("SELECT name FROM contact").mapTo(String.class).list());
  }

  private TandemConfig.Db db() {
    return ConfigLoader.load(null, Map.of(), Map.of()).db();
  }

  @Test
  void committed_rows_survive_a_restart() {
    try (Database first = Database.open(db(), dataDir, false)) {
      first
          .jdbi()
          .useHandle(h ->
              h.execute(
                  "INSERT INTO contact (id, name, created_at) VALUES ('01a21c9f-0000-7000-8000-000000000001', 'Kept', now())"));
    }
    try (Database second = Database.open(db(), dataDir, false)) {
      assertThat(names(second)).containsExactly("Kept");
    }
  }

  @Test
  void a_postgres_left_behind_by_a_killed_tandem_does_not_stop_the_next_start() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process holder =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                DatabaseHolder.class.getName(),
                dataDir.toString())
            .redirectErrorStream(true)
            .start();
    try (var out = new BufferedReader(new InputStreamReader(holder.getInputStream()))) {
      String line;
      while ((line = out.readLine()) != null && !line.equals("ready")) {
        // wait for the child to commit its row
      }
      assertThat(line).as("the child process reported ready").isEqualTo("ready");
      holder.destroyForcibly(); // SIGKILL: no shutdown hook, postgres keeps running
      assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    List<String> pid = Files.readAllLines(dataDir.resolve("postgres/postmaster.pid"));
    long orphan = Long.parseLong(pid.get(0).strip());
    assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).contains(true);

    try (Database next = Database.open(db(), dataDir, false)) {
      assertThat(names(next)).containsExactly("Written before the kill");
    }
    assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void a_second_process_on_a_running_data_directory_shares_its_database() {
    try (Database owner = Database.open(db(), dataDir, false);
        Database guest = Database.open(db(), dataDir, false)) {
      owner
          .jdbi()
          .useHandle(h ->
              h.execute(
                  "INSERT INTO contact (id, name, created_at) VALUES ('01a21c9f-0000-7000-8000-000000000002', 'Shared', now())"));
      assertThat(names(guest)).containsExactly("Shared");
    }
  }

  @Test
  void with_db_url_tandem_uses_that_postgresql_and_runs_no_server_of_its_own() throws Exception {
    try (var external = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().start()) {
      var config =
          ConfigLoader.load(
                  null,
                  Map.of(
                      "TANDEM_DB_URL",
                      external.getJdbcUrl("postgres", "postgres"),
                      "TANDEM_DB_USER",
                      "postgres"),
                  Map.of())
              .db();
      try (Database db = Database.open(config, dataDir, false)) {
        assertThat(names(db)).isEmpty();
      }
      assertThat(dataDir.resolve("postgres")).doesNotExist();
      try (var connection = external.getPostgresDatabase().getConnection();
          var rows =
              connection
                  .createStatement()
                  .executeQuery("SELECT count(*) FROM flyway_schema_history")) {
        rows.next();
        assertThat(rows.getInt(1)).isPositive();
      }
    }
  }

  @Test
  void a_wrong_db_url_fails_with_the_fix() {
    var config =
        ConfigLoader.load(
                null, Map.of("TANDEM_DB_URL", "jdbc:postgresql://127.0.0.1:1/nothing"), Map.of())
            .db();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Database.open(config, dataDir, false))
        .hasMessageContaining(
            "cannot connect to PostgreSQL at jdbc:postgresql://127.0.0.1:1/nothing")
        .hasMessageContaining("TANDEM_DB_URL");
  }

  @Test
  void a_missing_named_query_fails_at_once_with_its_name() {
    NamedSql sql =
        NamedSql.parse("Example.sql", "-- name: one\nSELECT 1\n-- name: two\nSELECT 2\n");
    assertThat(sql.get("two")).isEqualTo("SELECT 2");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> sql.get("three"))
        .hasMessageContaining("three")
        .hasMessageContaining("Example.sql");
  }

  /** Run in a child JVM: opens the embedded database, commits a row, then waits to be killed. */
  public static final class DatabaseHolder {
    public static void main(String[] args) throws Exception {
      var db =
          Database.open(ConfigLoader.load(null, Map.of(), Map.of()).db(), Path.of(args[0]), true);
      db.jdbi()
          .useHandle(h ->
              h.execute(
                  "INSERT INTO contact (id, name, created_at) VALUES ('01a21c9f-0000-7000-8000-000000000003', 'Written before the kill', now())"));
      System.out.println("ready");
      System.out.flush();
      Thread.sleep(600_000);
    }
  }
}
