package dev.tandem.delivery;

import dev.tandem.sms.DeliveryReceipt;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivery receipts, durable first and applied in bulk (decision 0023).
 *
 * <p>Callers (the SMS gateways' threads) hand a receipt over and wait. The <em>writer</em> stores
 * every receipt waiting, as received, in one statement and one commit, and only then releases the
 * callers, so the SMSC gets its {@code deliver_sm_resp} only once the receipt is durable, and a
 * burst costs one commit rather than one each. The <em>applier</em> then matches what was stored to
 * parts and deliveries in groups as large as the traffic makes them; a receipt whose submit result
 * is not stored yet waits in the table for it. At start the applier first applies whatever was
 * stored and not applied (a node may stop between the two), and a group it cannot apply is tried
 * again. A node that stops between the two may not start again for a long time, or ever, while
 * others share its database: so every {@link #STRANDED_SWEEP} each node also applies receipts
 * stored more than that long ago whose part is known and waits (SeveralNodesIT found SMS left
 * {@code sent} for ever after a node was killed). Matching only touches unmatched rows, under the
 * key's advisory lock, so a receipt is never applied twice, whichever nodes try.
 */
final class ReceiptWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReceiptWriter.class);
  private static final int MAX_BATCH = 500;
  private static final int MAX_APPLY = 2_000;

  /** How far back the start-up pass looks for receipts stored and never applied. */
  static final Duration UNAPPLIED_WINDOW = Duration.ofDays(7);

  private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  /**
   * How often a node looks for receipts another node stored and did not apply, and how old they
   * must be: a live node applies its own within milliseconds.
   */
  static final Duration STRANDED_SWEEP = Duration.ofSeconds(10);

  record Pending(
      DeliveryReceipt receipt, String receiptKey, String raw, CompletableFuture<Void> stored) {}

  private final Outbox outbox;
  private final Clock clock;
  private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(10_000);
  private final BlockingQueue<String> toApply = new LinkedBlockingQueue<>();
  private final Thread writer;
  private final Thread applier;
  private volatile boolean running = true;

  ReceiptWriter(Outbox outbox, Clock clock) {
    this.outbox = outbox;
    this.clock = clock;
    this.writer = Thread.ofPlatform().daemon().name("receipt-writer").start(this::write);
    this.applier = Thread.ofPlatform().daemon().name("receipt-applier").start(this::apply);
  }

  /** Blocks until the receipt is stored; throws when it could not be (the SMSC will resend it). */
  void store(DeliveryReceipt receipt, String receiptKey, String raw) {
    var pending = new Pending(receipt, receiptKey, raw, new CompletableFuture<>());
    try {
      if (!queue.offer(pending, 30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("receipt queue full for 30 s");
      }
      pending.stored().get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while storing a receipt", e);
    } catch (Exception e) {
      throw new IllegalStateException(
          "receipt " + receiptKey + " not stored: " + e.getMessage(), e);
    }
  }

  private void write() {
    var batch = new ArrayList<Pending>(MAX_BATCH);
    while (running || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        write(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        batch.clear();
      }
    }
  }

  private void write(List<Pending> batch) {
    try {
      outbox.storeReceipts(batch, clock.instant());
    } catch (RuntimeException e) {
      log.warn(
          "storing {} receipts failed; the SMSC will resend them: {}",
          batch.size(),
          e.getMessage());
      batch.forEach(p -> p.stored().completeExceptionally(e));
      return;
    }
    batch.forEach(p -> p.stored().complete(null));
    batch.forEach(p -> toApply.add(p.receiptKey()));
  }

  private void apply() {
    Set<String> keys = new LinkedHashSet<>();
    boolean stored = true; // first apply what an earlier run stored and did not apply
    Instant nextSweep = clock.instant().plus(STRANDED_SWEEP);
    while (running || !toApply.isEmpty()) {
      try {
        if (stored) {
          keys.addAll(
              outbox.pendingReceiptKeys(clock.instant().minus(UNAPPLIED_WINDOW), MAX_APPLY));
          stored = false;
        }
        Instant now = clock.instant();
        if (!now.isBefore(nextSweep)) {
          nextSweep = now.plus(STRANDED_SWEEP);
          keys.addAll(
              outbox.strandedReceiptKeys(
                  now.minus(UNAPPLIED_WINDOW), now.minus(STRANDED_SWEEP), MAX_APPLY));
        }
        if (keys.isEmpty()) {
          String first = toApply.poll(200, TimeUnit.MILLISECONDS);
          if (first == null) {
            continue;
          }
          keys.add(first);
        }
        var more = new ArrayList<String>();
        toApply.drainTo(more, MAX_APPLY - keys.size());
        keys.addAll(more);
        outbox.applyReceipts(keys, clock.instant());
        keys.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        // the receipts are stored; nothing is lost: try the same keys again after a pause
        log.warn(
            "applying {} stored receipts failed; trying again in {} ms: {}",
            keys.size(),
            RETRY_AFTER.toMillis(),
            e.getMessage());
        try {
          Thread.sleep(RETRY_AFTER);
        } catch (InterruptedException stop) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  @Override
  public void close() {
    running = false;
    try {
      writer.join(5_000);
      applier.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
