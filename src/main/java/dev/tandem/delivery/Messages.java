package dev.tandem.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.channel.Channel;
import dev.tandem.consent.ConsentLedger;
import dev.tandem.consent.ConsentPolicy;
import dev.tandem.contact.Contact;
import dev.tandem.contact.Contacts;
import dev.tandem.contact.NewContact;
import dev.tandem.error.Conflict;
import dev.tandem.error.InvalidInput;
import dev.tandem.error.NotFound;
import dev.tandem.event.Timeline;
import dev.tandem.event.TimelineEvent;
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
  static final int MAX_SMS_CHARS = 1600;
  static final int MAX_SUBJECT_CHARS = 998;
  static final int MAX_EMAIL_BODY_CHARS = 1_000_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Jdbi jdbi;
  private final Clock clock;
  private final Contacts contacts;
  private final Timeline timeline;
  private final MeterRegistry metrics;
  private final Runnable onAccepted;
  private final SmsPricing pricing;
  private final ConsentLedger consent;
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
      Runnable onAccepted) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.contacts = contacts;
    this.timeline = timeline;
    this.metrics = metrics;
    this.onAccepted = onAccepted;
    this.pricing = pricing;
    this.consent = consent;
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
    ObjectNode content = content(request, channels, pricing.substitutionByDefault());
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
    ObjectNode content = JSON.createObjectNode();
    content.putObject("sms").put("text", text).put("substitution", true);
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
    ObjectNode content = JSON.createObjectNode();
    content
        .putObject("email")
        .put("subject", subject)
        .put("text", text)
        .put("html", html)
        .put("tracking", false)
        .put("unsubscribe", false);
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
      ObjectNode content,
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
                    .bind("content", content.toString())
                    .bind("createdAt", now)
                    .execute();
            if (inserted == 0) {
              throw new KeyTaken();
            }
            Map<Channel, ConsentPolicy.Decision> decisions = new java.util.EnumMap<>(Channel.class);
            if (topic != null) {
              List<ConsentPolicy.Decision> decided =
                  consent.decide(
                      handle,
                      channels.stream()
                          .map(c -> new ConsentLedger.Ask(to.id(), c.key(), topic))
                          .toList());
              for (int i = 0; i < channels.size(); i++) {
                decisions.put(channels.get(i), decided.get(i));
              }
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
    return new MessageView(messageId, contact.id(), topic, now, List.copyOf(deliveries), false);
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
      ObjectNode content,
      Map<Channel, ConsentPolicy.Decision> decisions,
      Instant now,
      List<TimelineEvent> events) {
    PreparedBatch batch = handle.prepareBatch(insertDelivery);
    var views = new java.util.ArrayList<MessageView.DeliveryView>();
    for (var entry : addresses.entrySet()) {
      Channel channel = entry.getKey();
      String address = entry.getValue();
      Optional<SmsPricing.Priced> priced =
          channel == Channel.SMS
              ? Optional.of(pricing.price(address, content.get("sms")))
              : Optional.empty();
      Optional<PriceTable.Cost> cost = priced.flatMap(SmsPricing.Priced::cost);
      UUID id = Ids.next(clock);
      ConsentPolicy.Decision decision = decisions.get(channel);
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
              now));
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
                      rs.getTimestamp("updated_at").toInstant()))
              .list();
      return new MessageView(
          message.id(),
          message.contactId(),
          message.topic(),
          message.createdAt(),
          deliveries,
          false);
    });
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

  private static ObjectNode content(
      MessageRequest request, List<Channel> channels, boolean substitutionByDefault) {
    ObjectNode content = JSON.createObjectNode();
    if (channels.contains(Channel.SMS)) {
      String text = request.smsText();
      if (text == null || text.isBlank()) {
        throw new InvalidInput(
            "missing-sms-text", "sms.text", "sms.text is required when channels include sms.");
      }
      if (text.length() > MAX_SMS_CHARS) {
        throw new InvalidInput(
            "sms-too-long",
            "sms.text",
            "sms.text is "
                + text.length()
                + " characters; the limit is "
                + MAX_SMS_CHARS
                + ". Shorten it or send the details by email.");
      }
      content
          .putObject("sms")
          .put("text", text)
          .put(
              "substitution",
              request.smsSubstitution() == null
                  ? substitutionByDefault
                  : request.smsSubstitution());
    }
    if (channels.contains(Channel.EMAIL)) {
      String subject = request.emailSubject();
      if (subject == null || subject.isBlank()) {
        throw new InvalidInput(
            "missing-email-subject",
            "email.subject",
            "email.subject is required when channels include email.");
      }
      if (subject.indexOf('\r') >= 0 || subject.indexOf('\n') >= 0) {
        throw new InvalidInput(
            "header-injection",
            "email.subject",
            "email.subject contains a line break; a subject must be one line.");
      }
      if (subject.length() > MAX_SUBJECT_CHARS) {
        throw new InvalidInput(
            "subject-too-long",
            "email.subject",
            "email.subject is "
                + subject.length()
                + " characters; the limit is "
                + MAX_SUBJECT_CHARS
                + ".");
      }
      boolean hasHtml = request.emailHtml() != null && !request.emailHtml().isBlank();
      boolean hasText = request.emailText() != null && !request.emailText().isBlank();
      if (!hasHtml && !hasText) {
        throw new InvalidInput(
            "missing-email-body",
            "email.html",
            "email.html or email.text is required when channels include email.");
      }
      for (var body :
          List.of(
              Map.entry("email.html", hasHtml ? request.emailHtml() : ""),
              Map.entry("email.text", hasText ? request.emailText() : ""))) {
        if (body.getValue().length() > MAX_EMAIL_BODY_CHARS) {
          throw new InvalidInput(
              "email-too-long",
              body.getKey(),
              body.getKey()
                  + " is "
                  + body.getValue().length()
                  + " characters; the limit is "
                  + MAX_EMAIL_BODY_CHARS
                  + ".");
        }
      }
      ObjectNode email =
          content
              .putObject("email")
              .put("subject", subject)
              .put("tracking", Boolean.TRUE.equals(request.emailTracking()))
              .put("unsubscribe", Boolean.TRUE.equals(request.emailUnsubscribe()));
      attachments(request.emailAttachments(), email);
      if (hasHtml) {
        email.put("html", request.emailHtml());
      }
      if (hasText) {
        email.put("text", request.emailText());
      }
    }
    return content;
  }

  static final int MAX_ATTACHMENTS = 10;
  static final int MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

  /** Checks attachments and keeps them (base64) with the message content. */
  private static void attachments(List<MessageRequest.Attachment> attachments, ObjectNode email) {
    if (attachments == null || attachments.isEmpty()) {
      return;
    }
    if (attachments.size() > MAX_ATTACHMENTS) {
      throw new InvalidInput(
          "too-many-attachments",
          "email.attachments",
          attachments.size() + " attachments; at most " + MAX_ATTACHMENTS + " are allowed.");
    }
    long total = 0;
    var array = email.putArray("attachments");
    for (int i = 0; i < attachments.size(); i++) {
      var a = attachments.get(i);
      String field = "email.attachments[" + i + "]";
      if (a.filename() == null
          || a.filename().isBlank()
          || a.filename().length() > 255
          || a.filename().chars().anyMatch(c -> c < 32 || c == '/' || c == '\\' || c == '"')) {
        throw new InvalidInput(
            "invalid-attachment",
            field + ".filename",
            "'"
                + a.filename()
                + "' is not a file name: 1-255 characters, no path, quotes or control characters.");
      }
      if (a.contentType() == null
          || !a.contentType().matches("[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+")) {
        throw new InvalidInput(
            "invalid-attachment",
            field + ".contentType",
            "'" + a.contentType() + "' is not a media type such as application/pdf.");
      }
      byte[] bytes;
      try {
        // the MIME decoder would silently skip what is not base64: decode strictly, line breaks
        // allowed
        String content = a.contentBase64() == null ? "" : a.contentBase64().replaceAll("\\s", "");
        bytes = java.util.Base64.getDecoder().decode(content);
      } catch (IllegalArgumentException e) {
        throw new InvalidInput(
            "invalid-attachment", field + ".content", "content is not base64: " + e.getMessage());
      }
      total += bytes.length;
      if (total > MAX_ATTACHMENT_BYTES) {
        throw new InvalidInput(
            "attachments-too-large",
            field + ".content",
            "attachments add up to more than "
                + MAX_ATTACHMENT_BYTES / 1024 / 1024
                + " MB; link to large files instead.");
      }
      array
          .addObject()
          .put("filename", a.filename())
          .put("contentType", a.contentType())
          .put("content", java.util.Base64.getEncoder().encodeToString(bytes));
    }
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
      MessageRequest request, List<Channel> channels, String topic, ObjectNode content) {
    List<String> parts = new ArrayList<>();
    parts.add(String.valueOf(request.contactId()));
    parts.add(String.valueOf(request.toPhone()));
    parts.add(String.valueOf(request.toEmail()));
    parts.add(channels.toString());
    parts.add(topic);
    parts.add(content.toString());
    try {
      var digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of()
          .formatHex(digest.digest(String.join("\u0000", parts).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
