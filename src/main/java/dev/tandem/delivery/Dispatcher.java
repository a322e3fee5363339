package dev.tandem.delivery;

import dev.tandem.channel.Channel;
import dev.tandem.config.TandemConfig;
import dev.tandem.consent.ConsentLedger;
import dev.tandem.content.EmailContent;
import dev.tandem.content.MessageContent;
import dev.tandem.content.SmsContent;
import dev.tandem.email.EmailGateway;
import dev.tandem.email.EmailIdentities;
import dev.tandem.email.EmailSendResult;
import dev.tandem.email.LinkSigner;
import dev.tandem.email.OutboundEmail;
import dev.tandem.email.Tracking;
import dev.tandem.event.Timeline;
import dev.tandem.routing.QuietHours;
import dev.tandem.routing.SendGate;
import dev.tandem.routing.Zones;
import dev.tandem.sms.DeliveryReceipt;
import dev.tandem.sms.OutboundSms;
import dev.tandem.sms.SmsGateway;
import dev.tandem.sms.SmsSenders;
import dev.tandem.sms.SmsSubmitResult;
import dev.tandem.topic.TopicClass;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves queued deliveries to the gateways. Each {@link #runOnce} claims a batch, hands every
 * delivery to its gateway at once (SMPP window, SMTP pool) and records each answer as it comes,
 * extending the batch's lease while sends are in flight. {@link #start} runs that in background
 * workers; tests call {@code runOnce} by hand.
 */
public final class Dispatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  private final Outbox outbox;
  private final LinkSigner links;
  private final Supplier<String> baseUrl;
  private final ReceiptWriter receipts;
  private final SmsGateway sms;
  private final EmailGateway email;
  private final Clock clock;
  private final TandemConfig.Dispatch config;
  private final TandemConfig.Email emailConfig;
  private final RetryPolicy retries;
  private final ConsentLedger consent;
  private final SendGate gate;
  private final QuietHours quietHours;
  private final java.util.function.Function<java.util.UUID, Optional<String>> zoneOf;
  private final java.time.ZoneId defaultZone;
  private final String nodeId;
  private final SmsSenders smsSenders;
  private final EmailIdentities emailIdentities;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean running;
  private boolean signalled;

  public Dispatcher(
      Jdbi jdbi,
      Timeline timeline,
      MeterRegistry metrics,
      SmsGateway sms,
      EmailGateway email,
      Clock clock,
      TandemConfig.Dispatch config,
      TandemConfig.Email emailConfig,
      LinkSigner links,
      Supplier<String> baseUrl,
      ConsentLedger consent,
      SendGate gate,
      QuietHours quietHours,
      java.util.function.Function<java.util.UUID, Optional<String>> zoneOf,
      java.time.ZoneId defaultZone,
      String nodeId,
      SmsSenders smsSenders,
      EmailIdentities emailIdentities) {
    this.smsSenders = smsSenders;
    this.emailIdentities = emailIdentities;
    this.quietHours = quietHours;
    this.zoneOf = zoneOf;
    this.defaultZone = defaultZone;
    this.nodeId = nodeId;
    this.links = links;
    this.consent = consent;
    this.gate = gate;
    this.baseUrl = baseUrl;
    this.outbox = new Outbox(jdbi, timeline, metrics, this::wake);
    this.receipts = new ReceiptWriter(outbox, clock);
    this.sms = sms;
    this.email = email;
    this.clock = clock;
    this.config = config;
    this.emailConfig = emailConfig;
    this.retries = new RetryPolicy(config.maxAttempts(), config.retryBase(), config.retryMax());
  }

  /**
   * Why a delivery must wait though consent allows it (marketing paused by the reputation guard),
   * or empty. Set once at start.
   */
  public interface HoldBack {
    Optional<String> holdBack(Channel channel, String topic, String emailFrom);

    HoldBack NONE = (channel, topic, emailFrom) -> Optional.empty();
  }

  /**
   * How long a held-back delivery waits before it is looked at again, unless a resume releases it
   * first ({@link #releaseHeldBack}): one deferral event per delivery and pause, not one an hour.
   */
  static final Duration HELD_BACK_FOR = Duration.ofDays(30);

  /** Sends now what the reputation guard held back (someone resumed); returns how many. */
  public int releaseHeldBack() {
    return outbox.releaseHeldBack(clock.instant());
  }

  private volatile HoldBack holdBack = HoldBack.NONE;

  public void holdBack(HoldBack holdBack) {
    this.holdBack = holdBack;
  }

  private Optional<Outcome.Deferred> heldBack(Outbox.Claimed delivery, Instant now) {
    return holdBack
        .holdBack(delivery.channel(), delivery.topic(), delivery.emailFrom())
        .map(why -> new Outcome.Deferred(now.plus(HELD_BACK_FOR), why));
  }

  /** This node's name in claims (dispatch.nodeId, or one kept in the data directory). */
  public String nodeId() {
    return nodeId;
  }

  /**
   * Queues again the deliveries this node had claimed when it stopped, without waiting for their
   * lease: call once at start, before any worker runs. Returns how many.
   */
  public int takeBackOwnClaims() {
    int taken = outbox.releaseOwnClaims(nodeId, clock.instant());
    if (taken > 0) {
      log.info(
          "node {} stopped with {} deliveries in flight; they are queued again", nodeId, taken);
    }
    return taken;
  }

  /** Claims one batch of due deliveries, sends them and records the results; returns how many. */
  public int runOnce() {
    Instant now = clock.instant();
    outbox.releaseExpiredLeases(now);
    outbox.releaseDueFallbacks(now, config.batchSize());
    Instant leaseUntil = now.plus(config.lease());
    List<Outbox.Claimed> claimed = outbox.claimDue(now, config.batchSize(), leaseUntil, nodeId);
    if (claimed.isEmpty()) {
      return 0;
    }
    List<String> blocked = blocked(claimed);
    BlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
    for (int i = 0; i < claimed.size(); i++) {
      Outbox.Claimed delivery = claimed.get(i);
      String reason = blocked.get(i);
      Optional<Outcome.Deferred> quiet =
          reason == null
              ? quietHours(delivery, now).or(() -> heldBack(delivery, now))
              : Optional.empty();
      CompletableFuture<Outcome> sending =
          reason != null
              ? CompletableFuture.completedFuture(new Outcome.Suppressed(reason))
              : quiet.isPresent()
                  ? CompletableFuture.completedFuture(quiet.get())
                  : dispatch(delivery);
      sending.whenComplete((outcome, error) ->
          finished.add(
              new Finished(
                  delivery, error == null ? outcome : new Outcome.Retry("send failed: " + error))));
    }
    recordAsTheyComplete(finished, claimed.size(), claimed.get(0).claimToken(), leaseUntil);
    return claimed.size();
  }

  private record Finished(Outbox.Claimed delivery, Outcome outcome) {}

  /**
   * Waits up to {@link #GATHER} for more answers of the round to join those in hand, so that a
   * steady trickle (an SMTP pool answering one message at a time) costs one commit per few answers
   * instead of one each. A delivery stays claimed meanwhile, so nothing is lost if the node stops.
   */
  private static void gather(
      BlockingQueue<Finished> finished, List<Finished> ready, int remaining) {
    long deadline = System.nanoTime() + GATHER.toNanos();
    while (ready.size() < remaining) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      Finished next;
      try {
        next = finished.poll(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (next == null) {
        return;
      }
      ready.add(next);
      finished.drainTo(ready);
    }
  }

  /** How long answers of a round may wait for others before they are recorded together. */
  private static final Duration GATHER = Duration.ofMillis(10);

  /**
   * Records answers in groups as they arrive (one transaction for all that are waiting), and keeps
   * the claim's lease ahead of the clock while any send is in flight, so that a slow relay does not
   * let another round claim and send them again.
   */
  private void recordAsTheyComplete(
      BlockingQueue<Finished> finished, int count, java.util.UUID token, Instant leaseUntil) {
    Duration renewBefore = config.lease().multipliedBy(2).dividedBy(3);
    Instant until = leaseUntil;
    int remaining = count;
    var ready = new ArrayList<Finished>();
    while (remaining > 0) {
      Finished first;
      try {
        first = finished.poll(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(
            "interrupted with " + remaining + " sends in flight; they are sent again later", e);
      }
      if (first != null) {
        ready.add(first);
        finished.drainTo(ready);
        gather(finished, ready, remaining);
        outbox.record(results(ready), clock.instant());
        remaining -= ready.size();
        ready.clear();
      }
      Instant now = clock.instant();
      if (remaining > 0 && now.isAfter(until.minus(renewBefore))) {
        until = now.plus(config.lease());
        outbox.extendLease(token, until);
      }
    }
  }

  private List<Outbox.Result> results(List<Finished> finished) {
    Instant done = clock.instant();
    List<Outbox.Result> results = new ArrayList<>(finished.size());
    for (Finished f : finished) {
      Outbox.Claimed delivery = f.delivery();
      Outcome outcome = f.outcome();
      if (outcome instanceof Outcome.Retry retry
          && !retry.throttled()
          && retries.exhausted(delivery.attempts())) {
        outcome =
            new Outcome.Failed(
                "gave up after " + delivery.attempts() + " attempts; last: " + retry.reason());
      }
      Instant next =
          outcome instanceof Outcome.Deferred deferred
              ? deferred.until()
              : outcome instanceof Outcome.Retry retry && retry.throttled()
                  ? retries.afterThrottling(delivery.id(), done)
                  : retries.nextAttempt(delivery.id(), delivery.attempts(), done);
      results.add(new Outbox.Result(delivery, outcome, next));
    }
    return results;
  }

  /**
   * The send gate, asked again at send time for the whole batch: a STOP, an unsubscribe or a bounce
   * that arrived after the message was accepted wins. The reason each delivery must not go, or
   * null.
   */
  private List<String> blocked(List<Outbox.Claimed> claimed) {
    List<SendGate.Verdict> verdicts =
        gate.check(
            claimed.stream()
                .map(d -> new SendGate.Ask(d.contactId(), d.channel(), d.address(), d.topic()))
                .toList());
    return verdicts.stream().map(v -> v.allowed() ? null : v.reason()).toList();
  }

  /**
   * Quiet hours, checked again at send time for an SMS on a topic that keeps them: a deferred
   * message whose time came, a released fallback, or one planned before a DST change or a new time
   * zone on the contact, waits for the next allowed minute.
   */
  private Optional<Outcome.Deferred> quietHours(Outbox.Claimed delivery, Instant now) {
    if (delivery.channel() != Channel.SMS || delivery.topic() == null) {
      return Optional.empty();
    }
    var topic = consent.topics().find(delivery.topic());
    if (topic.isEmpty()
        || topic.get().topicClass() == dev.tandem.topic.TopicClass.CRITICAL
        || !topic.get().policy().quietHours()) {
      return Optional.empty();
    }
    Zones zones =
        Zones.of(zoneOf.apply(delivery.contactId()), Optional.of(delivery.address()), defaultZone);
    QuietHours.Verdict verdict = quietHours.check(zones, topic.get().topicClass(), now);
    if (verdict.allowedNow()) {
      return Optional.empty();
    }
    // windows that never overlap: try again in a day, when the contact may have a zone
    return Optional.of(
        new Outcome.Deferred(
            verdict.next().orElse(now.plus(Duration.ofDays(1))), verdict.explanation()));
  }

  private boolean marketing(Outbox.Claimed delivery) {
    return delivery.topic() != null
        && consent.topics().find(delivery.topic()).map(t -> t.topicClass()).orElse(null)
            == TopicClass.MARKETING;
  }

  /** Runs {@link #runOnce} until nothing is due; returns the total. For tests and the demo. */
  public int drain() {
    int total = 0;
    int n;
    while ((n = runOnce()) > 0) {
      total += n;
    }
    return total;
  }

  private CompletableFuture<Outcome> dispatch(Outbox.Claimed delivery) {
    MessageContent content = MessageContent.fromJson(delivery.content());
    return switch (delivery.channel()) {
      case SMS -> {
        Optional<SmsContent> text =
            "pointer".equals(delivery.variant()) ? pointer(delivery, content) : content.sms();
        if (text.isEmpty()) {
          yield CompletableFuture.completedFuture(
              new Outcome.Failed("the message has no SMS content (erased or unreadable)"));
        }
        SmsContent body = text.get();
        var outbound =
            new OutboundSms(
                delivery.id(),
                delivery.address(),
                body.text(),
                body.substitution(),
                Optional.ofNullable(delivery.smsFrom()).or(smsSenders::fallback));
        yield sms.submit(outbound)
            .thenApply(Dispatcher::outcome)
            .exceptionally(e -> new Outcome.Retry("SMS gateway error: " + e.getMessage()));
      }
      case EMAIL -> {
        if (content.email().isEmpty()) {
          yield CompletableFuture.completedFuture(
              new Outcome.Failed("the message has no email content (erased or unreadable)"));
        }
        EmailContent body = content.email().get();
        String base = baseUrl.get();
        Optional<String> html = body.html();
        if (body.tracking()) {
          html = html.map(h -> Tracking.apply(h, delivery.id(), base, links));
        }
        // a template's {{links.unsubscribe}} and {{links.view}}: this delivery's signed links
        // (after tracking, so the unsubscribe link is never a click redirect)
        java.util.function.UnaryOperator<String> own =
            t ->
                t.replace(
                        "tandem:unsubscribe",
                        base + "/u/" + links.token(delivery.id(), LinkSigner.Purpose.UNSUBSCRIBE))
                    .replace(
                        "tandem:view",
                        base + "/v/" + links.token(delivery.id(), LinkSigner.Purpose.VIEW));
        html = html.map(own);
        Optional<String> text = body.text().map(own);
        var headers = new java.util.LinkedHashMap<String, String>();
        // the sender stored with the message; a compliance reply (none stored) takes the default
        EmailIdentities.Chosen sender =
            delivery.emailFrom() == null && delivery.emailReplyTo() == null
                ? emailIdentities.fallback()
                : new EmailIdentities.Chosen(
                    Optional.ofNullable(delivery.emailFrom()),
                    Optional.ofNullable(delivery.emailReplyTo()));
        sender.replyTo().ifPresent(r -> headers.put("Reply-To", r));
        if (body.unsubscribe() || marketing(delivery)) {
          // RFC 2369 + RFC 8058 one-click: mail providers POST to the https link. Gmail and Yahoo
          // require it on bulk mail, so marketing carries it whatever the caller asked.
          String token = links.token(delivery.id(), LinkSigner.Purpose.UNSUBSCRIBE);
          String mailto =
              emailConfig
                  .bounceDomain()
                  .map(d -> ", <mailto:unsubscribe+" + token + "@" + d + ">")
                  .orElse("");
          headers.put("List-Unsubscribe", "<" + base + "/u/" + token + ">" + mailto);
          headers.put("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }
        var outbound =
            new OutboundEmail(
                delivery.id(),
                delivery.id() + "@" + emailConfig.messageIdDomain(),
                sender.from().orElse(emailConfig.from()),
                delivery.address(),
                body.subject(),
                html,
                text,
                headers,
                body.attachments().stream()
                    .map(a ->
                        new OutboundEmail.Attachment(
                            a.filename(), a.contentType(), a.content(), a.contentId()))
                    .toList());
        yield email
            .send(outbound)
            .thenApply(Dispatcher::outcome)
            .exceptionally(e -> new Outcome.Retry("email gateway error: " + e.getMessage()));
      }
    };
  }

  /**
   * The SMS that points to the email it follows: its subject and a link to the hosted copy, kept to
   * one GSM-7 segment where the link allows (the subject is shortened, never the link).
   */
  private Optional<SmsContent> pointer(Outbox.Claimed delivery, MessageContent content) {
    if (content.email().isEmpty() || delivery.follows() == null) {
      return Optional.empty();
    }
    String url = baseUrl.get() + "/v/" + links.token(delivery.follows(), LinkSigner.Purpose.VIEW);
    return Optional.of(
        new SmsContent(
            dev.tandem.template.PointerSms.text(content.email().get().subject(), url, true), true));
  }

  private static Outcome outcome(SmsSubmitResult result) {
    return switch (result) {
      case SmsSubmitResult.Accepted a ->
          new Outcome.Sent(
              a.providerIds(),
              a.parts().stream()
                  .map(p -> new Outcome.SmsPart(p.seq(), p.providerId(), p.receiptKey()))
                  .toList());
      case SmsSubmitResult.Rejected r -> new Outcome.Failed(r.reason());
      case SmsSubmitResult.RetryLater r -> new Outcome.Retry(r.reason(), r.throttled());
    };
  }

  private static Outcome outcome(EmailSendResult result) {
    return switch (result) {
      case EmailSendResult.Sent s -> new Outcome.Sent(s.messageId(), List.of());
      case EmailSendResult.Rejected r -> new Outcome.Failed(r.reason());
      case EmailSendResult.RetryLater r -> new Outcome.Retry(r.reason());
    };
  }

  /**
   * Records a delivery receipt from the SMS gateway; safe to call before the submit is recorded.
   */
  public void onReceipt(DeliveryReceipt receipt, String receiptKey, String raw) {
    receipts.store(receipt, receiptKey, raw);
  }

  /** Starts {@code workers} background loops. */
  public void start(int workerCount) {
    running = true;
    for (int i = 0; i < workerCount; i++) {
      workers.add(Thread.ofPlatform().daemon().name("dispatcher-" + i).start(this::loop));
    }
  }

  /** Tells idle workers that new deliveries are queued. */
  public void wake() {
    lock.lock();
    try {
      signalled = true;
      work.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void loop() {
    Duration idle = config.pollInterval();
    while (running) {
      int n;
      try {
        n = runOnce();
      } catch (RuntimeException e) {
        log.error("dispatch round failed; retrying after {} ms", idle.toMillis(), e);
        n = 0;
      }
      if (n > 0) {
        if (n < config.batchSize() / 4) {
          // A small round under steady traffic: wait a moment so the next one is worth its
          // transactions (a full round goes again at once).
          linger();
        }
        continue;
      }
      lock.lock();
      try {
        if (!signalled && running) {
          work.await(idle.toMillis(), TimeUnit.MILLISECONDS);
        }
        signalled = false;
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
    }
  }

  private static void linger() {
    try {
      Thread.sleep(LINGER);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** How long a worker waits after a small round before the next one. */
  private static final Duration LINGER = Duration.ofMillis(20);

  /**
   * How often, at most, a round with sends in flight checks its lease (well under the shortest
   * lease allowed, 5 s).
   */
  private static final Duration HEARTBEAT = Duration.ofMillis(200);

  @Override
  public void close() {
    running = false;
    receipts.close();
    wake();
    for (Thread worker : workers) {
      try {
        worker.join(Duration.ofSeconds(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
