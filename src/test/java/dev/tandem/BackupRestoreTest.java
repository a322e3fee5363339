package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.support.TestApp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tandem backup} and {@code tandem restore} on the embedded database: a backup taken while
 * Tandem runs, the data directory erased, the backup restored, and the same rows found again.
 */
class BackupRestoreTest {
  private static final List<String> TABLES =
      List.of("contact", "contact_address", "message", "delivery", "consent_event", "event");

  @TempDir Path kept;

  private record Run(int exit, String out, String err) {}

  private static Run tandem(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    var outBytes = new ByteArrayOutputStream();
    var errBytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    try {
      int exit = Main.run(args);
      return new Run(
          exit,
          outBytes.toString(StandardCharsets.UTF_8),
          errBytes.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  private static Map<String, Long> counts(TestApp tandem) {
    var counts = new LinkedHashMap<String, Long>();
    tandem
        .app
        .database
        .jdbi()
        .useHandle(h -> {
          for (String table : TABLES) {
            counts.put(
                table, h.createQuery("SELECT count(*) FROM " + table).mapTo(Long.class).one());
          }
        });
    return counts;
  }

  @Test
  void a_backup_taken_while_tandem_runs_restores_into_an_erased_data_directory() throws Exception {
    Path backup = kept.resolve("tandem-backup.zip");
    Path key = kept.resolve("erasure.key");
    try (TestApp tandem = TestApp.start()) {
      String data = tandem.dataDir.toString();
      for (int i = 0; i < 3; i++) {
        var contact = tandem.aContact();
        tandem.sendBoth(contact.get("id").asText());
      }
      tandem.grant(tandem.aContact().get("id").asText(), "email", "news", "Send me news");
      Map<String, Long> before = counts(tandem);
      assertThat(before).allSatisfy((table, count) -> assertThat(count).as(table).isPositive());

      Run backedUp = tandem("backup", backup.toString(), "--data", data);

      assertThat(backedUp.exit()).as(backedUp.err()).isZero();
      assertThat(Files.getPosixFilePermissions(backup))
          .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      assertThat(backedUp.out())
          .contains("while Tandem ran")
          .contains("the erasure key " + tandem.dataDir.resolve("erasure.key"));
      // written after the backup: the restore must not have it
      tandem.sendBoth(tandem.aContact().get("id").asText());
      assertThat(counts(tandem).get("contact")).isEqualTo(before.get("contact") + 1);

      // the operator keeps the erasure key apart from the backup, then loses the machine
      tandem.stop();
      Files.copy(tandem.dataDir.resolve("erasure.key"), key);
      deleteTree(tandem.dataDir);

      Run restored = tandem("restore", backup.toString(), "--data", data);

      assertThat(restored.exit()).as(restored.err()).isZero();
      assertThat(restored.out())
          .contains("Restored the database backed up at")
          .contains("put back the erasure key")
          .contains(tandem.dataDir.resolve("erasure.key").toString());
      Files.copy(key, tandem.dataDir.resolve("erasure.key"));

      tandem.restart();

      assertThat(counts(tandem)).isEqualTo(before);
      // and it works as before: it accepts and stores new messages
      tandem.sendBoth(tandem.aContact().get("id").asText());
      assertThat(counts(tandem).get("message")).isEqualTo(before.get("message") + 1);
    }
  }

  @Test
  void a_backup_taken_under_writes_restores_a_consistent_database() throws Exception {
    Path backup = kept.resolve("busy.zip");
    Path key = kept.resolve("erasure.key");
    try (TestApp tandem = TestApp.start()) {
      String data = tandem.dataDir.toString();
      var writing = new java.util.concurrent.atomic.AtomicBoolean(true);
      var failure = new java.util.concurrent.atomic.AtomicReference<Throwable>();
      Thread writer =
          new Thread(() -> {
            try {
              while (writing.get()) {
                tandem.aContact();
              }
            } catch (Throwable e) {
              failure.set(e);
            }
          });
      writer.start();
      long atStart;
      long atEnd;
      try {
        org.awaitility.Awaitility.await()
            .atMost(java.time.Duration.ofSeconds(30))
            .until(() -> counts(tandem).get("contact") >= 20);
        atStart = counts(tandem).get("contact");

        Run backedUp = tandem("backup", backup.toString(), "--data", data);

        assertThat(backedUp.exit()).as(backedUp.err()).isZero();
        atEnd = counts(tandem).get("contact");
      } finally {
        writing.set(false);
        writer.join();
      }
      assertThat(failure.get()).isNull();
      assertThat(atEnd).as("contacts written while the backup ran").isGreaterThan(atStart);

      tandem.stop();
      Files.copy(tandem.dataDir.resolve("erasure.key"), key);
      deleteTree(tandem.dataDir);
      assertThat(tandem("restore", backup.toString(), "--data", data).exit()).isZero();
      Files.copy(key, tandem.dataDir.resolve("erasure.key"));
      tandem.restart();

      // every contact committed before the backup began, and none after it ended
      assertThat(counts(tandem).get("contact")).isBetween(atStart, atEnd);
      // PostgreSQL's own checker: every table's pages and every index agree with the data
      assertThat(corruption(tandem.dataDir)).isEmpty();
    }
  }

  /** What amcheck finds wrong in the restored cluster's tables and B-tree indexes. */
  private static List<String> corruption(Path dataDir) throws Exception {
    String url =
        Files.readString(dataDir.resolve("postgres.url")).strip().replaceFirst("\\?.*$", "");
    String password =
        Files.readString(dataDir.resolve("postgres-admin.password")).lines().findFirst().get();
    var found = new java.util.ArrayList<String>();
    try (var connection = java.sql.DriverManager.getConnection(url, "postgres", password);
        var statement = connection.createStatement()) {
      statement.execute("CREATE EXTENSION IF NOT EXISTS amcheck");
      int checked = 0;
      try (var tables =
          statement.executeQuery(
              "SELECT c.oid::regclass::text, v.blkno, v.msg FROM pg_class c"
                  + " CROSS JOIN LATERAL verify_heapam(c.oid) v"
                  + " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'")) {
        while (tables.next()) {
          found.add(
              tables.getString(1) + " block " + tables.getLong(2) + ": " + tables.getString(3));
        }
      }
      try (var indexes =
          statement.executeQuery(
              "SELECT c.relname, bt_index_check(c.oid, true) FROM pg_class c"
                  + " JOIN pg_am a ON a.oid = c.relam"
                  + " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'i'"
                  + " AND a.amname = 'btree'")) {
        while (indexes.next()) {
          checked++; // bt_index_check raises an error on the first inconsistency
        }
      }
      assertThat(checked).as("B-tree indexes checked").isGreaterThan(10);
    }
    return found;
  }

  @Test
  void restore_refuses_a_running_tandem_and_a_data_directory_that_holds_a_database()
      throws Exception {
    Path backup = kept.resolve("tandem-backup.zip");
    try (TestApp tandem = TestApp.start()) {
      String data = tandem.dataDir.toString();
      tandem.aContact();
      assertThat(tandem("backup", backup.toString(), "--data", data).exit()).isZero();

      Run whileRunning = tandem("restore", backup.toString(), "--data", data);

      assertThat(whileRunning.exit()).isEqualTo(1);
      assertThat(whileRunning.err()).contains("a Tandem is running on").contains("stop it");

      tandem.stop();
      Run overDatabase = tandem("restore", backup.toString(), "--data", data);

      assertThat(overDatabase.exit()).isEqualTo(1);
      assertThat(overDatabase.err()).contains("holds a database").contains("--replace");

      Run again = tandem("backup", backup.toString(), "--data", data);

      assertThat(again.exit()).isEqualTo(1);
      assertThat(again.err()).contains("exists already");

      // with no Tandem running, backup starts the embedded server for the copy
      Path cold = kept.resolve("cold.zip");
      Run stopped = tandem("backup", cold.toString(), "--data", data);

      assertThat(stopped.exit()).as(stopped.err()).isZero();
      assertThat(stopped.out()).doesNotContain("while Tandem ran");

      Run replaced = tandem("restore", cold.toString(), "--replace", "--data", data);

      assertThat(replaced.exit()).as(replaced.err()).isZero();
      assertThat(replaced.out()).contains("replaced-");
      try (Stream<Path> files = Files.list(tandem.dataDir)) {
        Path aside =
            files.filter(p -> p.getFileName().toString().startsWith("replaced-")).findFirst().get();
        // the database moved aside can be moved back: its password files went with it
        assertThat(aside.resolve("postgres/PG_VERSION")).isRegularFile();
        assertThat(aside.resolve("postgres-admin.password")).isRegularFile();
        assertThat(aside.resolve("postgres.password")).isRegularFile();
      }
      tandem.restart();
      assertThat(counts(tandem).get("contact")).isEqualTo(1);
    }
  }

  @Test
  void a_file_that_is_not_a_whole_backup_changes_nothing() throws IOException {
    Path data = Files.createDirectories(kept.resolve("data"));
    Path notAZip = Files.writeString(kept.resolve("notes.zip"), "not a backup");
    Path foreign = kept.resolve("foreign.zip");
    try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(foreign))) {
      zip.putNextEntry(new java.util.zip.ZipEntry("postgres/../../escape.txt"));
      zip.write(1);
      zip.closeEntry();
    }

    for (Path file : List.of(notAZip, foreign)) {
      Run run = tandem("restore", file.toString(), "--data", data.toString());

      assertThat(run.exit()).as(file.toString()).isEqualTo(1);
      assertThat(run.err()).contains("not restored");
      try (Stream<Path> left = Files.list(data)) {
        assertThat(left.map(p -> p.getFileName().toString()))
            .as("what the refused restore left in the data directory")
            .containsOnly("tandem.lock");
      }
    }
    assertThat(kept.resolve("escape.txt")).doesNotExist();
  }

  @Test
  void with_an_external_database_both_commands_name_the_postgresql_tools_to_use()
      throws IOException {
    Path config = kept.resolve("tandem.yaml");
    Files.writeString(
        config,
        """
        db:
          url: jdbc:postgresql://db.internal:5433/tandem?sslmode=require&reWriteBatchedInserts=true
          user: tandem_app
        """);
    String[] options = {"--config", config.toString(), "--data", kept.toString()};
    String libpq = "--dbname=postgresql://tandem_app@db.internal:5433/tandem";

    Run backup = tandem(concat(new String[] {"backup", "/backups/tandem.dump"}, options));
    Run restore = tandem(concat(new String[] {"restore", "/backups/tandem.dump"}, options));

    assertThat(backup.exit()).isEqualTo(2);
    assertThat(backup.err())
        .contains("pg_dump --format=custom --file=/backups/tandem.dump " + libpq)
        .contains("the erasure key")
        .doesNotContain("jdbc:");
    assertThat(restore.exit()).isEqualTo(2);
    assertThat(restore.err())
        .contains("pg_restore --clean --if-exists --no-owner " + libpq + " /backups/tandem.dump");
    assertThat(kept.resolve("postgres")).doesNotExist();
  }

  private static String[] concat(String[] first, String[] second) {
    return Stream.concat(Stream.of(first), Stream.of(second)).toArray(String[]::new);
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
    assertThat(root).doesNotExist();
  }
}
