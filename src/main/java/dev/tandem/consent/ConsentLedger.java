package dev.tandem.consent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.config.TandemConfig;
import dev.tandem.error.InvalidInput;
import dev.tandem.event.Changes;
import dev.tandem.event.Timeline;
import dev.tandem.event.TimelineEvent;
import dev.tandem.store.NamedSql;
import dev.tandem.topic.Topic;
import dev.tandem.topic.Topics;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The consent ledger: append-only events per contact × channel × topic, and the current state
 * derived from them (the latest event wins; at the same instant a revocation wins). {@link
 * #rebuild} derives the state again from the events alone. Every change is on the contact's
 * timeline and in the changes feed, in the same transaction.
 */
public final class ConsentLedger {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A stored consent event. */
  public record Event(
      long id,
      String channel,
      String topic,
      String action,
      String source,
      String wording,
      JsonNode evidence,
      Instant at,
      Instant recordedAt) {}

  /** The current state of one channel × topic. */
  public record Current(String channel, String topic, String status, Instant at, String source) {}

  /** Whether this contact may get a message on this channel and topic. */
  public record Ask(UUID contactId, String channel, String topic) {}

  private final Jdbi jdbi;
  private final Clock clock;
  private final Timeline timeline;
  private final Changes changes;
  private final TandemConfig.Consent config;
  private final Topics topics;
  private final String insertEvents;
  private final String upsertState;
  private final String statesOf;
  private final String eventsOf;
  private final String currentOf;
  private final String clearState;
  private final String rebuildState;

  public ConsentLedger(
      Jdbi jdbi,
      Clock clock,
      Timeline timeline,
      Changes changes,
      TandemConfig.Consent config,
      Topics topics) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.timeline = timeline;
    this.changes = changes;
    this.config = config;
    this.topics = topics;
    var sql = NamedSql.forClass(ConsentLedger.class);
    this.insertEvents = sql.get("insertEvents");
    this.upsertState = sql.get("upsertState");
    this.statesOf = sql.get("statesOf");
    this.eventsOf = sql.get("eventsOf");
    this.currentOf = sql.get("currentOf");
    this.clearState = sql.get("clearState");
    this.rebuildState = sql.get("rebuildState");
  }

  public TandemConfig.Consent config() {
    return config;
  }

  /** The topics consent is asked about (stored, managed at runtime). */
  public Topics topics() {
    return topics;
  }

  /** The topic, or an error naming the field and the topics there are. */
  public Topic topic(String field, String key) {
    return topics.get(field, key);
  }

  /** Records changes in their own transaction; returns the events actually added. */
  public List<Long> record(List<ConsentChange> changes) {
    return jdbi.inTransaction(handle -> record(handle, changes));
  }

  /**
   * Appends the changes on the caller's transaction: events (a replayed dedupe key adds nothing),
   * then the state where an event is newer than what is there, then timeline and feed entries. With
   * {@code revocationScope: all}, a revocation is recorded on every channel. Returns the ids of the
   * events added.
   */
  public List<Long> record(Handle handle, List<ConsentChange> requested) {
    List<ConsentChange> all = new ArrayList<>();
    for (ConsentChange change : requested) {
      validate(change);
      all.add(change);
      if (change.action() == ConsentChange.Action.REVOKED
          && config.revocationScope() == TandemConfig.RevocationScope.ALL) {
        for (String other : List.of("sms", "email")) {
          if (!other.equals(change.channel())) {
            Map<String, Object> evidence = new LinkedHashMap<>(change.evidence());
            evidence.put("widenedFrom", change.channel());
            evidence.put("by", "consent.revocationScope = all");
            all.add(
                new ConsentChange(
                    change.contactId(),
                    other,
                    change.topic(),
                    change.action(),
                    change.source(),
                    change.wording(),
                    evidence,
                    change.at(),
                    change.dedupeKey() == null ? null : change.dedupeKey() + "/" + other));
          }
        }
      }
    }
    if (all.isEmpty()) {
      return List.of();
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    int n = all.size();
    var contactIds = new UUID[n];
    var channels = new String[n];
    var topics = new String[n];
    var actions = new String[n];
    var sources = new String[n];
    var wordings = new String[n];
    var evidences = new String[n];
    var ats = new String[n];
    var keys = new String[n];
    for (int i = 0; i < n; i++) {
      ConsentChange c = all.get(i);
      contactIds[i] = c.contactId();
      channels[i] = c.channel();
      topics[i] = c.topic();
      actions[i] = c.action().key();
      sources[i] = c.source().key();
      wordings[i] = c.wording();
      evidences[i] = json(c.evidence());
      ats[i] = c.at().truncatedTo(ChronoUnit.MICROS).toString();
      keys[i] = c.dedupeKey();
    }
    record Inserted(
        long id,
        UUID contactId,
        String channel,
        String topic,
        String action,
        String source,
        Instant at) {}
    List<Inserted> inserted =
        handle
            .createQuery(insertEvents)
            .bind("contactIds", contactIds)
            .bind("channels", channels)
            .bind("topics", topics)
            .bind("actions", actions)
            .bind("sources", sources)
            .bind("wordings", wordings)
            .bind("evidences", evidences)
            .bind("ats", ats)
            .bind("keys", keys)
            .bind("now", now)
            .map((rs, ctx) ->
                new Inserted(
                    rs.getLong("id"),
                    rs.getObject("contact_id", UUID.class),
                    rs.getString("channel"),
                    rs.getString("topic"),
                    rs.getString("action"),
                    rs.getString("source"),
                    rs.getTimestamp("at").toInstant()))
            .list();
    if (inserted.isEmpty()) {
      return List.of();
    }
    // One state row per key: the latest of this batch (same order as the stored state).
    Map<String, Inserted> latest = new LinkedHashMap<>();
    for (Inserted e : inserted) {
      latest.merge(
          e.contactId() + "/" + e.channel() + "/" + e.topic(),
          e,
          (a, b) -> newer(b.at(), b.action(), b.id(), a.at(), a.action(), a.id()) ? b : a);
    }
    var winners = List.copyOf(latest.values());
    List<Map<String, Object>> changed =
        handle
            .createQuery(upsertState)
            .bind("contactIds", winners.stream().map(Inserted::contactId).toArray(UUID[]::new))
            .bind("channels", winners.stream().map(Inserted::channel).toArray(String[]::new))
            .bind("topics", winners.stream().map(Inserted::topic).toArray(String[]::new))
            .bind("statuses", winners.stream().map(Inserted::action).toArray(String[]::new))
            .bind("eventIds", winners.stream().map(Inserted::id).toArray(Long[]::new))
            .bind("ats", winners.stream().map(w -> w.at().toString()).toArray(String[]::new))
            .mapToMap()
            .list();
    List<TimelineEvent> events = new ArrayList<>();
    for (Inserted e : inserted) {
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("topic", e.topic());
      detail.put("source", e.source());
      detail.put("eventId", e.id());
      events.add(
          new TimelineEvent(
              e.contactId(), now, "consent." + e.action(), e.channel(), null, null, detail));
    }
    timeline.append(handle, events);
    List<Changes.NewChange> feed = new ArrayList<>();
    for (Map<String, Object> row : changed) {
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("channel", row.get("channel"));
      data.put("topic", row.get("topic"));
      data.put("status", row.get("status"));
      data.put("eventId", row.get("event_id"));
      data.put("since", ((java.sql.Timestamp) row.get("at")).toInstant().toString());
      feed.add(new Changes.NewChange((UUID) row.get("contact_id"), "consent.changed", data, now));
    }
    changes.append(handle, feed);
    return inserted.stream().map(Inserted::id).toList();
  }

  private static boolean newer(
      Instant at, String action, long id, Instant otherAt, String otherAction, long otherId) {
    int byTime = at.compareTo(otherAt);
    if (byTime != 0) {
      return byTime > 0;
    }
    int rank = action.equals("revoked") ? 1 : 0;
    int otherRank = otherAction.equals("revoked") ? 1 : 0;
    return rank != otherRank ? rank > otherRank : id > otherId;
  }

  private void validate(ConsentChange change) {
    if (!change.channel().equals("sms") && !change.channel().equals("email")) {
      throw new InvalidInput(
          "invalid-channel", "channel", "'" + change.channel() + "' is not sms or email.");
    }
    if (!change.topic().equals(ConsentChange.ALL_TOPICS)) {
      topic("topic", change.topic());
    }
    if (change.wording() != null && change.wording().length() > 2000) {
      throw new InvalidInput(
          "too-long",
          "wording",
          "wording is " + change.wording().length() + " characters; the limit is 2000.");
    }
  }

  /** The decisions for these asks, in order: one query for the whole batch. */
  public List<ConsentPolicy.Decision> decide(Handle handle, List<Ask> asks) {
    if (asks.isEmpty()) {
      return List.of();
    }
    Map<String, ConsentPolicy.State> states = new HashMap<>();
    handle
        .createQuery(statesOf)
        .bind("contactIds", asks.stream().map(Ask::contactId).distinct().toArray(UUID[]::new))
        .map((rs, ctx) ->
            Map.entry(
                rs.getObject("contact_id", UUID.class)
                    + "/"
                    + rs.getString("channel")
                    + "/"
                    + rs.getString("topic"),
                new ConsentPolicy.State(
                    rs.getString("status").equals("granted"),
                    rs.getTimestamp("at").toInstant(),
                    rs.getString("source"),
                    rs.getLong("event_id"))))
        .forEach(e -> states.put(e.getKey(), e.getValue()));
    List<ConsentPolicy.Decision> decisions = new ArrayList<>(asks.size());
    for (Ask ask : asks) {
      String prefix = ask.contactId() + "/" + ask.channel() + "/";
      var topic = topics.find(ask.topic());
      if (topic.isEmpty()) {
        // queued before the topic was deleted: not sent, and said why
        decisions.add(
            new ConsentPolicy.Decision(
                false, "unknown-topic", "topic '" + ask.topic() + "' no longer exists"));
        continue;
      }
      decisions.add(
          ConsentPolicy.decide(
              ask.channel(),
              ask.topic(),
              topic.get().topicClass(),
              Optional.ofNullable(states.get(prefix + ask.topic())),
              Optional.ofNullable(states.get(prefix + ConsentChange.ALL_TOPICS))));
    }
    return decisions;
  }

  public List<ConsentPolicy.Decision> decide(List<Ask> asks) {
    return jdbi.withHandle(handle -> decide(handle, asks));
  }

  /** The stored state rows of a contact. */
  public List<Current> current(UUID contactId) {
    return jdbi.withHandle(handle ->
        handle
            .createQuery(currentOf)
            .bind("contactId", contactId)
            .map((rs, ctx) ->
                new Current(
                    rs.getString("channel"),
                    rs.getString("topic"),
                    rs.getString("status"),
                    rs.getTimestamp("at").toInstant(),
                    rs.getString("source")))
            .list());
  }

  /** Every consent event of a contact, oldest first. */
  public List<Event> history(UUID contactId) {
    return jdbi.withHandle(handle ->
        handle
            .createQuery(eventsOf)
            .bind("contactId", contactId)
            .map((rs, ctx) -> {
              try {
                return new Event(
                    rs.getLong("id"),
                    rs.getString("channel"),
                    rs.getString("topic"),
                    rs.getString("action"),
                    rs.getString("source"),
                    rs.getString("wording"),
                    JSON.readTree(rs.getString("evidence")),
                    rs.getTimestamp("at").toInstant(),
                    rs.getTimestamp("recorded_at").toInstant());
              } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
              }
            })
            .list());
  }

  /** Derives every state row again from the events alone; returns how many rows there are. */
  public int rebuild() {
    return jdbi.inTransaction(handle -> {
      handle.createUpdate(clearState).execute();
      return handle.createUpdate(rebuildState).execute();
    });
  }

  private static String json(Map<String, Object> value) {
    try {
      return JSON.writeValueAsString(value == null ? Map.of() : value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
