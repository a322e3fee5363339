package dev.tandem.bench;

import dev.tandem.App;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/** What the benchmark programs share: CPU accounting, the HTTP load, waiting for stored states. */
final class Bench {
  private Bench() {}

  /** A new data directory under target/bench-data (not /tmp), for the caller to delete. */
  static Path dataDir(String prefix) throws java.io.IOException {
    Path root = Path.of("target", "bench-data").toAbsolutePath();
    Files.createDirectories(root);
    return Files.createTempDirectory(root, prefix);
  }

  /** Deletes a directory made by {@link #dataDir}. */
  static void delete(Path dir) throws java.io.IOException {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** CPU time of this JVM. */
  static double processCpuSeconds() {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return os.getProcessCpuTime() / 1e9;
  }

  /**
   * CPU of this App's own PostgreSQL, and of nothing else on the machine: the postmaster (its pid
   * is the first line of postmaster.pid in the cluster directory) with utime+stime, plus
   * cutime+cstime (the CPU of children it has reaped: exited backends, autovacuum workers), plus
   * utime+stime of its live children.
   */
  static double postgresCpuSeconds(App app) throws Exception {
    return postgresCpuSeconds(app.config.dataDir());
  }

  /** As {@link #postgresCpuSeconds(App)}, for the embedded PostgreSQL of this data directory. */
  static double postgresCpuSeconds(Path dataDir) throws Exception {
    Path pidFile = dataDir.resolve("postgres").resolve("postmaster.pid");
    String postmaster = Files.readAllLines(pidFile).getFirst().strip();
    long ticks = 0;
    String[] own = statFields(Path.of("/proc", postmaster, "stat"));
    ticks += Long.parseLong(own[11]) + Long.parseLong(own[12]) + Long.parseLong(own[13]) + Long.parseLong(own[14]);
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
        try {
          String[] fields = statFields(proc.resolve("stat"));
          if (fields[1].equals(postmaster)) { // field 4 of stat, the ppid
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
          }
        } catch (Exception gone) {
          // the process ended while we read: its CPU is in the postmaster's cutime now
        }
      }
    }
    return ticks / 100.0;
  }

  /** The fields of /proc/PID/stat after the command name (field 3, the state, is [0]). */
  private static String[] statFields(Path stat) throws java.io.IOException {
    String text = Files.readString(stat);
    return text.substring(text.lastIndexOf(')') + 2).split(" ");
  }

  /**
   * PostgreSQL's own counts for this App's database at one moment: commits, rows written, WAL, WAL
   * fsyncs and, with {@code db.statementStats: on}, statements executed.
   */
  record PgStats(long commits, long inserted, long updated, long walBytes, long walRecords, long walFsyncs, long statements) {
    static PgStats of(App app) {
      return app.database.jdbi().withHandle(h -> {
        var db = h.createQuery("SELECT xact_commit, tup_inserted, tup_updated FROM pg_stat_database WHERE datname = current_database()")
            .mapToMap().one();
        var wal = h.createQuery("SELECT wal_bytes::bigint AS bytes, wal_records FROM pg_stat_wal").mapToMap().one();
        long fsyncs = h.createQuery("SELECT coalesce(sum(fsyncs), 0)::bigint FROM pg_stat_io WHERE object = 'wal'")
            .mapTo(Long.class).one();
        long statements = app.config.db().statementStats()
            ? h.createQuery("SELECT coalesce(sum(calls), 0)::bigint FROM stats.pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())")
                .mapTo(Long.class).one()
            : -1;
        return new PgStats(((Number) db.get("xact_commit")).longValue(), ((Number) db.get("tup_inserted")).longValue(),
            ((Number) db.get("tup_updated")).longValue(), ((Number) wal.get("bytes")).longValue(),
            ((Number) wal.get("wal_records")).longValue(), fsyncs, statements);
      });
    }

    /**
     * Backends report their counters to the statistics system at most once a second while busy
     * and after 10 s when idle: wait that long before the reading after a run.
     */
    static PgStats settled(App app) throws InterruptedException {
      Thread.sleep(11_000);
      return of(app);
    }

    /** What changed from {@code before} to this, per message. */
    String perMessage(PgStats before, int messages) {
      double n = messages;
      return "per message: %s statements, %.2f commits, %.2f fsyncs (WAL), %.0f WAL bytes, %.1f WAL records, %.1f rows inserted, %.1f updated"
          .formatted(statements < 0 ? "n/a" : "%.1f".formatted((statements - before.statements) / n),
              (commits - before.commits) / n, (walFsyncs - before.walFsyncs) / n, (walBytes - before.walBytes) / n,
              (walRecords - before.walRecords) / n, (inserted - before.inserted) / n, (updated - before.updated) / n);
    }
  }

  /** The top statements by calls per message (pg_stat_statements), for BENCH_STATEMENTS=1. */
  static void printTopStatements(App app, int messages) {
    if (!app.config.db().statementStats()) {
      return;
    }
    printTopStatements(app.database.jdbi(), messages, "calls");
  }

  /** The top statements by {@code order} (calls or total_exec_time), per unit of work. */
  static void printTopStatements(org.jdbi.v3.core.Jdbi jdbi, int units, String order) {
    jdbi.useHandle(h -> h.createQuery(
            "SELECT calls, total_exec_time, total_plan_time, plans, left(regexp_replace(query, '\\s+', ' ', 'g'), 100) AS q"
                + " FROM stats.pg_stat_statements ORDER BY " + order + " DESC LIMIT 12")
        .mapToMap()
        .forEach(row -> System.out.printf("  %7.3f/unit  exec %6.0f ms  plan %5.0f ms  plans %7d  %s%n",
            ((Number) row.get("calls")).doubleValue() / units, ((Number) row.get("total_exec_time")).doubleValue(),
            ((Number) row.get("total_plan_time")).doubleValue(), ((Number) row.get("plans")).longValue(), row.get("q"))));
  }

  /** Resets pg_stat_statements, so that the top statements are the measured run's. */
  static void resetStatements(App app) {
    if (app.config.db().statementStats()) {
      app.database.jdbi().useHandle(h -> h.execute("SELECT stats.pg_stat_statements_reset()"));
    }
  }

  /** Latency of each request of the last {@link #postMessages}, in nanoseconds. */
  static final java.util.concurrent.ConcurrentLinkedQueue<Long> latencies = new java.util.concurrent.ConcurrentLinkedQueue<>();

  /** "p50 X ms, p99 Y ms" of the last {@link #postMessages}. */
  static String percentiles() {
    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    if (sorted.length == 0) {
      return "no requests";
    }
    return "p50 %.1f ms, p99 %.1f ms".formatted(
        sorted[(int) (sorted.length * 0.50)] / 1e6, sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))] / 1e6);
  }

  /** POSTs {@code messages} bodies to /v1/messages from {@code clients} concurrent clients. */
  static void postMessages(App app, HttpClient http, String key, int messages, int clients, IntFunction<String> body)
      throws Exception {
    var permits = new Semaphore(clients);
    var failures = new AtomicInteger();
    latencies.clear();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < messages; i++) {
        permits.acquire();
        String json = body.apply(i);
        pool.submit(() -> {
          long t0 = System.nanoTime();
          try {
            var response = http.send(HttpRequest.newBuilder(URI.create(app.url() + "/v1/messages"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.discarding());
            latencies.add(System.nanoTime() - t0);
            if (response.statusCode() != 202) {
              failures.incrementAndGet();
            }
          } catch (Exception e) {
            failures.incrementAndGet();
          } finally {
            permits.release();
          }
          return null;
        });
      }
    }
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " POST /v1/messages failed");
    }
  }

  /** Waits until {@code total} deliveries have {@code status}, polling every 250 ms (the count scans). */
  static void awaitStatus(App app, String status, int total) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (System.nanoTime() < deadline) {
      int done = app.database.jdbi().withHandle(h -> h.createQuery(
          "SELECT count(*) FROM delivery WHERE status = :status").bind("status", status).mapTo(Integer.class).one());
      if (done >= total) {
        return;
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("Tandem did not reach " + total + " " + status + " deliveries in 300 s");
  }
}
