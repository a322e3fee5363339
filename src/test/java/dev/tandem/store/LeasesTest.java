package dev.tandem.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The claim-and-lease primitive against real PostgreSQL, on a small table of its own. */
class LeasesTest {
  @TempDir static Path dataDir;
  private static Database database;
  private static Jdbi jdbi;

  private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");
  private final Leases leases =
      new Leases(
          Leases.Spec.of("lease_probe", "id", "due_at", "waiting", "working")
              .withAttempts("attempts")
              .withUpdatedAt("updated_at")
              .withError("last_error"));

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
      h.execute("DROP TABLE IF EXISTS lease_probe");
      h.execute(
          """
          CREATE TABLE lease_probe (
            id uuid PRIMARY KEY, status text NOT NULL, due_at timestamptz NOT NULL,
            attempts integer NOT NULL DEFAULT 0, lease_until timestamptz, claimed_by text,
            claim_token uuid, claimed_at timestamptz, updated_at timestamptz, last_error text,
            follows uuid)\
          """);
      h.execute("CREATE INDEX lease_probe_due ON lease_probe (due_at) WHERE status = 'waiting'");
    });
  }

  private List<UUID> insert(int n, Instant due) {
    List<UUID> ids = new ArrayList<>();
    jdbi.useHandle(h -> {
      for (int i = 0; i < n; i++) {
        UUID id = UUID.randomUUID();
        h.createUpdate("INSERT INTO lease_probe (id, status, due_at) VALUES (:id, 'waiting', :due)")
            .bind("id", id)
            .bind("due", due.plusMillis(i))
            .execute();
        ids.add(id);
      }
    });
    return ids;
  }

  private String status(UUID id) {
    return jdbi.withHandle(h ->
        h.createQuery("SELECT status FROM lease_probe WHERE id = :id")
            .bind("id", id)
            .mapTo(String.class)
            .one());
  }

  private Leases.Claim claim(Instant now, int limit, String node) {
    return jdbi.inTransaction(h -> leases.claim(h, now, limit, now.plusSeconds(60), node));
  }

  @Test
  void claims_only_due_rows_oldest_first_and_counts_the_attempt() {
    List<UUID> due = insert(3, T0.minusSeconds(10));
    insert(2, T0.plusSeconds(10));

    Leases.Claim claim = claim(T0, 10, "node-a");

    assertThat(claim.ids()).containsExactlyElementsOf(due);
    assertThat(claim(T0, 10, "node-b").ids()).isEmpty();
    jdbi.useHandle(h ->
        assertThat(
                h.createQuery(
                        "SELECT count(*) FROM lease_probe WHERE status = 'working' AND attempts = 1"
                            + " AND claimed_by = 'node-a' AND claim_token = :t")
                    .bind("t", claim.token())
                    .mapTo(Integer.class)
                    .one())
            .isEqualTo(3));
  }

  @Test
  void two_claimers_at_once_never_claim_the_same_row() throws Exception {
    insert(200, T0.minusSeconds(1));
    Set<UUID> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    List<UUID> all = java.util.Collections.synchronizedList(new ArrayList<>());
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (String node : List.of("node-a", "node-b")) {
      threads.add(
          Thread.ofPlatform()
              .start(() -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  return;
                }
                while (true) {
                  List<UUID> ids = claim(T0, 7, node).ids();
                  if (ids.isEmpty()) {
                    return;
                  }
                  all.addAll(ids);
                  seen.addAll(ids);
                }
              }));
    }
    start.countDown();
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(t.isAlive()).as("claimer finished").isFalse();
    }
    assertThat(all).hasSize(200);
    assertThat(seen).hasSize(200);
  }

  @Test
  void a_claim_holding_locks_is_skipped_not_waited_for() throws Exception {
    insert(4, T0.minusSeconds(1));
    jdbi.useTransaction(first -> {
      List<UUID> locked =
          new DueRows("lease_probe", "id", "due_at", "waiting", java.util.Optional.empty())
              .lockDue(first, T0, 2);
      assertThat(locked).hasSize(2);
      // Another node, while those two are locked, gets the other two at once. (Its own thread:
      // Jdbi would lend this thread's open handle to a nested call.)
      var other =
          java.util.concurrent.CompletableFuture.supplyAsync(() -> claim(T0, 10, "node-b"))
              .get(60, TimeUnit.SECONDS);
      assertThat(other.ids()).hasSize(2).doesNotContainAnyElementsOf(locked);
    });
  }

  @Test
  void an_expired_lease_is_released_and_claimed_again_and_the_stale_token_writes_nothing() {
    UUID id = insert(1, T0.minusSeconds(1)).get(0);
    Leases.Claim first = claim(T0, 1, "node-a");
    Instant later = T0.plus(Duration.ofMinutes(5));

    int released = jdbi.withHandle(h -> leases.releaseExpired(h, later, "the node stopped; again"));
    assertThat(released).isEqualTo(1);
    assertThat(status(id)).isEqualTo("waiting");
    Leases.Claim second = claim(later, 1, "node-b");
    assertThat(second.ids()).containsExactly(id);
    assertThat(second.token()).isNotEqualTo(first.token());

    boolean stale = jdbi.withHandle(h -> leases.finish(h, id, first.token(), "done", later));
    assertThat(stale).isFalse();
    assertThat(status(id)).isEqualTo("working");
    int extended = jdbi.withHandle(h -> leases.extend(h, first.token(), later.plusSeconds(60)));
    assertThat(extended).isZero();

    boolean fresh = jdbi.withHandle(h -> leases.finish(h, id, second.token(), "done", later));
    assertThat(fresh).isTrue();
    assertThat(status(id)).isEqualTo("done");
  }

  @Test
  void a_lease_that_is_extended_is_not_released() {
    UUID id = insert(1, T0.minusSeconds(1)).get(0);
    Leases.Claim claim = claim(T0, 1, "node-a");
    int extended = jdbi.withHandle(h -> leases.extend(h, claim.token(), T0.plusSeconds(600)));
    assertThat(extended).isEqualTo(1);
    int released = jdbi.withHandle(h -> leases.releaseExpired(h, T0.plusSeconds(300), "x"));
    assertThat(released).isZero();
    assertThat(status(id)).isEqualTo("working");
  }

  @Test
  void a_node_takes_back_its_own_claims_at_start_and_only_its_own() {
    insert(4, T0.minusSeconds(1));
    Leases.Claim mine = claim(T0, 2, "node-a");
    Leases.Claim theirs = claim(T0, 2, "node-b");

    int taken = jdbi.withHandle(h -> leases.releaseOwn(h, "node-a", T0, "restarted"));

    assertThat(taken).isEqualTo(2);
    mine.ids().forEach(id -> assertThat(status(id)).isEqualTo("waiting"));
    theirs.ids().forEach(id -> assertThat(status(id)).isEqualTo("working"));
    jdbi.useHandle(h ->
        assertThat(
                h.createQuery(
                        "SELECT count(*) FROM lease_probe WHERE last_error = 'restarted'"
                            + " AND claim_token IS NULL AND lease_until IS NULL")
                    .mapTo(Integer.class)
                    .one())
            .isEqualTo(2));
  }

  @Test
  void the_claim_uses_the_partial_due_index() {
    insert(2000, T0.minusSeconds(1));
    jdbi.useHandle(h -> {
      h.execute("ANALYZE lease_probe");
      String plan =
          String.join(
              "\n",
              h.createQuery("EXPLAIN " + leases.claimSql())
                  .bind("now", T0)
                  .bind("limit", 10)
                  .bind("leaseUntil", T0)
                  .bind("node", "n")
                  .bind("token", UUID.randomUUID())
                  .mapTo(String.class)
                  .list());
      // The due rows are found through the partial index, not by reading the table.
      assertThat(plan)
          .contains("LockRows")
          .contains("Index Scan using lease_probe_due on lease_probe");
    });
  }

  @Test
  void the_lease_free_form_skips_a_row_whose_followed_row_is_busy() throws Exception {
    List<UUID> firsts = insert(2, T0.plusSeconds(3600));
    List<UUID> steps = insert(2, T0.minusSeconds(1));
    jdbi.useHandle(h -> {
      for (int i = 0; i < 2; i++) {
        h.createUpdate("UPDATE lease_probe SET follows = :f WHERE id = :id")
            .bind("f", firsts.get(i))
            .bind("id", steps.get(i))
            .execute();
      }
    });
    DueRows due =
        new DueRows("lease_probe", "id", "due_at", "waiting", java.util.Optional.of("follows"));
    jdbi.useTransaction(busy -> {
      // Another transaction is writing the first step's followed row.
      busy.createQuery("SELECT id FROM lease_probe WHERE id = :id FOR UPDATE")
          .bind("id", firsts.get(0))
          .mapTo(UUID.class)
          .one();
      List<UUID> locked =
          java.util.concurrent.CompletableFuture.supplyAsync(
                  () -> jdbi.inTransaction(h -> due.lockDue(h, T0, 10)))
              .get(60, TimeUnit.SECONDS);
      assertThat(locked).containsExactly(steps.get(1));
    });
  }

  @Test
  void names_that_are_not_plain_identifiers_are_refused() {
    assertThatThrownBy(() -> Leases.Spec.of("t; DROP TABLE x", "id", "due", "a", "b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[a-z_]+")
        .hasMessageContaining("t; DROP TABLE x");
    assertThatThrownBy(() -> Leases.Spec.of("t", "id", "due", "a", "a"))
        .hasMessageContaining("'a'");
    assertThatThrownBy(() -> Leases.Spec.of("t", "id", "due", "a", "b").withError("Err"))
        .hasMessageContaining("'Err'");
  }
}
