package dev.tandem.email;

import dev.tandem.config.TandemConfig.UnknownSenders;
import dev.tandem.consent.Suppressions;
import dev.tandem.contact.Contact;
import dev.tandem.contact.Contacts;
import dev.tandem.contact.NewContact;
import dev.tandem.error.TandemException;
import dev.tandem.event.Timeline;
import dev.tandem.event.TimelineEvent;
import dev.tandem.store.Ids;
import dev.tandem.store.NamedSql;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Acts on classified inbound mail: a hard bounce fails its delivery and suppresses the address, a
 * complaint suppresses it for marketing, a soft bounce and an automatic answer are recorded, a
 * reply goes on the contact's timeline as {@code email.received}. Everything is stored, the
 * unreadable too, with the reason. The delivery is found by VERP token first, then by the
 * Message-IDs the mail answers or reports on. Mail that names no delivery Tandem sent is stored as
 * unmatched, with the reason, and changes nothing: a report cannot suppress an address Tandem did
 * not send to, and a stranger's mail makes a contact only when {@code inbound.unknownSenders} says
 * so.
 */
public final class InboundEmails {
  private static final int MAX_STORED_TEXT = 1_000_000;
  private static final Pattern ADDRESS = Pattern.compile("([^\\s<>\"]+@[^\\s<>\"]+)");

  /** A reply as stored: what {@code email.received} subscribers get, after the commit. */
  public record ReceivedEmail(
      UUID id,
      UUID contactId,
      Optional<UUID> deliveryId,
      String from,
      String subject,
      String newText) {}

  /** Mail that answers or reports on nothing Tandem sent, as listed by the API. */
  public record UnmatchedEmail(
      UUID id,
      String kind,
      String from,
      String subject,
      String status,
      UUID contactId,
      String reason,
      String text,
      Instant receivedAt) {}

  private record DeliveryRef(
      UUID id, UUID messageId, UUID contactId, String address, String status) {}

  private final Jdbi jdbi;
  private final Clock clock;
  private final Contacts contacts;
  private final Timeline timeline;
  private final List<Consumer<ReceivedEmail>> subscribers = new CopyOnWriteArrayList<>();
  private final EmailEngagement engagement;
  private final LinkSigner links;
  private final UnknownSenders unknownSenders;
  private final String deliveryById;
  private final String page;
  private final String deliveryByMessageId;
  private final String insert;
  private final EmailDeliveries deliveries;
  private final Suppressions suppressions;
  private final String softBounces;
  private final String unmatched;
  private final dev.tandem.store.OnceOnly once;
  private final MeterRegistry metrics;

  /** A soft bounce that ended the remote MTA's tries sends again this many times, an hour apart. */
  static final int SOFT_BOUNCE_RESENDS = 2;

  public InboundEmails(
      Jdbi jdbi,
      Clock clock,
      Contacts contacts,
      Timeline timeline,
      EmailEngagement engagement,
      LinkSigner links,
      UnknownSenders unknownSenders,
      EmailDeliveries deliveries,
      Suppressions suppressions,
      MeterRegistry metrics) {
    this.metrics = metrics;
    for (InboundMail.Kind kind : InboundMail.Kind.values()) {
      counter("smtp", kind); // at zero from the start, as Prometheus counters should be
    }
    this.deliveries = deliveries;
    this.suppressions = suppressions;
    this.engagement = engagement;
    this.unknownSenders = unknownSenders;
    this.links = links;
    this.jdbi = jdbi;
    this.clock = clock;
    this.contacts = contacts;
    this.timeline = timeline;
    var sql = NamedSql.forClass(InboundEmails.class);
    this.deliveryById = sql.get("deliveryById");
    this.page = sql.get("page");
    this.deliveryByMessageId = sql.get("deliveryByMessageId");
    this.insert = sql.get("insert");
    this.softBounces = sql.get("softBounces");
    this.unmatched = sql.get("unmatched");
    this.once = new dev.tandem.store.OnceOnly(jdbi, clock);
  }

  public void subscribe(Consumer<ReceivedEmail> subscriber) {
    subscribers.add(subscriber);
  }

  /** Inbound mail as stored, as inbound lists show it. */
  public record StoredEmail(
      UUID id,
      String kind,
      Optional<UUID> contactId,
      Optional<UUID> deliveryId,
      String from,
      String subject,
      Optional<String> status,
      String text,
      Optional<String> unmatched,
      Instant receivedAt) {}

  /**
   * Up to {@code limit} inbound mails with ids below {@code before}, newest first (ids are
   * time-ordered); of one contact when {@code contactId} is present.
   */
  public List<StoredEmail> before(UUID before, Optional<UUID> contactId, int limit) {
    return jdbi.withHandle(handle ->
        handle
            .createQuery(page)
            .bind("before", before)
            .bind("contactId", contactId.orElse(null))
            .bind("limit", limit)
            .map((rs, ctx) ->
                new StoredEmail(
                    rs.getObject("id", UUID.class),
                    rs.getString("kind"),
                    Optional.ofNullable(rs.getObject("contact_id", UUID.class)),
                    Optional.ofNullable(rs.getObject("delivery_id", UUID.class)),
                    rs.getString("sender"),
                    rs.getString("subject"),
                    Optional.ofNullable(rs.getString("status")),
                    rs.getString("new_text"),
                    Optional.ofNullable(rs.getString("unmatched")),
                    rs.getTimestamp("received_at").toInstant()))
            .list());
  }

  /** The newest mail that matched no delivery, newest first. */
  public List<UnmatchedEmail> unmatched(int limit) {
    return jdbi.withHandle(handle ->
        handle
            .createQuery(unmatched)
            .bind("limit", limit)
            .map((rs, ctx) ->
                new UnmatchedEmail(
                    rs.getObject("id", UUID.class),
                    rs.getString("kind"),
                    rs.getString("sender"),
                    rs.getString("subject"),
                    rs.getString("status"),
                    rs.getObject("contact_id", UUID.class),
                    rs.getString("unmatched"),
                    rs.getString("text"),
                    rs.getTimestamp("received_at").toInstant()))
            .list());
  }

  /**
   * A report an email service provider posted as an event webhook, already verified: {@code
   * eventIds} are the ids it is taken once by (all unseen, or it is not taken), {@code recipient}
   * the address it reports on, {@code size} the bytes of the event as received.
   */
  public record ProviderReport(
      String provider, List<String> eventIds, String recipient, InboundMail mail, int size) {}

  /** Stores and acts on one classified mail; returns its id. */
  public UUID record(InboundMail classified, int size) {
    return record(classified, size, Optional.empty()).orElseThrow();
  }

  /**
   * Stores and acts on a provider's report like a DSN or ARF report of the same kind, and only when
   * it names, by Message-ID, a delivery Tandem sent to that recipient. Empty when an event with
   * this id came before: it was acted on then.
   */
  public Optional<UUID> record(ProviderReport report) {
    return record(report.mail(), report.size(), Optional.of(report));
  }

  private Optional<UUID> record(InboundMail classified, int size, Optional<ProviderReport> report) {
    UUID id = Ids.next(clock);
    Instant now = clock.instant();
    Optional<DeliveryRef> found = findDelivery(classified);
    Optional<DeliveryRef> delivery =
        found.filter(d ->
            report.isEmpty() || d.address().equalsIgnoreCase(report.get().recipient().strip()));
    InboundMail mail =
        classified.kind() == InboundMail.Kind.BULK && delivery.isPresent()
            ? classified.withKind(InboundMail.Kind.REPLY) // a list relaying an answer to our mail
            : classified;
    Optional<String> unmatchedReason =
        delivery.isPresent()
            ? Optional.empty()
            : Optional.of(
                found.isPresent()
                    ? "it reports on "
                        + report.get().recipient()
                        + " but its Message-ID names a delivery to another address: nothing was"
                        + " failed or suppressed"
                    : unmatchedReason(mail));
    Optional<UUID> contactId = delivery.map(DeliveryRef::contactId).or(() -> senderContact(mail));
    boolean stored =
        jdbi.inTransaction(handle -> {
          if (report.isPresent()) {
            for (String eventId : report.get().eventIds()) {
              if (!once.firstTime(handle, report.get().provider(), eventId, now)) {
                handle.rollback(); // an id seen before: nothing of this event is kept
                return false;
              }
            }
          }
          handle
              .createUpdate(insert)
              .bind("id", id)
              .bind("kind", mail.kind().name().toLowerCase(Locale.ROOT))
              .bind("sender", limit(mail.from(), 1000))
              .bind("subject", limit(mail.subject(), 1000))
              .bind("verpToken", mail.verpToken().orElse(null))
              .bind("deliveryId", delivery.map(d -> d.id().toString()).orElse(null))
              .bind("contactId", contactId.map(UUID::toString).orElse(null))
              .bind(
                  "status",
                  mail.bounce().map(InboundMail.Bounce::status).or(mail::feedbackType).orElse(null))
              .bind("diagnostic", mail.bounce().map(InboundMail.Bounce::diagnostic).orElse(null))
              .bind("newText", limit(mail.newText(), MAX_STORED_TEXT))
              .bind("fullText", limit(mail.fullText(), MAX_STORED_TEXT))
              .bind("problem", mail.problem().orElse(null))
              .bind("size", size)
              .bind("receivedAt", now)
              .bind("unmatched", unmatchedReason.orElse(null))
              .execute();
          act(handle, id, mail, delivery, contactId, now);
          return true;
        });
    if (!stored) {
      return Optional.empty();
    }
    counter(report.map(ProviderReport::provider).orElse("smtp"), mail.kind()).increment();
    if (mail.kind() == InboundMail.Kind.UNSUBSCRIBE && delivery.isPresent()) {
      engagement.unsubscribed(
          delivery.get().id(), Map.of("method", "mailto", "inboundEmailId", id.toString()));
    }
    if (mail.kind() == InboundMail.Kind.REPLY && contactId.isPresent()) {
      var received =
          new ReceivedEmail(
              id,
              contactId.get(),
              delivery.map(DeliveryRef::id),
              mail.from(),
              mail.subject(),
              mail.newText());
      subscribers.forEach(s -> s.accept(received));
    }
    return Optional.of(id);
  }

  /**
   * Notes a provider's event Tandem does not act on (an open, a click), so that its id cannot be
   * used again; false when it was seen before.
   */
  public boolean firstTime(String provider, String eventId) {
    return once.firstTime(provider, eventId);
  }

  private io.micrometer.core.instrument.Counter counter(String source, InboundMail.Kind kind) {
    return io.micrometer.core.instrument.Counter.builder("tandem.inbound")
        .description("Messages received, by channel, kind and where they came from")
        .tags("channel", "email", "kind", kind.name().toLowerCase(Locale.ROOT), "source", source)
        .register(metrics);
  }

  private void act(
      Handle handle,
      UUID id,
      InboundMail mail,
      Optional<DeliveryRef> delivery,
      Optional<UUID> contactId,
      Instant now) {
    Map<String, Object> detail = new HashMap<>();
    detail.put("inboundId", id.toString());
    mail.bounce()
        .ifPresent(b -> {
          detail.put("status", b.status());
          detail.put("diagnostic", b.diagnostic());
        });
    if (isReport(mail.kind()) && delivery.isEmpty()) {
      return; // stored as unmatched: a report on nothing Tandem sent changes nothing
    }
    String address = delivery.map(DeliveryRef::address).orElse("");
    switch (mail.kind()) {
      case HARD_BOUNCE -> {
        deliveries.bounced(
            handle,
            delivery.get().id(),
            "bounced: "
                + mail.bounce().map(b -> b.status() + " " + b.diagnostic()).orElse("").strip(),
            now);
        suppressions.bounced(
            handle,
            address,
            "hard bounce " + mail.bounce().map(InboundMail.Bounce::status).orElse(""),
            now);
        event(handle, delivery, contactId, now, "delivery.bounced", detail);
      }
      case REFUSED -> {
        deliveries.bounced(
            handle,
            delivery.get().id(),
            "refused by the email provider: "
                + mail.bounce().map(InboundMail.Bounce::diagnostic).orElse("").strip(),
            now);
        event(handle, delivery, contactId, now, "delivery.failed", detail);
      }
      case SOFT_BOUNCE -> {
        event(handle, delivery, contactId, now, "delivery.deferred", detail);
        boolean gaveUp = mail.bounce().map(b -> b.action().equals("failed")).orElse(false);
        if (gaveUp) {
          resendOrFail(handle, delivery.get(), mail.bounce().get(), now);
        }
      }
      case DELIVERY_REPORT -> event(handle, delivery, contactId, now, "delivery.report", detail);
      case COMPLAINT -> {
        detail.put("feedbackType", mail.feedbackType().orElse("abuse"));
        suppressions.complained(
            handle, address, "complaint (" + mail.feedbackType().orElse("abuse") + ")", now);
        event(handle, delivery, contactId, now, "email.complained", detail);
      }
      case AUTO_REPLY -> {
        detail.put("subject", mail.subject());
        event(handle, delivery, contactId, now, "email.auto_reply", detail);
      }
      case REPLY -> {
        detail.put("subject", mail.subject());
        detail.put("text", limit(mail.newText(), 10_000));
        event(handle, delivery, contactId, now, "email.received", detail);
      }
      case UNSUBSCRIBE ->
          event(
              handle,
              delivery,
              contactId,
              now,
              "email.unsubscribe_request",
              Map.of("inboundId", id.toString(), "valid", delivery.isPresent()));
      case BULK, UNREADABLE -> {} // stored, with the reason; nothing to attribute it to
    }
  }

  private static boolean isReport(InboundMail.Kind kind) {
    return switch (kind) {
      case HARD_BOUNCE, SOFT_BOUNCE, REFUSED, DELIVERY_REPORT, COMPLAINT -> true;
      case AUTO_REPLY, REPLY, BULK, UNSUBSCRIBE, UNREADABLE -> false;
    };
  }

  /** Why {@code mail} matched no delivery, in words for the operator. */
  private static String unmatchedReason(InboundMail mail) {
    String clues =
        mail.verpToken().isPresent()
            ? "its VERP token " + mail.verpToken().get() + " is not a delivery Tandem sent"
            : mail.references().isEmpty()
                ? "it has no VERP token and no Message-ID"
                : "none of its " + mail.references().size() + " Message-IDs is one Tandem sent";
    String recipient =
        mail.bounce()
            .map(InboundMail.Bounce::recipient)
            .filter(r -> !r.isEmpty())
            .map(r -> " for " + r)
            .orElse("");
    return switch (mail.kind()) {
      case HARD_BOUNCE, SOFT_BOUNCE, REFUSED, DELIVERY_REPORT ->
          "a delivery report"
              + recipient
              + " that names no delivery Tandem sent ("
              + clues
              + "): nothing was failed or suppressed";
      case COMPLAINT ->
          "a complaint that names no delivery Tandem sent (" + clues + "): nothing was suppressed";
      case AUTO_REPLY, REPLY -> "answers nothing Tandem sent (" + clues + ")";
      case BULK -> "bulk or list mail that answers nothing Tandem sent (" + clues + ")";
      case UNSUBSCRIBE -> "the unsubscribe token is not one Tandem signed: nothing was revoked";
      case UNREADABLE -> "unreadable, and names no delivery Tandem sent (" + clues + ")";
    };
  }

  /**
   * The remote MTA gave up after temporary failures (a full mailbox, say): send again in an hour,
   * at most {@link #SOFT_BOUNCE_RESENDS} times, then fail the delivery and treat the address as
   * hard-bounced.
   */
  private void resendOrFail(
      Handle handle, DeliveryRef delivery, InboundMail.Bounce bounce, Instant now) {
    int bounces =
        handle.createQuery(softBounces).bind("id", delivery.id()).mapTo(Integer.class).one();
    String what = ("soft bounce " + bounce.status() + " " + bounce.diagnostic()).strip();
    if (bounces <= SOFT_BOUNCE_RESENDS) {
      deliveries.sendAgain(
          handle,
          delivery.id(),
          now.plus(java.time.Duration.ofHours(1)),
          what + "; sending again (" + bounces + " of " + SOFT_BOUNCE_RESENDS + ")",
          now);
    } else {
      String error = "soft-bounced " + bounces + " times; last: " + what;
      deliveries.bounced(handle, delivery.id(), error, now);
      suppressions.bounced(handle, delivery.address(), error, now);
    }
  }

  private void event(
      Handle handle,
      Optional<DeliveryRef> delivery,
      Optional<UUID> contactId,
      Instant now,
      String type,
      Map<String, Object> detail) {
    contactId.ifPresent(contact ->
        timeline.append(
            handle,
            List.of(
                new TimelineEvent(
                    contact,
                    now,
                    type,
                    "email",
                    delivery.map(DeliveryRef::messageId).orElse(null),
                    delivery.map(DeliveryRef::id).orElse(null),
                    detail))));
  }

  private Optional<DeliveryRef> findDelivery(InboundMail mail) {
    if (mail.kind() == InboundMail.Kind.UNSUBSCRIBE) {
      // a forged or mangled token names nobody: nothing is revoked
      return mail.verpToken()
          .flatMap(token -> links.verify(token, LinkSigner.Purpose.UNSUBSCRIBE))
          .flatMap(id ->
              jdbi.withHandle(handle ->
                  handle
                      .createQuery(deliveryById)
                      .bind("id", id)
                      .map((rs, ctx) -> ref(rs))
                      .findOne()));
    }
    return jdbi.withHandle(handle -> {
      if (mail.verpToken().isPresent()) {
        String hex = mail.verpToken().get();
        UUID id =
            UUID.fromString(hex.replaceFirst("(.{8})(.{4})(.{4})(.{4})(.{12})", "$1-$2-$3-$4-$5"));
        Optional<DeliveryRef> byToken =
            handle.createQuery(deliveryById).bind("id", id).map((rs, ctx) -> ref(rs)).findOne();
        if (byToken.isPresent()) {
          return byToken;
        }
      }
      if (mail.references().isEmpty()) {
        return Optional.<DeliveryRef>empty();
      }
      return handle
          .createQuery(deliveryByMessageId)
          .bind("ids", mail.references().toArray(String[]::new))
          .map((rs, ctx) -> ref(rs))
          .findOne();
    });
  }

  private static DeliveryRef ref(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new DeliveryRef(
        rs.getObject("id", UUID.class),
        rs.getObject("message_id", UUID.class),
        rs.getObject("contact_id", UUID.class),
        rs.getString("address"),
        rs.getString("status"));
  }

  /**
   * The contact a reply or auto-reply comes from, by its From address; an unknown sender becomes a
   * contact only with {@code inbound.unknownSenders: create-contact}.
   */
  private Optional<UUID> senderContact(InboundMail mail) {
    if (mail.kind() != InboundMail.Kind.REPLY && mail.kind() != InboundMail.Kind.AUTO_REPLY) {
      return Optional.empty();
    }
    Matcher m = ADDRESS.matcher(mail.from());
    if (!m.find()) {
      return Optional.empty();
    }
    try {
      Optional<Contact> known = contacts.findByEmail(m.group(1));
      if (known.isPresent() || unknownSenders == UnknownSenders.STORE) {
        return known.map(Contact::id);
      }
      return Optional.of(contacts.create(new NewContact(null, m.group(1), null, null, null)).id());
    } catch (TandemException e) {
      return Optional.empty(); // not a usable address: the mail is stored without a contact
    }
  }

  private static String limit(String text, int max) {
    return text == null ? "" : text.length() <= max ? text : text.substring(0, max);
  }
}
