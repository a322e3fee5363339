package dev.tandem.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.channel.Channel;
import dev.tandem.consent.ConsentLedger;
import dev.tandem.contact.Contact;
import dev.tandem.contact.Contacts;
import dev.tandem.contact.EmailAddresses;
import dev.tandem.contact.NewContact;
import dev.tandem.content.EmailContent;
import dev.tandem.content.MessageContent;
import dev.tandem.content.SmsContent;
import dev.tandem.error.Conflict;
import dev.tandem.error.InvalidInput;
import dev.tandem.error.NotFound;
import dev.tandem.event.Timeline;
import dev.tandem.event.TimelineEvent;
import dev.tandem.routing.Gate;
import dev.tandem.routing.Money;
import dev.tandem.routing.PastSend;
import dev.tandem.routing.PlanJson;
import dev.tandem.routing.RouteRequest;
import dev.tandem.routing.RoutingPlan;
import dev.tandem.routing.SendGate;
import dev.tandem.routing.Skip;
import dev.tandem.routing.Step;
import dev.tandem.routing.Zones;
import dev.tandem.sms.SmsText;
import dev.tandem.store.GroupCommit;
import dev.tandem.store.Ids;
import dev.tandem.store.NamedSql;
import dev.tandem.store.Page;
import dev.tandem.store.PageRequest;
import dev.tandem.topic.Topic;
import dev.tandem.topic.TopicClass;
import dev.tandem.topic.TopicPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
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
  private final String page;
  private final String pageOfContact;
  private final String deliveriesOfMessages;
  private final String lockContactSends;
  private final String recentSends;
  private final RoutingSetup routing;
  private final dev.tandem.template.Templates templates;
  private final dev.tandem.template.ShortLinks shortLinks;
  private final GroupCommit accepts;
  private final dev.tandem.sms.SmsSenders smsSenders;
  private final dev.tandem.email.EmailIdentities emailIdentities;

  /**
   * @param onAccepted called after a commit that queued deliveries (wakes the dispatcher)
   */
  public Messages(
      Jdbi jdbi,
      GroupCommit accepts,
      Clock clock,
      Contacts contacts,
      Timeline timeline,
      MeterRegistry metrics,
      SmsPricing pricing,
      ConsentLedger consent,
      SendGate gate,
      RoutingSetup routing,
      dev.tandem.template.Templates templates,
      dev.tandem.template.ShortLinks shortLinks,
      dev.tandem.sms.SmsSenders smsSenders,
      dev.tandem.email.EmailIdentities emailIdentities,
      Runnable onAccepted) {
    this.smsSenders = smsSenders;
    this.emailIdentities = emailIdentities;
    this.routing = routing;
    this.templates = templates;
    this.shortLinks = shortLinks;
    this.jdbi = jdbi;
    this.accepts = accepts;
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
    this.page = sql.get("page");
    this.pageOfContact = sql.get("pageOfContact");
    this.deliveriesOfMessages = sql.get("deliveriesOfMessages");
    this.lockContactSends = sql.get("lockContactSends");
    this.recentSends = sql.get("recentSends");
  }

  public MessageView accept(MessageRequest request) {
    return accept(request, false, r -> {});
  }

  /**
   * What a templated request would send: the plan and deliveries of {@link #plan} with the template
   * rendered for the person (short links are placeholders of their real length).
   */
  public record Preview(
      MessageView view, Optional<dev.tandem.template.TemplateRenderer.Rendered> rendered) {}

  public Preview preview(MessageRequest request) {
    var rendering = new java.util.concurrent.atomic.AtomicReference<Rendering>();
    MessageView view = accept(request, true, rendering::set);
    return new Preview(view, Optional.ofNullable(rendering.get()).map(Rendering::rendered));
  }

  /**
   * What {@link #accept} would do with this request: the plan and the deliveries it would make,
   * with nothing written (a contact it would create is not created).
   */
  public MessageView plan(MessageRequest request) {
    return accept(request, true, r -> {});
  }

  private MessageView accept(
      MessageRequest request, boolean dryRun, java.util.function.Consumer<Rendering> rendered) {
    MessageView.Sender sender = sender(request);
    List<Channel> named = channels(request.channels());
    dev.tandem.template.TemplateRequest templated = request.template();
    dev.tandem.template.Templates.Stored stored = null;
    if (templated != null) {
      if (request.hasSms() || request.hasEmail()) {
        throw new InvalidInput(
            "template-and-content",
            "template",
            "The request names a template and also gives sms or email content: send one of them"
                + " (email.tracking and email.unsubscribe may go with a template).");
      }
      // a retry is the same request as the caller wrote it: checked before the template is read,
      // so an edit or a deletion in between does not turn it into another message
      String key = idempotencyKey(request.idempotencyKey());
      if (key != null) {
        Optional<MessageView> earlier =
            replay(
                key, hash(request, named, request.topic(), templateIdentity(templated, request)));
        if (earlier.isPresent()) {
          return earlier.get();
        }
      }
      stored = templates.get(templated.key(), templated.version());
    }
    String topicKey =
        request.topic() != null
            ? request.topic()
            : stored == null ? null : stored.template().topic().orElse(null);
    String topic =
        topicKey == null ? consent.config().defaultTopic() : consent.topic("topic", topicKey).key();
    TopicClass topicClass =
        consent.topics().find(topic).map(Topic::topicClass).orElse(TopicClass.TRANSACTIONAL);
    TopicPolicy policy = routing.policyOf().apply(topic, topicClass);
    String key = idempotencyKey(request.idempotencyKey());
    String hash;
    String dedupeKey;
    MessageContent content;
    Rendering rendering;
    if (stored != null) {
      String identity = templateIdentity(templated, request);
      hash = hash(request, named, request.topic(), identity);
      rendering = render(request, named, stored, templated, policy, dryRun);
      rendered.accept(rendering);
      content = rendering.content();
      dedupeKey =
          request.dedupeKey() != null
              ? dedupeKey(request.dedupeKey(), content)
              : "template:" + sha256(identity).substring(0, 32);
    } else {
      content = content(request, named, pricing.substitutionByDefault());
      dedupeKey = dedupeKey(request.dedupeKey(), content);
      hash = hash(request, named, topic, content.toJson());
      rendering = null;
      // No lookup of the key first: the message's insert finds a used key (and the request is
      // replayed), and a refusal before it is checked against the key below. A retry costs a
      // rolled-back attempt; every new message saves a query.
    }
    for (int attempt = 1; ; attempt++) {
      MessageContent finalContent = content;
      Recipient recipient;
      try {
        recipient = recipient(request);
      } catch (dev.tandem.error.TandemException refused) {
        return earlier(key, hash, dryRun).orElseThrow(() -> refused);
      }
      try {
        return write(
            recipient::resolve,
            (handle, to, now) ->
                route(
                    handle,
                    to,
                    named,
                    topic,
                    topicClass,
                    policy,
                    finalContent,
                    dedupeKey,
                    Optional.ofNullable(request.sendAt()),
                    pricing.from(sender.sms()),
                    now),
            topic,
            finalContent,
            key,
            hash,
            dryRun,
            rendering,
            sender,
            request.statusCallback());
      } catch (Conflict taken) {
        // Another request created this address's contact first: it is found on the next attempt.
        if (!recipient.isNew() || !taken.code().endsWith("-taken") || attempt == 3) {
          return earlier(key, hash, dryRun).orElseThrow(() -> taken);
        }
      } catch (dev.tandem.error.TandemException refused) {
        return earlier(key, hash, dryRun).orElseThrow(() -> refused);
      } catch (dev.tandem.template.ShortLinks.CodeTaken taken) {
        // A short link's random code was another link's (rare: 62^7 codes): render anew.
        if (attempt == 3) {
          throw new IllegalStateException("three short-link codes in a row were taken", taken);
        }
        rendering = render(request, named, stored, templated, policy, dryRun);
        content = rendering.content();
      }
    }
  }

  /**
   * A request refused now may be the retry of one accepted before (the person erased or merged
   * since, say): that one's result is the answer, if there is one.
   */
  private Optional<MessageView> earlier(String key, String hash, boolean dryRun) {
    return key == null || dryRun ? Optional.empty() : replay(key, hash);
  }

  /**
   * Sends a compliance reply (a STOP confirmation, a HELP answer, a double opt-in request) by SMS,
   * to {@code phone} (the number that wrote) or, when null, the contact's first number, from {@code
   * answering} (the number they wrote to) when that is a configured sender. Consent does not gate
   * it: it answers what the person just sent.
   */
  public MessageView reply(UUID contactId, String phone, String text, String answering) {
    MessageContent content = MessageContent.sms(new SmsContent(text, true));
    Contact contact = contacts.get(contactId);
    return write(
        handle -> contact,
        (handle, to, now) ->
            unrouted(
                handle,
                to,
                phone == null ? addresses(to, List.of(Channel.SMS)) : Map.of(Channel.SMS, phone),
                now),
        null,
        content,
        null,
        "reply",
        false,
        null,
        smsSenders
            .answering(answering)
            .map(from ->
                new MessageView.Sender(Optional.of(from), Optional.empty(), Optional.empty()))
            .orElse(MessageView.Sender.NONE),
        null);
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
    return write(
        handle -> contact,
        (handle, to, now) -> unrouted(handle, to, addresses(to, List.of(Channel.EMAIL)), now),
        null,
        content,
        null,
        "reply",
        false,
        null,
        MessageView.Sender.NONE,
        null);
  }

  /** How a message's deliveries are decided, inside the accepting transaction. */
  @FunctionalInterface
  private interface Planner {
    Planned plan(Handle handle, Contact to, Instant now);
  }

  /**
   * The deliveries to write and what to store with the message.
   *
   * @param plan the router's plan; empty for a compliance reply
   */
  private record Planned(
      List<Row> rows, Optional<RoutingPlan> plan, TopicClass topicClass, String dedupeKey) {}

  /**
   * One delivery to write.
   *
   * @param due when a queued delivery is due; null for a held step
   * @param follows the channel whose delivery (in this message) a held step follows
   */
  private record Row(
      Channel channel,
      String address,
      DeliveryStatus status,
      String step,
      Instant due,
      Channel follows,
      List<String> triggers,
      Duration after,
      String reason,
      boolean pointer) {}

  /** A compliance reply: each address now, unless suppressed. */
  private Planned unrouted(Handle handle, Contact to, Map<Channel, String> addresses, Instant now) {
    List<Channel> channels = List.copyOf(addresses.keySet());
    List<SendGate.Verdict> verdicts =
        gate.check(
            handle,
            channels.stream()
                .map(c -> new SendGate.Ask(to.id(), c, addresses.get(c), null))
                .toList());
    var rows = new ArrayList<Row>();
    for (int i = 0; i < channels.size(); i++) {
      SendGate.Verdict v = verdicts.get(i);
      Channel c = channels.get(i);
      rows.add(
          new Row(
              c,
              addresses.get(c),
              v.allowed() ? DeliveryStatus.QUEUED : DeliveryStatus.SUPPRESSED,
              "now",
              now,
              null,
              List.of(),
              null,
              v.allowed() ? null : v.reason(),
              false));
    }
    return new Planned(rows, Optional.empty(), null, null);
  }

  /** A message on a topic: the router decides from what is known of the person now. */
  private Planned route(
      Handle handle,
      Contact to,
      List<Channel> named,
      String topic,
      TopicClass topicClass,
      TopicPolicy policy,
      MessageContent content,
      String dedupeKey,
      Optional<Instant> sendAt,
      SmsPricing pricing,
      Instant now) {
    Map<Channel, String> addresses = named.isEmpty() ? available(to) : addresses(to, named);
    Duration window = lookBack(policy);
    if (!window.isZero()) {
      handle
          .createQuery(lockContactSends)
          .bind("key", to.id().getMostSignificantBits() ^ to.id().getLeastSignificantBits())
          .mapTo(String.class)
          .one();
    }
    List<Channel> channels = List.copyOf(addresses.keySet());
    List<SendGate.Verdict> verdicts =
        gate.check(
            handle,
            channels.stream()
                .map(c -> new SendGate.Ask(to.id(), c, addresses.get(c), topic))
                .toList());
    Map<Channel, Gate> gates = new EnumMap<>(Channel.class);
    for (int i = 0; i < channels.size(); i++) {
      SendGate.Verdict v = verdicts.get(i);
      gates.put(channels.get(i), new Gate(v.allowed(), v.code(), v.reason()));
    }
    Map<Channel, dev.tandem.routing.Content> given = new EnumMap<>(Channel.class);
    Map<Channel, Money> cost = new EnumMap<>(Channel.class);
    content
        .sms()
        .ifPresent(sms -> {
          SmsText text = SmsText.of(sms.text(), sms.substitution());
          given.put(Channel.SMS, new dev.tandem.routing.Content(text.segments()));
          to.phone()
              .flatMap(phone -> pricing.price(phone, sms).cost())
              .ifPresent(c -> cost.put(Channel.SMS, new Money(c.amount(), c.currency())));
        });
    if (content.sms().isEmpty() && content.email().isPresent()) {
      // a pointer SMS (one segment) is priced as one
      to.phone()
          .flatMap(phone -> pricing.price(phone, POINTER_PRICE).cost())
          .ifPresent(c -> cost.put(Channel.SMS, new Money(c.amount(), c.currency())));
    }
    content
        .email()
        .ifPresent(email -> {
          given.put(Channel.EMAIL, new dev.tandem.routing.Content(0));
          routing.emailCost().ifPresent(c -> cost.put(Channel.EMAIL, c));
        });
    RouteRequest request =
        new RouteRequest(
            topic,
            topicClass,
            policy,
            java.util.Set.copyOf(named),
            addresses,
            gates,
            named.isEmpty() && policy.channels() == dev.tandem.topic.ChannelPolicy.PREFERENCE
                ? routing.preferenceOf().apply(handle, to.id(), topic)
                : Optional.empty(),
            Zones.of(to.timeZone(), to.phone(), routing.defaultZone()),
            now,
            window.isZero() ? List.of() : recentSends(handle, to.id(), now.minus(window)),
            dedupeKey,
            given,
            cost,
            policy.dailySmsBudget().isPresent()
                ? routing.smsSpent().apply(handle, now.truncatedTo(ChronoUnit.DAYS), topic)
                : Optional.empty(),
            sendAt);
    RoutingPlan plan = routing.router().plan(request);
    var rows = new ArrayList<Row>();
    for (Step step : plan.steps()) {
      String address = addresses.get(step.channel());
      rows.add(
          switch (step.kind()) {
            case NOW ->
                new Row(
                    step.channel(),
                    address,
                    DeliveryStatus.QUEUED,
                    "now",
                    now,
                    null,
                    List.of(),
                    null,
                    null,
                    false);
            case DEFERRED ->
                new Row(
                    step.channel(),
                    address,
                    DeliveryStatus.QUEUED,
                    "deferred",
                    step.notBefore().orElse(now),
                    null,
                    List.of(),
                    null,
                    step.reason().text(),
                    false);
            case FALLBACK ->
                new Row(
                    step.channel(),
                    address,
                    DeliveryStatus.HELD,
                    "fallback",
                    null,
                    step.follows().orElseThrow(),
                    step.on().stream().map(TopicPolicy.Trigger::key).sorted().toList(),
                    step.after().orElse(null),
                    null,
                    false);
            case POINTER ->
                new Row(
                    Channel.SMS,
                    address,
                    DeliveryStatus.HELD,
                    "pointer",
                    null,
                    Channel.EMAIL,
                    given.containsKey(Channel.SMS)
                            && given.get(Channel.SMS).smsSegments() <= policy.smsSegmentBudget()
                        ? List.of(TopicPolicy.Trigger.FAILED.key())
                        : List.of(),
                    policy.fallback().after().orElse(null),
                    null,
                    true);
          });
    }
    // A named channel the send gate refuses is kept as a suppressed delivery, as it always was.
    for (Skip skip : plan.skipped()) {
      Gate g = gates.get(skip.channel());
      if (named.contains(skip.channel()) && g != null && !g.allowed()) {
        rows.add(
            new Row(
                skip.channel(),
                addresses.get(skip.channel()),
                DeliveryStatus.SUPPRESSED,
                "now",
                now,
                null,
                List.of(),
                null,
                g.reason(),
                false));
      }
    }
    // held steps last: they refer to the delivery they follow, inserted before them
    rows.sort(java.util.Comparator.comparing(r -> r.status() == DeliveryStatus.HELD));
    return new Planned(rows, Optional.of(plan), topicClass, dedupeKey);
  }

  private static final SmsContent POINTER_PRICE = new SmsContent("pointer", true);

  /** How far back caps and the dedupe window look; zero when they do not. */
  private static Duration lookBack(TopicPolicy policy) {
    Duration window = policy.dedupeWindow();
    for (TopicPolicy.Cap cap : policy.caps()) {
      if (cap.window().compareTo(window) > 0) {
        window = cap.window();
      }
    }
    return window;
  }

  private List<PastSend> recentSends(Handle handle, UUID contactId, Instant since) {
    return handle
        .createQuery(recentSends)
        .bind("contactId", contactId)
        .bind("since", since)
        .map((rs, ctx) ->
            new PastSend(
                rs.getObject("message_id", UUID.class),
                rs.getTimestamp("created_at").toInstant(),
                Channel.parse(rs.getString("channel")).orElseThrow(),
                rs.getString("topic_class") == null
                    ? TopicClass.TRANSACTIONAL
                    : TopicClass.valueOf(rs.getString("topic_class")),
                rs.getString("topic"),
                rs.getString("dedupe_key")))
        .list();
  }

  /**
   * Writes the message in one transaction with the contact it creates, if any: a refusal (no
   * address for a channel, a key already used) rolls both back, and so does a dry run.
   */
  private MessageView write(
      Function<Handle, Contact> recipient,
      Planner planner,
      String topic,
      MessageContent content,
      String key,
      String hash,
      boolean dryRun,
      Rendering rendering,
      MessageView.Sender sender,
      String statusCallback) {
    UUID messageId = Ids.next(clock);
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    Function<Handle, Written> work =
        handle ->
            writeIn(
                handle,
                recipient,
                planner,
                messageId,
                now,
                topic,
                content,
                key,
                hash,
                dryRun,
                rendering,
                sender,
                statusCallback);
    Written written;
    try {
      // a dry run rolls back on its own; anything else shares a commit with concurrent accepts
      written = dryRun ? jdbi.inTransaction(work::apply) : accepts.inTransaction(work);
    } catch (KeyTaken raced) {
      return replay(key, hash).orElseThrow();
    } catch (DryRun planned) {
      return new MessageView(
          messageId,
          planned.written.contact().id(),
          topic,
          now,
          planned.written.deliveries(),
          false,
          planned.written.plan(),
          true,
          Optional.ofNullable(rendering).map(Rendering::ref),
          sender);
    }
    // counted once committed: a work may run more than once in its group, and a dry run never
    for (MessageView.DeliveryView d : written.deliveries()) {
      DeliveryRecords.accepted(metrics, d.channel()).increment();
      if (d.status() == DeliveryStatus.SUPPRESSED) {
        metrics
            .counter("tandem.deliveries", "channel", d.channel().key(), "status", "suppressed")
            .increment();
      }
    }
    onAccepted.run();
    return new MessageView(
        messageId,
        written.contact().id(),
        topic,
        now,
        written.deliveries(),
        false,
        written.plan(),
        false,
        Optional.ofNullable(rendering).map(Rendering::ref),
        sender);
  }

  /** What the accepting transaction wrote. */
  private record Written(
      Contact contact, List<MessageView.DeliveryView> deliveries, Optional<JsonNode> plan) {}

  /**
   * The accepting transaction's work: the contact it creates, if any, the message, its deliveries
   * and timeline entries. Runs again from the start if its group is retried, so it keeps nothing
   * between runs.
   */
  private Written writeIn(
      Handle handle,
      Function<Handle, Contact> recipient,
      Planner planner,
      UUID messageId,
      Instant now,
      String topic,
      MessageContent content,
      String key,
      String hash,
      boolean dryRun,
      Rendering rendering,
      MessageView.Sender sender,
      String statusCallback) {
    Contact to = recipient.apply(handle);
    Planned planned = planner.plan(handle, to, now);
    Optional<JsonNode> plan = planned.plan().map(PlanJson::write);
    int inserted =
        handle
            .createUpdate(insertMessage)
            .bind("id", messageId)
            .bind("contactId", to.id())
            .bind("idempotencyKey", dryRun ? null : key)
            .bind("requestHash", hash)
            .bind("topic", topic)
            .bind("content", content.toJson())
            .bind("createdAt", now)
            .bindByType("plan", plan.map(JsonNode::toString).orElse(null), String.class)
            .bindByType(
                "topicClass",
                planned.topicClass() == null ? null : planned.topicClass().name(),
                String.class)
            .bindByType("dedupeKey", planned.dedupeKey(), String.class)
            .bindByType("templateKey", rendering == null ? null : rendering.key(), String.class)
            .bindByType(
                "templateVersion", rendering == null ? null : rendering.version(), Integer.class)
            .bindByType("locale", rendering == null ? null : rendering.locale(), String.class)
            .bindByType("smsFrom", sender.sms().orElse(null), String.class)
            .bindByType("emailFrom", sender.emailFrom().orElse(null), String.class)
            .bindByType("emailReplyTo", sender.replyTo().orElse(null), String.class)
            .bindByType("statusCallback", statusCallback, String.class)
            .execute();
    if (inserted == 0) {
      throw new KeyTaken();
    }
    if (rendering != null && !dryRun) {
      shortLinks.record(handle, messageId, to.id(), rendering.links(), now);
    }
    var events = new ArrayList<TimelineEvent>();
    Map<String, Object> accepted = new java.util.LinkedHashMap<>();
    accepted.put(
        "channels",
        planned.rows().stream()
            .filter(r -> r.status() != DeliveryStatus.SUPPRESSED)
            .map(r -> r.channel().key())
            .distinct()
            .toList());
    accepted.put("topic", topic == null ? "reply" : topic);
    if (rendering != null) {
      accepted.put("template", rendering.key() + " v" + rendering.version());
    }
    planned.plan().ifPresent(p -> accepted.put("plan", p.summary()));
    events.add(
        new TimelineEvent(to.id(), now, "message.accepted", null, messageId, null, accepted));
    List<MessageView.DeliveryView> deliveries =
        List.copyOf(
            insertDeliveries(
                handle,
                messageId,
                to.id(),
                planned.rows(),
                content,
                pricing.from(sender.sms()),
                now,
                events));
    timeline.append(handle, events);
    Written written = new Written(to, deliveries, plan);
    if (dryRun) {
      throw new DryRun(written);
    }
    return written;
  }

  /**
   * A template rendered for this message.
   *
   * @param links the short links its SMS carries, stored with the message
   */
  private record Rendering(
      String key,
      int version,
      String locale,
      MessageContent content,
      List<dev.tandem.template.TemplateRenderer.Link> links,
      dev.tandem.template.TemplateRenderer.Rendered rendered) {
    MessageView.TemplateRef ref() {
      return new MessageView.TemplateRef(key, version, locale);
    }
  }

  /**
   * What makes two templated requests the same, as the caller wrote them: template, the version
   * asked for (null: the current one), locale, data and options. Not the version resolved: a retry
   * after the template was edited is still the same request.
   */
  private static String templateIdentity(
      dev.tandem.template.TemplateRequest request, MessageRequest message) {
    var identity = new java.util.LinkedHashMap<String, Object>();
    identity.put("template", request.key());
    identity.put("version", request.version());
    identity.put("locale", request.locale());
    identity.put("data", request.data());
    identity.put("tracking", message.emailTracking());
    identity.put("unsubscribe", message.emailUnsubscribe());
    identity.put("substitution", message.smsSubstitution());
    try {
      return IDENTITY_JSON.writeValueAsString(identity);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper IDENTITY_JSON =
      new com.fasterxml.jackson.databind.ObjectMapper()
          .configure(
              com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  /**
   * Renders the template for the person: their locale (or the request's), their name and addresses
   * as {@code contact}, the topic's SMS budget. Links in the SMS become short links (a dry run
   * shows placeholders of the same length and stores none).
   */
  private Rendering render(
      MessageRequest request,
      List<Channel> named,
      dev.tandem.template.Templates.Stored stored,
      dev.tandem.template.TemplateRequest templated,
      TopicPolicy policy,
      boolean dryRun) {
    Optional<Contact> known = knownRecipient(request);
    String locale =
        templated.locale() != null
            ? dev.tandem.contact.Locales.normalize("template.locale", templated.locale())
            : known.flatMap(Contact::locale).orElse(null);
    var data = new java.util.LinkedHashMap<String, Object>(templated.data());
    var person = new java.util.LinkedHashMap<String, Object>();
    known.ifPresent(c -> {
      c.name()
          .ifPresent(n -> {
            person.put("name", n);
            person.put("firstName", n.strip().split("\\s+")[0]);
          });
      c.phone().ifPresent(p -> person.put("phone", p));
      c.email().ifPresent(e -> person.put("email", e));
    });
    if (known.isEmpty()) {
      if (request.toPhone() != null) {
        person.put("phone", request.toPhone());
      }
      if (request.toEmail() != null) {
        person.put("email", request.toEmail());
      }
    }
    if (data.get("contact") instanceof Map<?, ?> given) {
      given.forEach((k, v) -> person.put(String.valueOf(k), v));
    }
    data.put("contact", java.util.Collections.unmodifiableMap(person));
    boolean substitution =
        request.smsSubstitution() == null
            ? pricing.substitutionByDefault()
            : request.smsSubstitution();
    var rendered =
        templates
            .renderer()
            .render(
                stored.template(),
                locale,
                data,
                templates.snippets(),
                new dev.tandem.template.TemplateRenderer.Options(
                    policy.smsSegmentBudget(),
                    substitution,
                    url -> dryRun ? shortLinks.placeholder() : shortLinks.newLink()),
                new dev.tandem.template.TemplateRenderer.EmailOptions(
                    Boolean.TRUE.equals(request.emailTracking()),
                    Boolean.TRUE.equals(request.emailUnsubscribe())));
    MessageContent content = new MessageContent(rendered.sms(), rendered.email());
    for (Channel channel : named) {
      if (!content.channels().contains(channel)) {
        throw new InvalidInput(
            "template-missing-channel",
            "channels",
            "template "
                + stored.template().key()
                + " (version "
                + stored.version()
                + ") has no "
                + channel.key()
                + " for locale "
                + (locale == null ? "default" : locale)
                + " and none can be derived; add a variant or leave "
                + channel.key()
                + " out of channels.");
      }
    }
    if (!named.isEmpty()) {
      content = content.only(java.util.Set.copyOf(named));
    }
    List<dev.tandem.template.TemplateRenderer.Link> links =
        content.sms().isPresent() ? rendered.links() : List.of();
    return new Rendering(
        stored.template().key(), stored.version(), rendered.locale(), content, links, rendered);
  }

  /** The contact a request names, when it exists already. */
  private Optional<Contact> knownRecipient(MessageRequest request) {
    if (request.contactId() != null) {
      return Optional.of(contacts.get(request.contactId()));
    }
    Optional<Contact> found =
        request.toPhone() == null ? Optional.empty() : contacts.findByPhone(request.toPhone());
    if (found.isEmpty() && request.toEmail() != null) {
      found = contacts.findByEmail(request.toEmail());
    }
    return found;
  }

  /** Rolls a dry run back once its plan and deliveries are known. */
  private static final class DryRun extends RuntimeException {
    final transient Written written;

    DryRun(Written written) {
      super(null, null, false, false);
      this.written = written;
    }
  }

  /** A concurrent request with the same idempotency key committed first: undo and replay it. */
  private static final class KeyTaken extends RuntimeException {
    KeyTaken() {
      super(null, null, false, false);
    }
  }

  /**
   * Who a request names: a stored contact, or the owner of its to.phone and to.email, looked up in
   * the accepting transaction and created there if there is none (so two requests for a new person
   * in one group commit find the same contact).
   */
  private record Recipient(Contact existing, String phone, String email, Contacts contacts) {
    boolean isNew() {
      return existing == null;
    }

    Contact resolve(Handle handle) {
      if (existing != null) {
        return existing;
      }
      Optional<Contact> byPhone =
          phone == null ? Optional.empty() : contacts.findByPhone(handle, phone);
      Optional<Contact> byEmail =
          email == null ? Optional.empty() : contacts.findByEmail(handle, email);
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
          .orElseGet(() -> contacts.create(handle, new NewContact(phone, email, null, null, null)));
    }
  }

  private List<MessageView.DeliveryView> insertDeliveries(
      Handle handle,
      UUID messageId,
      UUID contactId,
      List<Row> rows,
      MessageContent content,
      SmsPricing pricing,
      Instant now,
      List<TimelineEvent> events) {
    PreparedBatch batch = handle.prepareBatch(insertDelivery);
    var views = new ArrayList<MessageView.DeliveryView>();
    Map<Channel, UUID> first = new EnumMap<>(Channel.class);
    for (Row row : rows) {
      Channel channel = row.channel();
      Optional<SmsPricing.Priced> priced =
          channel != Channel.SMS
              ? Optional.empty()
              : Optional.of(
                  pricing.price(
                      row.address(),
                      row.pointer() ? POINTER_PRICE : content.sms().orElse(POINTER_PRICE)));
      Optional<Money> cost =
          channel == Channel.SMS
              ? priced
                  .flatMap(SmsPricing.Priced::cost)
                  .map(c -> new Money(c.amount(), c.currency()))
              : routing.emailCost();
      UUID id = Ids.next(clock);
      if (row.status() != DeliveryStatus.HELD && row.status() != DeliveryStatus.SUPPRESSED) {
        first.putIfAbsent(channel, id);
      }
      UUID follows = row.follows() == null ? null : first.get(row.follows());
      boolean suppressed = row.status() == DeliveryStatus.SUPPRESSED;
      String lastError = suppressed ? "not sent: " + row.reason() : null;
      if (suppressed) {
        events.add(
            new TimelineEvent(
                contactId,
                now,
                "delivery.suppressed",
                channel.key(),
                messageId,
                id,
                Map.of("reason", row.reason())));
      } else if (row.step().equals("deferred")) {
        events.add(
            new TimelineEvent(
                contactId,
                now,
                "delivery.deferred",
                channel.key(),
                messageId,
                id,
                Map.of("until", row.due().toString(), "reason", String.valueOf(row.reason()))));
      } else if (row.status() == DeliveryStatus.HELD) {
        events.add(
            new TimelineEvent(
                contactId,
                now,
                "delivery.held",
                channel.key(),
                messageId,
                id,
                Map.of(
                    "step", row.step(),
                    "follows", String.valueOf(follows),
                    "triggers", row.triggers())));
      }
      batch
          .bind("id", id)
          .bind("status", row.status().key())
          .bind("lastError", lastError)
          .bind("messageId", messageId)
          .bind("contactId", contactId)
          .bind("channel", channel.key())
          .bind("address", row.address())
          .bind("now", now)
          .bindByType("due", row.due(), Instant.class)
          .bind("step", row.step())
          .bindByType("follows", follows, UUID.class)
          .bindByType(
              "triggers",
              row.triggers().isEmpty() ? null : row.triggers().toArray(String[]::new),
              String[].class)
          .bindByType(
              "waitSeconds", row.after() == null ? null : row.after().toSeconds(), Long.class)
          .bindByType(
              "segments", priced.map(SmsPricing.Priced::segments).orElse(null), Integer.class)
          .bindByType(
              "encoding", priced.map(SmsPricing.Priced::encoding).orElse(null), String.class)
          .bindByType("cost", cost.map(Money::amount).orElse(null), BigDecimal.class)
          .bindByType("currency", cost.map(Money::currency).orElse(null), String.class)
          .bindByType("country", priced.map(SmsPricing.Priced::country).orElse(null), String.class)
          .add();
      views.add(
          new MessageView.DeliveryView(
              id,
              channel,
              row.address(),
              row.status(),
              0,
              null,
              lastError,
              priced.map(SmsPricing.Priced::segments).orElse(null),
              priced.map(SmsPricing.Priced::encoding).orElse(null),
              cost.map(Money::amount).orElse(null),
              cost.map(Money::currency).orElse(null),
              now,
              new MessageView.Step(
                  row.step(),
                  Optional.ofNullable(follows),
                  row.triggers(),
                  Optional.ofNullable(row.after()),
                  row.status() == DeliveryStatus.QUEUED && row.due().isAfter(now)
                      ? Optional.of(row.due())
                      : Optional.empty(),
                  Optional.empty())));
    }
    if (!rows.isEmpty()) {
      batch.execute();
    }
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
              .map((rs, ctx) -> messageRow(rs))
              .findOne()
              .orElseThrow(
                  () -> new NotFound("message-not-found", "id", "There is no message " + id + "."));
      List<MessageView.DeliveryView> deliveries =
          handle
              .createQuery(deliveriesOfMessage)
              .bind("messageId", id)
              .map((rs, ctx) -> deliveryRow(rs))
              .list();
      return withDeliveries(message, deliveries);
    });
  }

  /** Which messages a list shows: each part, when present, narrows it. */
  public record Filter(
      Optional<UUID> contactId,
      Optional<String> topic,
      Optional<Channel> channel,
      Optional<DeliveryStatus> status,
      Optional<Instant> since,
      Optional<Instant> until) {
    public static final Filter NONE =
        new Filter(
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
  }

  /**
   * Messages newest first, a page at a time, each with its deliveries; {@code channel} and {@code
   * status} keep the messages that have a delivery on that channel and/or in that status.
   */
  public Page<MessageView> page(Filter filter, PageRequest request) {
    UUID after = request.isFirst() ? Ids.HIGHEST : request.uuid(0);
    return jdbi.withHandle(handle -> {
      List<MessageView> messages =
          handle
              .createQuery(filter.contactId().isPresent() ? pageOfContact : page)
              .bind("after", after)
              .bind("limit", request.limit() + 1)
              .bind("contactId", filter.contactId().orElse(null))
              .bind("topic", filter.topic().orElse(null))
              .bind("channel", filter.channel().map(Channel::key).orElse(null))
              .bind("status", filter.status().map(DeliveryStatus::key).orElse(null))
              .bind("since", filter.since().orElse(null))
              .bind("until", filter.until().orElse(null))
              .map((rs, ctx) -> messageRow(rs))
              .list();
      Map<UUID, List<MessageView.DeliveryView>> deliveries = new HashMap<>();
      if (!messages.isEmpty()) {
        handle
            .createQuery(deliveriesOfMessages)
            .bind("ids", messages.stream().map(MessageView::id).toArray(UUID[]::new))
            .map((rs, ctx) -> Map.entry(rs.getObject("message_id", UUID.class), deliveryRow(rs)))
            .forEach(e ->
                deliveries.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
      }
      return request.page(
          messages.stream()
              .map(m -> withDeliveries(m, deliveries.getOrDefault(m.id(), List.of())))
              .toList(),
          m -> List.of(m.id().toString()));
    });
  }

  private static MessageView messageRow(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new MessageView(
        rs.getObject("id", UUID.class),
        rs.getObject("contact_id", UUID.class),
        rs.getString("topic"),
        rs.getTimestamp("created_at").toInstant(),
        List.of(),
        false,
        Optional.ofNullable(rs.getString("plan")).map(Messages::readJson),
        false,
        rs.getString("template_key") == null
            ? Optional.empty()
            : Optional.of(
                new MessageView.TemplateRef(
                    rs.getString("template_key"),
                    rs.getInt("template_version"),
                    rs.getString("locale"))),
        new MessageView.Sender(
            Optional.ofNullable(rs.getString("sms_from")),
            Optional.ofNullable(rs.getString("email_from")),
            Optional.ofNullable(rs.getString("email_reply_to"))));
  }

  private static MessageView.DeliveryView deliveryRow(java.sql.ResultSet rs)
      throws java.sql.SQLException {
    return new MessageView.DeliveryView(
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
        step(rs));
  }

  private static MessageView withDeliveries(
      MessageView message, List<MessageView.DeliveryView> deliveries) {
    return new MessageView(
        message.id(),
        message.contactId(),
        message.topic(),
        message.createdAt(),
        deliveries,
        false,
        message.plan(),
        false,
        message.template(),
        message.sender());
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

  /**
   * The senders to store with the message: those it names, checked against the configured ones
   * before anything is written, else the listed defaults.
   */
  private MessageView.Sender sender(MessageRequest request) {
    Optional<String> sms = smsSenders.choose(request.smsFrom());
    dev.tandem.email.EmailIdentities.Chosen email =
        emailIdentities.choose(request.emailFrom(), request.emailReplyTo());
    return new MessageView.Sender(sms, email.from(), email.replyTo());
  }

  private Recipient recipient(MessageRequest request) {
    if (request.contactId() != null) {
      if (request.toPhone() != null || request.toEmail() != null) {
        throw new InvalidInput(
            "ambiguous-recipient", "to", "Give either contactId or to, not both.");
      }
      return new Recipient(contacts.get(request.contactId()), null, null, contacts);
    }
    if (request.toPhone() == null && request.toEmail() == null) {
      throw new InvalidInput(
          "missing-recipient",
          "contactId",
          "Say who gets the message: contactId, or to.phone and/or to.email.");
    }
    // checked here, so that a bad address never reaches the shared transaction
    String phone =
        request.toPhone() == null
            ? null
            : contacts.phoneNumbers().require("phone", request.toPhone());
    String email =
        request.toEmail() == null ? null : EmailAddresses.normalize("email", request.toEmail());
    return new Recipient(null, phone, email, contacts);
  }

  /** The channels the caller named; empty when the topic's policy decides. */
  private static List<Channel> channels(List<String> requested) {
    if (requested == null) {
      return List.of();
    }
    if (requested.isEmpty()) {
      throw new InvalidInput(
          "missing-channels",
          "channels",
          "channels is empty. Name [\"sms\"], [\"email\"] or both, or leave channels out to let"
              + " the topic's policy choose.");
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

  /**
   * The content for the named channels (each required), or, when none are named, whatever the
   * request gives (at least one).
   */
  private static MessageContent content(
      MessageRequest request, List<Channel> named, boolean substitutionByDefault) {
    List<Channel> channels = named;
    if (named.isEmpty()) {
      channels = new ArrayList<>();
      if (request.hasSms()) {
        channels.add(Channel.SMS);
      }
      if (request.hasEmail()) {
        channels.add(Channel.EMAIL);
      }
      if (channels.isEmpty()) {
        throw new InvalidInput(
            "missing-content",
            "sms",
            "Say what to send: sms.text and/or email (subject and html or text). The topic's"
                + " policy picks among the channels given content.");
      }
    }
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
            EmailContent.Attachment.of(
                i, a.filename(), a.contentType(), a.contentBase64(), a.contentId()));
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

  /** Every channel the person has an address for. */
  private static Map<Channel, String> available(Contact contact) {
    var addresses = new EnumMap<Channel, String>(Channel.class);
    contact.phone().ifPresent(p -> addresses.put(Channel.SMS, p));
    contact.email().ifPresent(e -> addresses.put(Channel.EMAIL, e));
    return addresses;
  }

  /** The caller's dedupe key, or the content's hash: the same words are the same message. */
  private static String dedupeKey(String given, MessageContent content) {
    if (given != null) {
      if (given.isBlank() || given.length() > 200) {
        throw new InvalidInput(
            "invalid-dedupe-key",
            "dedupeKey",
            "dedupeKey must be 1 to 200 characters; it is " + given.length() + ".");
      }
      return given;
    }
    return "content:" + sha256(content.toJson()).substring(0, 32);
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
      MessageRequest request, List<Channel> channels, String topic, String content) {
    List<String> parts = new ArrayList<>();
    parts.add(String.valueOf(request.contactId()));
    parts.add(String.valueOf(request.toPhone()));
    parts.add(String.valueOf(request.toEmail()));
    parts.add(channels.toString());
    parts.add(topic);
    parts.add(content);
    parts.add(String.valueOf(request.dedupeKey()));
    if (request.sendAt() != null) { // only then: the hashes of earlier requests stay the same
      parts.add(request.sendAt().toString());
    }
    if (request.namesSender()) { // likewise
      parts.add("sender");
      parts.add(String.valueOf(request.smsFrom()));
      parts.add(String.valueOf(request.emailFrom()));
      parts.add(String.valueOf(request.emailReplyTo()));
    }
    if (request.statusCallback() != null) { // likewise
      parts.add("statusCallback");
      parts.add(request.statusCallback());
    }
    return sha256(String.join("\u0000", parts));
  }

  private static String sha256(String text) {
    try {
      var digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
