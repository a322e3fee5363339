package dev.tandem.preference;

import dev.tandem.channel.Channel;
import dev.tandem.contact.Contact;
import dev.tandem.contact.Contacts;
import dev.tandem.error.InvalidInput;
import dev.tandem.event.Timeline;
import dev.tandem.event.TimelineEvent;
import dev.tandem.store.NamedSql;
import dev.tandem.topic.Topics;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A person's preferred channel per topic. A preference is not consent: it never grants anything,
 * and a channel the person revoked stays revoked whatever they prefer; routing reads it under the
 * {@code preference} channel policy. Each change is a {@code preference.changed} timeline event.
 */
public final class Preferences {
  /** Where a preference came from. */
  public static final Set<String> SOURCES = Set.of("api", "preference-center", "import", "support");

  /** A stored preference. */
  public record Preference(String topic, Channel channel, String source, Instant updatedAt) {}

  private final Jdbi jdbi;
  private final Clock clock;
  private final Contacts contacts;
  private final Topics topics;
  private final Timeline timeline;
  private final String ofContact;
  private final String one;
  private final String upsert;
  private final String clear;
  private final String merge;
  private final String erase;

  public Preferences(Jdbi jdbi, Clock clock, Contacts contacts, Topics topics, Timeline timeline) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.contacts = contacts;
    this.topics = topics;
    this.timeline = timeline;
    var sql = NamedSql.forClass(Preferences.class);
    this.ofContact = sql.get("ofContact");
    this.one = sql.get("one");
    this.upsert = sql.get("upsert");
    this.clear = sql.get("clear");
    this.merge = sql.get("merge");
    this.erase = sql.get("erase");
  }

  /**
   * Records that the contact prefers {@code channel} for {@code topic}; refused (422, field {@code
   * channel}) when the contact has no address on that channel.
   */
  public Preference set(UUID contactId, String topic, Channel channel, String source) {
    Contact contact = contacts.get(contactId);
    String key = topics.get("topic", topic).key();
    boolean reachable =
        switch (channel) {
          case SMS -> !contact.phones().isEmpty();
          case EMAIL -> !contact.emails().isEmpty();
        };
    if (!reachable) {
      throw new InvalidInput(
          "no-address",
          "channel",
          "Contact "
              + contact.id()
              + " has no "
              + (channel == Channel.SMS ? "phone number" : "email address")
              + ", so "
              + channel.key()
              + " cannot be their preferred channel; add one first (POST /v1/contacts/{id}/addresses)"
              + " or choose the other channel.");
    }
    Instant now = now();
    jdbi.useTransaction(handle -> {
      Optional<String> previous =
          handle
              .createQuery(upsert)
              .bind("contactId", contact.id())
              .bind("topic", key)
              .bind("channel", channel.key())
              .bind("source", source(source))
              .bind("now", now)
              .mapTo(String.class)
              .findOne();
      if (!previous.equals(Optional.of(channel.key()))) {
        event(handle, contact.id(), key, Optional.of(channel), previous, source, now);
      }
    });
    return new Preference(key, channel, source, now);
  }

  /**
   * Forgets the contact's preference for the topic (no preference: the topic's default applies).
   */
  public void clear(UUID contactId, String topic, String source) {
    Contact contact = contacts.get(contactId);
    String key = topics.get("topic", topic).key();
    Instant now = now();
    jdbi.useTransaction(handle ->
        handle
            .createQuery(clear)
            .bind("contactId", contact.id())
            .bind("topic", key)
            .mapTo(String.class)
            .findOne()
            .ifPresent(previous ->
                event(
                    handle,
                    contact.id(),
                    key,
                    Optional.empty(),
                    Optional.of(previous),
                    source(source),
                    now)));
  }

  /** The contact's preferred channel for the topic, if they stated one. */
  public Optional<Channel> get(UUID contactId, String topic) {
    return jdbi.withHandle(handle -> get(handle, contactId, topic));
  }

  /** The same, read in the caller's transaction (accepting a message holds one already). */
  public Optional<Channel> get(Handle handle, UUID contactId, String topic) {
    return handle
        .createQuery(one)
        .bind("contactId", contactId)
        .bind("topic", topic)
        .mapTo(String.class)
        .findOne()
        .flatMap(Channel::parse);
  }

  /** Every stated preference of the contact, by topic, in one query. */
  public Map<String, Channel> of(UUID contactId) {
    Map<String, Channel> out = new LinkedHashMap<>();
    list(contactId).forEach(p -> out.put(p.topic(), p.channel()));
    return out;
  }

  /** The contact's preferences with where they came from, by topic. */
  public List<Preference> list(UUID contactId) {
    return jdbi.withHandle(handle ->
        handle
            .createQuery(ofContact)
            .bind("contactId", contactId)
            .map((rs, ctx) ->
                new Preference(
                    rs.getString("topic"),
                    Channel.parse(rs.getString("channel")).orElseThrow(),
                    rs.getString("source"),
                    rs.getTimestamp("updated_at").toInstant()))
            .list());
  }

  /**
   * Moves {@code from}'s preferences to {@code into} on the caller's transaction; where both stated
   * one for a topic, the survivor's own wins.
   */
  public void merge(Handle handle, UUID from, UUID into) {
    handle.createUpdate(merge).bind("from", from).bind("into", into).execute();
    handle.createUpdate(erase).bind("contactId", from).execute();
  }

  /** Deletes every preference of the contact on the caller's transaction (erasure). */
  public void erase(Handle handle, UUID contactId) {
    handle.createUpdate(erase).bind("contactId", contactId).execute();
  }

  private void event(
      Handle handle,
      UUID contactId,
      String topic,
      Optional<Channel> channel,
      Optional<String> previous,
      String source,
      Instant now) {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("topic", topic);
    detail.put("channel", channel.map(Channel::key).orElse(null));
    detail.put("previous", previous.orElse(null));
    detail.put("source", source);
    timeline.append(
        handle,
        List.of(
            new TimelineEvent(
                contactId,
                now,
                "preference.changed",
                channel.map(Channel::key).orElse(null),
                null,
                null,
                detail)));
  }

  private static String source(String source) {
    if (!SOURCES.contains(source)) {
      throw new IllegalArgumentException(
          "preference source " + source + " is not one of " + SOURCES);
    }
    return source;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
