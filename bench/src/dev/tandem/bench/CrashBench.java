package dev.tandem.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Crash test: N messages (every other one SMS, the rest email) posted to a Tandem process that is
 * killed with SIGKILL K times at random moments while it accepts and dispatches, and started again
 * on the same data directory each time. The SMSC and the SMTP server run in another process
 * ({@link CrashSinks}) and count what they received. Clients retry a POST that got no answer with
 * the same idempotency key, as a client should. Prints accepted, lost, duplicates and the
 * in-flight bound. Usage: CrashBench [messages=2000] [kills=3]
 */
public final class CrashBench {
  private static final String KEY = "tdm_crash_key_0123456789abcdef";
  private static final int CLIENTS = 16;
  private static final int SMPP_WINDOW = 50;
  private static final int SMPP_BINDS = 1;
  private static final int SMTP_POOL = 4;

  private final int messages;
  private final int kills;
  private final String java = ProcessHandle.current().info().command().orElse("java");
  private final String classpath = System.getProperty("java.class.path");
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Path data;
  private final Path logs;
  private final int apiPort;
  private final String run = Long.toString(System.currentTimeMillis() % 100_000, 36);
  private final Set<Integer> accepted = ConcurrentHashMap.newKeySet();
  private final AtomicInteger refused = new AtomicInteger();
  private volatile boolean posting = true;
  private Process sinks;
  private int smtpPort;
  private int smppPort;
  private int sinksPort;
  private volatile Process tandem;

  private CrashBench(int messages, int kills) throws Exception {
    this.messages = messages;
    this.kills = kills;
    this.data = Bench.dataDir("tandem-crash-");
    this.logs = Path.of("target", "crash-bench");
    Files.createDirectories(logs);
    try (var socket = new ServerSocket(0)) {
      this.apiPort = socket.getLocalPort();
    }
  }

  public static void main(String[] args) throws Exception {
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int kills = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    new CrashBench(messages, kills).run();
  }

  private void run() throws Exception {
    long started = System.nanoTime();
    System.out.printf(
        "Crash test: %d messages (SMS and email), %d kill -9 of Tandem, peers in another process%n",
        messages, kills);
    startSinks();
    try {
      startTandem(0);
      Thread poster = Thread.ofPlatform().start(this::post);
      for (int k = 1; k <= kills; k++) {
        Thread.sleep(ThreadLocalRandom.current().nextLong(2_000, 10_000));
        Map<String, Integer> before = received();
        tandem.destroyForcibly().waitFor();
        System.out.printf(
            "kill %d: %s, %d accepted so far, %d received by the peers%n",
            k,
            posting ? "while accepting and dispatching" : "while dispatching",
            accepted.size(),
            before.size());
        startTandem(k);
      }
      poster.join();
      Map<String, Integer> counts = awaitQuiet();
      report(counts, (System.nanoTime() - started) / 1e9);
    } finally {
      if (tandem != null) {
        tandem.destroy();
        tandem.waitFor();
      }
      sinks.getOutputStream().close();
      sinks.destroy();
      try (var paths = Files.walk(data)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private void startSinks() throws Exception {
    sinks =
        new ProcessBuilder(java, "-cp", classpath, CrashSinks.class.getName())
            .redirectError(logs.resolve("sinks.log").toFile())
            .start();
    var out = new BufferedReader(new InputStreamReader(sinks.getInputStream(), StandardCharsets.UTF_8));
    String[] ports = out.readLine().split(" ");
    smtpPort = Integer.parseInt(ports[1]);
    smppPort = Integer.parseInt(ports[2]);
    sinksPort = Integer.parseInt(ports[3]);
  }

  private void startTandem(int generation) throws Exception {
    var builder =
        new ProcessBuilder(
                java, "-Xmx512m", "-cp", classpath, "dev.tandem.Main", "serve",
                "--port", Integer.toString(apiPort), "--data", data.toString())
            .redirectErrorStream(true)
            .redirectOutput(logs.resolve("tandem-" + generation + ".log").toFile());
    Map<String, String> env = builder.environment();
    env.putAll(
        Map.of(
            "TANDEM_SANDBOX_MODE", "off",
            "TANDEM_SMTP_HOST", "127.0.0.1",
            "TANDEM_SMTP_PORT", Integer.toString(smtpPort),
            "TANDEM_SMTP_START_TLS", "off",
            "TANDEM_SMTP_POOL_SIZE", Integer.toString(SMTP_POOL),
            "TANDEM_SMPP_HOST", "127.0.0.1",
            "TANDEM_SMPP_PORT", Integer.toString(smppPort),
            "TANDEM_SMPP_WINDOW", Integer.toString(SMPP_WINDOW),
            "TANDEM_HTTP_PUBLIC_URL", "https://tandem.crash.example",
            "TANDEM_BOOTSTRAP_API_KEY", KEY));
    long start = System.nanoTime();
    tandem = builder.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      if (!tandem.isAlive()) {
        throw new IllegalStateException(
            "Tandem exited with " + tandem.exitValue() + "; see " + logs.resolve("tandem-" + generation + ".log"));
      }
      try {
        var ready =
            http.send(
                HttpRequest.newBuilder(URI.create(base() + "/health/ready")).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        if (ready.statusCode() == 200) {
          if (generation > 0) {
            System.out.printf("  started again in %.1f s%n", (System.nanoTime() - start) / 1e9);
          }
          return;
        }
      } catch (java.io.IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("Tandem not ready within 120 s");
  }

  private String base() {
    return "http://127.0.0.1:" + apiPort;
  }

  private void post() {
    var permits = new Semaphore(CLIENTS);
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < messages; i++) {
        permits.acquireUninterruptibly();
        int n = i;
        pool.submit(() -> {
          try {
            postUntilAnswered(n);
          } finally {
            permits.release();
          }
        });
      }
    }
    posting = false;
  }

  /** POSTs message n until Tandem answers; the idempotency key makes a retry safe. */
  private void postUntilAnswered(int n) {
    String tag = tag(n);
    String body =
        n % 2 == 0
            ? "{\"to\":{\"phone\":\"+1415555" + (2000 + n / 2 % 8000) + "\"},\"channels\":[\"sms\"],"
                + "\"sms\":{\"text\":\"" + tag + "\"}}"
            : "{\"to\":{\"email\":\"crash" + n + "@example.com\"},\"channels\":[\"email\"],"
                + "\"email\":{\"subject\":\"" + tag + "\",\"text\":\"Crash test\"}}";
    var request =
        HttpRequest.newBuilder(URI.create(base() + "/v1/messages"))
            .timeout(Duration.ofSeconds(20))
            .header("Authorization", "Bearer " + KEY)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", tag)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    for (int attempt = 0; attempt < 600; attempt++) {
      try {
        int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status == 202 || status == 200) {
          accepted.add(n);
          return;
        }
        if (status < 500 && status != 429) {
          refused.incrementAndGet();
          return;
        }
      } catch (java.io.IOException down) {
        // Tandem was killed or is starting: ask again with the same key
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private String tag(int n) {
    return "crash-" + run + "-" + n;
  }

  /** Received copies per tag, from the peers' process. */
  private Map<String, Integer> received() throws Exception {
    String body =
        http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sinksPort + "/received")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    var counts = new HashMap<String, Integer>();
    for (String line : body.split("\n")) {
      int space = line.indexOf(' ');
      if (space > 0 && line.startsWith("crash-" + run + "-", space + 1)) {
        counts.merge(line.substring(space + 1), 1, Integer::sum);
      }
    }
    return counts;
  }

  /** Waits until every accepted message has arrived, or nothing more arrives for 30 s. */
  private Map<String, Integer> awaitQuiet() throws Exception {
    Map<String, Integer> counts = received();
    long lastChange = System.nanoTime();
    int lastTotal = -1;
    while (System.nanoTime() - lastChange < Duration.ofSeconds(30).toNanos()) {
      Map<String, Integer> now = received();
      counts = now;
      if (accepted.stream().allMatch(n -> now.containsKey(tag(n)))) {
        return counts;
      }
      int total = counts.values().stream().mapToInt(Integer::intValue).sum();
      if (total != lastTotal) {
        lastTotal = total;
        lastChange = System.nanoTime();
      }
      Thread.sleep(500);
    }
    return counts;
  }

  private void report(Map<String, Integer> counts, double seconds) {
    long lost = accepted.stream().filter(n -> !counts.containsKey(tag(n))).count();
    int duplicates = counts.values().stream().mapToInt(c -> c - 1).sum();
    long smsDuplicates =
        counts.entrySet().stream()
            .filter(e -> Integer.parseInt(e.getKey().substring(e.getKey().lastIndexOf('-') + 1)) % 2 == 0)
            .mapToInt(e -> e.getValue() - 1)
            .sum();
    int perKill = SMPP_WINDOW * SMPP_BINDS + SMTP_POOL;
    System.out.printf("%naccepted    %d of %d (refused %d)%n", accepted.size(), messages, refused.get());
    System.out.printf("lost        %d%n", lost);
    System.out.printf(
        "duplicates  %d (SMS %d, email %d)%n", duplicates, smsDuplicates, duplicates - smsDuplicates);
    System.out.printf(
        "bound       %d per kill (SMPP window %d x %d bind + SMTP pool %d), %d for %d kills%n",
        perKill, SMPP_WINDOW, SMPP_BINDS, SMTP_POOL, perKill * kills, kills);
    System.out.printf("took        %.0f s; logs in %s%n", seconds, logs);
    if (lost > 0) {
      List<String> missing =
          accepted.stream().filter(n -> !counts.containsKey(tag(n))).limit(5).map(this::tag).toList();
      System.out.println("LOST, e.g. " + missing);
      System.exit(1);
    }
  }
}
