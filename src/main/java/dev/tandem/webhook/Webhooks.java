package dev.tandem.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.tandem.contact.ContactData;
import dev.tandem.error.InvalidInput;
import dev.tandem.error.NotFound;
import dev.tandem.event.EventSink;
import dev.tandem.store.Ids;
import dev.tandem.store.NamedSql;
import dev.tandem.store.Page;
import dev.tandem.store.PageRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Outbound webhook subscriptions, and the outbox their deliveries go through: every timeline event
 * and feed change a subscription wants becomes a {@code webhook_event} row in the transaction of
 * the change itself ({@link EventSink}), which the {@link WebhookSender} then delivers, signed, at
 * least once and in order per contact. Also this feature's part of an erasure: the deliveries of an
 * erased person go (their payloads name and quote them).
 */
public final class Webhooks implements EventSink, ContactData {
  /** Every event type a subscription can name ({@code delivery.*} and {@code *} also match). */
  public static final List<String> EVENT_TYPES =
      List.of(
          "message.accepted",
          "delivery.sent",
          "delivery.delivered",
          "delivery.failed",
          "delivery.suppressed",
          "delivery.deferred",
          "delivery.held",
          "delivery.released",
          "delivery.cancelled",
          "delivery.receipt",
          "delivery.bounced",
          "delivery.report",
          "sms.received",
          "sms.clicked",
          "email.received",
          "email.complained",
          "email.auto_reply",
          "email.opened",
          "email.clicked",
          "email.unsubscribed",
          "email.unsubscribe_request",
          "consent.granted",
          "consent.revoked",
          "consent.changed",
          "contact.created",
          "contact.updated",
          "contact.merged",
          "contact.erased",
          "reputation.paused",
          "reputation.resumed",
          "preference.changed");

  static final int MAX_URL = 2000;

  /** Each event is written once per subscription that wants it: a bound on what one event costs. */
  static final int MAX_SUBSCRIPTIONS = 50;

  private static final Duration RECHECK = Duration.ofSeconds(1);
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A subscription as the API shows it (never its secret). */
  public record Webhook(
      UUID id,
      String url,
      List<String> events,
      Optional<String> description,
      Instant createdAt,
      Instant updatedAt,
      Optional<Instant> failingSince,
      Optional<Instant> disabledAt,
      Optional<String> disabledReason) {
    public boolean enabled() {
      return disabledAt.isEmpty();
    }
  }

  /** A new subscription, with its secret when Tandem made it (shown this once). */
  public record Created(Webhook webhook, Optional<String> generatedSecret) {}

  /** One event sent (or being sent) to one subscription: a line of its delivery log. */
  public record Delivery(
      long id,
      UUID eventId,
      String type,
      Optional<UUID> contactId,
      String status,
      int attempts,
      Instant createdAt,
      Optional<Instant> nextAttemptAt,
      Optional<Instant> lastAttemptAt,
      Optional<Integer> lastStatus,
      Optional<String> lastResponse,
      Optional<Instant> deliveredAt,
      JsonNode payload) {}

  /** What the sender needs of an enabled subscription. */
  record Target(UUID id, String url, String secret) {}

  private record Active(UUID id, List<String> events) {
    boolean wants(String type) {
      for (String e : events) {
        if (e.equals("*")
            || e.equals(type)
            || (e.endsWith(".*") && type.startsWith(e.substring(0, e.length() - 1)))) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * @param callbacks whether any message has a status callback (once one has, it stays true)
   */
  private record Snapshot(List<Active> active, boolean callbacks, long readAtNanos) {}

  private final Jdbi jdbi;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final NamedSql sql;
  private final boolean allowPrivateNetworks;
  private final boolean callbacksSigned;
  private volatile Snapshot snapshot;

  /** Set once this node has accepted a status callback: from then on every event is checked. */
  private volatile boolean callbacksSeen;

  public Webhooks(Jdbi jdbi, Clock clock, dev.tandem.config.TandemConfig.Webhooks config) {
    this(jdbi, clock, System::nanoTime, config);
  }

  Webhooks(
      Jdbi jdbi,
      Clock clock,
      LongSupplier nanoTime,
      dev.tandem.config.TandemConfig.Webhooks config) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.nanoTime = nanoTime;
    this.allowPrivateNetworks = config.allowPrivateNetworks();
    this.callbacksSigned = config.callbackSecret().isPresent();
    this.sql = NamedSql.forClass(Webhooks.class);
  }

  // --- subscriptions ---------------------------------------------------------------------------

  public Created create(String url, List<String> events, String secret, String description) {
    String checkedUrl = url("url", url);
    List<String> checkedEvents = events(events);
    Optional<String> generated = Optional.empty();
    if (secret == null) {
      byte[] bytes = new byte[32];
      RANDOM.nextBytes(bytes);
      secret = "whsec_" + HexFormat.of().formatHex(bytes);
      generated = Optional.of(secret);
    }
    String checkedSecret = secret(secret);
    String checkedDescription = description(description);
    int existing = jdbi.withHandle(h -> h.createQuery(sql.get("count")).mapTo(Integer.class).one());
    if (existing >= MAX_SUBSCRIPTIONS) {
      throw new InvalidInput(
          "too-many-webhooks",
          "url",
          "There are "
              + existing
              + " webhook subscriptions, the most Tandem keeps: each event is written once per"
              + " subscription. Delete one, or give one receiver more event types.");
    }
    UUID id = Ids.next(clock);
    Instant now = now();
    jdbi.useHandle(h ->
        h.createUpdate(sql.get("insert"))
            .bind("id", id)
            .bind("url", checkedUrl)
            .bind("events", checkedEvents.toArray(String[]::new))
            .bind("secret", checkedSecret)
            .bind("description", checkedDescription)
            .bind("now", now)
            .execute());
    snapshot = null;
    return new Created(get(id), generated);
  }

  public List<Webhook> all() {
    return jdbi.withHandle(h -> h.createQuery(sql.get("all")).map((rs, ctx) -> webhook(rs)).list());
  }

  public Webhook get(UUID id) {
    return jdbi.withHandle(h ->
            h.createQuery(sql.get("byId")).bind("id", id).map((rs, ctx) -> webhook(rs)).findOne())
        .orElseThrow(() -> notFound(id));
  }

  /**
   * Changes what is given (null: unchanged). {@code enabled: true} resumes a disabled subscription
   * (its failing clock starts again; deliveries still pending go out), {@code false} pauses it.
   */
  public Webhook update(
      UUID id,
      String url,
      List<String> events,
      String secret,
      String description,
      Boolean enabled) {
    String checkedUrl = url == null ? null : url("url", url);
    String[] checkedEvents = events == null ? null : events(events).toArray(String[]::new);
    String checkedSecret = secret == null ? null : secret(secret);
    String checkedDescription = description == null ? null : description(description);
    int updated =
        jdbi.withHandle(h ->
            h.createUpdate(sql.get("edit"))
                .bind("id", id)
                .bind("url", checkedUrl)
                .bind("events", checkedEvents)
                .bind("secret", checkedSecret)
                .bind("description", checkedDescription)
                .bind("enabled", enabled)
                .bind("now", now())
                .execute());
    if (updated == 0) {
      throw notFound(id);
    }
    snapshot = null;
    return get(id);
  }

  /** Deletes the subscription and its delivery log; what was pending is not sent. */
  public void delete(UUID id) {
    int deleted = jdbi.withHandle(h -> h.createUpdate(sql.get("delete")).bind("id", id).execute());
    if (deleted == 0) {
      throw notFound(id);
    }
    snapshot = null;
  }

  /** The subscription's deliveries, newest first, a page at a time; of one status when given. */
  public Page<Delivery> deliveries(UUID id, Optional<String> status, PageRequest request) {
    get(id);
    if (status.isPresent() && !List.of("pending", "delivered", "failed").contains(status.get())) {
      throw new InvalidInput(
          "invalid-status",
          "status",
          "'" + status.get() + "' is not a delivery status. Use pending, delivered or failed.");
    }
    long after = request.isFirst() ? Long.MAX_VALUE : request.number(0);
    List<Delivery> rows =
        jdbi.withHandle(h ->
            h.createQuery(sql.get("deliveries"))
                .bind("webhookId", id)
                .bind("status", status.orElse(null))
                .bind("after", after)
                .bind("limit", request.limit() + 1)
                .map((rs, ctx) -> delivery(rs))
                .list());
    return request.page(rows, d -> List.of(Long.toString(d.id())));
  }

  /** Sends a delivery again (whatever became of it), as soon as the sender runs. */
  public Delivery replay(UUID webhookId, long deliveryId) {
    get(webhookId);
    return jdbi.withHandle(h ->
            h.createQuery(sql.get("replay"))
                .bind("webhookId", webhookId)
                .bind("id", deliveryId)
                .bind("now", now())
                .map((rs, ctx) -> delivery(rs))
                .findOne())
        .orElseThrow(() ->
            new NotFound(
                "delivery-not-found",
                "deliveryId",
                "Webhook " + webhookId + " has no delivery " + deliveryId + "."));
  }

  /** The enabled subscription, for the sender; empty once deleted or disabled. */
  Optional<Target> target(UUID id) {
    return jdbi.withHandle(h ->
        h.createQuery(sql.get("target"))
            .bind("id", id)
            .map((rs, ctx) ->
                new Target(
                    rs.getObject("id", UUID.class), rs.getString("url"), rs.getString("secret")))
            .findOne());
  }

  // --- the outbox ------------------------------------------------------------------------------

  /** Cheap and without the database: false only when the fresh copy says nobody subscribes. */
  @Override
  public boolean listening() {
    Snapshot s = snapshot;
    return s == null || stale(s) || !s.active().isEmpty() || s.callbacks() || callbacksSeen;
  }

  /**
   * Writes one delivery per subscription that wants each notice, on the caller's transaction.
   * Contact changes come from the feed only (the timeline's copies of them are skipped, so a
   * receiver is told once).
   */
  @Override
  public void recorded(Handle handle, List<Notice> notices) {
    Snapshot current = snapshot(handle);
    List<Active> active = current.active();
    boolean callbacks = current.callbacks() || callbacksSeen;
    if (active.isEmpty() && !callbacks) {
      return;
    }
    List<UUID> eventIds = new ArrayList<>();
    List<UUID> webhookIds = new ArrayList<>();
    List<String> types = new ArrayList<>();
    List<UUID> contactIds = new ArrayList<>();
    List<String> payloads = new ArrayList<>();
    var callback = new Batch();
    for (Notice n : notices) {
      if (n.source().equals("timeline") && n.type().startsWith("contact.")) {
        continue;
      }
      String payload = null;
      UUID eventId = null;
      if (callbacks && n.type().startsWith("delivery.") && n.messageId() != null) {
        eventId = Ids.next(clock);
        payload = payload(eventId, n);
        callback.add(eventId, n.messageId(), n.type(), n.contactId(), payload);
      }
      for (Active a : active) {
        if (!a.wants(n.type())) {
          continue;
        }
        if (payload == null) {
          eventId = Ids.next(clock);
          payload = payload(eventId, n);
        }
        eventIds.add(eventId);
        webhookIds.add(a.id());
        types.add(n.type());
        contactIds.add(n.contactId());
        payloads.add(payload);
      }
    }
    if (!callback.eventIds.isEmpty()) {
      // only the events of messages that name a callback become rows: the join decides
      handle
          .createUpdate(sql.get("enqueueCallbacks"))
          .bind("eventIds", callback.eventIds.toArray(UUID[]::new))
          .bind("messageIds", callback.messageIds.toArray(UUID[]::new))
          .bind("types", callback.types.toArray(String[]::new))
          .bind("contactIds", callback.contactIds.toArray(UUID[]::new))
          .bind("payloads", callback.payloads.toArray(String[]::new))
          .bind("now", now())
          .execute();
    }
    if (eventIds.isEmpty()) {
      return;
    }
    handle
        .createUpdate(sql.get("enqueue"))
        .bind("eventIds", eventIds.toArray(UUID[]::new))
        .bind("webhookIds", webhookIds.toArray(UUID[]::new))
        .bind("types", types.toArray(String[]::new))
        .bind("contactIds", contactIds.toArray(UUID[]::new))
        .bind("payloads", payloads.toArray(String[]::new))
        .bind("now", now())
        .execute();
  }

  /** The events that may go to their message's status callback. */
  private static final class Batch {
    final List<UUID> eventIds = new ArrayList<>();
    final List<UUID> messageIds = new ArrayList<>();
    final List<String> types = new ArrayList<>();
    final List<UUID> contactIds = new ArrayList<>();
    final List<String> payloads = new ArrayList<>();

    void add(UUID eventId, UUID messageId, String type, UUID contactId, String payload) {
      eventIds.add(eventId);
      messageIds.add(messageId);
      types.add(type);
      contactIds.add(contactId);
      payloads.add(payload);
    }
  }

  private static String payload(UUID eventId, Notice n) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", eventId);
    out.put("type", n.type());
    out.put("at", n.at());
    out.put("contactId", n.contactId());
    out.put("channel", n.channel());
    out.put("messageId", n.messageId());
    out.put("deliveryId", n.deliveryId());
    out.put("data", n.data() == null ? Map.of() : n.data());
    try {
      return JSON.writeValueAsString(out);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("event data is not serializable: " + n, e);
    }
  }

  /** Re-reads the subscriptions at the next event (this node changed one). */
  void forget() {
    snapshot = null;
  }

  /**
   * The enabled subscriptions as last read, re-read (on the caller's transaction: no second
   * connection) when older than a second, so a change on another node counts within a second.
   */
  private Snapshot snapshot(Handle handle) {
    Snapshot s = snapshot;
    if (s != null && !stale(s)) {
      return s;
    }
    long readAt = nanoTime.getAsLong();
    List<Active> active =
        handle
            .createQuery(sql.get("active"))
            .map((rs, ctx) ->
                new Active(
                    rs.getObject("id", UUID.class),
                    List.of((String[]) rs.getArray("events").getArray())))
            .list();
    boolean callbacks =
        (s != null && s.callbacks())
            || handle.createQuery(sql.get("anyCallback")).mapTo(Boolean.class).one();
    Snapshot fresh = new Snapshot(List.copyOf(active), callbacks, readAt);
    snapshot = fresh;
    return fresh;
  }

  private boolean stale(Snapshot s) {
    return nanoTime.getAsLong() - s.readAtNanos() >= RECHECK.toNanos();
  }

  // --- status callbacks ------------------------------------------------------------------------

  /**
   * Checks a message's {@code statusCallback}: an https URL, or an http one to a loopback or
   * private address when {@code webhooks.allowPrivateNetworks} is on (a receiver inside the
   * operator's network, where TLS is often not set up); never link-local. Needs {@code
   * webhooks.callbackSecret}, which signs what is POSTed there. Returns the URL to store.
   */
  public String statusCallback(String url) {
    String checked = url("statusCallback", url);
    if (!callbacksSigned) {
      throw new InvalidInput(
          "status-callbacks-off",
          "statusCallback",
          "statusCallback needs webhooks.callbackSecret, the secret its POSTs are signed with: set"
              + " it in the configuration (openssl rand -hex 32), or subscribe to delivery.* with"
              + " POST /v1/webhooks instead.");
    }
    URI uri = URI.create(checked);
    if (uri.getScheme().equalsIgnoreCase("http")) {
      Optional<Boolean> inside = WebhookSender.inside(uri.getHost());
      if (!allowPrivateNetworks || inside.isEmpty() || !inside.get()) {
        throw new InvalidInput(
            "insecure-url",
            "statusCallback",
            "statusCallback '"
                + url
                + "' is http: use https"
                + (allowPrivateNetworks
                    ? " (http is only for loopback and private addresses)."
                    : "; http is allowed only for receivers on private addresses, with"
                        + " webhooks.allowPrivateNetworks: on."));
      }
    }
    callbacksSeen = true;
    return checked;
  }

  // --- merge and erasure -----------------------------------------------------------------------

  @Override
  public List<String> tables() {
    return List.of("webhook_event");
  }

  /** Deliveries keep the contact id their receivers were told. */
  @Override
  public void merge(Handle handle, UUID from, UUID into) {}

  @Override
  public void erase(Handle handle, Erasure erasure) {
    handle.createUpdate(sql.get("eraseDeliveries")).bind("ids", erasure.ids()).execute();
  }

  // --- checks ----------------------------------------------------------------------------------

  static String url(String field, String url) {
    if (url == null || url.isBlank()) {
      throw new InvalidInput(
          "missing-url",
          field,
          field + " is required: the https address deliveries are POSTed to.");
    }
    if (url.length() > MAX_URL) {
      throw new InvalidInput(
          "invalid-url", field, field + " is " + url.length() + " characters; the limit is 2000.");
    }
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      throw new InvalidInput("invalid-url", field, "'" + url + "' is not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new InvalidInput(
          "invalid-url", field, "'" + url + "' is not an http or https URL (https is advised).");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new InvalidInput("invalid-url", field, "'" + url + "' names no host.");
    }
    if (uri.getRawUserInfo() != null) {
      throw new InvalidInput(
          "invalid-url",
          field,
          "the "
              + field
              + " holds a user name or password; authenticate the receiver by the signature"
              + " instead (docs/webhooks.md).");
    }
    if (uri.getFragment() != null) {
      throw new InvalidInput(
          "invalid-url", field, "the " + field + " has a #fragment; leave it out.");
    }
    return uri.toString();
  }

  static List<String> events(List<String> events) {
    if (events == null || events.isEmpty()) {
      throw new InvalidInput(
          "missing-events",
          "events",
          "events is required: the event types to send, e.g. [\"delivery.delivered\","
              + " \"sms.received\"], \"delivery.*\", or [\"*\"] for all.");
    }
    var out = new LinkedHashSet<String>();
    for (String e : events) {
      String type = e.strip();
      boolean known =
          type.equals("*")
              || EVENT_TYPES.contains(type)
              || (type.endsWith(".*")
                  && EVENT_TYPES.stream()
                      .anyMatch(t -> t.startsWith(type.substring(0, type.length() - 1))));
      if (!known) {
        throw new InvalidInput(
            "unknown-event-type",
            "events",
            "'"
                + e
                + "' is not an event type. Use any of "
                + EVENT_TYPES
                + ", a prefix such as"
                + " delivery.*, or *.");
      }
      out.add(type);
    }
    if (out.size() > EVENT_TYPES.size()) {
      throw new InvalidInput("invalid-events", "events", "events names too many types.");
    }
    return List.copyOf(out);
  }

  static String secret(String secret) {
    if (secret.length() < 16 || secret.length() > 200) {
      throw new InvalidInput(
          "invalid-secret",
          "secret",
          "secret must be 16 to 200 characters (it is "
              + secret.length()
              + "); leave it out and Tandem makes one.");
    }
    if (!secret.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new InvalidInput(
          "invalid-secret",
          "secret",
          "secret must be printable ASCII without spaces, so every language signs the same bytes.");
    }
    return secret;
  }

  static String description(String description) {
    if (description != null && description.length() > 500) {
      throw new InvalidInput(
          "too-long", "description", "description is longer than 500 characters.");
    }
    return description;
  }

  private static NotFound notFound(UUID id) {
    return new NotFound("webhook-not-found", "id", "There is no webhook " + id + ".");
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static Webhook webhook(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Webhook(
        rs.getObject("id", UUID.class),
        rs.getString("url"),
        List.of((String[]) rs.getArray("events").getArray()),
        Optional.ofNullable(rs.getString("description")),
        rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("updated_at").toInstant(),
        Optional.ofNullable(rs.getTimestamp("failing_since")).map(java.sql.Timestamp::toInstant),
        Optional.ofNullable(rs.getTimestamp("disabled_at")).map(java.sql.Timestamp::toInstant),
        Optional.ofNullable(rs.getString("disabled_reason")));
  }

  private static Delivery delivery(java.sql.ResultSet rs) throws java.sql.SQLException {
    String status = rs.getString("status");
    try {
      return new Delivery(
          rs.getLong("id"),
          rs.getObject("event_id", UUID.class),
          rs.getString("type"),
          Optional.ofNullable(rs.getObject("contact_id", UUID.class)),
          status,
          rs.getInt("attempts"),
          rs.getTimestamp("created_at").toInstant(),
          status.equals("pending")
              ? Optional.of(rs.getTimestamp("next_attempt_at").toInstant())
              : Optional.empty(),
          Optional.ofNullable(rs.getTimestamp("last_attempt_at"))
              .map(java.sql.Timestamp::toInstant),
          Optional.ofNullable((Integer) rs.getObject("last_status")),
          Optional.ofNullable(rs.getString("last_response")),
          Optional.ofNullable(rs.getTimestamp("delivered_at")).map(java.sql.Timestamp::toInstant),
          JSON.readTree(rs.getString("payload")));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored webhook payload is not JSON", e);
    }
  }
}
