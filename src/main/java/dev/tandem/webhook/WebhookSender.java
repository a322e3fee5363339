package dev.tandem.webhook;

import dev.tandem.config.TandemConfig;
import dev.tandem.store.NamedSql;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the webhook outbox: claims due deliveries (the oldest pending one per subscription and
 * contact, so a contact's events arrive in order), POSTs each, signed, and records the answer. A
 * failure is retried 30 s, 1 min, 2 min … at most an hour apart until {@code webhooks.retryFor}
 * after the event, then given up; a subscription whose every delivery failed for {@code
 * webhooks.disableAfter} is disabled. A claim is a lease: a node that dies mid-send leaves the
 * delivery to be sent again after it (at least once; receivers dedupe by the event id).
 */
public final class WebhookSender implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
  static final int BATCH = 50;
  static final int RESPONSE_KEPT = 1024;
  private static final Duration FIRST_RETRY = Duration.ofSeconds(30);
  private static final Duration LONGEST_RETRY = Duration.ofHours(1);

  private record Claimed(
      long id,
      UUID eventId,
      UUID webhookId,
      String type,
      String payload,
      int attempts,
      Instant createdAt,
      String url) {
    /** A status callback: its URL is its own, its webhook id the message's. */
    boolean callback() {
      return url != null;
    }
  }

  private record Outcome(boolean delivered, Integer status, String response) {}

  private final Map<String, io.micrometer.core.instrument.Counter> outcomes;
  private final Jdbi jdbi;
  private final Clock clock;
  private final TandemConfig.Webhooks config;
  private final Webhooks webhooks;
  private final HttpClient http;
  private final NamedSql sql;
  private volatile boolean running;
  private Thread thread;

  public WebhookSender(
      Jdbi jdbi,
      Clock clock,
      TandemConfig.Webhooks config,
      Webhooks webhooks,
      io.micrometer.core.instrument.MeterRegistry metrics) {
    this.outcomes = new java.util.HashMap<>();
    for (String outcome : List.of("delivered", "failed", "given_up")) {
      outcomes.put(
          outcome,
          io.micrometer.core.instrument.Counter.builder("tandem.webhook.deliveries")
              .description("Webhook and status callback POSTs by outcome (failed: will be retried)")
              .tag("outcome", outcome)
              .register(metrics));
    }
    this.jdbi = jdbi;
    this.clock = clock;
    this.config = config;
    this.webhooks = webhooks;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(config.timeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
    this.sql = NamedSql.forClass(WebhookSender.class);
  }

  /** Sends on a thread of its own until closed. */
  public void start() {
    running = true;
    thread =
        Thread.ofVirtual()
            .name("webhook-sender")
            .start(() -> {
              while (running) {
                int sent = 0;
                try {
                  sent = runOnce();
                } catch (RuntimeException e) {
                  LOG.warn("webhook round failed; trying again in a second: {}", e.toString());
                }
                if (sent == 0) {
                  try {
                    Thread.sleep(500);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              }
            });
  }

  /** One round: claims what is due, sends it, records the answers; returns how many were sent. */
  public int runOnce() {
    Instant now = now();
    List<Claimed> claimed =
        jdbi.withHandle(h ->
            h.createQuery(sql.get("claim"))
                .bind("now", now)
                .bind("leaseUntil", now.plus(config.timeout().multipliedBy(2)).plusSeconds(30))
                .bind("limit", BATCH)
                .map((rs, ctx) ->
                    new Claimed(
                        rs.getLong("id"),
                        rs.getObject("event_id", UUID.class),
                        rs.getObject("webhook_id", UUID.class),
                        rs.getString("type"),
                        rs.getString("payload"),
                        rs.getInt("attempts"),
                        rs.getTimestamp("created_at").toInstant(),
                        rs.getString("url")))
                .list());
    if (claimed.isEmpty()) {
      return 0;
    }
    Map<UUID, Optional<Webhooks.Target>> targets = new HashMap<>();
    for (Claimed c : claimed) {
      if (!c.callback()) {
        targets.computeIfAbsent(c.webhookId(), webhooks::target);
      }
    }
    List<Future<Outcome>> sending = new ArrayList<>();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (Claimed c : claimed) {
        Optional<Webhooks.Target> target =
            c.callback()
                ? Optional.of(new Webhooks.Target(c.webhookId(), c.url(), null))
                : targets.get(c.webhookId());
        sending.add(
            pool.submit(() ->
                target.isEmpty()
                    ? null // disabled or deleted meanwhile: left as it is
                    : send(c, target.get())));
      }
    }
    List<Claimed> answered = new ArrayList<>();
    List<Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < claimed.size(); i++) {
      Outcome outcome;
      try {
        outcome = sending.get(i).get();
      } catch (ExecutionException e) {
        outcome = new Outcome(false, null, "not sent: " + e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      if (outcome != null) {
        answered.add(claimed.get(i));
        outcomes.add(outcome);
      }
    }
    record(answered, outcomes);
    return claimed.size();
  }

  /** Rounds until nothing is due (tests drive the sender so). */
  public int drain() {
    int total = 0;
    for (int round = 0; round < 1000; round++) {
      int sent = runOnce();
      if (sent == 0) {
        return total;
      }
      total += sent;
    }
    return total;
  }

  private Outcome send(Claimed c, Webhooks.Target target) {
    String secret = c.callback() ? config.callbackSecret().orElse(null) : target.secret();
    if (secret == null) {
      return new Outcome(
          false, null, "not sent: webhooks.callbackSecret is no longer set; set it to sign these");
    }
    URI uri = URI.create(target.url());
    Optional<String> refused = refusedAddress(uri.getHost());
    if (refused.isPresent()) {
      return new Outcome(false, null, refused.get());
    }
    byte[] body = c.payload().getBytes(StandardCharsets.UTF_8);
    long t = clock.instant().getEpochSecond();
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(config.timeout())
            .header("Content-Type", "application/json")
            .header("User-Agent", "Tandem-Webhooks/1")
            .header(WebhookSignature.HEADER, WebhookSignature.header(secret, t, body))
            .header("Tandem-Event-Id", c.eventId().toString())
            .header("Tandem-Event-Type", c.type())
            .header("Tandem-Delivery-Attempt", Integer.toString(c.attempts() + 1))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    try {
      HttpResponse<InputStream> response =
          http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      String text;
      try (InputStream in = response.body()) {
        text = new String(in.readNBytes(RESPONSE_KEPT), StandardCharsets.UTF_8);
      }
      int status = response.statusCode();
      return new Outcome(status >= 200 && status < 300, status, text);
    } catch (IOException e) {
      return new Outcome(false, null, "not delivered: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(false, null, "not delivered: interrupted");
    }
  }

  /**
   * Why a receiver's host may not be called, or empty. Link-local addresses (cloud metadata) never;
   * loopback, private and unique-local ones only with {@code webhooks.allowPrivateNetworks}.
   */
  private Optional<String> refusedAddress(String host) {
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      return Optional.of("not delivered: the host " + host + " is not known (DNS)");
    }
    for (InetAddress a : addresses) {
      if (a.isLinkLocalAddress()) {
        return Optional.of(
            "refused: " + host + " is a link-local address (" + a.getHostAddress() + ")");
      }
      if (inside(a) && !config.allowPrivateNetworks()) {
        return Optional.of(
            "refused: "
                + host
                + " is a private address ("
                + a.getHostAddress()
                + "); set webhooks.allowPrivateNetworks: on to allow receivers inside your network");
      }
    }
    return Optional.empty();
  }

  private static boolean inside(InetAddress a) {
    boolean uniqueLocal = a instanceof java.net.Inet6Address && (a.getAddress()[0] & 0xfe) == 0xfc;
    return a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress() || uniqueLocal;
  }

  /**
   * Whether every address of {@code host} is loopback or private: empty when the host is not known
   * or has a link-local address (never called).
   */
  static Optional<Boolean> inside(String host) {
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
    boolean all = true;
    for (InetAddress a : addresses) {
      if (a.isLinkLocalAddress()) {
        return Optional.empty();
      }
      all &= inside(a);
    }
    return Optional.of(all);
  }

  /** Records a round's answers in one transaction: the successes in one statement. */
  private void record(List<Claimed> claimed, List<Outcome> outcomes) {
    if (claimed.isEmpty()) {
      return;
    }
    Instant now = now();
    List<Long> ids = new ArrayList<>();
    List<Integer> statuses = new ArrayList<>();
    List<String> responses = new ArrayList<>();
    List<UUID> succeeding = new ArrayList<>();
    for (int i = 0; i < claimed.size(); i++) {
      if (outcomes.get(i).delivered()) {
        this.outcomes.get("delivered").increment();
        ids.add(claimed.get(i).id());
        statuses.add(outcomes.get(i).status());
        responses.add(kept(outcomes.get(i).response()));
        if (!claimed.get(i).callback()) {
          succeeding.add(claimed.get(i).webhookId());
        }
      }
    }
    jdbi.useTransaction(h -> {
      if (!ids.isEmpty()) {
        h.createUpdate(sql.get("delivered"))
            .bind("ids", ids.toArray(Long[]::new))
            .bind("statuses", statuses.toArray(Integer[]::new))
            .bind("responses", responses.toArray(String[]::new))
            .bind("now", now)
            .execute();
        if (!succeeding.isEmpty()) {
          h.createUpdate(sql.get("succeeding"))
              .bind("webhookIds", succeeding.stream().distinct().toArray(UUID[]::new))
              .execute();
        }
      }
      for (int i = 0; i < claimed.size(); i++) {
        if (!outcomes.get(i).delivered()) {
          failed(h, claimed.get(i), outcomes.get(i), now);
        }
      }
    });
  }

  private static String kept(String response) {
    return response == null || response.length() <= RESPONSE_KEPT
        ? response
        : response.substring(0, RESPONSE_KEPT);
  }

  private void failed(org.jdbi.v3.core.Handle h, Claimed c, Outcome outcome, Instant now) {
    String response = kept(outcome.response());
    int attempts = c.attempts() + 1;
    boolean givenUp = !now.isBefore(c.createdAt().plus(config.retryFor()));
    outcomes.get(givenUp ? "given_up" : "failed").increment();
    long factor = 1L << Math.min(attempts - 1, 20);
    Duration wait = FIRST_RETRY.multipliedBy(factor);
    if (wait.compareTo(LONGEST_RETRY) > 0) {
      wait = LONGEST_RETRY;
    }
    h.createUpdate(sql.get("failed"))
        .bind("id", c.id())
        .bind("now", now)
        .bind("status", outcome.status())
        .bind("response", response)
        .bind("givenUp", givenUp)
        .bind("next", now.plus(wait))
        .execute();
    if (c.callback()) {
      return; // no subscription to disable: a callback's events are given up one by one
    }
    Optional<String> disabled =
        h.createQuery(sql.get("failing"))
            .bind("webhookId", c.webhookId())
            .bind("now", now)
            .bind("cutoff", now.minus(config.disableAfter()))
            .bind(
                "reason",
                "every delivery failed for "
                    + config.disableAfter()
                    + "; the last answer: "
                    + (outcome.status() == null ? "" : outcome.status() + " ")
                    + (response == null ? "" : response.strip()))
            .mapTo(String.class)
            .findOne();
    disabled.ifPresent(why -> {
      webhooks.forget();
      LOG.warn("webhook {} disabled: {}; resume it with enabled: true", c.webhookId(), why);
    });
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  @Override
  public void close() {
    running = false;
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    http.close();
  }
}
