package dev.tandem.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * The Prometheus registry every feature records into (docs/observability.md), with the JVM and
 * process metrics bound at start. Latencies are histograms with fixed buckets from 5 ms to 1 h, so
 * quantiles can be computed across nodes; names follow the Prometheus conventions once exported
 * ({@code tandem_http_server_requests_seconds_bucket}, {@code …_total} for counters).
 */
public final class Metrics implements AutoCloseable {
  /** Buckets for request handling: 5 ms to 10 s. */
  public static final Duration[] FAST =
      durations(5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000);

  /** Buckets for deliveries, which wait on providers and people's phones: 100 ms to 1 h. */
  public static final Duration[] SLOW =
      durations(100, 500, 1_000, 5_000, 15_000, 60_000, 300_000, 900_000, 3_600_000);

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();

  public Metrics() {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new JvmInfoMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** One HTTP request: its route pattern (not the path, which holds ids), method and status. */
  public static void request(
      MeterRegistry registry, String method, String route, int status, long nanos) {
    Timer.builder("tandem.http.server.requests")
        .description("HTTP requests by route pattern, method and status")
        .tags(Tags.of("method", method, "route", route, "status", Integer.toString(status)))
        .serviceLevelObjectives(FAST)
        .register(registry)
        .record(Duration.ofNanos(nanos));
  }

  private static Duration[] durations(long... millis) {
    var out = new Duration[millis.length];
    for (int i = 0; i < millis.length; i++) {
      out[i] = Duration.ofMillis(millis[i]);
    }
    return out;
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
