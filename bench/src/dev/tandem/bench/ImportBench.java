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
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.postgresql.PGConnection;

/**
 * Imports two overlapping lists of N rows each (an SMS list, then an email list of which half the
 * rows name a phone of the first list), then the first again (nothing changes). Prints rows/s,
 * peak heap and peak RSS, and the same rows loaded by raw PostgreSQL COPY in the same run as the
 * baseline.
 *
 * <pre>bench/import.sh [rows=500000]</pre>
 */
public final class ImportBench {
  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
    Path dir = Bench.dataDir("tandem-import-bench-");
    // the lists and the data directory go when the program ends (after the database closed)
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        Bench.delete(dir);
      } catch (Exception e) {
        System.err.println("could not delete " + dir + ": " + e);
      }
    }));
    Path sms = dir.resolve("sms.csv");
    Path email = dir.resolve("email.csv");
    write(sms, email, rows);
    System.out.printf(
        "Lists: %,d + %,d rows (%.0f MB + %.0f MB); half the email rows name a phone of the SMS list%n",
        rows, rows, Files.size(sms) / 1e6, Files.size(email) / 1e6);

    var overrides = new HashMap<String, String>();
    overrides.put("dataDir", dir.resolve("data").toString());
    boolean statements = System.getenv("BENCH_STATEMENTS") != null;
    if (statements) {
      overrides.put("db.statementStats", "on");
    }
    TandemConfig config = ConfigLoader.load(null, Map.of(), overrides);
    Clock clock = Clock.systemUTC();
    try (Database db = Database.open(config.db(), config.dataDir())) {
      var jdbi = db.jdbi();
      ImportBench.jdbi = jdbi;
      var timeline = new Timeline(jdbi);
      var changes = new Changes(jdbi);
      var erased = new ErasedAddresses(dev.tandem.privacy.ErasureKeyFile.load(config, jdbi));
      var contacts = App.contacts(jdbi, clock, new PhoneNumbers("US", config.contacts().phoneValidation()), timeline, changes, erased);
      var topics = new dev.tandem.topic.Topics(jdbi, clock, config.consent().defaultTopic());
      topics.seed(dev.tandem.topic.TopicJson.configured(config.consent().topics()));
      var ledger = new ConsentLedger(jdbi, clock, timeline, changes, config.consent(), topics);
      var importer =
          new Importer(jdbi, clock, contacts, ledger, changes, erased);

      double copyRate = copyBaseline(db, sms, rows);
      System.out.printf("Baseline: raw COPY of the SMS list into a bare table: %,.0f rows/s%n", copyRate);
      resetPeaks();
      Path dataDir = config.dataDir();
      double a = run(importer, dataDir, sms, "sms.csv", rows);
      statements(jdbi, statements, rows);
      double b = run(importer, dataDir, email, "email.csv", rows);
      statements(jdbi, statements, rows);
      double again = run(importer, dataDir, sms, "sms.csv again", rows);
      statements(jdbi, statements, rows);
      System.out.printf(
          "Tandem ÷ COPY: %.3f (SMS list), %.3f (email list), %.3f (re-import)%n",
          a / copyRate, b / copyRate, again / copyRate);
      System.out.printf(
          "Peak heap %,d MB (max %,d MB); peak RSS %,d MB%n",
          peakHeap() >> 20, Runtime.getRuntime().maxMemory() >> 20, peakRssKb() >> 10);
    }
  }

  /** With BENCH_STATEMENTS=1, the statements that took the most time, per row; then resets. */
  private static void statements(org.jdbi.v3.core.Jdbi jdbi, boolean on, int rows) {
    if (on) {
      Bench.printTopStatements(jdbi, rows, "total_exec_time");
      jdbi.useHandle(h -> h.execute("SELECT stats.pg_stat_statements_reset()"));
    }
  }

  static org.jdbi.v3.core.Jdbi jdbi;

  private static long[] wal() {
    return jdbi.withHandle(h -> h.createQuery("SELECT wal_records, wal_fpi, wal_bytes::bigint FROM pg_stat_wal")
        .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}).one());
  }

  private static double run(Importer importer, Path dataDir, Path file, String name, int rows) throws Exception {
    long[] walBefore = wal();
    double cpu = Bench.processCpuSeconds();
    double pg = Bench.postgresCpuSeconds(dataDir);
    long started = System.nanoTime();
    ImportReport report;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      report = importer.run(in, new Importer.Options(Map.of(), "news", false, null, name), Importer.Progress.NONE);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf(
        "%-14s %,9.0f rows/s  %5.1f s  (created %,d, updated %,d, merged %,d, unchanged %,d, rejected %,d,"
            + " conflicts %,d, consent events %,d)  CPU: Tandem %.1f s, PostgreSQL %.1f s%n",
        name, rows / seconds, seconds, report.created, report.updated, report.merged, report.unchanged,
        report.rejected, report.conflictCount, report.consentEvents,
        Bench.processCpuSeconds() - cpu, Bench.postgresCpuSeconds(dataDir) - pg);
    long[] walAfter = wal();
    System.out.printf("               WAL per row: %.1f records, %.2f full-page images, %,.0f bytes%n",
        (walAfter[0] - walBefore[0]) / (double) rows, (walAfter[1] - walBefore[1]) / (double) rows,
        (walAfter[2] - walBefore[2]) / (double) rows);
    return rows / seconds;
  }

  private static double copyBaseline(Database db, Path file, int rows) throws Exception {
    try (var connection = db.jdbi().open().getConnection()) {
      try (var st = connection.createStatement()) {
        st.execute("CREATE TABLE bench_copy (phone text, name text, sms_consent text, sms_consent_date text)");
      }
      long started = System.nanoTime();
      try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
        connection.unwrap(PGConnection.class).getCopyAPI()
            .copyIn("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)", in);
      }
      double rate = rows / ((System.nanoTime() - started) / 1e9);
      try (var st = connection.createStatement()) {
        st.execute("DROP TABLE bench_copy");
      }
      return rate;
    }
  }

  private static void write(Path sms, Path email, int rows) throws Exception {
    try (BufferedWriter out = Files.newBufferedWriter(sms)) {
      out.write("phone,name,sms_consent,sms_consent_date\n");
      for (int i = 0; i < rows; i++) {
        out.write(phone(i) + ",Person " + i + "," + (i % 10 == 0 ? "no" : "yes") + ",2026-01-0" + (1 + i % 9) + "\n");
      }
    }
    try (BufferedWriter out = Files.newBufferedWriter(email)) {
      out.write("email,name,phone,email_consent,email_consent_date\n");
      for (int i = 0; i < rows; i++) {
        boolean overlap = i % 2 == 0;
        int person = overlap ? i : rows + i;
        out.write("p" + person + "@example.net,Person " + person + "," + (overlap ? phone(i) : "")
            + ",yes,2026-02-01\n");
      }
    }
  }

  /** Distinct valid US numbers: +1 415 2xx xxxx and on. */
  private static String phone(int i) {
    return String.format("+1%03d%07d", 201 + i / 9_000_000, 2_000_000 + i % 8_000_000);
  }

  private static void resetPeaks() {
    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
  }

  private static long peakHeap() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak;
  }

  private static long peakRssKb() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }
}
