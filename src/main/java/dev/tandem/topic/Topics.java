package dev.tandem.topic;

import dev.tandem.error.Conflict;
import dev.tandem.error.InvalidInput;
import dev.tandem.error.NotFound;
import dev.tandem.store.NamedSql;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.jdbi.v3.core.Jdbi;

/**
 * The topics, stored in the {@code topic} table and read from memory: routing asks for a topic's
 * policy on every message. A node re-reads the table when its copy is older than {@link #RECHECK},
 * so a change made on one node holds on every node within about that time; a change made here holds
 * here at once. Config seeds the table at start ({@link #seed}) and never overwrites a row
 * (docs/decisions/0018-topics-in-the-database.md).
 */
public final class Topics {
  /** How long a node trusts what it last read. */
  static final Duration RECHECK = Duration.ofMillis(500);

  /** What {@link #seed} did: topics inserted, and configured topics whose row now differs. */
  public record Seeded(List<String> inserted, List<String> differing) {}

  private record Snapshot(Map<String, Topic> byKey, long readAtNanos) {}

  private final Jdbi jdbi;
  private final Clock clock;
  private final String defaultTopic;
  private final LongSupplier nanoTime;
  private final String all;
  private final String seed;
  private final String upsert;
  private final String usedBy;
  private final String lock;
  private final String delete;
  private volatile Snapshot snapshot;

  /**
   * @param defaultTopic {@code consent.defaultTopic}: messages without a topic take it, so it
   *     cannot be deleted
   */
  public Topics(Jdbi jdbi, Clock clock, String defaultTopic) {
    this(jdbi, clock, defaultTopic, System::nanoTime);
  }

  /**
   * @param nanoTime monotonic real time for the copy's age, not the injected clock: other nodes
   *     change topics in real time (tests pass a ticker of their own)
   */
  Topics(Jdbi jdbi, Clock clock, String defaultTopic, LongSupplier nanoTime) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.defaultTopic = defaultTopic;
    this.nanoTime = nanoTime;
    var sql = NamedSql.forClass(Topics.class);
    this.all = sql.get("all");
    this.seed = sql.get("seed");
    this.upsert = sql.get("upsert");
    this.usedBy = sql.get("usedBy");
    this.lock = sql.get("lock");
    this.delete = sql.get("delete");
  }

  public String defaultTopic() {
    return defaultTopic;
  }

  /**
   * Inserts each configured topic the table does not have. A topic already there keeps its row,
   * even when config says otherwise: it may have been changed at runtime. Those are returned in
   * {@code differing} so start-up can say so.
   */
  public Seeded seed(List<Topic> configured) {
    Instant now = now();
    List<String> inserted = new ArrayList<>();
    jdbi.useTransaction(handle -> {
      for (Topic topic : configured) {
        int rows =
            handle
                .createUpdate(seed)
                .bind("key", topic.key())
                .bind("class", classKey(topic.topicClass()))
                .bind("description", topic.description())
                .bind("policy", TopicJson.write(topic.policy()).toString())
                .bind("now", now)
                .execute();
        if (rows == 1) {
          inserted.add(topic.key());
        }
      }
    });
    Map<String, Topic> stored = reload();
    List<String> differing =
        configured.stream()
            .filter(t -> !inserted.contains(t.key()) && !t.equals(stored.get(t.key())))
            .map(Topic::key)
            .toList();
    return new Seeded(List.copyOf(inserted), differing);
  }

  /** Every topic, by key. */
  public List<Topic> all() {
    return List.copyOf(current().values());
  }

  public Optional<Topic> find(String key) {
    return key == null ? Optional.empty() : Optional.ofNullable(current().get(key));
  }

  /** The topic, or an error naming {@code field} and the topics there are. */
  public Topic get(String field, String key) {
    return find(key)
        .orElseThrow(() ->
            new InvalidInput(
                "unknown-topic",
                field,
                "'"
                    + key
                    + "' is not a topic. Use one of "
                    + current().keySet()
                    + " (GET /v1/topics lists them; PUT /v1/topics/{key} adds one)."));
  }

  /** The topic's routing policy, or its class's defaults when the topic is unknown. */
  public TopicPolicy policy(String key, TopicClass fallbackClass) {
    return find(key).map(Topic::policy).orElseGet(() -> TopicPolicy.defaults(fallbackClass));
  }

  /** Creates or replaces a topic; true when it was created. */
  public boolean put(Topic topic) {
    if (!Topic.KEY.matcher(topic.key()).matches() && find(topic.key()).isEmpty()) {
      throw new InvalidInput(
          "invalid-key",
          "key",
          "topic key '"
              + topic.key()
              + "' must be 1 to 64 lower-case letters, digits or '-', e.g. order-shipped.");
    }
    boolean created =
        jdbi.withHandle(handle ->
            handle
                .createQuery(upsert)
                .bind("key", topic.key())
                .bind("class", classKey(topic.topicClass()))
                .bind("description", topic.description())
                .bind("policy", TopicJson.write(topic.policy()).toString())
                .bind("now", now())
                .mapTo(Boolean.class)
                .one());
    reload();
    return created;
  }

  /**
   * Deletes a topic no message, consent event, pending opt-in or preference names, and that is not
   * the default topic; otherwise a {@link Conflict} saying what uses it.
   */
  public void delete(String key) {
    if (key.equals(defaultTopic)) {
      throw new Conflict(
          "topic-in-use",
          "key",
          "'"
              + key
              + "' is consent.defaultTopic (messages without a topic take it); set another default"
              + " topic first.");
    }
    jdbi.useTransaction(handle -> {
      if (handle.createQuery(lock).bind("key", key).mapTo(String.class).findOne().isEmpty()) {
        throw new NotFound("topic-not-found", "key", "There is no topic '" + key + "'.");
      }
      List<String> users = handle.createQuery(usedBy).bind("key", key).mapTo(String.class).list();
      if (!users.isEmpty()) {
        throw new Conflict(
            "topic-in-use",
            "key",
            "topic '"
                + key
                + "' is used by "
                + String.join(", ", users)
                + "; a topic with history cannot be deleted (change its description or policy"
                + " instead).");
      }
      handle.createUpdate(delete).bind("key", key).execute();
    });
    reload();
  }

  /**
   * The topics as last read. When the copy is older than {@link #RECHECK}, one caller re-reads them
   * while the others go on with the copy they have: callers are often inside a transaction that
   * holds a pooled connection, and making them all wait for the one re-reading (which needs a
   * connection too) could leave the pool with no connection to give it.
   */
  private Map<String, Topic> current() {
    Snapshot s = snapshot;
    if (s != null && nanoTime.getAsLong() - s.readAtNanos() < RECHECK.toNanos()) {
      return s.byKey();
    }
    if (s == null) {
      synchronized (this) {
        return snapshot != null ? snapshot.byKey() : reload();
      }
    }
    if (reloading.tryLock()) {
      try {
        return reload();
      } finally {
        reloading.unlock();
      }
    }
    return s.byKey();
  }

  private final java.util.concurrent.locks.ReentrantLock reloading =
      new java.util.concurrent.locks.ReentrantLock();

  private synchronized Map<String, Topic> reload() {
    long readAt = nanoTime.getAsLong();
    Map<String, Topic> byKey = new LinkedHashMap<>();
    jdbi.useHandle(handle ->
        handle
            .createQuery(all)
            .map((rs, ctx) -> {
              TopicClass topicClass =
                  TopicClass.valueOf(rs.getString("class").toUpperCase(Locale.ROOT));
              return new Topic(
                  rs.getString("key"),
                  topicClass,
                  rs.getString("description"),
                  TopicJson.stored(topicClass, rs.getString("policy")));
            })
            .forEach(t -> byKey.put(t.key(), t)));
    Map<String, Topic> copy = java.util.Collections.unmodifiableMap(byKey);
    snapshot = new Snapshot(copy, readAt);
    return copy;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  static String classKey(TopicClass topicClass) {
    return topicClass.name().toLowerCase(Locale.ROOT);
  }
}
