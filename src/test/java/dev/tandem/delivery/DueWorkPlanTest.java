package dev.tandem.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.config.ConfigLoader;
import dev.tandem.store.Database;
import dev.tandem.store.Leases;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The claims built by store.Leases for the outbox, and the fallback sweep's lock, find due rows
 * through the partial indexes made for them, on a deliveries table with rows in every state.
 */
class DueWorkPlanTest {
  @TempDir Path dataDir;

  private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");

  private static String plan(Handle h, String sql) {
    return String.join(
        "\n",
        h.createQuery("EXPLAIN " + sql)
            .bind("now", T0)
            .bind("limit", 50)
            .bind("leaseUntil", T0)
            .bind("node", "n")
            .bind("token", UUID.randomUUID())
            .mapTo(String.class)
            .list());
  }

  @Test
  void the_outbox_claim_and_the_fallback_sweep_use_their_partial_indexes() {
    try (Database db = Database.open(ConfigLoader.load(null, Map.of(), Map.of()).db(), dataDir)) {
      db.jdbi()
          .useHandle(h -> {
            h.execute(
                "INSERT INTO contact (id, name, created_at)"
                    + " VALUES ('01a21c9f-0000-7000-8000-000000000001', 'Plan', now())");
            h.execute(
                "INSERT INTO message (id, contact_id, request_hash, content, created_at)"
                    + " VALUES ('01a21c9f-0000-7000-8000-000000000002',"
                    + " '01a21c9f-0000-7000-8000-000000000001', 'h', '{}', now())");
            h.execute(
                "INSERT INTO delivery (id, message_id, contact_id, channel, address, status,"
                    + " next_attempt_at, created_at, updated_at)"
                    + " SELECT gen_random_uuid(), '01a21c9f-0000-7000-8000-000000000002',"
                    + " '01a21c9f-0000-7000-8000-000000000001', 'email', 'a@example.org',"
                    + " (ARRAY['queued','sent','delivered','failed'])[1 + i % 4],"
                    + " now() + (i % 100) * interval '1 minute', now(), now()"
                    + " FROM generate_series(1, 20000) i");
            h.execute("ANALYZE delivery");

            assertThat(plan(h, new Leases(Outbox.CLAIMS).claimSql()))
                .contains("LockRows")
                .contains("Index Scan using delivery_due on delivery");
            assertThat(plan(h, Fallbacks.DUE.sql()))
                .contains("LockRows")
                .contains("delivery_held_due");
          });
    }
  }
}
