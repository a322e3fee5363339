package dev.tandem.cli;

import dev.tandem.config.TandemConfig;
import dev.tandem.store.EmbeddedBackup;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code tandem backup FILE}: the embedded database into one file, while Tandem runs or not. */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description = {
      "Back the embedded PostgreSQL up into FILE (a zip), online: Tandem may keep running.",
      "The file holds the database and its two password files, not the erasure key, the config"
          + " or the files it names: keep those too (printed after the backup; docs/operations.md).",
      "With an external database (db.url) this prints the pg_dump command to use instead.",
      "Exit status: 0 backed up, 1 failed, 2 external database or bad options."
    })
public final class BackupCommand implements Callable<Integer> {
  @CommandLine.Mixin ConfigOptions options = new ConfigOptions();

  @Parameters(index = "0", paramLabel = "FILE", description = "The backup to write (a new file).")
  Path file;

  @Override
  public Integer call() {
    TandemConfig config = options.load(Map.of());
    if (!config.db().embedded()) {
      System.err.println(
          "tandem: the database is external (db.url): back it up with PostgreSQL's own tools, e.g."
              + "\n  PGPASSWORD=… pg_dump --format=custom --file="
              + file
              + " --dbname="
              + libpqUrl(config.db())
              + "\n(docs/operations.md#external-database). Keep what is listed below with it.");
      System.err.print(alsoKeep(config));
      return 2;
    }
    var written = EmbeddedBackup.backUp(config.dataDir(), file, Clock.systemUTC());
    System.out.printf(
        "Backed up the embedded database of %s (schema version %s%s) to %s, %,.1f MB.%n",
        config.dataDir(),
        written.schemaVersion(),
        written.serverWasRunning() ? ", while Tandem ran" : "",
        written.archive(),
        written.bytes() / 1e6);
    System.out.print(alsoKeep(config));
    return 0;
  }

  /** What a database backup does not hold and a restored installation needs. */
  static String alsoKeep(TandemConfig config) {
    var text = new StringBuilder("Not in this backup; keep these with it:\n");
    text.append("  - the erasure key ")
        .append(erasureKey(config))
        .append(
            ": without it Tandem refuses to start on a database with erased addresses. Store it"
                + " apart from the backup (with both, erased phone numbers can be tested;"
                + " docs/privacy.md)\n");
    text.append("  - your configuration (tandem.yaml, TANDEM_* variables)");
    config
        .email()
        .dkim()
        .ifPresent(dkim -> text.append(", the DKIM key ").append(dkim.privateKey()));
    config.sms().priceTable().ifPresent(path -> text.append(", the price table ").append(path));
    config.smpp().routesFile().ifPresent(path -> text.append(", the SMPP routes ").append(path));
    config
        .routing()
        .quietHoursFile()
        .ifPresent(path -> text.append(", the quiet-hour rules ").append(path));
    text.append('\n');
    return text.toString();
  }

  static Path erasureKey(TandemConfig config) {
    return config.privacy().erasureKeyFile().orElse(config.dataDir().resolve("erasure.key"));
  }

  /** The JDBC URL as libpq (pg_dump, psql) reads it: no jdbc: prefix, no driver parameters. */
  static String libpqUrl(TandemConfig.Db db) {
    URI uri = URI.create(db.url().orElseThrow().replaceFirst("^jdbc:", ""));
    String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
    return "postgresql://" + db.user() + "@" + uri.getHost() + port + uri.getPath();
  }
}
