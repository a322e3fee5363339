package dev.tandem.delivery;

import dev.tandem.event.Timeline;
import dev.tandem.event.TimelineEvent;
import dev.tandem.sms.DeliveryReceipt;
import dev.tandem.store.NamedSql;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The deliveries table as a work queue: claims due rows with {@code FOR UPDATE SKIP LOCKED}, writes
 * a batch of results in one transaction, and matches delivery receipts to deliveries.
 */
final class Outbox {
  private final Jdbi jdbi;
  private final Timeline timeline;
  private final MeterRegistry metrics;
  private final String releaseExpiredLeases;
  private final String claimDue;
  private final String markSent;
  private final String insertPart;
  private final String markPart;
  private final String partCounts;
  private final String lockDelivery;
  private final String requeue;
  private final String markFailed;
  private final String lockReceiptKeys;
  private final String insertReceipt;
  private final String matchPendingReceipts;
  private final String applyReceipt;
  private final String deliveryRef;

  Outbox(Jdbi jdbi, Timeline timeline, MeterRegistry metrics) {
    this.jdbi = jdbi;
    this.timeline = timeline;
    this.metrics = metrics;
    var sql = NamedSql.forClass(Outbox.class);
    this.releaseExpiredLeases = sql.get("releaseExpiredLeases");
    this.claimDue = sql.get("claimDue");
    this.markSent = sql.get("markSent");
    this.insertPart = sql.get("insertPart");
    this.markPart = sql.get("markPart");
    this.partCounts = sql.get("partCounts");
    this.lockDelivery = sql.get("lockDelivery");
    this.requeue = sql.get("requeue");
    this.markFailed = sql.get("markFailed");
    this.lockReceiptKeys = sql.get("lockReceiptKeys");
    this.insertReceipt = sql.get("insertReceipt");
    this.matchPendingReceipts = sql.get("matchPendingReceipts");
    this.applyReceipt = sql.get("applyReceipt");
    this.deliveryRef = sql.get("deliveryRef");
  }

  /** A claimed delivery, with its message content as JSON. */
  record Claimed(
      UUID id,
      UUID messageId,
      UUID contactId,
      Channel channel,
      String address,
      int attempts,
      String content,
      Integer segments,
      java.math.BigDecimal cost,
      String currency) {}

  /** The result to store for one claimed delivery. */
  record Result(Claimed delivery, Outcome outcome, Instant nextAttemptAt) {}

  int releaseExpiredLeases(Instant now) {
    return jdbi.withHandle(h -> h.createUpdate(releaseExpiredLeases).bind("now", now).execute());
  }

  List<Claimed> claimDue(Instant now, int limit, Instant leaseUntil) {
    return jdbi.inTransaction(handle ->
        handle
            .createQuery(claimDue)
            .bind("now", now)
            .bind("limit", limit)
            .bind("leaseUntil", leaseUntil)
            .map((rs, ctx) ->
                new Claimed(
                    rs.getObject("id", UUID.class),
                    rs.getObject("message_id", UUID.class),
                    rs.getObject("contact_id", UUID.class),
                    Channel.parse(rs.getString("channel")).orElseThrow(),
                    rs.getString("address"),
                    rs.getInt("attempts"),
                    rs.getString("content"),
                    (Integer) rs.getObject("segments"),
                    rs.getBigDecimal("cost"),
                    rs.getString("currency")))
            .list());
  }

  /** Stores a batch of results, their timeline events and any receipts that were waiting. */
  void record(List<Result> results, Instant now) {
    jdbi.useTransaction(handle -> {
      List<String> receiptKeys = new ArrayList<>();
      for (Result result : results) {
        if (result.outcome() instanceof Outcome.Sent sent) {
          sent.parts().forEach(part -> receiptKeys.add(part.receiptKey()));
        }
      }
      lock(handle, receiptKeys);
      PreparedBatch sent = handle.prepareBatch(markSent);
      PreparedBatch parts = handle.prepareBatch(insertPart);
      PreparedBatch retry = handle.prepareBatch(requeue);
      PreparedBatch failed = handle.prepareBatch(markFailed);
      List<TimelineEvent> events = new ArrayList<>();
      for (Result result : results) {
        Claimed d = result.delivery();
        switch (result.outcome()) {
          case Outcome.Sent s -> {
            sent.bind("id", d.id()).bind("providerId", s.providerId()).bind("now", now).add();
            for (Outcome.SmsPart part : s.parts()) {
              parts
                  .bind("deliveryId", d.id())
                  .bind("seq", part.seq())
                  .bind("providerId", part.providerId())
                  .bind("receiptKey", part.receiptKey())
                  .add();
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
            count(d.channel(), "sent");
          }
          case Outcome.Retry r ->
              retry
                  .bind("id", d.id())
                  .bind("nextAttemptAt", result.nextAttemptAt())
                  .bind("error", r.reason())
                  .bind("now", now)
                  .add();
          case Outcome.Failed f -> {
            failed.bind("id", d.id()).bind("error", f.reason()).bind("now", now).add();
            events.add(event(d, now, "delivery.failed", Map.of("reason", f.reason())));
            count(d.channel(), "failed");
          }
        }
      }
      for (PreparedBatch batch : List.of(sent, parts, retry, failed)) {
        if (batch.size() > 0) {
          batch.execute();
        }
      }
      timeline.append(handle, events);
      applyPendingReceipts(handle, receiptKeys, now);
    });
  }

  /** Stores a receipt and, if its delivery is known already, applies it. */
  void recordReceipt(DeliveryReceipt receipt, String receiptKey, String raw, Instant now) {
    jdbi.useTransaction(handle -> {
      lock(handle, List.of(receiptKey));
      handle
          .createUpdate(insertReceipt)
          .bind("receiptKey", receiptKey)
          .bind("stat", receipt.stat())
          .bind("err", receipt.err())
          .bind("raw", raw)
          .bind("receivedAt", now)
          .execute();
      applyPendingReceipts(handle, List.of(receiptKey), now);
    });
  }

  private void lock(Handle handle, List<String> keys) {
    if (keys.isEmpty()) {
      return;
    }
    // Always in the same order, so two transactions never wait on each other in a cycle.
    String[] sorted = new TreeSet<>(keys).toArray(String[]::new);
    handle.createQuery(lockReceiptKeys).bind("keys", sorted).mapTo(Long.class).one();
  }

  private void applyPendingReceipts(Handle handle, List<String> keys, Instant now) {
    if (keys.isEmpty()) {
      return;
    }
    record Matched(long receiptId, UUID deliveryId, int seq, String stat, String err) {}
    List<Matched> matched =
        new ArrayList<>(
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
                .list());
    // Delivery order first, so that concurrent transactions take the row locks in one order.
    matched.sort(
        java.util.Comparator.comparing(Matched::deliveryId).thenComparingLong(Matched::receiptId));
    List<TimelineEvent> events = new ArrayList<>();
    UUID locked = null;
    for (Matched m : matched) {
      if (!m.deliveryId().equals(locked)) {
        handle.createQuery(lockDelivery).bind("id", m.deliveryId()).mapTo(UUID.class).one();
        locked = m.deliveryId();
      }
      DeliveryReceipt.Outcome outcome = DeliveryReceipt.outcomeOf(m.stat());
      String partStatus =
          switch (outcome) {
            case DELIVERED -> "delivered";
            case FAILED -> "failed";
            default -> null;
          };
      if (partStatus != null) {
        handle
            .createUpdate(markPart)
            .bind("status", partStatus)
            .bind("stat", m.stat())
            .bind("deliveryId", m.deliveryId())
            .bind("seq", m.seq())
            .execute();
      }
      var counts =
          handle
              .createQuery(partCounts)
              .bind("deliveryId", m.deliveryId())
              .map((rs, ctx) ->
                  new int[] {rs.getInt("total"), rs.getInt("delivered"), rs.getInt("failed")})
              .one();
      int total = counts[0];
      Map<String, Object> detail = new HashMap<>();
      detail.put("stat", m.stat());
      if (m.err() != null && !m.err().isEmpty()) {
        detail.put("err", m.err());
      }
      if (total > 1) {
        detail.put("part", m.seq());
        detail.put("parts", total);
      }
      DeliveryStatus status =
          counts[2] > 0
              ? DeliveryStatus.FAILED
              : counts[1] == total ? DeliveryStatus.DELIVERED : null;
      String error =
          status == DeliveryStatus.FAILED
              ? "the SMSC reported "
                  + m.stat()
                  + (m.err() == null || m.err().isEmpty() ? "" : " (err " + m.err() + ")")
                  + (total > 1 ? " for part " + m.seq() + " of " + total : "")
              : null;
      var applied =
          status == null
              ? java.util.Optional.<Claimed>empty()
              : handle
                  .createQuery(applyReceipt)
                  .bind("status", status.key())
                  .bind("error", error)
                  .bind("now", now)
                  .bind("id", m.deliveryId())
                  .map((rs, ctx) -> ref(rs))
                  .findOne();
      if (applied.isPresent()) {
        events.add(event(applied.get(), now, "delivery." + status.key(), detail));
        count(applied.get().channel(), status.key());
      } else {
        handle
            .createQuery(deliveryRef)
            .bind("id", m.deliveryId())
            .map((rs, ctx) -> ref(rs))
            .findOne()
            .ifPresent(d -> events.add(event(d, now, "delivery.receipt", detail)));
      }
    }
    timeline.append(handle, events);
  }

  private static Claimed ref(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Claimed(
        rs.getObject("id", UUID.class),
        rs.getObject("message_id", UUID.class),
        rs.getObject("contact_id", UUID.class),
        Channel.parse(rs.getString("channel")).orElseThrow(),
        null,
        0,
        null,
        null,
        null,
        null);
  }

  private void count(Channel channel, String status) {
    metrics.counter("tandem.deliveries", "channel", channel.key(), "status", status).increment();
  }

  private static TimelineEvent event(
      Claimed d, Instant now, String type, Map<String, Object> detail) {
    return new TimelineEvent(
        d.contactId(), now, type, d.channel().key(), d.messageId(), d.id(), detail);
  }
}
