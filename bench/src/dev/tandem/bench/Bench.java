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

  /** CPU time of this JVM. */
  static double processCpuSeconds() {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return os.getProcessCpuTime() / 1e9;
  }

  /** CPU of every postgres process on the machine (the embedded server and its backends). */
  static double postgresCpuSeconds() throws Exception {
    long ticks = 0;
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
        try {
          String stat = Files.readString(proc.resolve("stat"));
          if (stat.contains("(postgres)")) {
            String[] fields = stat.split("\\) ")[1].split(" ");
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
          }
        } catch (Exception gone) {
          // the process ended while we read
        }
      }
    }
    return ticks / 100.0;
  }

  /** POSTs {@code messages} bodies to /v1/messages from {@code clients} concurrent clients. */
  static void postMessages(App app, HttpClient http, String key, int messages, int clients, IntFunction<String> body)
      throws Exception {
    var permits = new Semaphore(clients);
    var failures = new AtomicInteger();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < messages; i++) {
        permits.acquire();
        String json = body.apply(i);
        pool.submit(() -> {
          try {
            var response = http.send(HttpRequest.newBuilder(URI.create(app.url() + "/v1/messages"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.discarding());
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
