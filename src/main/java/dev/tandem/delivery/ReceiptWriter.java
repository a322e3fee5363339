package dev.tandem.delivery;

import dev.tandem.sms.DeliveryReceipt;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for delivery receipts: callers (the SMPP client's threads) hand a receipt over and
 * wait; one writer stores everything waiting in one transaction and then releases them all. The
 * SMSC gets its {@code deliver_sm_resp} only after the receipt is durable, yet a burst of receipts
 * costs one commit instead of one each.
 */
final class ReceiptWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReceiptWriter.class);
  private static final int MAX_BATCH = 500;

  record Pending(
      DeliveryReceipt receipt, String receiptKey, String raw, CompletableFuture<Void> stored) {}

  private final Outbox outbox;
  private final Clock clock;
  private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(10_000);
  private final Thread writer;
  private volatile boolean running = true;

  ReceiptWriter(Outbox outbox, Clock clock) {
    this.outbox = outbox;
    this.clock = clock;
    this.writer = Thread.ofPlatform().daemon().name("receipt-writer").start(this::run);
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

  private void run() {
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
      outbox.recordReceipts(batch, clock.instant());
      batch.forEach(p -> p.stored().complete(null));
    } catch (RuntimeException e) {
      log.warn(
          "storing {} receipts failed; the SMSC will resend them: {}",
          batch.size(),
          e.getMessage());
      batch.forEach(p -> p.stored().completeExceptionally(e));
    }
  }

  @Override
  public void close() {
    running = false;
    try {
      writer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
