package dev.tandem.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: concurrent callers' transactions run as one, so a burst of N small writes costs one
 * commit (one WAL flush) instead of N. Decision 0023.
 *
 * <p>A caller hands over its work and blocks until the group holding it has committed: when {@link
 * #inTransaction} returns, the caller's rows are durable, exactly as if it had run its own
 * transaction. A work that throws is undone alone and its exception reaches only its caller:
 *
 * <ol>
 *   <li>A group first runs each work in turn in one transaction, with no savepoints (nothing extra
 *       per work when all goes well, which is nearly always).
 *   <li>If a work throws, the group is rolled back and run again with a savepoint around each work;
 *       a work that throws is rolled back to its savepoint and the others commit.
 *   <li>If the group's transaction itself fails (a deadlock with another group, a lost connection),
 *       each work is run again alone, in its own transaction.
 * </ol>
 *
 * A work may therefore run more than once before it commits once: it must compute everything it
 * returns from the handle it is given, and keep no state of its own between runs. It runs on a
 * committer thread, so it should be short: do the validation and rendering before handing it over.
 */
public final class GroupCommit implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

  private static final String SAVEPOINT = "group_member";

  private final Jdbi jdbi;
  private final int maxGroup;
  private final BlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>();
  private final List<Thread> committers = new ArrayList<>();
  private volatile boolean running = true;

  private record Pending<T>(Function<Handle, T> work, CompletableFuture<T> done) {
    void run(Handle handle, List<Runnable> completions) {
      T result = work.apply(handle);
      completions.add(() -> done.complete(result));
    }
  }

  /**
   * @param committers how many groups may be open at once (each holds one connection)
   * @param maxGroup the most works in one transaction
   */
  public GroupCommit(Jdbi jdbi, String name, int committers, int maxGroup) {
    this.jdbi = jdbi;
    this.maxGroup = maxGroup;
    for (int i = 0; i < committers; i++) {
      this.committers.add(
          Thread.ofPlatform().daemon().name(name + "-committer-" + i).start(this::loop));
    }
  }

  /**
   * Runs {@code work} in a transaction shared with whatever other work is waiting, and returns its
   * result once that transaction has committed. Throws what the work threw (its writes undone, the
   * others' kept).
   */
  public <T> T inTransaction(Function<Handle, T> work) {
    if (!running) {
      return jdbi.inTransaction(work::apply);
    }
    var pending = new Pending<>(work, new CompletableFuture<>());
    queue.add(pending);
    if (!running && queue.remove(pending)) {
      // closed meanwhile: the committers may be gone
      return jdbi.inTransaction(work::apply);
    }
    try {
      return pending.done().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a group commit", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** How many works wait for a committer (for tests and metrics). */
  public int waiting() {
    return queue.size();
  }

  private void loop() {
    var group = new ArrayList<Pending<?>>(maxGroup);
    while (running || !queue.isEmpty()) {
      try {
        Pending<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        group.add(first);
        queue.drainTo(group, maxGroup - 1);
        commit(group);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException | Error e) {
        // never leave a caller waiting
        group.forEach(p -> p.done().completeExceptionally(e));
      } finally {
        group.clear();
      }
    }
  }

  private void commit(List<Pending<?>> group) {
    if (group.size() == 1) {
      alone(group.getFirst());
      return;
    }
    var completions = new ArrayList<Runnable>(group.size());
    try {
      jdbi.useTransaction(handle -> {
        for (Pending<?> pending : group) {
          pending.run(handle, completions);
        }
      });
      completions.forEach(Runnable::run);
      return;
    } catch (RuntimeException oneFailed) {
      completions.clear();
    }
    try {
      jdbi.useTransaction(handle -> {
        for (Pending<?> pending : group) {
          handle.savepoint(SAVEPOINT);
          try {
            pending.run(handle, completions);
            handle.releaseSavepoint(SAVEPOINT);
          } catch (RuntimeException | Error e) {
            handle.rollbackToSavepoint(SAVEPOINT);
            completions.add(() -> pending.done().completeExceptionally(e));
          }
        }
      });
      completions.forEach(Runnable::run);
    } catch (RuntimeException groupFailed) {
      log.debug("a group of {} failed as a whole ({}); each runs alone", group.size(), groupFailed);
      group.forEach(this::alone);
    }
  }

  private <T> void alone(Pending<T> pending) {
    try {
      pending.done().complete(jdbi.inTransaction(handle -> pending.work().apply(handle)));
    } catch (RuntimeException | Error e) {
      pending.done().completeExceptionally(e);
    }
  }

  /** Commits what is waiting, then stops; later callers run their own transactions. */
  @Override
  public void close() {
    running = false;
    for (Thread committer : committers) {
      try {
        committer.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
