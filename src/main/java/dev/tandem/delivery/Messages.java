package dev.tandem.delivery;

import dev.tandem.channel.Channel;
import dev.tandem.consent.ConsentLedger;
import dev.tandem.contact.Contact;
import dev.tandem.contact.Contacts;
import dev.tandem.contact.NewContact;
import dev.tandem.content.EmailContent;
import dev.tandem.content.MessageContent;
import dev.tandem.content.SmsContent;
import dev.tandem.error.Conflict;
import dev.tandem.error.InvalidInput;
import dev.tandem.error.NotFound;
import dev.tandem.event.Timeline;
import dev.tandem.event.TimelineEvent;
import dev.tandem.routing.SendGate;
import dev.tandem.sms.PriceTable;
import dev.tandem.store.Ids;
import dev.tandem.store.NamedSql;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Accepts send requests: validates, resolves the contact and writes the message, one delivery per
 * channel and the timeline entry in one transaction. The same idempotency key returns the same
 * message and never creates a second one.
 */
public final class Messages {

  private final Jdbi jdbi;
  private final Clock clock;
  private final Contacts contacts;
  private final Timeline timeline;
  private final MeterRegistry metrics;
  private final Runnable onAccepted;
  private final SmsPricing pricing;
  private final ConsentLedger consent;
  private final SendGate gate;
  private final String insertMessage;
  private final String messageByIdempotencyKey;
  private final String insertDelivery;
  private final String messageById;
  private final String deliveriesOfMessage;

  /**
   * @param onAccepted called after a commit that queued deliveries (wakes the dispatcher)
   */
  public Messages(
      Jdbi jdbi,
      Clock clock,
      Contacts contacts,
      Timeline timeline,
      MeterRegistry metrics,
      SmsPricing pricing,
      ConsentLedger consent,
      SendGate gate,
      Runnable onAccepted) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.contacts = contacts;
    this.timeline = timeline;
    this.metrics = metrics;
    this.onAccepted = onAccepted;
    this.pricing = pricing;
    this.consent = consent;
    this.gate = gate;
    var sql = NamedSql.forClass(Messages.class);
    this.insertMessage = sql.get("insertMessage");
    this.messageByIdempotencyKey = sql.get("messageByIdempotencyKey");
    this.insertDelivery = sql.get("insertDelivery");
    this.messageById = sql.get("messageById");
    this.deliveriesOfMessage = sql.get("deliveriesOfMessage");
  }

  public MessageView accept(MessageRequest request) {
    List<Channel> channels = channels(request.channels());
    String topic =
        request.topic() == null
            ? consent.config().defaultTopic()
            : consent.topic("topic", request.topic()).key();
    MessageContent content = content(request, channels, pricing.substitutionByDefault());
    String key = idempotencyKey(request.idempotencyKey());
    String hash = hash(request, channels, topic, content);
    if (key != null) {
      Optional<MessageView> earlier = replay(key, hash);
      if (earlier.isPresent()) {
        return earlier.get();
      }
    }
    for (int attempt = 1; ; attempt++) {
      Recipient recipient = recipient(request);
      try {
        return accept(
            recipient::resolve, contact -> addresses(contact, channels), topic, content, key, hash);
      } catch (Conflict taken) {
        // Another request created this address's contact first: it is found on the next attempt.
        if (!recipient.isNew() || !taken.code().endsWith("-taken") || attempt == 3) {
          throw taken;
        }
      }
    }
  }

  /**
   * Sends a compliance reply (a STOP confirmation, a HELP answer, a double opt-in request) by SMS,
   * to {@code phone} (the number that wrote) or, when null, the contact's first number. Consent
   * does not gate it: it answers what the person just sent.
   */
  public MessageView reply(UUID contactId, String phone, String text) {
    MessageContent content = MessageContent.sms(new SmsContent(text, true));
    Contact contact = contacts.get(contactId);
    return accept(
        handle -> contact,
        c -> phone == null ? addresses(c, List.of(Channel.SMS)) : Map.of(Channel.SMS, phone),
        null,
        content,
        null,
        "reply");
  }

  /** An email that answers the person (a double opt-in request); not gated by consent. */
  public MessageView replyEmail(UUID contactId, String subject, String text, String html) {
    MessageContent content =
        MessageContent.email(
            new EmailContent(
                subject,
                Optional.ofNullable(html),
                Optional.ofNullable(text),
                false,
                false,
                List.of()));
    Contact contact = contacts.get(contactId);
    return accept(
        handle -> contact, c -> addresses(c, List.of(Channel.EMAIL)), null, content, null, "reply");
  }

  /**
   * Writes the message in one transaction with the contact it creates, if any: a refusal (no
   * address for a channel, a key already used) rolls both back.
   */
  private MessageView accept(
      Function<Handle, Contact> recipient,
      Function<Contact, Map<Channel, String>> addressesOf,
      String topic,
      MessageContent content,
      String key,
      String hash) {
    UUID messageId = Ids.next(clock);
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    var deliveries = new java.util.ArrayList<MessageView.DeliveryView>();
    Contact contact;
    try {
      contact =
          jdbi.inTransaction(handle -> {
            Contact to = recipient.apply(handle);
            Map<Channel, String> addresses = addressesOf.apply(to);
            List<Channel> channels = List.copyOf(addresses.keySet());
            int inserted =
                handle
                    .createUpdate(insertMessage)
                    .bind("id", messageId)
                    .bind("contactId", to.id())
                    .bind("idempotencyKey", key)
                    .bind("requestHash", hash)
                    .bind("topic", topic)
                    .bind("content", content.toJson())
                    .bind("createdAt", now)
                    .execute();
            if (inserted == 0) {
              throw new KeyTaken();
            }
            Map<Channel, SendGate.Verdict> decisions = new java.util.EnumMap<>(Channel.class);
            List<SendGate.Verdict> decided =
                gate.check(
                    handle,
                    channels.stream()
                        .map(c -> new SendGate.Ask(to.id(), c, addresses.get(c), topic))
                        .toList());
            for (int i = 0; i < channels.size(); i++) {
              decisions.put(channels.get(i), decided.get(i));
            }
            var events = new ArrayList<TimelineEvent>();
            Map<String, Object> accepted = new java.util.LinkedHashMap<>();
            accepted.put("channels", channels.stream().map(Channel::key).toList());
            accepted.put("topic", topic == null ? "reply" : topic);
            events.add(
                new TimelineEvent(
                    to.id(), now, "message.accepted", null, messageId, null, accepted));
            deliveries.addAll(
                insertDeliveries(
                    handle, messageId, to.id(), addresses, content, decisions, now, events));
            timeline.append(handle, events);
            return to;
          });
    } catch (KeyTaken raced) {
      return replay(key, hash).orElseThrow();
    }
    deliveries.forEach(
        d -> metrics.counter("tandem.messages.accepted", "channel", d.channel().key()).increment());
    onAccepted.run();
    return new MessageView(
        messageId,
        contact.id(),
        topic,
        now,
        List.copyOf(deliveries),
        false,
        Optional.empty(),
        false);
  }

  /** A concurrent request with the same idempotency key committed first: undo and replay it. */
  private static final class KeyTaken extends RuntimeException {
    KeyTaken() {
      super(null, null, false, false);
    }
  }

  /** Who a request names: a stored contact, or one to create from its to.phone and to.email. */
  private record Recipient(Contact existing, NewContact create, Contacts contacts) {
    boolean isNew() {
      return existing == null;
    }

    Contact resolve(Handle handle) {
      return existing != null ? existing : contacts.create(handle, create);
    }
  }

  private List<MessageView.DeliveryView> insertDeliveries(
      Handle handle,
      UUID messageId,
      UUID contactId,
      Map<Channel, String> addresses,
      MessageContent content,
      Map<Channel, SendGate.Verdict> decisions,
      Instant now,
      List<TimelineEvent> events) {
    PreparedBatch batch = handle.prepareBatch(insertDelivery);
    var views = new java.util.ArrayList<MessageView.DeliveryView>();
    for (var entry : addresses.entrySet()) {
      Channel channel = entry.getKey();
      String address = entry.getValue();
      Optional<SmsPricing.Priced> priced =
          channel == Channel.SMS
              ? Optional.of(pricing.price(address, content.sms().orElseThrow()))
              : Optional.empty();
      Optional<PriceTable.Cost> cost = priced.flatMap(SmsPricing.Priced::cost);
      UUID id = Ids.next(clock);
      SendGate.Verdict decision = decisions.get(channel);
      boolean suppressed = decision != null && !decision.allowed();
      String reason = suppressed ? "not sent: " + decision.reason() : null;
      if (suppressed) {
        events.add(
            new TimelineEvent(
                contactId,
                now,
                "delivery.suppressed",
                channel.key(),
                messageId,
                id,
                Map.of("reason", decision.reason())));
        metrics
            .counter("tandem.deliveries", "channel", channel.key(), "status", "suppressed")
            .increment();
      }
      batch
          .bind("id", id)
          .bind("status", suppressed ? "suppressed" : "queued")
          .bind("lastError", reason)
          .bind("messageId", messageId)
          .bind("contactId", contactId)
          .bind("channel", channel.key())
          .bind("address", address)
          .bind("now", now)
          .bindByType(
              "segments", priced.map(SmsPricing.Priced::segments).orElse(null), Integer.class)
          .bindByType(
              "encoding", priced.map(SmsPricing.Priced::encoding).orElse(null), String.class)
          .bindByType("cost", cost.map(PriceTable.Cost::amount).orElse(null), BigDecimal.class)
          .bindByType("currency", cost.map(PriceTable.Cost::currency).orElse(null), String.class)
          .add();
      views.add(
          new MessageView.DeliveryView(
              id,
              channel,
              address,
              suppressed ? DeliveryStatus.SUPPRESSED : DeliveryStatus.QUEUED,
              0,
              null,
              reason,
              priced.map(SmsPricing.Priced::segments).orElse(null),
              priced.map(SmsPricing.Priced::encoding).orElse(null),
              cost.map(PriceTable.Cost::amount).orElse(null),
              cost.map(PriceTable.Cost::currency).orElse(null),
              now,
              MessageView.Step.NOW));
    }
    batch.execute();
    return views;
  }

  private Optional<MessageView> replay(String key, String hash) {
    return jdbi.withHandle(handle ->
            handle
                .createQuery(messageByIdempotencyKey)
                .bind("idempotencyKey", key)
                .map((rs, ctx) ->
                    Map.entry(rs.getObject("id", UUID.class), rs.getString("request_hash")))
                .findOne())
        .map(existing -> {
          if (!existing.getValue().equals(hash)) {
            throw new Conflict(
                "idempotency-key-reused",
                "idempotencyKey",
                "idempotencyKey '"
                    + key
                    + "' was already used for message "
                    + existing.getKey()
                    + " with a different request. Use a new key for a new message.");
          }
          return get(existing.getKey()).asReplay();
        });
  }

  public MessageView get(UUID id) {
    return jdbi.withHandle(handle -> {
      var message =
          handle
              .createQuery(messageById)
              .bind("id", id)
              .map((rs, ctx) ->
                  new MessageView(
                      rs.getObject("id", UUID.class),
                      rs.getObject("contact_id", UUID.class),
                      rs.getString("topic"),
                      rs.getTimestamp("created_at").toInstant(),
                      List.of(),
                      false,
                      Optional.ofNullable(rs.getString("plan")).map(Messages::readJson),
                      false))
              .findOne()
              .orElseThrow(
                  () -> new NotFound("message-not-found", "id", "There is no message " + id + "."));
      List<MessageView.DeliveryView> deliveries =
          handle
              .createQuery(deliveriesOfMessage)
              .bind("messageId", id)
              .map((rs, ctx) ->
                  new MessageView.DeliveryView(
                      rs.getObject("id", UUID.class),
                      Channel.parse(rs.getString("channel")).orElseThrow(),
                      rs.getString("address"),
                      DeliveryStatus.of(rs.getString("status")),
                      rs.getInt("attempts"),
                      rs.getString("provider_id"),
                      rs.getString("last_error"),
                      (Integer) rs.getObject("segments"),
                      rs.getString("encoding"),
                      rs.getBigDecimal("cost"),
                      rs.getString("currency"),
                      rs.getTimestamp("updated_at").toInstant(),
                      step(rs)))
              .list();
      return new MessageView(
          message.id(),
          message.contactId(),
          message.topic(),
          message.createdAt(),
          deliveries,
          false,
          message.plan(),
          false);
    });
  }

  private static MessageView.Step step(java.sql.ResultSet rs) throws java.sql.SQLException {
    List<String> triggers = new ArrayList<>();
    java.sql.Array array = rs.getArray("triggers");
    if (array != null) {
      for (Object t : (Object[]) array.getArray()) {
        triggers.add((String) t);
      }
    }
    long wait = rs.getLong("wait_seconds");
    Optional<java.time.Duration> after =
        rs.wasNull() ? Optional.empty() : Optional.of(java.time.Duration.ofSeconds(wait));
    return new MessageView.Step(
        rs.getString("step"),
        Optional.ofNullable(rs.getObject("follows", UUID.class)),
        triggers,
        after,
        Optional.ofNullable(rs.getTimestamp("due_at")).map(java.sql.Timestamp::toInstant),
        Optional.ofNullable(rs.getString("variant")));
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private static com.fasterxml.jackson.databind.JsonNode readJson(String json) {
    try {
      return JSON.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("stored plan is not JSON", e);
    }
  }

  private Recipient recipient(MessageRequest request) {
    if (request.contactId() != null) {
      if (request.toPhone() != null || request.toEmail() != null) {
        throw new InvalidInput(
            "ambiguous-recipient", "to", "Give either contactId or to, not both.");
      }
      return new Recipient(contacts.get(request.contactId()), null, contacts);
    }
    if (request.toPhone() == null && request.toEmail() == null) {
      throw new InvalidInput(
          "missing-recipient",
          "contactId",
          "Say who gets the message: contactId, or to.phone and/or to.email.");
    }
    Optional<Contact> byPhone =
        request.toPhone() == null ? Optional.empty() : contacts.findByPhone(request.toPhone());
    Optional<Contact> byEmail =
        request.toEmail() == null ? Optional.empty() : contacts.findByEmail(request.toEmail());
    if (byPhone.isPresent()
        && byEmail.isPresent()
        && !byPhone.get().id().equals(byEmail.get().id())) {
      throw new Conflict(
          "addresses-of-two-contacts",
          "to",
          "to.phone belongs to contact "
              + byPhone.get().id()
              + " and to.email to contact "
              + byEmail.get().id()
              + ". Send with contactId instead.");
    }
    return byPhone
        .or(() -> byEmail)
        .map(found -> new Recipient(found, null, contacts))
        .orElseGet(() ->
            new Recipient(
                null,
                new NewContact(request.toPhone(), request.toEmail(), null, null, null),
                contacts));
  }

  private static List<Channel> channels(List<String> requested) {
    if (requested == null || requested.isEmpty()) {
      throw new InvalidInput(
          "missing-channels", "channels", "channels is required: [\"sms\"], [\"email\"] or both.");
    }
    var channels = new LinkedHashSet<Channel>();
    for (String value : requested) {
      Channel channel =
          Channel.parse(value)
              .orElseThrow(() ->
                  new InvalidInput(
                      "invalid-channel",
                      "channels",
                      "'" + value + "' is not a channel. Use \"sms\" and/or \"email\"."));
      if (!channels.add(channel)) {
        throw new InvalidInput(
            "duplicate-channel", "channels", "channels lists '" + value + "' twice.");
      }
    }
    return List.copyOf(channels);
  }

  private static MessageContent content(
      MessageRequest request, List<Channel> channels, boolean substitutionByDefault) {
    Optional<SmsContent> sms = Optional.empty();
    if (channels.contains(Channel.SMS)) {
      sms =
          Optional.of(
              new SmsContent(
                  request.smsText(),
                  request.smsSubstitution() == null
                      ? substitutionByDefault
                      : request.smsSubstitution()));
    }
    Optional<EmailContent> email = Optional.empty();
    if (channels.contains(Channel.EMAIL)) {
      var attachments = new ArrayList<EmailContent.Attachment>();
      List<MessageRequest.Attachment> given =
          request.emailAttachments() == null ? List.of() : request.emailAttachments();
      if (given.size() > EmailContent.MAX_ATTACHMENTS) {
        throw new InvalidInput(
            "too-many-attachments",
            "email.attachments",
            given.size()
                + " attachments; at most "
                + EmailContent.MAX_ATTACHMENTS
                + " are allowed.");
      }
      for (int i = 0; i < given.size(); i++) {
        var a = given.get(i);
        attachments.add(
            EmailContent.Attachment.of(i, a.filename(), a.contentType(), a.contentBase64()));
      }
      email =
          Optional.of(
              new EmailContent(
                  request.emailSubject(),
                  Optional.ofNullable(request.emailHtml()),
                  Optional.ofNullable(request.emailText()),
                  Boolean.TRUE.equals(request.emailTracking()),
                  Boolean.TRUE.equals(request.emailUnsubscribe()),
                  attachments));
    }
    return new MessageContent(sms, email);
  }

  private static Map<Channel, String> addresses(Contact contact, List<Channel> channels) {
    var addresses = new java.util.EnumMap<Channel, String>(Channel.class);
    for (Channel channel : channels) {
      Optional<String> address = channel == Channel.SMS ? contact.phone() : contact.email();
      addresses.put(
          channel,
          address.orElseThrow(() ->
              new InvalidInput(
                  "no-" + channel.key() + "-address",
                  "channels",
                  "Contact "
                      + contact.id()
                      + " has no "
                      + (channel == Channel.SMS ? "phone number" : "email address")
                      + ", so it cannot get "
                      + channel.key()
                      + ". Add one or drop '"
                      + channel.key()
                      + "' from channels.")));
    }
    return addresses;
  }

  private static String idempotencyKey(String key) {
    if (key == null) {
      return null;
    }
    if (key.isBlank() || key.length() > 200) {
      throw new InvalidInput(
          "invalid-idempotency-key",
          "idempotencyKey",
          "idempotencyKey must be 1 to 200 characters; it is " + key.length() + ".");
    }
    return key;
  }

  private static String hash(
      MessageRequest request, List<Channel> channels, String topic, MessageContent content) {
    List<String> parts = new ArrayList<>();
    parts.add(String.valueOf(request.contactId()));
    parts.add(String.valueOf(request.toPhone()));
    parts.add(String.valueOf(request.toEmail()));
    parts.add(channels.toString());
    parts.add(topic);
    parts.add(content.toJson());
    try {
      var digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of()
          .formatHex(digest.digest(String.join("\u0000", parts).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
