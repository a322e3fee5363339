package dev.tandem.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tandem.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Group commit against real PostgreSQL: shared commits, and failures that stay their own. */
class GroupCommitTest {
  @TempDir static Path dataDir;
  private static Database database;
  private static Jdbi jdbi;

  private GroupCommit group;
  private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch started = new CountDownLatch(1);

  @BeforeAll
  static void open() {
    database = Database.open(ConfigLoader.load(null, Map.of(), Map.of()).db(), dataDir, false);
    jdbi = database.jdbi();
  }

  @AfterAll
  static void close() {
    database.close();
  }

  @BeforeEach
  void table() {
    jdbi.useHandle(h -> {
      h.execute("DROP TABLE IF EXISTS group_probe");
      h.execute("CREATE TABLE group_probe (k text PRIMARY KEY, txid bigint NOT NULL)");
    });
    group = new GroupCommit(jdbi, "test", 1, 100);
  }

  @AfterEach
  void stop() {
    release.countDown();
    group.close();
    callers.shutdownNow();
  }

  /** Inserts {@code k} and returns the id of the transaction it ran in. */
  private static long insert(Handle h, String k) {
    return h.createQuery(
            "INSERT INTO group_probe (k, txid) VALUES (:k, txid_current()) RETURNING txid")
        .bind("k", k)
        .mapTo(Long.class)
        .one();
  }

  private Future<Long> call(java.util.function.Function<Handle, Long> work) {
    return callers.submit(() -> group.inTransaction(work));
  }

  /** Holds the only committer busy (until {@link #release}) with a work of its own. */
  private Future<Long> blockCommitter() {
    Future<Long> first =
        call(h -> {
          started.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          return insert(h, "first");
        });
    await().atMost(Duration.ofSeconds(10)).until(() -> started.getCount() == 0);
    return first;
  }

  private List<Future<Long>> queue(List<java.util.function.Function<Handle, Long>> works) {
    var futures = new ArrayList<Future<Long>>();
    for (var work : works) {
      futures.add(call(work));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> group.waiting() == works.size());
    return futures;
  }

  private int rows(String k) {
    return jdbi.withHandle(h ->
        h.createQuery("SELECT count(*) FROM group_probe WHERE k = :k")
            .bind("k", k)
            .mapTo(Integer.class)
            .one());
  }

  @Test
  void works_waiting_together_commit_in_one_transaction_and_are_durable_when_they_return()
      throws Exception {
    Future<Long> first = blockCommitter();
    List<Future<Long>> waiting =
        queue(List.of(h -> insert(h, "a"), h -> insert(h, "b"), h -> insert(h, "c")));
    release.countDown();

    List<Long> txids = new ArrayList<>();
    for (Future<Long> f : waiting) {
      txids.add(f.get());
    }
    assertThat(txids).as("one transaction for the three").containsOnly(txids.getFirst());
    assertThat(first.get()).isNotEqualTo(txids.getFirst());
    assertThat(List.of(rows("a"), rows("b"), rows("c"))).containsOnly(1);
  }

  @Test
  void a_work_that_throws_is_undone_alone_and_only_its_caller_sees_the_exception()
      throws Exception {
    blockCommitter();
    List<Future<Long>> waiting =
        queue(
            List.of(
                h -> insert(h, "kept-1"),
                h -> {
                  insert(h, "undone");
                  throw new IllegalArgumentException("refused by its own rules");
                },
                h -> insert(h, "kept-2")));
    release.countDown();

    assertThat(waiting.get(0).get()).isEqualTo(waiting.get(2).get());
    assertThatThrownBy(() -> waiting.get(1).get())
        .hasCauseInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("refused by its own rules");
    assertThat(List.of(rows("kept-1"), rows("undone"), rows("kept-2"))).containsExactly(1, 0, 1);
  }

  @Test
  void a_work_whose_statement_fails_does_not_abort_its_neighbours() throws Exception {
    jdbi.useHandle(h -> h.execute("INSERT INTO group_probe VALUES ('taken', 0)"));
    blockCommitter();
    List<Future<Long>> waiting =
        queue(
            List.of(
                h -> insert(h, "before"),
                h -> insert(h, "taken"), // a unique violation aborts a plain transaction
                h -> insert(h, "after")));
    release.countDown();

    assertThat(waiting.get(0).get()).isEqualTo(waiting.get(2).get());
    assertThatThrownBy(() -> waiting.get(1).get()).hasMessageContaining("group_probe_pkey");
    assertThat(List.of(rows("before"), rows("taken"), rows("after"))).containsExactly(1, 1, 1);
  }

  @Test
  void a_caller_after_close_runs_its_own_transaction() {
    group.close();
    long txid = group.inTransaction(h -> insert(h, "late"));
    assertThat(txid).isPositive();
    assertThat(rows("late")).isEqualTo(1);
  }

  @Test
  void many_concurrent_callers_all_commit_once() throws Exception {
    var futures = new ArrayList<CompletableFuture<Long>>();
    for (int i = 0; i < 200; i++) {
      String k = "k" + i;
      futures.add(
          CompletableFuture.supplyAsync(() -> group.inTransaction(h -> insert(h, k)), callers));
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get();
    int total =
        jdbi.withHandle(h ->
            h.createQuery("SELECT count(*) FROM group_probe WHERE k LIKE 'k%'")
                .mapTo(Integer.class)
                .one());
    assertThat(total).isEqualTo(200);
  }
}
