package dev.tandem.cli;

import dev.tandem.config.TandemConfig;
import dev.tandem.store.EmbeddedBackup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tandem restore FILE}: a backup of the embedded database back into the data directory. */
@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description = {
      "Restore a file written by `tandem backup` into the data directory. Tandem must be stopped.",
      "An existing database is refused, or with --replace moved aside with its password files"
          + " into DATA/replaced-<time>. The next start migrates the restored one if this Tandem"
          + " is newer than the backup.",
      "With an external database (db.url) this prints the pg_restore command to use instead.",
      "Exit status: 0 restored, 1 failed, 2 external database or bad options."
    })
public final class RestoreCommand implements Callable<Integer> {
  @CommandLine.Mixin ConfigOptions options = new ConfigOptions();

  @Parameters(index = "0", paramLabel = "FILE", description = "A file `tandem backup` wrote.")
  Path file;

  @Option(
      names = "--replace",
      description = "Move the database found in the data directory aside, then restore.")
  boolean replace;

  @Override
  public Integer call() {
    TandemConfig config = options.load(Map.of());
    if (!config.db().embedded()) {
      System.err.println(
          "tandem: the database is external (db.url): with every Tandem node stopped, restore a"
              + " pg_dump with\n  PGPASSWORD=… pg_restore --clean --if-exists --no-owner"
              + " --dbname="
              + BackupCommand.libpqUrl(config.db())
              + " "
              + file
              + "\n(docs/operations.md#external-database)");
      return 2;
    }
    var restored = EmbeddedBackup.restore(file, config.dataDir(), replace, Clock.systemUTC());
    System.out.printf(
        "Restored the database backed up at %s (schema version %s) into %s.%n",
        restored.takenAt(), restored.schemaVersion(), restored.clusterDir());
    if (restored.replacedCluster() != null) {
      System.out.println(
          "The database that was there and its password files are in "
              + restored.replacedCluster()
              + ": delete it once the restored one serves (to go back instead, stop Tandem and"
              + " move them back).");
    }
    Path key = BackupCommand.erasureKey(config);
    if (!Files.exists(key)) {
      System.out.println(
          "Before starting Tandem, put back the erasure key you kept with this backup as "
              + key
              + " (mode 0600): it is not in the backup, and Tandem refuses to start without it"
              + " once addresses have been erased (docs/privacy.md).");
    } else {
      System.out.println(
          "The erasure key "
              + key
              + " is in place; if it is not the one of this backup, Tandem refuses to start and"
              + " says so.");
    }
    return 0;
  }
}
