package dev.tandem.bench;

import com.sun.net.httpserver.HttpServer;
import dev.tandem.App;
import dev.tandem.config.ConfigLoader;
import dev.tandem.sandbox.SmscSimulator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jsmpp.bean.Alphabet;
import org.jsmpp.bean.BindType;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.GeneralDataCoding;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.SMSCDeliveryReceipt;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.session.BindParameter;
import org.jsmpp.session.MessageReceiverListener;
import org.jsmpp.session.SMPPSession;

/**
 * SMS throughput end to end against one SMSC simulator, three ways in one run:
 *
 * <ol>
 *   <li>Tandem: POST /v1/messages over HTTP → PostgreSQL → dispatcher → SMPP → receipt → status
 *       delivered stored;
 *   <li>raw jSMPP: one transceiver bind, {@code WINDOW} submits in flight, until every receipt came
 *       back (no HTTP, no database);
 *   <li>Kannel (Debian's SMS gateway, via kannel-peer.sh): HTTP sendsms → SMPP → receipt → its DLR
 *       callback to a local HTTP server.
 * </ol>
 *
 * Prints messages per second, Tandem ÷ each baseline, and CPU-seconds per 1,000 messages.
 * Usage: SmsThroughputBench [messages] [httpClients]
 */
public final class SmsThroughputBench {
  private static final int WINDOW = 50;
  private static final String TEXT = "Your code is 482913. It expires in 10 minutes.";

  /** Messages each side sends before the measured run, so the JIT has compiled the hot paths. */
  private static final int WARMUP =
      Integer.parseInt(System.getenv().getOrDefault("BENCH_WARMUP", "3000"));

  record Result(String name, int messages, double seconds, double cpuSeconds, String note) {
    double rate() {
      return messages / seconds;
    }

    double cpuPer1000() {
      return cpuSeconds / messages * 1000;
    }
  }

  public static void main(String[] args) throws Exception {
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    int clients = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    System.setProperty("tandem.log.level", "WARN");
    System.out.printf("SMS throughput, %d messages each, %d HTTP clients, %d cores%n%n",
        messages, clients, Runtime.getRuntime().availableProcessors());
    try (SmscSimulator smsc = SmscSimulator.start(0, Clock.systemUTC(), Duration.ZERO, "DELIVRD")) {
      rawJsmpp(smsc.port(), WARMUP); // warm-up
      Result raw = rawJsmpp(smsc.port(), messages);
      if (System.getenv("BENCH_ACCEPT") != null) {
        accept(smsc.port(), messages, clients);
        return;
      }
      if (System.getenv("BENCH_BREAKDOWN") != null) {
        breakdown(smsc.port(), messages, clients);
        return;
      }
      if (System.getenv("BENCH_ROUTED") != null) {
        routedVsNamed(smsc.port(), messages, clients, raw);
        return;
      }
      if (System.getenv("BENCH_WEBHOOKS") != null) {
        withAndWithoutWebhooks(smsc.port(), messages, clients, raw);
        return;
      }
      if (System.getenv("BENCH_TEMPLATED") != null) {
        templatedVsInline(smsc.port(), messages, clients, raw);
        return;
      }
      Result tandem = tandem(smsc.port(), messages, clients, false);
      Result kannel = kannel(smsc.port(), messages, clients);

      System.out.printf("%-12s %10s %10s %14s  %s%n", "", "msg/s", "seconds", "CPU-s/1000 msg", "");
      for (Result r : new Result[] {tandem, raw, kannel}) {
        if (r == null) {
          continue;
        }
        System.out.printf("%-12s %10.0f %10.2f %14.3f  %s%n", r.name(), r.rate(), r.seconds(), r.cpuPer1000(), r.note());
      }
      System.out.println();
      System.out.printf("Tandem ÷ raw jSMPP: %.2f%n", tandem.rate() / raw.rate());
      if (kannel != null) {
        System.out.printf("Tandem ÷ Kannel:    %.2f%n", tandem.rate() / kannel.rate());
      } else {
        System.out.println("Tandem ÷ Kannel:    n/a (Kannel could not be started; see above)");
      }
    }
  }


  /** Raw jSMPP: pipelined submits on one bind, done when every receipt arrived. */
  static Result rawJsmpp(int port, int messages) throws Exception {
    var receipts = new CountDownLatch(messages);
    var session = new SMPPSession();
    session.setPduProcessorDegree(16);
    session.setTransactionTimer(10_000);
    session.setMessageReceiverListener(new MessageReceiverListener() {
      @Override
      public void onAcceptDeliverSm(org.jsmpp.bean.DeliverSm deliverSm) {
        if (deliverSm.isSmscDeliveryReceipt()) {
          receipts.countDown();
        }
      }

      @Override
      public void onAcceptAlertNotification(org.jsmpp.bean.AlertNotification alertNotification) {}

      @Override
      public org.jsmpp.session.DataSmResult onAcceptDataSm(org.jsmpp.bean.DataSm dataSm, org.jsmpp.session.Session source) {
        return null;
      }
    });
    session.connectAndBind("127.0.0.1", port, new BindParameter(BindType.BIND_TRX, "raw", "raw", "",
        TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, null));
    double cpu0 = Bench.processCpuSeconds();
    long start = System.nanoTime();
    var window = new Semaphore(WINDOW);
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < messages; i++) {
        window.acquire();
        String to = "1415555" + (1000 + i % 9000);
        pool.submit(() -> {
          try {
            session.submitShortMessage("", TypeOfNumber.ALPHANUMERIC, NumberingPlanIndicator.UNKNOWN, "Bench",
                TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN, to, new ESMClass(), (byte) 0, (byte) 1,
                null, null, new RegisteredDelivery(SMSCDeliveryReceipt.SUCCESS_FAILURE), (byte) 0,
                new GeneralDataCoding(Alphabet.ALPHA_DEFAULT), (byte) 0, TEXT.getBytes(StandardCharsets.ISO_8859_1));
          } catch (Exception e) {
            System.err.println("raw submit failed: " + e);
          } finally {
            window.release();
          }
          return null;
        });
      }
    }
    if (!receipts.await(120, TimeUnit.SECONDS)) {
      throw new IllegalStateException("raw jSMPP: only " + (messages - receipts.getCount()) + " receipts");
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpu = Bench.processCpuSeconds() - cpu0;
    session.unbindAndClose();
    return new Result("raw jSMPP", messages, seconds, cpu, WINDOW + " in flight, one bind; CPU includes the simulator");
  }

  /**
   * The cost of routing: the same SMS traffic with channels named (no routing decision beyond the
   * send gate) and with no channels (the topic's policy routes each message), twice each,
   * alternating, in one run against one SMSC.
   */
  static void routedVsNamed(int smscPort, int messages, int clients, Result raw) throws Exception {
    var results = new java.util.ArrayList<Result>();
    for (int round = 0; round < 2; round++) {
      results.add(tandem(smscPort, messages, clients, false));
      results.add(tandem(smscPort, messages, clients, true));
    }
    System.out.printf("%-16s %10s %10s %14s  %s%n", "", "msg/s", "seconds", "CPU-s/1000 msg", "");
    for (Result r : results) {
      System.out.printf("%-16s %10.0f %10.2f %14.3f  %s%n", r.name(), r.rate(), r.seconds(), r.cpuPer1000(), r.note());
    }
    System.out.printf("%-16s %10.0f %10.2f %14.3f  %s%n", raw.name(), raw.rate(), raw.seconds(), raw.cpuPer1000(), raw.note());
    double named = (results.get(0).rate() + results.get(2).rate()) / 2;
    double routed = (results.get(1).rate() + results.get(3).rate()) / 2;
    double namedCpu = (results.get(0).cpuPer1000() + results.get(2).cpuPer1000()) / 2;
    double routedCpu = (results.get(1).cpuPer1000() + results.get(3).cpuPer1000()) / 2;
    System.out.printf("%nrouted ÷ named throughput: %.2f   (mean of two runs each: %.0f vs %.0f msg/s)%n", routed / named, routed, named);
    System.out.printf("routed ÷ named CPU per message: %.2f   (%.3f vs %.3f CPU-s/1000)%n", routedCpu / namedCpu, routedCpu, namedCpu);
    System.out.printf("routed ÷ raw jSMPP: %.3f%n", routed / raw.rate());
  }

  /**
   * The cost of templates: the same SMS traffic with the text inline and rendered from a template
   * (its SMS variant with a variable and a link that becomes a tracked short link, stored in the
   * accepting transaction), twice each, alternating, in one run against one SMSC.
   */
  static void templatedVsInline(int smscPort, int messages, int clients, Result raw)
      throws Exception {
    var results = new java.util.ArrayList<Result>();
    for (int round = 0; round < 2; round++) {
      results.add(tandem(smscPort, messages, clients, Body.INLINE));
      results.add(tandem(smscPort, messages, clients, Body.TEMPLATED));
    }
    System.out.printf("%-16s %10s %10s %14s  %s%n", "", "msg/s", "seconds", "CPU-s/1000 msg", "");
    for (Result r : results) {
      System.out.printf("%-16s %10.0f %10.2f %14.3f  %s%n", r.name(), r.rate(), r.seconds(), r.cpuPer1000(), r.note());
    }
    System.out.printf("%-16s %10.0f %10.2f %14.3f  %s%n", raw.name(), raw.rate(), raw.seconds(), raw.cpuPer1000(), raw.note());
    double inline = (results.get(0).rate() + results.get(2).rate()) / 2;
    double templated = (results.get(1).rate() + results.get(3).rate()) / 2;
    double inlineCpu = (results.get(0).cpuPer1000() + results.get(2).cpuPer1000()) / 2;
    double templatedCpu = (results.get(1).cpuPer1000() + results.get(3).cpuPer1000()) / 2;
    System.out.printf("%ntemplated ÷ inline throughput: %.2f   (mean of two runs each: %.0f vs %.0f msg/s)%n", templated / inline, templated, inline);
    System.out.printf("templated ÷ inline CPU per message: %.2f   (%.3f vs %.3f CPU-s/1000)%n", templatedCpu / inlineCpu, templatedCpu, inlineCpu);
  }

  /** What the HTTP clients send. */
  enum Body {
    INLINE,
    ROUTED,
    TEMPLATED
  }

  static Result tandem(int smscPort, int messages, int clients, boolean routed) throws Exception {
    return tandem(smscPort, messages, clients, routed ? Body.ROUTED : Body.INLINE);
  }

  /** The receiver of BENCH_WEBHOOKS: answers 204 to everything, counts. */
  static volatile String webhookUrl;
  static final java.util.concurrent.atomic.AtomicLong webhooksReceived = new java.util.concurrent.atomic.AtomicLong();

  /**
   * BENCH_WEBHOOKS=1: the same SMS run without a webhook subscription and with one to every event
   * type ("*", a local receiver answering 204), alternating, twice each: what webhooks cost.
   */
  static void withAndWithoutWebhooks(int smscPort, int messages, int clients, Result raw) throws Exception {
    var server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/hook", exchange -> {
      exchange.getRequestBody().readAllBytes();
      webhooksReceived.incrementAndGet();
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    server.start();
    try {
      var results = new java.util.ArrayList<Result>();
      for (int round = 0; round < 2; round++) {
        webhookUrl = null;
        results.add(tandem(smscPort, messages, clients, Body.INLINE));
        webhookUrl = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        results.add(tandem(smscPort, messages, clients, Body.INLINE));
      }
      for (int i = 0; i < results.size(); i++) {
        Result r = results.get(i);
        System.out.printf("%-22s %8.0f msg/s %8.2f s %8.3f CPU-s/1000  %s%n",
            (i % 2 == 0 ? "no webhooks" : "webhooks to *"), r.rate(), r.seconds(), r.cpuPer1000(), r.note());
      }
      System.out.printf("with ÷ without: %.2f and %.2f%n", results.get(1).rate() / results.get(0).rate(),
          results.get(3).rate() / results.get(2).rate());
    } finally {
      server.stop(0);
    }
  }

  /** Tandem in this process, on embedded PostgreSQL with fsync on, driven over its HTTP API. */
  static Result tandem(int smscPort, int messages, int clients, Body kind) throws Exception {
    boolean routed = kind == Body.ROUTED;
    Path data = Bench.dataDir("tandem-bench-");
    var overrides = new HashMap<String, String>();
    overrides.put("dataDir", data.toString());
    overrides.put("http.port", "0");
    overrides.put("sandbox.mode", "off");
    overrides.put("http.publicUrl", "https://tandem.bench.example");
    overrides.put("smpp.host", "127.0.0.1");
    overrides.put("smpp.port", Integer.toString(smscPort));
    overrides.put("smtp.host", "127.0.0.1"); // not used: SMS only
    overrides.put("smtp.port", "9");
    overrides.put("db.statementStats", "on");
    overrides.put("webhooks.allowPrivateNetworks", "on");
    String key = "tdm_bench_key_0123456789abcdef";
    try (App app = App.start(ConfigLoader.load(null, Map.of(), overrides), App.Options.production(Optional.of(key)))) {
      while (!app.sms.ready()) {
        Thread.sleep(20);
      }
      var http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
      if (kind == Body.TEMPLATED) {
        var put =
            http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(app.url() + "/v1/templates/bench"))
                    .header("Authorization", "Bearer " + key)
                    .header("Content-Type", "application/json")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(TEMPLATE))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        if (put.statusCode() != 201) {
          throw new IllegalStateException("PUT /v1/templates/bench: " + put.statusCode() + " " + put.body());
        }
      }
      java.util.function.IntFunction<String> warm =
          kind == Body.TEMPLATED ? i -> templatedBody("warm", i) : i -> smsBody("warm", i, routed);
      java.util.function.IntFunction<String> run =
          kind == Body.TEMPLATED ? i -> templatedBody("run", i) : i -> smsBody("run", i, routed);
      String hook = webhookUrl;
      if (hook != null) {
        var created =
            http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(app.url() + "/v1/webhooks"))
                    .header("Authorization", "Bearer " + key)
                    .header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"url\":\"" + hook + "\",\"events\":[\"*\"]}"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
          throw new IllegalStateException("POST /v1/webhooks: " + created.statusCode() + " " + created.body());
        }
      }
      Bench.postMessages(app, http, key, WARMUP, clients, warm); // warm-up
      Bench.awaitStatus(app, "delivered", WARMUP);
      Bench.resetStatements(app);
      var stats0 = Bench.PgStats.of(app);
      double jvm0 = Bench.processCpuSeconds();
      double pg0 = Bench.postgresCpuSeconds(app);
      long start = System.nanoTime();
      Bench.postMessages(app, http, key, messages, clients, run);
      String latency = Bench.percentiles();
      Bench.awaitStatus(app, "delivered", WARMUP + messages);
      double seconds = (System.nanoTime() - start) / 1e9;
      if (hook != null) { // every webhook delivered too, counted in the same time and CPU
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (System.nanoTime() < deadline
            && app.database.jdbi().withHandle(h -> h.createQuery(
                    "SELECT count(*) FROM webhook_event WHERE status = 'pending'").mapTo(Long.class).one()) > 0) {
          Thread.sleep(20);
        }
        seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("webhooks: %,d delivered in all, %,d events written%n", webhooksReceived.get(),
            app.database.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM webhook_event").mapTo(Long.class).one()));
      }
      double jvm = Bench.processCpuSeconds() - jvm0;
      double pg = Bench.postgresCpuSeconds(app) - pg0;
      long rss = rssKb();
      System.out.printf("%s: accept latency %s; RSS %d MB; %s%n", kind, latency, rss >> 10,
          Bench.PgStats.settled(app).perMessage(stats0, messages));
      if (System.getenv("BENCH_STATEMENTS") != null) {
        Bench.printTopStatements(app, messages);
      }
      String name =
          switch (kind) {
            case ROUTED -> "Tandem routed";
            case TEMPLATED -> "Tandem templated";
            case INLINE -> "Tandem";
          };
      return new Result(name, messages, seconds, jvm + pg,
          "API → PostgreSQL (fsync on) → SMPP → receipt stored; CPU = JVM+simulator %.2f + PostgreSQL %.2f per 1000"
              .formatted(jvm / messages * 1000, pg / messages * 1000));
    } finally {
      Bench.delete(data);
    }
  }

  /** Resident set size of this JVM (the simulator and HTTP clients included), in kB. */
  static long rssKb() throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  /** Where Tandem's time goes: accepting over HTTP with no dispatcher, then dispatching alone. */
  static void breakdown(int smscPort, int messages, int clients) throws Exception {
    Path data = Bench.dataDir("tandem-bench-");
    var overrides = new HashMap<String, String>();
    overrides.put("dataDir", data.toString());
    overrides.put("http.port", "0");
    overrides.put("sandbox.mode", "off");
    overrides.put("http.publicUrl", "https://tandem.bench.example");
    overrides.put("smpp.host", "127.0.0.1");
    overrides.put("smpp.port", Integer.toString(smscPort));
    overrides.put("smtp.host", "127.0.0.1");
    overrides.put("smtp.port", "9");
    String key = "tdm_bench_key_0123456789abcdef";
    overrides.put("db.statementStats", "on");
    var options = new App.Options(Clock.systemUTC(), true, 0, Optional.of(key));
    try (App app = App.start(ConfigLoader.load(null, Map.of(), overrides), options)) {
      while (!app.sms.ready()) {
        Thread.sleep(20);
      }
      var http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
      Bench.postMessages(app, http, key, WARMUP, clients, i -> smsBody("warm", i));
      app.dispatcher.drain();
      Bench.awaitStatus(app, "delivered", WARMUP);
      double jvm0 = Bench.processCpuSeconds();
      double pg0 = Bench.postgresCpuSeconds(app);
      long start = System.nanoTime();
      Bench.postMessages(app, http, key, messages, clients, i -> smsBody("run", i));
      double acceptSeconds = (System.nanoTime() - start) / 1e9;
      double jvm1 = Bench.processCpuSeconds();
      double pg1 = Bench.postgresCpuSeconds(app);
      System.out.printf("accept only:   %6.0f msg/s  CPU/1000: JVM %.2f s, PostgreSQL %.2f s%n",
          messages / acceptSeconds, (jvm1 - jvm0) / messages * 1000, (pg1 - pg0) / messages * 1000);
      start = System.nanoTime();
      app.dispatcher.start(2);
      Bench.awaitStatus(app, "delivered", WARMUP + messages);
      double dispatchSeconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("dispatch only: %6.0f msg/s  CPU/1000: JVM %.2f s, PostgreSQL %.2f s%n",
          messages / dispatchSeconds, (Bench.processCpuSeconds() - jvm1) / messages * 1000,
          (Bench.postgresCpuSeconds(app) - pg1) / messages * 1000);
      app.database.jdbi().useHandle(h -> h.createQuery(
              "SELECT relname, seq_scan, seq_tup_read, idx_scan, n_tup_upd, n_tup_hot_upd, n_dead_tup"
                  + " FROM pg_stat_user_tables ORDER BY seq_tup_read DESC LIMIT 8")
          .mapToMap().forEach(row -> System.out.println("  " + row)));
      app.database.jdbi().useHandle(h -> {
        h.createQuery("SELECT relname, reltuples, relpages FROM pg_class WHERE relname IN ('sms_part','sms_receipt','delivery')")
            .mapToMap().forEach(row -> System.out.println("  " + row));
        h.createQuery("SELECT relname, last_autoanalyze, last_analyze, autoanalyze_count FROM pg_stat_user_tables WHERE relname IN ('sms_part','sms_receipt')")
            .mapToMap().forEach(row -> System.out.println("  " + row));
        h.createQuery("EXPLAIN SELECT p.delivery_id FROM sms_part p WHERE p.receipt_key = '12345'")
            .mapTo(String.class).forEach(line -> System.out.println("  " + line));
      });
    } finally {
      Bench.delete(data);
    }
  }

  /**
   * Accepting alone (no dispatcher): single POST /v1/messages from {@code clients} clients, then
   * POST /v1/messages/batch (500 a batch, 4 clients), each on a fresh data directory.
   */
  static void accept(int smscPort, int messages, int clients) throws Exception {
    for (boolean batch : new boolean[] {false, true}) {
      Path data = Bench.dataDir("tandem-bench-");
      var overrides = new HashMap<String, String>();
      overrides.put("dataDir", data.toString());
      overrides.put("http.port", "0");
      overrides.put("sandbox.mode", "off");
      overrides.put("http.publicUrl", "https://tandem.bench.example");
      overrides.put("smpp.host", "127.0.0.1");
      overrides.put("smpp.port", Integer.toString(smscPort));
      overrides.put("smtp.host", "127.0.0.1");
      overrides.put("smtp.port", "9");
      overrides.put("db.statementStats", "on");
      String key = "tdm_bench_key_0123456789abcdef";
      var options = new App.Options(Clock.systemUTC(), true, 0, Optional.of(key));
      try (App app = App.start(ConfigLoader.load(null, Map.of(), overrides), options)) {
        var http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        java.util.function.IntFunction<String> warm = i -> smsBody("warm", i);
        java.util.function.IntFunction<String> run = i -> smsBody("run", i);
        if (batch) {
          postBatches(app, http, key, WARMUP, warm);
        } else {
          Bench.postMessages(app, http, key, WARMUP, clients, warm);
        }
        Bench.resetStatements(app);
        var stats0 = Bench.PgStats.of(app);
        double jvm0 = Bench.processCpuSeconds();
        double pg0 = Bench.postgresCpuSeconds(app);
        long start = System.nanoTime();
        if (batch) {
          postBatches(app, http, key, messages, run);
        } else {
          Bench.postMessages(app, http, key, messages, clients, run);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double jvm = Bench.processCpuSeconds() - jvm0;
        double pg = Bench.postgresCpuSeconds(app) - pg0;
        System.out.printf("accept, %-28s %8.0f msg/s  %s  CPU/1000: JVM %.2f s, PostgreSQL %.2f s%n",
            batch ? "batch endpoint (500, 4 clients)" : "single requests (" + clients + " clients)",
            messages / seconds, Bench.percentiles(), jvm / messages * 1000, pg / messages * 1000);
        System.out.println("  " + Bench.PgStats.settled(app).perMessage(stats0, messages));
        if (System.getenv("BENCH_STATEMENTS") != null) {
          Bench.printTopStatements(app, messages);
        }
      } finally {
        Bench.delete(data);
      }
    }
  }

  /** POSTs {@code messages} bodies to /v1/messages/batch, 500 a request, from 4 clients. */
  private static void postBatches(App app, HttpClient http, String key, int messages,
      java.util.function.IntFunction<String> body) throws Exception {
    int size = 500;
    var permits = new Semaphore(4);
    var failures = new AtomicInteger();
    Bench.latencies.clear();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int from = 0; from < messages; from += size) {
        permits.acquire();
        var json = new StringBuilder("{\"messages\":[");
        for (int i = from; i < Math.min(messages, from + size); i++) {
          json.append(i == from ? "" : ",").append(body.apply(i));
        }
        String request = json.append("]}").toString();
        pool.submit(() -> {
          long t0 = System.nanoTime();
          try {
            var response = http.send(HttpRequest.newBuilder(URI.create(app.url() + "/v1/messages/batch"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request)).build(), HttpResponse.BodyHandlers.ofString());
            Bench.latencies.add(System.nanoTime() - t0);
            if (response.statusCode() != 200 || response.body().contains("\"refused\":") && !response.body().contains("\"refused\":0")) {
              failures.incrementAndGet();
              System.err.println("batch: " + response.statusCode() + " " + response.body().substring(0, Math.min(300, response.body().length())));
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
      throw new IllegalStateException(failures.get() + " POST /v1/messages/batch failed");
    }
  }



  private static String smsBody(String tag, int i) {
    return smsBody(tag, i, false);
  }

  /** Routed: no channels; the person has a phone only and the request SMS content only. */
  private static String smsBody(String tag, int i, boolean routed) {
    return "{\"to\":{\"phone\":\"+1415555" + (1000 + i % 9000) + "\"},"
        + (routed ? "" : "\"channels\":[\"sms\"],")
        + "\"sms\":{\"text\":\"" + TEXT + "\"},\"idempotencyKey\":\"" + tag + "-" + i + "\"}";
  }

  /** A template whose SMS is about as long as {@link #TEXT}, with a variable and a tracked link. */
  private static final String TEMPLATE =
      "{\"sampleData\":{\"order\":\"1042\"},\"variants\":{\"default\":{"
          + "\"email\":{\"subject\":\"Order {{order}} shipped\",\"text\":\"Order {{order}} is on its way.\"},"
          + "\"sms\":{\"text\":\"Order {{order}} has shipped. Track it: https://shop.example/t/{{order}}\"}}}}";

  private static String templatedBody(String tag, int i) {
    return "{\"to\":{\"phone\":\"+1415555" + (1000 + i % 9000) + "\"},\"channels\":[\"sms\"],"
        + "\"template\":\"bench\",\"data\":{\"order\":\"" + i + "\"},\"idempotencyKey\":\"" + tag + "-" + i + "\"}";
  }

  /** Kannel bound to the same simulator; done when its DLR callbacks for every message came back. */
  static Result kannel(int smscPort, int messages, int clients) throws Exception {
    var dlrs = new CountDownLatch(messages + 200);
    HttpServer callbacks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    callbacks.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    callbacks.createContext("/dlr", exchange -> {
      if (exchange.getRequestURI().getQuery() != null && exchange.getRequestURI().getQuery().contains("status=1")) {
        dlrs.countDown();
      }
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    callbacks.start();
    String dlrUrl = "http://127.0.0.1:" + callbacks.getAddress().getPort() + "/dlr?status=%d";
    Map<String, String> peer;
    try {
      peer = startKannel(smscPort, dlrUrl);
    } catch (Exception e) {
      System.out.println("Kannel baseline skipped: " + e.getMessage());
      callbacks.stop(0);
      return null;
    }
    try {
      var http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
      sendViaKannel(http, peer.get("SENDSMS_URL"), 200, clients); // warm-up (C: nothing to compile)
      long[] kannelCpu0 = kannelCpu(peer.get("KANNEL_DIR"));
      double cpu0 = Bench.processCpuSeconds();
      long start = System.nanoTime();
      sendViaKannel(http, peer.get("SENDSMS_URL"), messages, clients);
      if (!dlrs.await(300, TimeUnit.SECONDS)) {
        throw new IllegalStateException("Kannel: only " + (messages + 200 - dlrs.getCount()) + " DLRs came back");
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long[] kannelCpu1 = kannelCpu(peer.get("KANNEL_DIR"));
      double cpu = Bench.processCpuSeconds() - cpu0 + (kannelCpu1[0] - kannelCpu0[0]) / 100.0;
      return new Result("Kannel", messages, seconds, cpu, "HTTP sendsms → SMPP → DLR callback; CPU = bearerbox + smsbox + simulator");
    } finally {
      new ProcessBuilder("bash", script().toString(), "stop", peer.get("KANNEL_DIR")).inheritIO().start().waitFor();
      callbacks.stop(0);
    }
  }

  private static Path script() {
    return Path.of("bench", "kannel-peer.sh").toAbsolutePath();
  }

  private static Map<String, String> startKannel(int smscPort, String dlrUrl) throws Exception {
    Process start = new ProcessBuilder("bash", script().toString(), "start", Integer.toString(smscPort), "127.0.0.1", dlrUrl)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    var env = new HashMap<String, String>();
    try (var out = new BufferedReader(new InputStreamReader(start.getInputStream()))) {
      String line;
      while ((line = out.readLine()) != null) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          String value = line.substring(eq + 1);
          // printf %q quoting: strip the $'…' or '…' wrapper and backslash escapes
          value = value.replaceAll("^\\$?'(.*)'$", "$1").replace("\\", "");
          env.put(line.substring(0, eq), value);
        }
      }
    }
    if (start.waitFor() != 0 || !env.containsKey("SENDSMS_URL")) {
      throw new IllegalStateException("kannel-peer.sh start exited " + start.exitValue());
    }
    return env;
  }

  private static void sendViaKannel(HttpClient http, String sendsmsUrl, int messages, int clients) throws Exception {
    var permits = new Semaphore(clients);
    var failures = new AtomicInteger();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < messages; i++) {
        permits.acquire();
        String url = sendsmsUrl + "&dlr-mask=1&to=" + URLEncoder.encode("+1415555" + (1000 + i % 9000), StandardCharsets.UTF_8)
            + "&text=" + URLEncoder.encode(TEXT, StandardCharsets.UTF_8);
        pool.submit(() -> {
          try {
            var response = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
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
      throw new IllegalStateException(failures.get() + " Kannel sendsms requests failed");
    }
  }

  /** utime+stime (clock ticks) of bearerbox and smsbox. */
  private static long[] kannelCpu(String kannelDir) throws Exception {
    long ticks = 0;
    for (String box : new String[] {"bearerbox", "smsbox"}) {
      Path pidFile = Path.of(kannelDir, box + ".pid");
      if (!Files.exists(pidFile)) {
        continue;
      }
      String pid = Files.readString(pidFile).strip();
      String[] stat = Files.readString(Path.of("/proc", pid, "stat")).split("\\) ")[1].split(" ");
      ticks += Long.parseLong(stat[11]) + Long.parseLong(stat[12]);
    }
    return new long[] {ticks};
  }
}
