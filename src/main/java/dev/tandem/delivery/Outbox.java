package dev.tandem.delivery;

import dev.tandem.channel.Channel;
import dev.tandem.event.Timeline;
import dev.tandem.event.TimelineEvent;
import dev.tandem.sms.DeliveryReceipt;
import dev.tandem.store.Leases;
import dev.tandem.store.NamedSql;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deliveries table as a work queue: claims due rows with {@code FOR UPDATE SKIP LOCKED} under a
 * lease and a claim token, extends the lease while sends are in flight, writes results only where
 * the token still holds, and matches delivery receipts to deliveries.
 */
final class Outbox {
  private static final Logger log = LoggerFactory.getLogger(Outbox.class);

  private final Jdbi jdbi;
  private final Timeline timeline;
  private final String releaseHeldBack;
  private final MeterRegistry metrics;

  /** The deliveries table's claims: 'queued' rows due by next_attempt_at, 'sending' claimed. */
  static final Leases.Spec CLAIMS =
      Leases.Spec.of("delivery", "id", "next_attempt_at", "queued", "sending")
          .withAttempts("attempts")
          .withUpdatedAt("updated_at")
          .withError("last_error");

  private final Leases leases = new Leases(CLAIMS);
  private final String claimedDetails;
  private final String markSent;
  private final String insertPart;
  private final String lockDeliveries;
  private final String markParts;
  private final String partStates;
  private final String finishDeliveries;
  private final String requeue;
  private final String markFailed;
  private final String markSuppressed;
  private final String lockReceiptKeys;
  private final String insertReceipts;
  private final String pendingReceiptKeys;
  private final String strandedReceiptKeys;
  private final String applyPlan;
  private final String matchPendingReceipts;

  private final Fallbacks fallbacks;
  private final Runnable onReleased;

  /**
   * @param onReleased called after a commit that released held steps to the queue
   */
  Outbox(Jdbi jdbi, Timeline timeline, MeterRegistry metrics, Runnable onReleased) {
    this.jdbi = jdbi;
    this.timeline = timeline;
    this.metrics = metrics;
    this.fallbacks = new Fallbacks(jdbi, timeline, metrics);
    this.onReleased = onReleased;
    var sql = NamedSql.forClass(Outbox.class);
    this.claimedDetails = sql.get("claimedDetails");
    this.markSent = sql.get("markSent");
    this.releaseHeldBack = sql.get("releaseHeldBack");
    this.insertPart = sql.get("insertPart");
    this.lockDeliveries = sql.get("lockDeliveries");
    this.markParts = sql.get("markParts");
    this.partStates = sql.get("partStates");
    this.finishDeliveries = sql.get("finishDeliveries");
    this.requeue = sql.get("requeue");
    this.markFailed = sql.get("markFailed");
    this.markSuppressed = sql.get("markSuppressed");
    this.lockReceiptKeys = sql.get("lockReceiptKeys");
    this.insertReceipts = sql.get("insertReceipts");
    this.pendingReceiptKeys = sql.get("pendingReceiptKeys");
    this.strandedReceiptKeys = sql.get("strandedReceiptKeys");
    this.applyPlan = sql.get("applyPlan");
    this.matchPendingReceipts = sql.get("matchPendingReceipts");
  }

  /**
   * A claimed delivery, with its message content as JSON and the token of the claim (null where a
   * delivery is only referred to).
   */
  record Claimed(
      UUID id,
      UUID messageId,
      UUID contactId,
      Channel channel,
      String address,
      int attempts,
      String topic,
      String content,
      Integer segments,
      java.math.BigDecimal cost,
      String currency,
      UUID claimToken,
      String variant,
      UUID follows,
      String smsFrom,
      String emailFrom,
      String emailReplyTo) {}

  /** The result to store for one claimed delivery. */
  record Result(Claimed delivery, Outcome outcome, Instant nextAttemptAt) {}

  /** A node that died while sending leaves rows in 'sending'; after the lease they are queued. */
  int releaseExpiredLeases(Instant now) {
    return jdbi.withHandle(h ->
        leases.releaseExpired(
            h, now, "the node sending it stopped before recording a result; sending again"));
  }

  /** Queues again whatever {@code node} left in 'sending': at its start, it was in flight. */
  int releaseOwnClaims(String node, Instant now) {
    return jdbi.withHandle(h ->
        leases.releaseOwn(
            h, node, now, "this node stopped before recording a result; sending again"));
  }

  /** Extends the lease of the deliveries of this claim still in flight; returns how many. */
  int extendLease(UUID token, Instant leaseUntil) {
    return jdbi.withHandle(h -> leases.extend(h, token, leaseUntil));
  }

  /** Claims up to {@code limit} due deliveries for {@code node} under one new token. */
  List<Claimed> claimDue(Instant now, int limit, Instant leaseUntil, String node) {
    return jdbi.inTransaction(handle -> {
      Leases.Claim claim = leases.claim(handle, now, limit, leaseUntil, node);
      if (claim.ids().isEmpty()) {
        return List.of();
      }
      return handle
          .createQuery(claimedDetails)
          .bind("ids", claim.ids().toArray(UUID[]::new))
          .map((rs, ctx) ->
              new Claimed(
                  rs.getObject("id", UUID.class),
                  rs.getObject("message_id", UUID.class),
                  rs.getObject("contact_id", UUID.class),
                  Channel.parse(rs.getString("channel")).orElseThrow(),
                  rs.getString("address"),
                  rs.getInt("attempts"),
                  rs.getString("topic"),
                  rs.getString("content"),
                  (Integer) rs.getObject("segments"),
                  rs.getBigDecimal("cost"),
                  rs.getString("currency"),
                  rs.getObject("claim_token", UUID.class),
                  rs.getString("variant"),
                  rs.getObject("follows", UUID.class),
                  rs.getString("sms_from"),
                  rs.getString("email_from"),
                  rs.getString("email_reply_to")))
          .list();
    });
  }

  /**
   * Stores results, their timeline events and any receipts that were waiting, in one transaction. A
   * result whose claim was lost (its lease expired and the delivery was queued or claimed again)
   * changes nothing.
   */
  void record(List<Result> results, Instant now) {
    int released =
        jdbi.inTransaction(handle -> {
          List<String> receiptKeys = new ArrayList<>();
          for (Result result : results) {
            if (result.outcome() instanceof Outcome.Sent sent) {
              sent.parts().forEach(part -> receiptKeys.add(part.receiptKey()));
            }
          }
          lock(handle, receiptKeys);
          Set<UUID> held = writeStatuses(handle, results, now);
          List<UUID> partDeliveries = new ArrayList<>();
          List<Integer> partSeqs = new ArrayList<>();
          List<String> partProviderIds = new ArrayList<>();
          List<String> partKeys = new ArrayList<>();
          List<TimelineEvent> events = new ArrayList<>();
          for (Result result : results) {
            Claimed d = result.delivery();
            if (!held.contains(d.id())) {
              log.warn(
                  "delivery {} lost its claim before its result ({}) was recorded; another attempt owns"
                      + " it now",
                  d.id(),
                  result.outcome().getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT));
              continue;
            }
            switch (result.outcome()) {
              case Outcome.Sent s -> {
                for (Outcome.SmsPart part : s.parts()) {
                  partDeliveries.add(d.id());
                  partSeqs.add(part.seq());
                  partProviderIds.add(part.providerId());
                  partKeys.add(part.receiptKey());
                }
                Map<String, Object> detail = new HashMap<>();
                detail.put("providerId", s.providerId());
                if (d.segments() != null) {
                  detail.put("segments", d.segments());
                }
                if (d.cost() != null) {
                  detail.put("cost", d.cost().stripTrailingZeros().toPlainString());
                  detail.put("currency", d.currency());
                }
                events.add(event(d, now, "delivery.sent", detail));
                count(d, "sent", now, "tandem.delivery.dispatch.latency");
              }
              case Outcome.Retry r -> {}
              case Outcome.Deferred x ->
                  events.add(
                      event(
                          d,
                          now,
                          "delivery.deferred",
                          Map.of("until", x.until().toString(), "reason", x.reason())));
              case Outcome.Failed f -> {
                events.add(event(d, now, "delivery.failed", Map.of("reason", f.reason())));
                count(d, "failed", now, null);
              }
              case Outcome.Suppressed x -> {
                events.add(event(d, now, "delivery.suppressed", Map.of("reason", x.reason())));
                count(d, "suppressed", now, null);
              }
            }
          }
          if (!partDeliveries.isEmpty()) {
            handle
                .createUpdate(insertPart)
                .bind("deliveryIds", partDeliveries.toArray(UUID[]::new))
                .bind("seqs", partSeqs.toArray(Integer[]::new))
                .bind("providerIds", partProviderIds.toArray(String[]::new))
                .bind("receiptKeys", partKeys.toArray(String[]::new))
                .execute();
          }
          timeline.append(handle, events);
          List<UUID> settled =
              results.stream()
                  .filter(r -> !(r.outcome() instanceof Outcome.Retry))
                  .filter(r -> !(r.outcome() instanceof Outcome.Deferred))
                  .map(r -> r.delivery().id())
                  .filter(held::contains)
                  .toList();
          return fallbacks.followed(handle, settled, now)
              + applyPendingReceipts(handle, receiptKeys, now);
        });
    if (released > 0) {
      onReleased.run();
    }
  }

  /** Decides held steps whose timer ran out (see {@link Fallbacks#releaseDue}). */
  /** Queues now the deliveries the reputation guard held back; returns how many. */
  int releaseHeldBack(Instant now) {
    int released = jdbi.withHandle(h -> h.createUpdate(releaseHeldBack).bind("now", now).execute());
    if (released > 0) {
      onReleased.run();
    }
    return released;
  }

  int releaseDueFallbacks(Instant now, int limit) {
    int released = fallbacks.releaseDue(now, limit);
    if (released > 0) {
      onReleased.run();
    }
    return released;
  }

  /**
   * Writes each result's status where its claim token still holds; returns the ids written. Each
   * UPDATE checks the token, so which rows changed is the answer.
   */
  private Set<UUID> writeStatuses(Handle handle, List<Result> results, Instant now) {
    Set<UUID> written = new HashSet<>();
    List<Result> sentResults =
        results.stream().filter(r -> r.outcome() instanceof Outcome.Sent).toList();
    if (!sentResults.isEmpty()) {
      written.addAll(
          handle
              .createQuery(markSent)
              .bind("ids", sentResults.stream().map(r -> r.delivery().id()).toArray(UUID[]::new))
              .bind(
                  "tokens",
                  sentResults.stream().map(r -> r.delivery().claimToken()).toArray(UUID[]::new))
              .bind(
                  "providerIds",
                  sentResults.stream()
                      .map(r -> ((Outcome.Sent) r.outcome()).providerId())
                      .toArray(String[]::new))
              .bind("now", now)
              .mapTo(UUID.class)
              .list());
    }
    PreparedBatch retry = handle.prepareBatch(requeue);
    PreparedBatch failed = handle.prepareBatch(markFailed);
    PreparedBatch suppressed = handle.prepareBatch(markSuppressed);
    Map<PreparedBatch, List<UUID>> ids = new java.util.LinkedHashMap<>();
    for (PreparedBatch batch : List.of(retry, failed, suppressed)) {
      ids.put(batch, new ArrayList<>());
    }
    for (Result result : results) {
      Claimed d = result.delivery();
      PreparedBatch batch =
          switch (result.outcome()) {
            case Outcome.Sent s -> null; // written above, all in one statement
            case Outcome.Retry r ->
                retry
                    .bind("nextAttemptAt", result.nextAttemptAt())
                    .bind("error", r.reason())
                    .bind("refund", r.throttled() ? 1 : 0);
            case Outcome.Deferred x ->
                retry
                    .bind("nextAttemptAt", x.until())
                    .bind("error", "deferred: " + x.reason())
                    .bind("refund", 1);
            case Outcome.Failed f -> failed.bind("error", f.reason());
            case Outcome.Suppressed x -> suppressed.bind("error", "not sent: " + x.reason());
          };
      if (batch == null) {
        continue;
      }
      batch.bind("id", d.id()).bind("token", d.claimToken()).bind("now", now).add();
      ids.get(batch).add(d.id());
    }
    ids.forEach((batch, batchIds) -> {
      if (batchIds.isEmpty()) {
        return;
      }
      int[] counts = batch.execute();
      for (int i = 0; i < counts.length; i++) {
        if (counts[i] > 0) {
          written.add(batchIds.get(i));
        }
      }
    });
    return written;
  }

  /**
   * Stores receipts as received, in one statement and so one commit: once this returns they are
   * durable and may be acknowledged. They are matched to their parts later by {@link
   * #applyReceipts}.
   */
  void storeReceipts(List<ReceiptWriter.Pending> receipts, Instant now) {
    jdbi.useHandle(handle ->
        handle
            .createUpdate(insertReceipts)
            .bind(
                "keys",
                receipts.stream().map(ReceiptWriter.Pending::receiptKey).toArray(String[]::new))
            .bind("stats", receipts.stream().map(p -> p.receipt().stat()).toArray(String[]::new))
            .bind("errs", receipts.stream().map(p -> p.receipt().err()).toArray(String[]::new))
            .bind("raws", receipts.stream().map(ReceiptWriter.Pending::raw).toArray(String[]::new))
            .bind("receivedAt", now)
            .execute());
  }

  /**
   * Applies the stored, unmatched receipts with these keys to their parts and deliveries, in one
   * transaction; a receipt whose part is not known yet keeps waiting for its submit result. Returns
   * how many receipts were matched.
   */
  int applyReceipts(java.util.Collection<String> keys, Instant now) {
    record Applied(int matched, int released) {}
    Applied applied =
        jdbi.inTransaction(handle -> {
          List<String> sorted = List.copyOf(new TreeSet<>(keys));
          lock(handle, sorted);
          handle.execute(applyPlan);
          int[] matched = new int[1];
          int released = applyPendingReceipts(handle, sorted, now, n -> matched[0] = n);
          return new Applied(matched[0], released);
        });
    if (applied.released() > 0) {
      onReleased.run();
    }
    return applied.matched();
  }

  /** Keys of receipts stored since {@code since} and not yet matched to a part (at most limit). */
  List<String> pendingReceiptKeys(Instant since, int limit) {
    return jdbi.withHandle(handle ->
        handle
            .createQuery(pendingReceiptKeys)
            .bind("since", since)
            .bind("limit", limit)
            .mapTo(String.class)
            .list());
  }

  /**
   * Keys of receipts stored between {@code since} and {@code before}, still unmatched although a
   * part with their key waits for a receipt: stored by a node that stopped before applying them.
   */
  List<String> strandedReceiptKeys(Instant since, Instant before, int limit) {
    return jdbi.withHandle(handle ->
        handle
            .createQuery(strandedReceiptKeys)
            .bind("since", since)
            .bind("before", before)
            .bind("limit", limit)
            .mapTo(String.class)
            .list());
  }

  private void lock(Handle handle, List<String> keys) {
    if (keys.isEmpty()) {
      return;
    }
    // Always in the same order, so two transactions never wait on each other in a cycle.
    String[] sorted = new TreeSet<>(keys).toArray(String[]::new);
    handle.createQuery(lockReceiptKeys).bind("keys", sorted).mapTo(Long.class).one();
  }

  /**
   * Matches waiting receipts with these keys to their SMS parts and settles the deliveries: one
   * failed part fails the SMS, all parts delivered deliver it. Set-based: a handful of statements
   * per batch, however many receipts it holds.
   */
  private int applyPendingReceipts(Handle handle, List<String> keys, Instant now) {
    return applyPendingReceipts(handle, keys, now, n -> {});
  }

  private int applyPendingReceipts(
      Handle handle, List<String> keys, Instant now, java.util.function.IntConsumer matchedCount) {
    if (keys.isEmpty()) {
      return 0;
    }
    record Matched(long receiptId, UUID deliveryId, int seq, String stat, String err) {}
    List<Matched> matched =
        handle
            .createQuery(matchPendingReceipts)
            .bind("keys", keys.toArray(String[]::new))
            .map((rs, ctx) ->
                new Matched(
                    rs.getLong("id"),
                    rs.getObject("delivery_id", UUID.class),
                    rs.getInt("part_seq"),
                    rs.getString("stat"),
                    rs.getString("err")))
            .list();
    matchedCount.accept(matched.size());
    if (matched.isEmpty()) {
      return 0;
    }
    UUID[] deliveryIds =
        matched.stream().map(Matched::deliveryId).distinct().sorted().toArray(UUID[]::new);
    handle.createQuery(lockDeliveries).bind("ids", deliveryIds).mapTo(UUID.class).list();

    var finalParts = matched.stream().filter(m -> partStatus(m.stat()) != null).toList();
    if (!finalParts.isEmpty()) {
      handle
          .createUpdate(markParts)
          .bind("deliveryIds", finalParts.stream().map(Matched::deliveryId).toArray(UUID[]::new))
          .bind("seqs", finalParts.stream().map(Matched::seq).toArray(Integer[]::new))
          .bind(
              "statuses", finalParts.stream().map(m -> partStatus(m.stat())).toArray(String[]::new))
          .bind("stats", finalParts.stream().map(Matched::stat).toArray(String[]::new))
          .execute();
    }

    record State(Claimed delivery, int total, int delivered, int failed) {}
    Map<UUID, State> states = new HashMap<>();
    handle
        .createQuery(partStates)
        .bind("ids", deliveryIds)
        .map((rs, ctx) ->
            new State(ref(rs), rs.getInt("total"), rs.getInt("delivered"), rs.getInt("failed")))
        .forEach(state -> states.put(state.delivery().id(), state));

    // The receipt that settles a delivery: the failing one, or the last one when all delivered.
    Map<UUID, Matched> settling = new HashMap<>();
    for (Matched m : matched) {
      State state = states.get(m.deliveryId());
      if (state == null) {
        continue;
      }
      boolean failedNow = "failed".equals(partStatus(m.stat()));
      if (state.failed() > 0
          ? failedNow && !settling.containsKey(m.deliveryId())
          : state.delivered() == state.total()) {
        settling.put(m.deliveryId(), m);
      }
    }
    List<UUID> ids = new ArrayList<>();
    List<String> statuses = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    settling.forEach((id, m) -> {
      State state = states.get(id);
      boolean failed = state.failed() > 0;
      ids.add(id);
      statuses.add(failed ? "failed" : "delivered");
      errors.add(
          failed
              ? "the SMSC reported "
                  + m.stat()
                  + (m.err() == null || m.err().isEmpty() ? "" : " (err " + m.err() + ")")
                  + (state.total() > 1 ? " for part " + m.seq() + " of " + state.total() : "")
              : null);
    });
    java.util.Set<UUID> finished = new java.util.HashSet<>();
    if (!ids.isEmpty()) {
      finished.addAll(
          handle
              .createQuery(finishDeliveries)
              .bind("ids", ids.toArray(UUID[]::new))
              .bind("statuses", statuses.toArray(String[]::new))
              .bind("errors", errors.toArray(String[]::new))
              .bind("now", now)
              .mapTo(UUID.class)
              .list());
    }

    List<TimelineEvent> events = new ArrayList<>();
    for (Matched m : matched) {
      State state = states.get(m.deliveryId());
      if (state == null) {
        continue;
      }
      Map<String, Object> detail = new HashMap<>();
      detail.put("stat", m.stat());
      if (m.err() != null && !m.err().isEmpty()) {
        detail.put("err", m.err());
      }
      if (state.total() > 1) {
        detail.put("part", m.seq());
        detail.put("parts", state.total());
      }
      boolean settles = finished.contains(m.deliveryId()) && settling.get(m.deliveryId()) == m;
      if (settles) {
        String status = state.failed() > 0 ? "failed" : "delivered";
        events.add(event(state.delivery(), now, "delivery." + status, detail));
        count(state.delivery(), status, now, "tandem.delivery.receipt.latency");
      } else {
        events.add(event(state.delivery(), now, "delivery.receipt", detail));
      }
    }
    timeline.append(handle, events);
    return fallbacks.followed(handle, finished, now);
  }

  /** The state a part reaches with this receipt stat, or null for an intermediate one. */
  private static String partStatus(String stat) {
    return switch (DeliveryReceipt.outcomeOf(stat)) {
      case DELIVERED -> "delivered";
      case FAILED -> "failed";
      default -> null;
    };
  }

  private static Claimed ref(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Claimed(
        rs.getObject("id", UUID.class),
        rs.getObject("message_id", UUID.class),
        rs.getObject("contact_id", UUID.class),
        Channel.parse(rs.getString("channel")).orElseThrow(),
        null,
        0,
        rs.getString("topic"),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /**
   * A delivery reached {@code status}: counted by channel, status and topic; its time since accept
   * (the delivery id is a UUIDv7, stamped at accept) is recorded in {@code latency}, when given:
   * dispatch latency when the provider took it, receipt latency when its receipt settled it.
   */
  private void count(Claimed d, String status, Instant now, String latency) {
    DeliveryRecords.counter(metrics, d.channel(), status, d.topic()).increment();
    if (latency != null) {
      long millis = now.toEpochMilli() - (d.id().getMostSignificantBits() >>> 16);
      io.micrometer.core.instrument.Timer.builder(latency)
          .description(
              latency.endsWith("dispatch.latency")
                  ? "From accept to the provider taking the message"
                  : "From accept to the receipt that settled it")
          .tag("channel", d.channel().key())
          .tag("status", status)
          .serviceLevelObjectives(dev.tandem.ops.Metrics.SLOW)
          .register(metrics)
          .record(java.time.Duration.ofMillis(Math.max(0, millis)));
    }
  }

  private static TimelineEvent event(
      Claimed d, Instant now, String type, Map<String, Object> detail) {
    return new TimelineEvent(
        d.contactId(), now, type, d.channel().key(), d.messageId(), d.id(), detail);
  }
}
