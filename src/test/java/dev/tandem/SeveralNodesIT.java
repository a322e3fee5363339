package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tandem.sandbox.SandboxSmtpServer;
import dev.tandem.sandbox.SmscSimulator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Tandem processes on one PostgreSQL, one SMSC simulator and one SMTP server, with a webhook
 * subscription: N messages (every other one SMS, the rest email) posted over the three APIs while
 * the third node is killed with SIGKILL mid-batch. Every message must reach a final state, be sent
 * once (the killed node's claims in flight excepted, decision 0012), have its receipt matched
 * whichever node's bind got it, and every webhook event must arrive once (the killed node's claimed
 * batch excepted). {@code -Dtandem.nodes.messages=10000} runs the size; the default, 1,500,
 * keeps {@code ./mvnw verify} short. Figures are printed; docs/scaling.md has them.
 */
class SeveralNodesIT {
  private static final int MESSAGES = Integer.getInteger("tandem.nodes.messages", 1500);
  private static final String KEY = "tdm_nodes_key_0123456789abcdef";
  private static final int CLIENTS = 16;
  private static final int SMPP_WINDOW = 50;
  private static final int SMTP_POOL = 4;
  private static final int WEBHOOK_BATCH = 50; // WebhookSender.BATCH: one round's claims
  private static final Duration LEASE = Duration.ofSeconds(5); // the shortest allowed
  private static final List<String> NODES = List.of("node-a", "node-b", "node-c");
  private static final String KILLED = "node-c";

  /** How long any stage may take: generous, for a machine shared with other builds (~20 msg/s). */
  private static final Duration BOUND = Duration.ofMinutes(2).plusMillis(MESSAGES * 100L);

  @TempDir Path dir;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, String> tagByMessage = new ConcurrentHashMap<>();
  private final Set<Integer> accepted = ConcurrentHashMap.newKeySet();
  private final Map<String, List<Arrival>> webhookArrivals = new ConcurrentHashMap<>();

  /** A webhook POST as the receiver got it: when, and its Tandem-Delivery-Attempt. */
  private record Arrival(Instant at, int attempt) {}

  private final List<String> refused = new CopyOnWriteArrayList<>();
  private final Path logs = Path.of("target", "several-nodes");
  private final List<Process> processes = new CopyOnWriteArrayList<>();
  private final List<Integer> ports = new ArrayList<>();

  @Test
  void three_nodes_send_each_message_once_and_take_over_the_claims_of_a_killed_one()
      throws Exception {
    var clock = Clock.systemUTC();
    try (var postgres =
            EmbeddedPostgres.builder()
                .setServerConfig("max_connections", "100")
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .start();
        // a receipt a second after the submit: the killed node's last submits are receipted
        // through the binds of the others
        var smsc = SmscSimulator.start(0, clock, Duration.ofSeconds(1), "DELIVRD");
        var smtp = SandboxSmtpServer.start(0, clock)) {
      // a little time per submit, so that the killed node has submits in flight
      smsc.responseDelay(Duration.ofMillis(10));
      Files.createDirectories(logs);
      HttpServer receiver = webhookReceiver();
      Jdbi db = Jdbi.create(postgres.getPostgresDatabase());
      try {
        for (int i = 0; i < NODES.size(); i++) {
          ports.add(freePort());
        }
        long startedAt = System.nanoTime();
        // one erasure key for all nodes, as docs/privacy.md asks of several nodes
        Path erasureKey = dir.resolve("erasure.key");
        Files.writeString(
            erasureKey, HexFormat.of().formatHex(new SecureRandom().generateSeed(32)));
        Files.setPosixFilePermissions(erasureKey, PosixFilePermissions.fromString("rw-------"));
        String dbUrl = postgres.getJdbcUrl("postgres", "postgres");
        for (int i = 0; i < NODES.size(); i++) {
          processes.add(startNode(i, dbUrl, erasureKey, smsc, smtp));
        }
        for (int i = 0; i < NODES.size(); i++) {
          awaitReady(ports.get(i), processes.get(i));
        }
        double startSeconds = (System.nanoTime() - startedAt) / 1e9;
        subscribe(receiver.getAddress().getPort());

        var posting = new AtomicBoolean(true);
        long postStart = System.nanoTime();
        Thread poster = Thread.ofPlatform().start(() -> postAll(posting));

        // kill the third node once a third is accepted and it holds claims in flight
        await()
            .atMost(BOUND)
            .pollInterval(Duration.ofMillis(20))
            .until(() -> accepted.size() >= MESSAGES / 3);
        // slower answers for a moment, so that submits pile up in the windows: the kill then
        // leaves a good number of claims behind
        smsc.responseDelay(Duration.ofMillis(250));
        await()
            .atMost(Duration.ofMinutes(1))
            .pollInterval(Duration.ofMillis(5))
            .until(() -> sendingClaimsOf(db, KILLED) >= 10);
        processes.get(2).destroyForcibly().waitFor();
        smsc.responseDelay(Duration.ofMillis(10));
        Instant killedAt = Instant.now();
        int acceptedAtKill = accepted.size();
        double killSeconds = (System.nanoTime() - postStart) / 1e9;
        Map<String, Instant> orphans = claimsInFlight(db, KILLED);
        assertThat(orphans).as("claims in flight at the kill").isNotEmpty();

        poster.join(BOUND.toMillis());
        assertThat(posting).as("all posted").isFalse();
        double postSeconds = (System.nanoTime() - postStart) / 1e9;
        assertThat(accepted).as("every message accepted by some node").hasSize(MESSAGES);

        await().atMost(BOUND).pollInterval(Duration.ofMillis(200)).until(() -> unfinished(db) == 0);
        double finalSeconds = (System.nanoTime() - postStart) / 1e9;
        await()
            .atMost(BOUND)
            .pollInterval(Duration.ofMillis(200))
            .until(() -> webhooksPending(db) == 0);

        System.out.printf(
            "%d messages, 3 nodes: started in %.1f s; accepted in %.1f s (%.0f msg/s); all final"
                + " in %.1f s (%.0f msg/s); killed %s after %d accepted, with %d claims in"
                + " flight, %.1f s after the first post%n",
            MESSAGES,
            startSeconds,
            postSeconds,
            MESSAGES / postSeconds,
            finalSeconds,
            MESSAGES / finalSeconds,
            KILLED,
            acceptedAtKill,
            orphans.size(),
            killSeconds);

        // every message reached its final state: SMS delivered (receipt matched), email sent
        assertThat(refused).as("answers other than 202, 200 or 5xx").isEmpty();
        Map<String, Long> byStatus =
            db.withHandle(h ->
                h
                    .createQuery(
                        "SELECT channel || ' ' || status, count(*) FROM delivery GROUP BY 1")
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2)))
                    .list()
                    .stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        assertThat(byStatus)
            .isEqualTo(
                Map.of(
                    "sms delivered", (long) (MESSAGES + 1) / 2, "email sent", (long) MESSAGES / 2));
        // a receipt stays unmatched only for a submit whose answer the killed node never wrote:
        // the SMS it tells of was sent again (the receipt quotes the text, our tag)
        List<String> unmatched =
            db.withHandle(h ->
                h.createQuery("SELECT raw FROM sms_receipt WHERE delivery_id IS NULL")
                    .mapTo(String.class)
                    .list());
        // receipts of the killed node's submits came in through the binds of the others
        long receiptsAfterKill =
            db.withHandle(h ->
                h.createQuery(
                        "SELECT count(*) FROM sms_receipt r JOIN delivery d ON d.id ="
                            + " r.delivery_id WHERE d.claimed_by = :node AND r.received_at >"
                            + " :killedAt")
                    .bind("node", KILLED)
                    .bind("killedAt", killedAt)
                    .mapTo(Long.class)
                    .one());
        assertThat(receiptsAfterKill)
            .as("receipts for the killed node's SMS received after it died")
            .isPositive();

        // the killed node's claims were taken over by the others, once its lease had run out
        Map<String, Map<String, Object>> after =
            db.withHandle(h ->
                h
                    .createQuery(
                        "SELECT id::text AS id, claimed_by, claimed_at, status FROM delivery"
                            + " WHERE id::text IN (<ids>)")
                    .bindList("ids", List.copyOf(orphans.keySet()))
                    .mapToMap()
                    .list()
                    .stream()
                    .collect(Collectors.toMap(row -> (String) row.get("id"), row -> row)));
        orphans.forEach((id, leaseUntil) -> {
          var row = after.get(id);
          assertThat(row.get("claimed_by")).as("node of %s", id).isIn("node-a", "node-b");
          assertThat(((Timestamp) row.get("claimed_at")).toInstant())
              .as("taken over after the lease of %s", id)
              .isAfterOrEqualTo(leaseUntil);
        });

        // sent once; only the killed node's claims in flight may have gone twice
        Map<String, Integer> copies = new HashMap<>();
        smsc.received().forEach(s -> copies.merge(s.text(), 1, Integer::sum));
        smtp.received().forEach(e -> copies.merge(e.subject(), 1, Integer::sum));
        for (int n : accepted) {
          assertThat(copies).as("received %s", tag(n)).containsKey(tag(n));
        }
        Set<String> orphanTags =
            db
                .withHandle(h ->
                    h.createQuery("SELECT message_id::text FROM delivery WHERE id::text IN (<ids>)")
                        .bindList("ids", List.copyOf(orphans.keySet()))
                        .mapTo(String.class)
                        .list())
                .stream()
                .map(tagByMessage::get)
                .collect(Collectors.toSet());
        Map<String, Integer> twice = new HashMap<>(copies);
        twice.values().removeIf(c -> c == 1);
        int duplicates = twice.values().stream().mapToInt(c -> c - 1).sum();
        System.out.printf(
            "sent twice: %d (bound %d: SMPP window %d + SMTP pool %d of the killed node)%n",
            duplicates, SMPP_WINDOW + SMTP_POOL, SMPP_WINDOW, SMTP_POOL);
        assertThat(twice)
            .as("sent more than twice")
            .allSatisfy((tag, c) -> assertThat(c).isEqualTo(2));
        assertThat(orphanTags).as("only claims of the killed node").containsAll(twice.keySet());
        assertThat(duplicates).isLessThanOrEqualTo(SMPP_WINDOW + SMTP_POOL);
        System.out.printf("receipts unmatched: %d%n", unmatched.size());
        assertThat(unmatched)
            .as("receipts left unmatched")
            .allSatisfy(raw -> {
              var text = Pattern.compile("text:(nodes-\\d+)").matcher(raw);
              assertThat(text.find()).as(raw).isTrue();
              assertThat(twice).as(raw).containsKey(text.group(1));
            });

        // each webhook event once, except a batch the killed node had claimed, sent again after
        // its lease with the same attempt number; a POST not answered within webhooks.timeout is
        // recorded as failed and retried as the next attempt (decision 0025), which a loaded
        // machine can cause without any kill
        List<String> events =
            db.withHandle(h ->
                h.createQuery("SELECT event_id::text FROM webhook_event WHERE status = 'delivered'")
                    .mapTo(String.class)
                    .list());
        // delivery.sent for each, delivery.delivered for each SMS
        assertThat(events).hasSizeGreaterThanOrEqualTo(MESSAGES + MESSAGES / 2);
        assertThat(webhookArrivals.keySet()).containsExactlyInAnyOrderElementsOf(events);
        Map<String, List<Instant>> sameAttemptTwice = new HashMap<>();
        int retried = 0;
        for (var entry : webhookArrivals.entrySet()) {
          Map<Integer, List<Instant>> byAttempt =
              entry.getValue().stream()
                  .collect(
                      Collectors.groupingBy(
                          Arrival::attempt, Collectors.mapping(Arrival::at, Collectors.toList())));
          retried += byAttempt.size() - 1;
          byAttempt.values().stream()
              .filter(sent -> sent.size() > 1)
              .forEach(sent -> sameAttemptTwice.put(entry.getKey(), sent));
        }
        System.out.printf(
            "webhook events: %d; the same attempt received twice: %d (bound %d: one claimed"
                + " batch); retried after an unanswered POST: %d%n",
            events.size(), sameAttemptTwice.size(), WEBHOOK_BATCH, retried);
        assertThat(sameAttemptTwice.size()).isLessThanOrEqualTo(WEBHOOK_BATCH);
        sameAttemptTwice.forEach((id, sent) -> {
          assertThat(sent).as("event %s", id).hasSize(2);
          assertThat(sent.stream().max(Instant::compareTo).orElseThrow())
              .as("second copy of %s", id)
              .isAfter(killedAt);
        });
      } finally {
        for (Process p : processes) {
          p.destroy();
        }
        for (Process p : processes) {
          if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
          }
        }
        receiver.stop(0);
      }
    }
  }

  private Process startNode(
      int i, String dbUrl, Path erasureKey, SmscSimulator smsc, SandboxSmtpServer smtp)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String node = NODES.get(i);
    var builder =
        new ProcessBuilder(
                java,
                "-Xmx384m",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.tandem.Main",
                "serve",
                "--port",
                Integer.toString(ports.get(i)),
                "--data",
                dir.resolve(node).toString())
            .redirectErrorStream(true)
            .redirectOutput(logs.resolve(node + ".log").toFile());
    Map<String, String> env = builder.environment();
    Files.createDirectories(dir.resolve(node));
    env.put("TANDEM_DB_URL", dbUrl);
    env.put("TANDEM_PRIVACY_ERASURE_KEY_FILE", erasureKey.toString());
    env.put("TANDEM_DB_USER", "postgres");
    env.put("TANDEM_SANDBOX_MODE", "off");
    env.put("TANDEM_SMTP_HOST", "127.0.0.1");
    env.put("TANDEM_SMTP_PORT", Integer.toString(smtp.port()));
    env.put("TANDEM_SMTP_START_TLS", "off");
    env.put("TANDEM_SMTP_POOL_SIZE", Integer.toString(SMTP_POOL));
    env.put("TANDEM_SMPP_HOST", "127.0.0.1");
    env.put("TANDEM_SMPP_PORT", Integer.toString(smsc.port()));
    env.put("TANDEM_SMPP_WINDOW", Integer.toString(SMPP_WINDOW));
    // the slow moment above must not look like a lost answer (which is sent again, decision 3)
    env.put("TANDEM_SMPP_RESPONSE_TIMEOUT", "60s");
    env.put("TANDEM_DISPATCH_NODE_ID", node);
    env.put("TANDEM_DISPATCH_LEASE", LEASE.toSeconds() + "s");
    env.put("TANDEM_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "on");
    env.put("TANDEM_WEBHOOKS_TIMEOUT", "1s");
    env.put("TANDEM_HTTP_PUBLIC_URL", "https://tandem.nodes.example");
    env.put("TANDEM_BOOTSTRAP_API_KEY", KEY);
    return builder.start();
  }

  private void awaitReady(int port, Process process) {
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> {
          assertThat(process.isAlive())
              .as("node on port %d is running (see its log in %s)", port, logs)
              .isTrue();
          try {
            return http.send(
                        HttpRequest.newBuilder(URI.create(base(port) + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding())
                    .statusCode()
                == 200;
          } catch (IOException notYet) {
            return false;
          }
        });
  }

  private void subscribe(int receiverPort) throws Exception {
    var response =
        http.send(
            HttpRequest.newBuilder(URI.create(base(ports.get(0)) + "/v1/webhooks"))
                .header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"url\":\"http://127.0.0.1:"
                            + receiverPort
                            + "/hook\",\"events\":[\"delivery.*\"]}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
  }

  private HttpServer webhookReceiver() throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(
        "/hook",
        exchange -> {
          Instant at = Instant.now();
          exchange.getRequestBody().readAllBytes();
          String id = exchange.getRequestHeaders().getFirst("Tandem-Event-Id");
          int attempt =
              Integer.parseInt(exchange.getRequestHeaders().getFirst("Tandem-Delivery-Attempt"));
          webhookArrivals
              .computeIfAbsent(id, k -> new CopyOnWriteArrayList<>())
              .add(new Arrival(at, attempt));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    server.start();
    return server;
  }

  private void postAll(AtomicBoolean posting) {
    var permits = new Semaphore(CLIENTS);
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < MESSAGES; i++) {
        permits.acquireUninterruptibly();
        int n = i;
        pool.submit(() -> {
          try {
            post(n);
          } finally {
            permits.release();
          }
        });
      }
    }
    posting.set(false);
  }

  /** Posts message n to node n % 3; a node that does not answer is left for the next one. */
  private void post(int n) {
    String tag = tag(n);
    String body =
        n % 2 == 0
            ? "{\"to\":{\"phone\":\"+1415555"
                + (2000 + n / 2)
                + "\"},\"channels\":[\"sms\"],\"sms\":{\"text\":\""
                + tag
                + "\"}}"
            : "{\"to\":{\"email\":\"node"
                + n
                + "@example.com\"},\"channels\":[\"email\"],\"email\":{\"subject\":\""
                + tag
                + "\",\"text\":\"Several nodes\"}}";
    for (int attempt = 0; attempt < 300; attempt++) {
      int port = ports.get((n + attempt) % ports.size());
      try {
        var response =
            http.send(
                HttpRequest.newBuilder(URI.create(base(port) + "/v1/messages"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + KEY)
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", tag)
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 202 || response.statusCode() == 200) {
          tagByMessage.put(json.readTree(response.body()).get("id").asText(), tag);
          accepted.add(n);
          return;
        }
        if (response.statusCode() < 500) {
          refused.add(tag + ": " + response.statusCode() + " " + response.body());
          return;
        }
      } catch (IOException down) {
        // killed: the same key to the next node
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static String tag(int n) {
    return "nodes-" + n;
  }

  private static long sendingClaimsOf(Jdbi db, String node) {
    return db.withHandle(h ->
        h.createQuery("SELECT count(*) FROM delivery WHERE status = 'sending' AND claimed_by = :n")
            .bind("n", node)
            .mapTo(Long.class)
            .one());
  }

  private static Map<String, Instant> claimsInFlight(Jdbi db, String node) {
    return db.withHandle(h ->
        h
            .createQuery(
                "SELECT id::text, lease_until FROM delivery WHERE status = 'sending' AND"
                    + " claimed_by = :n")
            .bind("n", node)
            .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getTimestamp(2).toInstant()))
            .list()
            .stream()
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
  }

  private static long unfinished(Jdbi db) {
    return db.withHandle(h ->
        h.createQuery(
                "SELECT count(*) FROM delivery WHERE status IN ('queued', 'sending')"
                    + " OR (channel = 'sms' AND status = 'sent')")
            .mapTo(Long.class)
            .one());
  }

  private static long webhooksPending(Jdbi db) {
    return db.withHandle(h ->
        h.createQuery("SELECT count(*) FROM webhook_event WHERE status = 'pending'")
            .mapTo(Long.class)
            .one());
  }

  private static int freePort() throws IOException {
    try (var socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static String base(int port) {
    return "http://127.0.0.1:" + port;
  }
}
