package dev.tandem.bench;

import dev.tandem.App;
import dev.tandem.config.ConfigLoader;
import dev.tandem.sandbox.SandboxSmtpServer;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Email throughput end to end against one SMTP sink (the sandbox's), two ways in one run: Tandem
 * (POST /v1/messages → PostgreSQL → dispatcher → pooled SMTP → status stored) and a raw pooled
 * Angus Mail client sending the same messages over the same number of reused connections.
 * Usage: EmailThroughputBench [messages] [httpClients]
 */
public final class EmailThroughputBench {
  private static final int POOL = 4;
  private static final String SUBJECT = "Your order #1042 has shipped";
  private static final String HTML = "<h1>On its way</h1><p>Order <b>#1042</b> left our warehouse today.</p>";
  private static final int WARMUP = Integer.parseInt(System.getenv().getOrDefault("BENCH_WARMUP", "2000"));

  public static void main(String[] args) throws Exception {
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    int clients = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    System.setProperty("tandem.log.level", "WARN");
    System.out.printf("Email throughput, %d messages each, %d HTTP clients, %d SMTP connections, %d cores%n%n",
        messages, clients, POOL, Runtime.getRuntime().availableProcessors());
    try (SandboxSmtpServer sink = SandboxSmtpServer.start(0, Clock.systemUTC())) {
      raw(sink.port(), WARMUP);
      double[] raw = raw(sink.port(), messages);
      double[] tandem = tandem(sink.port(), messages, clients);
      System.out.printf("%-12s %10s %10s %14s%n", "", "msg/s", "seconds", "CPU-s/1000 msg");
      System.out.printf("%-12s %10.0f %10.2f %14.3f  %s%n", "Tandem", messages / tandem[0], tandem[0], tandem[1] / messages * 1000,
          "API → PostgreSQL (fsync on) → SMTP pool → status stored; CPU = JVM + PostgreSQL + sink");
      System.out.printf("%-12s %10.0f %10.2f %14.3f  %s%n", "raw SMTP", messages / raw[0], raw[0], raw[1] / messages * 1000,
          POOL + " reused Angus connections; CPU includes the sink");
      System.out.printf("%nTandem ÷ raw pooled SMTP: %.2f%n", raw[0] / tandem[0]);
    }
  }


  /** The same MIME Tandem sends, over POOL reused connections; returns {seconds, cpu}. */
  static double[] raw(int port, int messages) throws Exception {
    var props = new Properties();
    Session session = Session.getInstance(props);
    var pool = new ArrayBlockingQueue<Transport>(POOL);
    for (int i = 0; i < POOL; i++) {
      Transport t = session.getTransport("smtp");
      t.connect("127.0.0.1", port, null, null);
      pool.add(t);
    }
    double cpu0 = Bench.processCpuSeconds();
    long start = System.nanoTime();
    var failures = new AtomicInteger();
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < messages; i++) {
        int n = i;
        executor.submit(() -> {
          Transport t = pool.take();
          try {
            var message = new MimeMessage(session);
            message.setFrom(new InternetAddress("noreply@tandem.localhost"));
            message.setRecipient(Message.RecipientType.TO, new InternetAddress("person" + n + "@example.com"));
            message.setSubject(SUBJECT, "UTF-8");
            var alternative = new MimeMultipart("alternative");
            var text = new MimeBodyPart();
            text.setText("On its way\n\nOrder #1042 left our warehouse today.", "UTF-8", "plain");
            var html = new MimeBodyPart();
            html.setText(HTML, "UTF-8", "html");
            alternative.addBodyPart(text);
            alternative.addBodyPart(html);
            message.setContent(alternative);
            message.saveChanges();
            t.sendMessage(message, message.getAllRecipients());
          } catch (Exception e) {
            failures.incrementAndGet();
          } finally {
            pool.put(t);
          }
          return null;
        });
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpu = Bench.processCpuSeconds() - cpu0;
    for (Transport t : pool) {
      t.close();
    }
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " raw sends failed");
    }
    return new double[] {seconds, cpu};
  }

  static double[] tandem(int port, int messages, int clients) throws Exception {
    Path data = Bench.dataDir("tandem-bench-");
    var overrides = new HashMap<String, String>();
    overrides.put("dataDir", data.toString());
    overrides.put("http.port", "0");
    overrides.put("sandbox.mode", "off");
    overrides.put("http.publicUrl", "https://tandem.bench.example");
    overrides.put("smtp.host", "127.0.0.1");
    overrides.put("smtp.port", Integer.toString(port));
    overrides.put("smtp.poolSize", Integer.toString(POOL));
    overrides.put("smtp.startTls", "off");
    overrides.put("smpp.host", "127.0.0.1"); // not used: email only
    overrides.put("smpp.port", "9");
    overrides.put("db.statementStats", "on");
    String key = "tdm_bench_key_0123456789abcdef";
    try (App app = App.start(ConfigLoader.load(null, Map.of(), overrides), App.Options.production(Optional.of(key)))) {
      var http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
      Bench.postMessages(app, http, key, WARMUP, clients, i -> emailBody("warm", i));
      Bench.awaitStatus(app, "sent", WARMUP);
      double cpu0 = cpu(app);
      var stats0 = Bench.PgStats.of(app);
      long start = System.nanoTime();
      Bench.postMessages(app, http, key, messages, clients, i -> emailBody("run", i));
      String latency = Bench.percentiles();
      Bench.awaitStatus(app, "sent", WARMUP + messages);
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpu = cpu(app) - cpu0;
      System.out.println("Tandem accept latency: " + latency);
      System.out.println("Tandem " + Bench.PgStats.settled(app).perMessage(stats0, messages));
      return new double[] {seconds, cpu};
    } finally {
      try (var paths = Files.walk(data)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }



  private static double cpu(App app) throws Exception {
    return Bench.processCpuSeconds() + Bench.postgresCpuSeconds(app);
  }

  private static String emailBody(String tag, int i) {
    return "{\"to\":{\"email\":\"" + tag + i + "@example.com\"},\"channels\":[\"email\"],"
        + "\"email\":{\"subject\":\"" + SUBJECT + "\",\"html\":\"" + HTML.replace("\"", "\\\"") + "\"}}";
  }
}
