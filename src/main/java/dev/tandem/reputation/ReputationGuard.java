package dev.tandem.reputation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.channel.Channel;
import dev.tandem.config.TandemConfig;
import dev.tandem.error.NotFound;
import dev.tandem.event.EventSink;
import dev.tandem.store.NamedSql;
import dev.tandem.topic.TopicClass;
import dev.tandem.topic.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the rates mailbox providers and carriers judge a sender by, and pauses marketing before
 * they do: per sending domain, the share of emails that hard-bounced and that were reported as
 * spam; for SMS, the share of texts answered with STOP. Over {@code reputation.window} (24 h), once
 * at least {@code reputation.minimumSends} went out, a rate past its threshold (complaints 0.3%,
 * the Gmail and Yahoo sender rule; bounces 4%; SMS opt-outs 2%) opens a pause: marketing on that
 * channel and domain is held back at dispatch (deferred, not lost), transactional and critical
 * messages keep going, subscribers to {@code reputation.paused} are told, and the metric and log
 * say so. It lasts until someone resumes it ({@code POST /v1/reputation/resume}); the rates that
 * may pause it again count from the resume.
 *
 * <p>Every node checks; the database keeps one open pause per channel and scope, so the first node
 * to see the rates pauses and tells, the others find it open.
 */
public final class ReputationGuard implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReputationGuard.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DOMAIN = Pattern.compile("@([^>\\s]+)");

  /** The rates of one channel and scope since {@code since}. */
  public record Rates(
      Channel channel,
      String scope,
      Instant since,
      long sent,
      long bounces,
      long complaints,
      long optOuts) {
    double bounceRate() {
      return sent == 0 ? 0 : (double) bounces / sent;
    }

    double complaintRate() {
      return sent == 0 ? 0 : (double) complaints / sent;
    }

    double optOutRate() {
      return sent == 0 ? 0 : (double) optOuts / sent;
    }
  }

  /** An open pause: marketing on {@code channel} (and, for email, the sending domain) waits. */
  public record Pause(
      long id,
      Channel channel,
      String scope,
      String reason,
      Map<String, Object> rates,
      Instant at) {}

  private record Key(Channel channel, String scope) {}

  private final Jdbi jdbi;
  private final Clock clock;
  private final TandemConfig.Reputation config;
  private final Topics topics;
  private final EventSink alerts;
  private final String defaultFrom;
  private final NamedSql sql = NamedSql.forClass(ReputationGuard.class);
  private volatile Map<Key, Pause> open = Map.of();
  private volatile List<Rates> lastRates = List.of();
  private ScheduledExecutorService scheduler;
  private volatile Runnable onResume = () -> {};

  /** Told after each resume (the dispatcher sends what was held back). */
  public void onResume(Runnable onResume) {
    this.onResume = onResume;
  }

  public ReputationGuard(
      Jdbi jdbi,
      Clock clock,
      TandemConfig.Reputation config,
      Topics topics,
      EventSink alerts,
      String defaultFrom,
      MeterRegistry metrics) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.config = config;
    this.topics = topics;
    this.alerts = alerts;
    this.defaultFrom = defaultFrom;
    for (Channel channel : Channel.values()) {
      Gauge.builder(
              "tandem.reputation.paused",
              this,
              g -> g.open.keySet().stream().filter(k -> k.channel() == channel).count())
          .description(
              "Marketing pauses open on the channel (email: one per sending domain); resume with"
                  + " POST /v1/reputation/resume")
          .tag("channel", channel.key())
          .register(metrics);
    }
    refresh();
  }

  /**
   * Checks every {@code reputation.checkEvery} in the background (with the guard off: rates only).
   */
  public void start() {
    scheduler =
        Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "reputation-guard");
          t.setDaemon(true);
          return t;
        });
    long every = config.checkEvery().toMillis();
    scheduler.scheduleWithFixedDelay(
        () -> {
          try {
            check();
          } catch (RuntimeException e) {
            LOG.warn("reputation check failed; trying again in {} ms: {}", every, e.toString());
          }
        },
        every,
        every,
        TimeUnit.MILLISECONDS);
  }

  /** One check: reads the rates, opens the pauses they call for; returns the pauses opened. */
  public synchronized List<Pause> check() {
    Instant now = clock.instant();
    List<Rates> rates = rates(now);
    var opened = new ArrayList<Pause>();
    for (Rates r : config.enabled() ? rates : List.<Rates>of()) {
      Optional<String> reason = breach(r);
      if (reason.isEmpty() || open.containsKey(new Key(r.channel(), r.scope()))) {
        continue;
      }
      jdbi.useTransaction(handle -> pause(handle, r, reason.get(), now).ifPresent(opened::add));
    }
    lastRates = rates;
    refresh();
    return opened;
  }

  /**
   * Why a marketing delivery on {@code channel} from {@code emailFrom} (null: email.from) must
   * wait, or empty when it may go. Only marketing topics are held back.
   */
  public Optional<String> holdBack(Channel channel, String topic, String emailFrom) {
    if (open.isEmpty() || topic == null || !config.enabled()) {
      return Optional.empty();
    }
    boolean marketing =
        topics.find(topic).map(t -> t.topicClass() == TopicClass.MARKETING).orElse(false);
    if (!marketing) {
      return Optional.empty();
    }
    String scope =
        channel == Channel.EMAIL ? domain(emailFrom == null ? defaultFrom : emailFrom) : "";
    Pause pause = open.get(new Key(channel, scope));
    return pause == null
        ? Optional.empty()
        : Optional.of(
            "marketing on "
                + channel.key()
                + (scope.isEmpty() ? "" : " from " + scope)
                + " is paused since "
                + pause.at()
                + ": "
                + pause.reason()
                + "; it goes once someone resumes it (POST /v1/reputation/resume)");
  }

  /** The open pauses, as this node last read them. */
  public List<Pause> pauses() {
    return List.copyOf(open.values());
  }

  /** The rates of the last check (empty before the first). */
  public List<Rates> rates() {
    return lastRates;
  }

  /** Closes the open pause of {@code channel} and {@code scope}; the rates count again from now. */
  public synchronized Pause resume(Channel channel, String scope, String by) {
    String key = scope == null ? "" : scope.strip().toLowerCase(Locale.ROOT);
    Instant now = clock.instant();
    Pause resumed =
        jdbi.inTransaction(handle -> {
          Pause pause = open(handle).get(new Key(channel, key));
          if (pause == null
              || handle
                  .createQuery(sql.get("resume"))
                  .bind("channel", channel.key())
                  .bind("scope", key)
                  .bind("now", now)
                  .bind("by", by)
                  .mapTo(Long.class)
                  .findOne()
                  .isEmpty()) {
            throw new NotFound(
                "pause-not-found",
                "scope",
                "No open pause for "
                    + channel.key()
                    + (key.isEmpty() ? "" : " from " + key)
                    + ": GET /v1/reputation lists the open ones.");
          }
          alert(handle, "reputation.resumed", pause, now, Map.of("resumedBy", by));
          return pause;
        });
    LOG.info(
        "marketing on {}{} resumed by {} (paused since {})",
        channel.key(),
        key.isEmpty() ? "" : " from " + key,
        by,
        resumed.at());
    refresh();
    onResume.run();
    return resumed;
  }

  private Optional<String> breach(Rates r) {
    if (r.sent() < config.minimumSends()) {
      return Optional.empty();
    }
    if (r.channel() == Channel.EMAIL) {
      if (r.complaintRate() > config.complaintRate()) {
        return Optional.of(
            "spam complaints "
                + percent(r.complaintRate())
                + " of "
                + r.sent()
                + " emails since "
                + r.since()
                + " (threshold "
                + percent(config.complaintRate())
                + ")");
      }
      if (r.bounceRate() > config.bounceRate()) {
        return Optional.of(
            "hard bounces "
                + percent(r.bounceRate())
                + " of "
                + r.sent()
                + " emails since "
                + r.since()
                + " (threshold "
                + percent(config.bounceRate())
                + ")");
      }
      return Optional.empty();
    }
    if (r.optOutRate() > config.optOutRate()) {
      return Optional.of(
          "STOP replies "
              + percent(r.optOutRate())
              + " of "
              + r.sent()
              + " texts since "
              + r.since()
              + " (threshold "
              + percent(config.optOutRate())
              + ")");
    }
    return Optional.empty();
  }

  private Optional<Pause> pause(Handle handle, Rates r, String reason, Instant now) {
    Map<String, Object> rates = new LinkedHashMap<>();
    rates.put("since", r.since().toString());
    rates.put("sent", r.sent());
    if (r.channel() == Channel.EMAIL) {
      rates.put("bounces", r.bounces());
      rates.put("complaints", r.complaints());
      rates.put("bounceRate", r.bounceRate());
      rates.put("complaintRate", r.complaintRate());
    } else {
      rates.put("optOuts", r.optOuts());
      rates.put("optOutRate", r.optOutRate());
    }
    Optional<Long> id =
        handle
            .createQuery(sql.get("pause"))
            .bind("channel", r.channel().key())
            .bind("scope", r.scope())
            .bind("reason", reason)
            .bind("rates", json(rates))
            .bind("since", r.since())
            .bind("now", now)
            .mapTo(Long.class)
            .findOne();
    if (id.isEmpty()) {
      return Optional.empty(); // another node opened it first
    }
    var pause = new Pause(id.get(), r.channel(), r.scope(), reason, rates, now);
    alert(handle, "reputation.paused", pause, now, Map.of());
    LOG.warn(
        "marketing on {}{} paused: {}; transactional messages keep going; resume with POST"
            + " /v1/reputation/resume once the cause is fixed",
        r.channel().key(),
        r.scope().isEmpty() ? "" : " from " + r.scope(),
        reason);
    return Optional.of(pause);
  }

  private void alert(
      Handle handle, String type, Pause pause, Instant now, Map<String, Object> extra) {
    if (!alerts.listening()) {
      return;
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("channel", pause.channel().key());
    data.put("scope", pause.scope());
    data.put("reason", pause.reason());
    data.put("rates", pause.rates());
    data.put("pausedAt", pause.at().toString());
    data.putAll(extra);
    alerts.recorded(
        handle,
        List.of(
            new EventSink.Notice(
                "timeline", type, null, now, pause.channel().key(), null, null, data)));
  }

  private List<Rates> rates(Instant now) {
    Instant windowStart = now.minus(config.window());
    return jdbi.withHandle(handle -> {
      Map<Key, Instant> resumes = new HashMap<>();
      handle
          .createQuery(sql.get("lastResumes"))
          .map((rs, ctx) ->
              Map.entry(
                  new Key(
                      Channel.parse(rs.getString("channel")).orElseThrow(), rs.getString("scope")),
                  rs.getTimestamp("resumed_at").toInstant()))
          .forEach(e -> resumes.put(e.getKey(), e.getValue()));
      var out = new ArrayList<Rates>();
      // email: one query from the window's start; a domain resumed since counts from its resume
      for (Rates r : emailRates(handle, windowStart).values()) {
        Instant resumed = resumes.get(new Key(Channel.EMAIL, r.scope()));
        out.add(
            resumed == null || !resumed.isAfter(windowStart)
                ? r
                : emailRates(handle, resumed)
                    .getOrDefault(
                        r.scope(), new Rates(Channel.EMAIL, r.scope(), resumed, 0, 0, 0, 0)));
      }
      Instant smsSince =
          Optional.ofNullable(resumes.get(new Key(Channel.SMS, "")))
              .filter(t -> t.isAfter(windowStart))
              .orElse(windowStart);
      out.add(
          handle
              .createQuery(sql.get("smsRates"))
              .bind("since", smsSince)
              .map((rs, ctx) ->
                  new Rates(
                      Channel.SMS, "", smsSince, rs.getLong("sent"), 0, 0, rs.getLong("opt_outs")))
              .one());
      return out;
    });
  }

  private Map<String, Rates> emailRates(Handle handle, Instant since) {
    var rates = new LinkedHashMap<String, Rates>();
    handle
        .createQuery(sql.get("emailRates"))
        .bind("since", since)
        .bind("defaultFrom", defaultFrom)
        .map((rs, ctx) ->
            new Rates(
                Channel.EMAIL,
                rs.getString("scope") == null ? "" : rs.getString("scope"),
                since,
                rs.getLong("sent"),
                rs.getLong("bounces"),
                rs.getLong("complaints"),
                0))
        .forEach(r -> rates.put(r.scope(), r));
    return rates;
  }

  private void refresh() {
    open = jdbi.withHandle(this::open);
  }

  private Map<Key, Pause> open(Handle handle) {
    var pauses = new HashMap<Key, Pause>();
    handle
        .createQuery(sql.get("open"))
        .map((rs, ctx) -> {
          Channel channel = Channel.parse(rs.getString("channel")).orElseThrow();
          var pause =
              new Pause(
                  rs.getLong("id"),
                  channel,
                  rs.getString("scope"),
                  rs.getString("reason"),
                  parse(rs.getString("rates")),
                  rs.getTimestamp("paused_at").toInstant());
          pauses.put(new Key(channel, pause.scope()), pause);
          return pause;
        })
        .list();
    return Map.copyOf(pauses);
  }

  static String domain(String from) {
    Matcher m = DOMAIN.matcher(from == null ? "" : from);
    String found = "";
    while (m.find()) {
      found = m.group(1);
    }
    return found.toLowerCase(Locale.ROOT);
  }

  private static String percent(double rate) {
    return BigDecimal.valueOf(rate * 100)
            .setScale(2, RoundingMode.HALF_UP)
            .stripTrailingZeros()
            .toPlainString()
        + "%";
  }

  private static String json(Map<String, Object> map) {
    try {
      return JSON.writeValueAsString(map);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(String json) {
    try {
      return JSON.readValue(json, Map.class);
    } catch (JsonProcessingException e) {
      return Map.of();
    }
  }

  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }
}
