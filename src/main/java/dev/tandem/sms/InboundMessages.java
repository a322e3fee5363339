package dev.tandem.sms;

import dev.tandem.contact.Contact;
import dev.tandem.contact.Contacts;
import dev.tandem.event.Timeline;
import dev.tandem.event.TimelineEvent;
import dev.tandem.store.Ids;
import dev.tandem.store.NamedSql;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records mobile-originated SMS: matched to the contact by E.164 (an unknown number creates a
 * contact; a sender that is not a number is kept without one), kept with its raw fields, and put on
 * the contact's timeline as {@code sms.received}.
 */
public final class InboundMessages {
  private static final Logger log = LoggerFactory.getLogger(InboundMessages.class);

  private final io.micrometer.core.instrument.Counter received;
  private final Jdbi jdbi;
  private final Clock clock;
  private final Contacts contacts;
  private final Timeline timeline;
  private final SmsProblems problems;
  private final java.util.List<java.util.function.Consumer<ReceivedSms>> subscribers =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final String insert;
  private final String page;
  private final String lockConcatenation;
  private final String insertPart;
  private final String parts;
  private final String deleteParts;

  public InboundMessages(
      Jdbi jdbi,
      Clock clock,
      Contacts contacts,
      Timeline timeline,
      SmsProblems problems,
      io.micrometer.core.instrument.MeterRegistry metrics) {
    this.received =
        io.micrometer.core.instrument.Counter.builder("tandem.inbound")
            .description("Messages received, by channel, kind and where they came from")
            .tags("channel", "sms", "kind", "message", "source", "provider")
            .register(metrics);
    this.jdbi = jdbi;
    this.clock = clock;
    this.contacts = contacts;
    this.timeline = timeline;
    this.problems = problems;
    var sql = NamedSql.forClass(InboundMessages.class);
    this.insert = sql.get("insert");
    this.page = sql.get("page");
    this.lockConcatenation = sql.get("lockConcatenation");
    this.insertPart = sql.get("insertPart");
    this.parts = sql.get("parts");
    this.deleteParts = sql.get("deleteParts");
  }

  /**
   * An inbound SMS as stored: what {@code sms.received} subscribers get, after the commit. {@code
   * contactId} is null when the sender is not a phone number; {@code from} is then as written.
   */
  public record ReceivedSms(
      UUID id, UUID contactId, String from, String to, String text, java.time.Instant at) {}

  /**
   * Calls {@code subscriber} for every inbound SMS once it is stored (keywords, conversations and
   * journeys build on this). Called on the gateway's thread: hand long work elsewhere.
   */
  /** A received SMS as stored (a concatenated one joined), as inbound lists show it. */
  public record StoredSms(
      UUID id, Optional<UUID> contactId, String from, String to, String text, Instant receivedAt) {}

  /**
   * Up to {@code limit} received SMS with ids below {@code before}, newest first (ids are
   * time-ordered); of one contact when {@code contactId} is present.
   */
  public List<StoredSms> before(UUID before, Optional<UUID> contactId, int limit) {
    return jdbi.withHandle(handle ->
        handle
            .createQuery(page)
            .bind("before", before)
            .bind("contactId", contactId.orElse(null))
            .bind("limit", limit)
            .map((rs, ctx) ->
                new StoredSms(
                    rs.getObject("id", UUID.class),
                    Optional.ofNullable(rs.getObject("contact_id", UUID.class)),
                    rs.getString("sender"),
                    rs.getString("recipient"),
                    rs.getString("text"),
                    rs.getTimestamp("received_at").toInstant()))
            .list());
  }

  public void subscribe(java.util.function.Consumer<ReceivedSms> subscriber) {
    subscribers.add(subscriber);
  }

  /**
   * Stores the SMS; returns its id. Empty when it is one part of a concatenated SMS whose other
   * parts have not all arrived (the parts wait in the database, across restarts). A sender that is
   * not a phone number (a short code, an alphanumeric name) is stored without a contact. NUL
   * characters, which PostgreSQL cannot store in text, are removed.
   */
  public Optional<UUID> record(InboundSms received) {
    InboundSms sms = withoutNul(received);
    String sender = contacts.phoneNumbers().senderToE164(sms.from()).orElse(null);
    String key = sender != null ? sender : sms.from();
    if (sms.part().isPresent()) {
      Optional<InboundSms> whole = reassemble(key, sms);
      if (whole.isEmpty()) {
        return Optional.empty();
      }
      sms = whole.get();
    }
    UUID id = store(sender, sms);
    this.received.increment();
    return Optional.of(id);
  }

  private static InboundSms withoutNul(InboundSms sms) {
    if (sms.text().indexOf('\u0000') < 0) {
      return sms;
    }
    return new InboundSms(
        sms.from(),
        sms.to(),
        sms.text().replace("\u0000", ""),
        sms.dataCoding(),
        sms.receivedAt(),
        sms.part(),
        sms.esmClass(),
        sms.userData());
  }

  /** Keeps a part; when it completes the message, returns the whole text and removes the parts. */
  private Optional<InboundSms> reassemble(String sender, InboundSms sms) {
    InboundSms.Part part = sms.part().orElseThrow();
    if (part.total() < 1 || part.seq() < 1 || part.seq() > part.total()) {
      problems.record(
          "inbound",
          sms.from(),
          sms.text(),
          "concatenation header says part " + part.seq() + " of " + part.total());
      return Optional.empty();
    }
    return jdbi.inTransaction(handle -> {
      handle
          .createQuery(lockConcatenation)
          .bind("sender", sender)
          .bind("reference", part.reference())
          .bind("total", part.total())
          .mapTo(String.class)
          .one();
      handle
          .createUpdate(insertPart)
          .bind("sender", sender)
          .bind("reference", part.reference())
          .bind("total", part.total())
          .bind("seq", part.seq())
          .bind("recipient", sms.to())
          .bind("text", sms.text())
          .bind("dataCoding", sms.dataCoding())
          .bind("esmClass", sms.esmClass())
          .bind("userData", sms.userData())
          .bind("receivedAt", sms.receivedAt())
          .execute();
      List<Map.Entry<String, String>> texts =
          handle
              .createQuery(parts)
              .bind("sender", sender)
              .bind("reference", part.reference())
              .bind("total", part.total())
              .map((rs, ctx) -> Map.entry(rs.getString("text"), rs.getString("user_data")))
              .list();
      if (texts.size() < part.total()) {
        return Optional.<InboundSms>empty();
      }
      handle
          .createUpdate(deleteParts)
          .bind("sender", sender)
          .bind("reference", part.reference())
          .bind("total", part.total())
          .execute();
      return Optional.of(
          new InboundSms(
              sms.from(),
              sms.to(),
              String.join("", texts.stream().map(Map.Entry::getKey).toList()),
              sms.dataCoding(),
              sms.receivedAt(),
              Optional.empty(),
              sms.esmClass(),
              String.join(" ", texts.stream().map(Map.Entry::getValue).toList())));
    });
  }

  /** Stores the SMS, on the timeline of the contact of {@code e164}, or without one when null. */
  private UUID store(String e164, InboundSms sms) {
    Contact contact = e164 == null ? null : contacts.findOrCreateByPhone(e164);
    UUID contactId = contact == null ? null : contact.id();
    UUID id = Ids.next(clock);
    jdbi.useTransaction(handle -> {
      handle
          .createUpdate(insert)
          .bind("id", id)
          .bind("contactId", contactId == null ? null : contactId.toString())
          .bind("sender", sms.from())
          .bind("recipient", sms.to())
          .bind("text", sms.text())
          .bind("dataCoding", sms.dataCoding())
          .bind("esmClass", sms.esmClass())
          .bind("userData", sms.userData())
          .bind("receivedAt", sms.receivedAt())
          .execute();
      if (contactId == null) {
        return;
      }
      timeline.append(
          handle,
          List.of(
              new TimelineEvent(
                  contactId,
                  sms.receivedAt(),
                  "sms.received",
                  "sms",
                  null,
                  null,
                  Map.of(
                      "inboundId",
                      id.toString(),
                      "from",
                      e164,
                      "to",
                      sms.to(),
                      "text",
                      sms.text()))));
    });
    var received =
        new ReceivedSms(
            id,
            contactId,
            e164 != null ? e164 : sms.from(),
            sms.to(),
            sms.text(),
            sms.receivedAt());
    for (var subscriber : subscribers) {
      try {
        subscriber.accept(received);
      } catch (RuntimeException e) {
        log.error("an sms.received subscriber failed for {}", id, e);
      }
    }
    return id;
  }
}
