package dev.tandem.bench;

import dev.tandem.App;
import dev.tandem.config.ConfigLoader;
import dev.tandem.config.TandemConfig;
import dev.tandem.consent.ConsentLedger;
import dev.tandem.consent.ErasedAddresses;
import dev.tandem.contact.Contacts;
import dev.tandem.contact.PhoneNumbers;
import dev.tandem.event.Changes;
import dev.tandem.event.Timeline;
import dev.tandem.imports.ImportReport;
import dev.tandem.imports.Importer;
import dev.tandem.store.Database;
import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * The same list imported into a fresh data directory, and into another one right after its dry
 * run (then ANALYZE, as autovacuum does seconds later: it sees none of the dry run's rows). Prints
 * both times and their ratio; the second must not be much slower.
 *
 * <pre>bench/import.sh after-dry-run [rows=100000]</pre>
 */
public final class ImportAfterDryRunBench {
  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    Path dir = Bench.dataDir("tandem-import-dry-bench-");
    // the lists and the data directory go when the program ends (after the database closed)
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        Bench.delete(dir);
      } catch (Exception e) {
        System.err.println("could not delete " + dir + ": " + e);
      }
    }));
    Path list = dir.resolve("list.csv");
    try (BufferedWriter out = Files.newBufferedWriter(list)) {
      out.write("phone,email,name,sms_consent\n");
      for (int i = 0; i < rows; i++) {
        out.write(String.format("+1%03d%07d,p%d@example.net,Person %d,yes%n",
            201 + i / 8_000_000, 2_000_000 + i % 8_000_000, i, i));
      }
    }
    System.out.printf("List: %,d rows (phone, email, name, SMS consent)%n", rows);

    double fresh = timed(dir.resolve("fresh"), list, rows, false);
    double afterDryRun = timed(dir.resolve("after-dry-run"), list, rows, true);
    System.out.printf(
        "Fresh import %.1f s (%,.0f rows/s); after a dry run %.1f s (%,.0f rows/s); ratio %.2f%n",
        fresh, rows / fresh, afterDryRun, rows / afterDryRun, afterDryRun / fresh);
  }

  /** Seconds the real import takes on a new data directory (after a dry run if asked). */
  private static double timed(Path data, Path list, int rows, boolean dryRunFirst) throws Exception {
    TandemConfig config = ConfigLoader.load(null, Map.of(), Map.of("dataDir", data.toString()));
    Clock clock = Clock.systemUTC();
    try (Database db = Database.open(config.db(), config.dataDir())) {
      var jdbi = db.jdbi();
      var timeline = new Timeline(jdbi);
      var changes = new Changes(jdbi);
      var erased = new ErasedAddresses(dev.tandem.privacy.ErasureKeyFile.load(config, jdbi));
      var contacts = App.contacts(jdbi, clock, new PhoneNumbers("US", config.contacts().phoneValidation()), timeline, changes, erased);
      var topics = new dev.tandem.topic.Topics(jdbi, clock, config.consent().defaultTopic());
      topics.seed(dev.tandem.topic.TopicJson.configured(config.consent().topics()));
      var ledger = new ConsentLedger(jdbi, clock, timeline, changes, config.consent(), topics);
      var importer = new Importer(
          jdbi, clock, contacts, ledger, changes, erased);
      if (dryRunFirst) {
        double dry = run(importer, list, true);
        jdbi.useHandle(h -> h.execute("ANALYZE contact, contact_address, consent_event, consent_state"));
        System.out.printf("  dry run %.1f s, then ANALYZE%n", dry);
      }
      double seconds = run(importer, list, false);
      System.out.printf("  %s: %.1f s%n", dryRunFirst ? "import after the dry run" : "fresh import", seconds);
      return seconds;
    }
  }

  private static double run(Importer importer, Path list, boolean dryRun) throws Exception {
    long started = System.nanoTime();
    ImportReport report;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(list), 1 << 16)) {
      long[] mark = {started, 0};
      Importer.Progress quarters = (bytes, done) -> {
        if (done - mark[1] >= 25_000) {
          long now = System.nanoTime();
          System.out.printf("    rows %,d: %,.0f rows/s%n", done, (done - mark[1]) / ((now - mark[0]) / 1e9));
          mark[0] = now;
          mark[1] = done;
        }
      };
      report = importer.run(
          in, new Importer.Options(Map.of(), "news", dryRun, null, "list.csv"), quarters);
    }
    if (report.rejected > 0) {
      throw new IllegalStateException(report.rejected + " rows rejected");
    }
    return (System.nanoTime() - started) / 1e9;
  }
}
