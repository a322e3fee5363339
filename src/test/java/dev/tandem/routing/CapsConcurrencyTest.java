package dev.tandem.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.support.TestApp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Many requests for one person at the same moment never exceed a cap: accepting serializes on the
 * person (a PostgreSQL advisory lock held by each accepting transaction, so it holds across nodes
 * on one database as well as across threads of one).
 */
class CapsConcurrencyTest {
  @Test
  void concurrent_accepts_for_one_person_never_exceed_a_cap_across_both_channels()
      throws Exception {
    try (TestApp tandem = TestApp.start()) {
      var put =
          tandem.call(
              "PUT",
              "/v1/topics/promo",
              Map.of(
                  "class", "marketing",
                  "policy", "both",
                  "quietHours", false,
                  "caps", List.of(Map.of("max", 3, "window", "P7D")),
                  "overCap", "drop"));
      assertThat(put.status()).as(String.valueOf(put.body())).isBetween(200, 201);
      String id =
          tandem
              .createContact(Map.of("phone", TestApp.uniquePhone(), "email", TestApp.uniqueEmail()))
              .get("id")
              .asText();
      tandem.grant(id, "sms", "promo", "Yes, text me offers");
      tandem.grant(id, "email", "promo", "Yes, email me offers");

      int requests = 24;
      var start = new CountDownLatch(1);
      var statuses = new ArrayList<CompletableFuture<Integer>>();
      try (var pool = Executors.newFixedThreadPool(requests)) {
        for (int i = 0; i < requests; i++) {
          int n = i;
          statuses.add(
              CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      start.await();
                    } catch (InterruptedException e) {
                      throw new IllegalStateException(e);
                    }
                    return tandem
                        .call(
                            "POST",
                            "/v1/messages",
                            Map.of(
                                "contactId",
                                id,
                                "topic",
                                "promo",
                                "sms",
                                Map.of("text", "Offer " + n),
                                "email",
                                Map.of("subject", "Offer " + n, "text", "Offer " + n)))
                        .status();
                  },
                  pool));
        }
        start.countDown();
        for (var s : statuses) {
          assertThat(s.get()).isEqualTo(202);
        }
      }
      int planned =
          tandem
              .app
              .database
              .jdbi()
              .withHandle(h ->
                  h.createQuery(
                          "SELECT count(*) FROM delivery WHERE contact_id = CAST(:id AS uuid)"
                              + " AND status NOT IN ('suppressed', 'cancelled')")
                      .bind("id", id)
                      .mapTo(Integer.class)
                      .one());
      // 'both' plans two deliveries per message: one message fits under 3, a second would not
      assertThat(planned).isEqualTo(2);
    }
  }

  @Test
  void routing_reads_inside_the_accepting_transaction_so_a_small_pool_never_starves()
      throws Exception {
    // two pooled connections and sixteen concurrent routed requests whose topics need every read
    // routing makes (preference, today's SMS spend, stale topics): a read on a second connection
    // per request would leave each holder waiting for another, until the pool gives up (500)
    try (TestApp tandem = TestApp.start(Map.of("db.poolSize", "2"))) {
      for (String topic : List.of("by-preference", "on-budget")) {
        var put =
            tandem.call(
                "PUT",
                "/v1/topics/" + topic,
                topic.equals("by-preference")
                    ? Map.of("class", "transactional", "policy", "preference")
                    : Map.of(
                        "class", "transactional", "policy", "sms-first", "dailySmsBudget", "100"));
        assertThat(put.status()).as(String.valueOf(put.body())).isBetween(200, 201);
      }
      var start = new CountDownLatch(1);
      var statuses = new ArrayList<CompletableFuture<Integer>>();
      try (var pool = Executors.newFixedThreadPool(16)) {
        for (int i = 0; i < 16; i++) {
          int n = i;
          statuses.add(
              CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      start.await();
                    } catch (InterruptedException e) {
                      throw new IllegalStateException(e);
                    }
                    return tandem
                        .call(
                            "POST",
                            "/v1/messages",
                            Map.of(
                                "to",
                                    Map.of(
                                        "phone",
                                        TestApp.uniquePhone(),
                                        "email",
                                        TestApp.uniqueEmail()),
                                "topic", n % 2 == 0 ? "by-preference" : "on-budget",
                                "sms", Map.of("text", "Hello " + n),
                                "email", Map.of("subject", "Hello", "text", "Hello " + n)))
                        .status();
                  },
                  pool));
        }
        start.countDown();
        for (var s : statuses) {
          assertThat(s.get()).isEqualTo(202);
        }
      }
    }
  }
}
