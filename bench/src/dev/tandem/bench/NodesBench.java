package dev.tandem.bench;

import dev.tandem.sandbox.SandboxSmtpServer;
import dev.tandem.sandbox.SmscSimulator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;

/**
 * Several nodes, one PostgreSQL: the same SMS traffic (one SMS per new person, 32 clients spread
 * over the nodes' APIs) sent through 1 and through 3 Tandem processes sharing one PostgreSQL (fsync
 * on) and one SMSC simulator, alternating, each run on a fresh database. Prints messages per second
 * end to end (accepted until every SMS is delivered), CPU per 1,000 messages (the nodes' JVMs and
 * PostgreSQL), and PostgreSQL's commits, WAL bytes and rows written per message.
 * Usage: NodesBench [messages=3000] [runs=1,3,1,3] [clients=32]
 */
public final class NodesBench {
  private static final String KEY = "tdm_nodes_bench_key_0123456789ab";

  private final int messages;
  private final int clients;
  private final String java = ProcessHandle.current().info().command().orElse("java");
  private final String classpath = System.getProperty("java.class.path");
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Path logs = Path.of("target", "nodes-bench");

  private NodesBench(int messages, int clients) {
    this.messages = messages;
    this.clients = clients;
  }

  public static void main(String[] args) throws Exception {
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
    String runs = args.length > 1 ? args[1] : "1,3,1,3";
    int clients = args.length > 2 ? Integer.parseInt(args[2]) : 32;
    var bench = new NodesBench(messages, clients);
    Files.createDirectories(bench.logs);
    System.out.printf(
        "Several nodes, one PostgreSQL: %d SMS per run, %d clients, %d cores%n",
        messages, clients, Runtime.getRuntime().availableProcessors());
    System.out.println("| nodes | msg/s | CPU-s / 1,000 msg (nodes + PostgreSQL) | commits / msg | WAL KB / msg | rows written / msg |");
    System.out.println("|---|---|---|---|---|---|");
    int run = 0;
    for (String nodes : runs.split(",")) {
      bench.run(Integer.parseInt(nodes.strip()), run++);
    }
  }

  private void run(int nodes, int run) throws Exception {
    Path data = Bench.dataDir("tandem-nodes-");
    try (var postgres =
            EmbeddedPostgres.builder()
                .setDataDirectory(data.resolve("postgres"))
                .setCleanDataDirectory(true)
                .setServerConfig("max_connections", "100")
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                .start();
        var smsc = SmscSimulator.start(0, Clock.systemUTC(), Duration.ofMillis(20), "DELIVRD");
        var smtp = SandboxSmtpServer.start(0, Clock.systemUTC())) {
      List<Process> processes = new ArrayList<>();
      try {
        measure(nodes, run, data, postgres, smsc, smtp, processes);
      } finally {
        // the nodes stop before their database does
        for (Process p : processes) {
          p.destroy();
        }
        for (Process p : processes) {
          p.waitFor();
        }
      }
    } finally {
      Bench.delete(data);
    }
  }

  private void measure(
      int nodes,
      int run,
      Path data,
      EmbeddedPostgres postgres,
      SmscSimulator smsc,
      SandboxSmtpServer smtp,
      List<Process> processes)
      throws Exception {
    Path erasureKey = data.resolve("erasure.key");
    Files.writeString(erasureKey, HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(32)));
    Files.setPosixFilePermissions(erasureKey, PosixFilePermissions.fromString("rw-------"));
    String url = postgres.getJdbcUrl("postgres", "postgres");
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      ports.add(freePort());
      processes.add(startNode(i, run, ports.get(i), url, erasureKey, data, smsc.port(), smtp.port()));
    }
    for (int i = 0; i < nodes; i++) {
      awaitReady(ports.get(i), processes.get(i));
    }
    Jdbi db = Jdbi.create(postgres.getPostgresDatabase());
    Thread.sleep(11_000); // statistics of the start-up reach pg_stat_* up to 10 s late
    Map<String, Object> before = stats(db);
    double nodeCpuBefore = cpu(processes);
    double pgCpuBefore = Bench.postgresCpuSeconds(data);
    long start = System.nanoTime();
    post(ports);
    while (delivered(db) < messages) {
      Thread.sleep(100);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpu = cpu(processes) - nodeCpuBefore + Bench.postgresCpuSeconds(data) - pgCpuBefore;
    Thread.sleep(11_000);
    Map<String, Object> after = stats(db);
    System.out.printf(
        "| %d | %.0f | %.2f | %.2f | %.1f | %.1f |%n",
        nodes,
        messages / seconds,
        cpu * 1000 / messages,
        delta(before, after, "commits") / messages,
        delta(before, after, "wal") / 1024 / messages,
        delta(before, after, "rows") / messages);
  }

  private Process startNode(int i, int run, int port, String url, Path erasureKey, Path data, int smppPort, int smtpPort)
      throws Exception {
    Path dir = data.resolve("node-" + i);
    Files.createDirectories(dir);
    var builder =
        new ProcessBuilder(
                java, "-Xmx512m", "-cp", classpath, "dev.tandem.Main", "serve",
                "--port", Integer.toString(port), "--data", dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(logs.resolve("run-" + run + "-node-" + i + ".log").toFile());
    Map<String, String> env = builder.environment();
    env.put("TANDEM_DB_URL", url);
    env.put("TANDEM_DB_USER", "postgres");
    env.put("TANDEM_PRIVACY_ERASURE_KEY_FILE", erasureKey.toString());
    env.put("TANDEM_SANDBOX_MODE", "off");
    env.put("TANDEM_SMTP_HOST", "127.0.0.1");
    env.put("TANDEM_SMTP_PORT", Integer.toString(smtpPort));
    env.put("TANDEM_SMTP_START_TLS", "off");
    env.put("TANDEM_SMPP_HOST", "127.0.0.1");
    env.put("TANDEM_SMPP_PORT", Integer.toString(smppPort));
    env.put("TANDEM_DISPATCH_NODE_ID", "bench-node-" + i);
    env.put("TANDEM_HTTP_PUBLIC_URL", "https://tandem.bench.example");
    env.put("TANDEM_BOOTSTRAP_API_KEY", KEY);
    return builder.start();
  }

  private void awaitReady(int port, Process process) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("a node exited; see " + logs);
      }
      try {
        var ready =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
                HttpResponse.BodyHandlers.discarding());
        if (ready.statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("a node was not ready within 3 minutes; see " + logs);
  }

  private void post(List<Integer> ports) {
    var permits = new Semaphore(clients);
    var failed = new AtomicInteger();
    String run = Long.toString(System.nanoTime() % 1_000_000, 36);
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < messages; i++) {
        permits.acquireUninterruptibly();
        int n = i;
        pool.submit(() -> {
          try {
            String body =
                "{\"to\":{\"phone\":\"+1415556" + (1000 + n) + "\"},\"channels\":[\"sms\"],"
                    + "\"sms\":{\"text\":\"bench " + run + " " + n + "\"}}";
            var response =
                http.send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + ports.get(n % ports.size()) + "/v1/messages"))
                        .header("Authorization", "Bearer " + KEY)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                    HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 202) {
              failed.incrementAndGet();
            }
          } catch (Exception e) {
            failed.incrementAndGet();
          } finally {
            permits.release();
          }
        });
      }
    }
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " messages were not accepted");
    }
  }

  private static long delivered(Jdbi db) {
    return db.withHandle(h ->
        h.createQuery("SELECT count(*) FROM delivery WHERE status = 'delivered'").mapTo(Long.class).one());
  }

  private static Map<String, Object> stats(Jdbi db) {
    return db.withHandle(h ->
        h.createQuery(
                "SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database())"
                    + " AS commits, (SELECT wal_bytes FROM pg_stat_wal) AS wal,"
                    + " (SELECT tup_inserted + tup_updated + tup_deleted FROM pg_stat_database"
                    + " WHERE datname = current_database()) AS rows")
            .mapToMap()
            .one());
  }

  private static double delta(Map<String, Object> before, Map<String, Object> after, String key) {
    return ((Number) after.get(key)).doubleValue() - ((Number) before.get(key)).doubleValue();
  }

  private static double cpu(List<Process> processes) {
    return processes.stream()
        .mapToDouble(p -> p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0))
        .sum();
  }

  private static int freePort() throws java.io.IOException {
    try (var socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
