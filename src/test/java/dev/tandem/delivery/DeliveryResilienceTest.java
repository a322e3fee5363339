package dev.tandem.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.sandbox.SandboxSmtpServer;
import dev.tandem.sandbox.SmscSimulator;
import dev.tandem.support.TestApp;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Nothing is lost when a provider is down, answers with an error, or Tandem restarts. */
class DeliveryResilienceTest {
  TestApp tandem;

  @AfterEach
  void stop() {
    if (tandem != null) {
      tandem.close();
    }
  }

  private String sendEmail() {
    return tandem.sendEmail(TestApp.uniqueEmail(), Map.of("subject", "Receipt", "text", "Thanks"));
  }

  @Test
  void queued_deliveries_resume_after_a_restart() {
    tandem = TestApp.start();
    String id = tandem.sendSms("Sent after the restart");
    tandem.stop();

    tandem.restart();
    assertThat(tandem.status(id, "sms")).isEqualTo("queued");
    tandem.app.dispatcher.runOnce();

    tandem.awaitStatus(id, "sms", "delivered");
  }

  @Test
  void a_delivery_left_sending_by_a_dead_node_is_sent_again_after_its_lease() {
    tandem = TestApp.start(Map.of("dispatch.lease", "1m"));
    String id = tandem.sendSms("Lease test");
    // a node claims the delivery and dies before recording a result
    tandem
        .app
        .database
        .jdbi()
        .useHandle(h ->
            h.execute(
                "UPDATE delivery SET status = 'sending', attempts = 1, lease_until = ? WHERE message_id = ?::uuid",
                tandem.clock.instant().plusSeconds(60),
                id));
    assertThat(tandem.app.dispatcher.runOnce()).isZero();

    tandem.clock.advance(Duration.ofMinutes(2));
    tandem.app.dispatcher.runOnce();

    tandem.awaitStatus(id, "sms", "delivered");
    assertThat(tandem.delivery(id, "sms").get("attempts").asInt()).isEqualTo(2);
  }

  @Test
  void each_result_is_recorded_as_its_send_completes_not_after_the_slowest_of_the_batch()
      throws Exception {
    tandem = TestApp.start();
    SandboxSmtpServer relay = tandem.app.sandboxSmtp.orElseThrow();
    relay.holdMessages();
    String fast = sendEmail();
    String slow = sendEmail();
    CompletableFuture<Integer> round =
        CompletableFuture.supplyAsync(tandem.app.dispatcher::runOnce);
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> relay.heldCount() == 2);

      relay.release(1);

      await()
          .atMost(Duration.ofSeconds(20))
          .until(() ->
              statuses(fast, slow).equals(List.of("sending", "sent"))
                  || statuses(fast, slow).equals(List.of("sent", "sending")));
      assertThat(round).isNotDone();
    } finally {
      relay.release(1);
    }
    assertThat(round.get(20, TimeUnit.SECONDS)).isEqualTo(2);
    assertThat(statuses(fast, slow)).containsOnly("sent");
  }

  @Test
  void a_relay_slower_than_the_lease_sends_each_email_once() throws Exception {
    tandem = TestApp.start(Map.of("dispatch.lease", "10s"));
    SandboxSmtpServer relay = tandem.app.sandboxSmtp.orElseThrow();
    relay.holdMessages();
    List<String> ids = List.of(sendEmail(), sendEmail(), sendEmail());
    CompletableFuture<Integer> round =
        CompletableFuture.supplyAsync(tandem.app.dispatcher::runOnce);
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> relay.heldCount() == 3);

      tandem.clock.advance(Duration.ofSeconds(30));
      await()
          .atMost(Duration.ofSeconds(10))
          .alias("the lease of the deliveries in flight is extended")
          .until(() -> leasedPast(tandem.clock.instant()) == 3);
      assertThat(tandem.app.dispatcher.runOnce()).as("another round finds nothing due").isZero();
    } finally {
      relay.release(100);
    }
    assertThat(round.get(20, TimeUnit.SECONDS)).isEqualTo(3);
    assertThat(ids).allSatisfy(id -> assertThat(tandem.status(id, "email")).isEqualTo("sent"));
    assertThat(relay.receivedCount()).isEqualTo(3);
  }

  @Test
  void a_result_written_after_the_lease_was_lost_to_another_node_changes_nothing()
      throws Exception {
    tandem = TestApp.start(Map.of("dispatch.lease", "10s"));
    SandboxSmtpServer relay = tandem.app.sandboxSmtp.orElseThrow();
    relay.holdMessages();
    String id = sendEmail();
    CompletableFuture<Integer> round =
        CompletableFuture.supplyAsync(tandem.app.dispatcher::runOnce);
    var otherNode =
        new Outbox(tandem.app.database.jdbi(), tandem.app.timeline, tandem.app.metrics, () -> {});
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> relay.heldCount() == 1);
      // this node stalls beyond its lease; another node re-queues the delivery and claims it
      execute(
          "UPDATE delivery SET lease_until = ? WHERE status = 'sending'",
          tandem.clock.instant().minusSeconds(1));
      assertThat(otherNode.releaseExpiredLeases(tandem.clock.instant())).isEqualTo(1);
      Instant now = tandem.clock.instant();
      assertThat(otherNode.claimDue(now, 10, now.plusSeconds(10), "other-node")).hasSize(1);
    } finally {
      relay.release(1);
    }
    round.get(20, TimeUnit.SECONDS);

    JsonNode delivery = tandem.delivery(id, "email");
    assertThat(delivery.get("status").asText()).as("still the other node's").isEqualTo("sending");
    assertThat(delivery.get("attempts").asInt()).isEqualTo(2);
    String contactId = tandem.message(id).get("contactId").asText();
    assertThat(
            tandem
                .call("GET", "/v1/contacts/" + contactId + "/timeline", null)
                .body()
                .get("items")
                .findValuesAsText("type"))
        .doesNotContain("delivery.sent");
  }

  @Test
  void after_a_restart_the_node_takes_back_its_own_claims_at_once() throws Exception {
    tandem = TestApp.start(Map.of("dispatch.lease", "1h"));
    String id = sendEmail();
    String other = sendEmail();
    // this node claims one delivery and dies before sending it; another node holds the other
    Instant now = tandem.clock.instant();
    var outbox =
        new Outbox(tandem.app.database.jdbi(), tandem.app.timeline, tandem.app.metrics, () -> {});
    String thisNode = Files.readString(tandem.dataDir.resolve("node-id")).strip();
    assertThat(outbox.claimDue(now, 1, now.plus(Duration.ofHours(1)), thisNode)).hasSize(1);
    assertThat(outbox.claimDue(now, 1, now.plus(Duration.ofHours(1)), "other-node")).hasSize(1);
    tandem.stop();

    tandem.restart();

    assertThat(List.of(tandem.status(id, "email"), tandem.status(other, "email")))
        .containsExactlyInAnyOrder("queued", "sending");
    assertThat(tandem.app.dispatcher.runOnce()).isEqualTo(1);
    assertThat(tandem.app.sandboxSmtp.orElseThrow().receivedCount()).isEqualTo(1);
  }

  private List<String> statuses(String... messageIds) {
    return java.util.Arrays.stream(messageIds).map(id -> tandem.status(id, "email")).toList();
  }

  private int leasedPast(Instant instant) {
    return tandem
        .app
        .database
        .jdbi()
        .withHandle(h ->
            h.createQuery(
                    "SELECT count(*) FROM delivery WHERE status = 'sending' AND lease_until > ?")
                .bind(0, instant)
                .mapTo(Integer.class)
                .one());
  }

  private void execute(String sql, Object... arguments) {
    tandem.app.database.jdbi().useHandle(h -> h.execute(sql, arguments));
  }

  @Test
  void an_smsc_that_goes_down_and_comes_back_gets_the_queued_sms() {
    tandem = TestApp.start();
    SmscSimulator smsc = tandem.app.sandboxSmsc.orElseThrow();
    int port = smsc.port();
    smsc.close();
    await().atMost(Duration.ofSeconds(20)).until(() -> !tandem.app.sms.ready());
    String id = tandem.sendSms("Survives an SMSC outage");

    tandem.app.dispatcher.runOnce();
    JsonNode waiting = tandem.delivery(id, "sms");
    assertThat(waiting.get("status").asText()).isEqualTo("queued");
    assertThat(waiting.get("lastError").asText()).contains("not bound to SMSC");

    try (SmscSimulator back = SmscSimulator.start(port, tandem.clock, Duration.ZERO, "DELIVRD")) {
      await().atMost(Duration.ofSeconds(30)).until(() -> tandem.app.sms.ready());
      tandem.clock.advance(Duration.ofMinutes(1));
      tandem.app.dispatcher.runOnce();
      tandem.awaitStatus(id, "sms", "delivered");
      assertThat(back.received())
          .extracting(SmscSimulator.Submitted::text)
          .contains("Survives an SMSC outage");
    }
  }

  @Test
  void an_smtp_server_that_goes_down_and_comes_back_gets_the_queued_email() {
    tandem = TestApp.start();
    SandboxSmtpServer smtp = tandem.app.sandboxSmtp.orElseThrow();
    int port = smtp.port();
    smtp.close();
    String id = sendEmail();

    tandem.app.dispatcher.runOnce();
    JsonNode waiting = tandem.delivery(id, "email");
    assertThat(waiting.get("status").asText()).isEqualTo("queued");
    assertThat(waiting.get("lastError").asText()).contains("unavailable");
    assertThat(tandem.call("GET", "/health/ready", null, null).status()).isEqualTo(503);

    try (SandboxSmtpServer back = SandboxSmtpServer.start(port, tandem.clock)) {
      tandem.clock.advance(Duration.ofMinutes(1));
      tandem.app.dispatcher.runOnce();
      assertThat(tandem.status(id, "email")).isEqualTo("sent");
      assertThat(back.receivedCount()).isEqualTo(1);
      assertThat(tandem.delivery(id, "email").get("attempts").asInt()).isEqualTo(2);
    }
  }

  @Test
  void a_receipt_that_arrives_before_the_submit_response_still_marks_the_sms_delivered() {
    tandem = TestApp.start();
    tandem.app.sandboxSmsc.orElseThrow().receiptBeforeResponse(true);
    String id = tandem.sendSms("Race");

    tandem.app.dispatcher.runOnce();

    tandem.awaitStatus(id, "sms", "delivered");
  }

  @Test
  void receipts_from_an_smsc_that_reuses_ids_after_a_restart_go_to_the_new_parts() {
    tandem = TestApp.start();
    SmscSimulator smsc = tandem.app.sandboxSmsc.orElseThrow();
    smsc.reuseIds();
    int port = smsc.port();
    List<String> before = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      before.add(tandem.sendSms("Before the SMSC restart " + i));
    }
    tandem.app.dispatcher.runOnce();
    before.forEach(id -> tandem.awaitStatus(id, "sms", "delivered"));
    String oldParts = parts(before);
    smsc.close();
    await().atMost(Duration.ofSeconds(20)).until(() -> !tandem.app.sms.ready());

    try (SmscSimulator back = SmscSimulator.start(port, tandem.clock, Duration.ZERO, "DELIVRD")) {
      back.reuseIds();
      back.receiptBeforeResponse(true);
      await().atMost(Duration.ofSeconds(30)).until(() -> tandem.app.sms.ready());
      List<String> after = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        after.add(tandem.sendSms("After the SMSC restart " + i));
      }
      tandem.clock.advance(Duration.ofMinutes(1));
      tandem.app.dispatcher.runOnce();

      after.forEach(id -> tandem.awaitStatus(id, "sms", "delivered"));
      assertThat(providerIds(after))
          .as("the SMSC reused its ids")
          .containsExactlyInAnyOrderElementsOf(providerIds(before));
      assertThat(parts(before)).as("the old, final parts").isEqualTo(oldParts);
      assertThat(receiptsOf(before)).isEqualTo(3);
      assertThat(receiptsOf(after)).isEqualTo(3);
    }
  }

  @Test
  void a_receipt_stored_but_not_applied_when_the_node_stopped_is_applied_at_the_next_start() {
    tandem = TestApp.start();
    tandem.app.sandboxSmsc.orElseThrow().receiptDelay(Duration.ofHours(1));
    String id = tandem.sendSms("Receipt stored, then the node stopped");
    tandem.app.dispatcher.runOnce();
    assertThat(tandem.status(id, "sms")).isEqualTo("sent");
    String key =
        tandem
            .app
            .database
            .jdbi()
            .withHandle(h ->
                h.createQuery(
                        "SELECT p.receipt_key FROM sms_part p JOIN delivery d ON d.id = p.delivery_id"
                            + " WHERE d.message_id = ?::uuid")
                    .bind(0, id)
                    .mapTo(String.class)
                    .one());
    // what the writer had committed (and acknowledged) when the node stopped, before the applier
    // ran: the raw receipt, matched to nothing yet
    execute(
        "INSERT INTO sms_receipt (receipt_key, stat, err, raw, received_at)"
            + " VALUES (?, 'DELIVRD', '000', 'id:x sub:001 dlvrd:001 stat:DELIVRD err:000', ?)",
        key,
        tandem.clock.instant());
    tandem.stop();

    tandem.restart();

    tandem.awaitStatus(id, "sms", "delivered");
    assertThat(receiptsOf(List.of(id))).isEqualTo(1);
  }

  @Test
  void a_receipt_another_node_stored_and_did_not_apply_before_it_died_is_applied_by_this_one() {
    tandem = TestApp.start();
    tandem.app.sandboxSmsc.orElseThrow().receiptDelay(Duration.ofHours(1));
    String id = tandem.sendSms("Receipt stored by a node that then died");
    tandem.app.dispatcher.runOnce();
    assertThat(tandem.status(id, "sms")).isEqualTo("sent");
    String key =
        tandem
            .app
            .database
            .jdbi()
            .withHandle(h ->
                h.createQuery(
                        "SELECT p.receipt_key FROM sms_part p JOIN delivery d ON d.id = p.delivery_id"
                            + " WHERE d.message_id = ?::uuid")
                    .bind(0, id)
                    .mapTo(String.class)
                    .one());
    // stored (and acknowledged) by another node's writer, which died before its applier ran, and
    // may never start again: this node never had the key in its queue
    execute(
        "INSERT INTO sms_receipt (receipt_key, stat, err, raw, received_at)"
            + " VALUES (?, 'DELIVRD', '000', 'id:x sub:001 dlvrd:001 stat:DELIVRD err:000', ?)",
        key,
        tandem.clock.instant());

    tandem.clock.advance(ReceiptWriter.STRANDED_SWEEP.plusSeconds(1));

    tandem.awaitStatus(id, "sms", "delivered");
    assertThat(receiptsOf(List.of(id))).isEqualTo(1);
  }

  @Test
  void a_receipt_that_cannot_be_stored_is_not_acknowledged_and_arrives_again() {
    tandem = TestApp.start();
    // counts attempts outside the failing transaction: a sequence does not roll back
    execute("CREATE SEQUENCE receipt_attempts");
    execute(
        "CREATE FUNCTION refuse_receipt() RETURNS trigger LANGUAGE plpgsql AS"
            + " $$ BEGIN PERFORM nextval('receipt_attempts');"
            + " RAISE EXCEPTION 'disk full (test)'; END $$");
    execute(
        "CREATE TRIGGER refuse_receipt BEFORE INSERT ON sms_receipt"
            + " FOR EACH ROW EXECUTE FUNCTION refuse_receipt()");
    String id = tandem.sendSms("Receipt refused by the database");
    tandem.app.dispatcher.runOnce();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() ->
            tandem
                    .app
                    .database
                    .jdbi()
                    .withHandle(h ->
                        h.createQuery(
                                "SELECT CASE WHEN is_called THEN last_value ELSE 0 END"
                                    + " FROM receipt_attempts")
                            .mapTo(Long.class)
                            .one())
                >= 2);
    assertThat(tandem.status(id, "sms")).isEqualTo("sent");

    execute("DROP TRIGGER refuse_receipt ON sms_receipt");

    tandem.awaitStatus(id, "sms", "delivered");
    assertThat(receiptsOf(List.of(id))).isEqualTo(1);
  }

  @Test
  void a_receipt_the_smsc_sends_again_goes_to_the_same_delivery_and_changes_nothing() {
    tandem = TestApp.start();
    String id = tandem.sendSms("Receipt sent twice");
    tandem.app.dispatcher.runOnce();
    tandem.awaitStatus(id, "sms", "delivered");
    String raw =
        tandem
            .app
            .database
            .jdbi()
            .withHandle(
                h -> h.createQuery("SELECT raw FROM sms_receipt").mapTo(String.class).one());

    tandem.app.sandboxSmsc.orElseThrow().injectReceiptText(raw);

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(receiptsOf(List.of(id))).isEqualTo(2));
    assertThat(tandem.status(id, "sms")).isEqualTo("delivered");
  }

  @Test
  void a_restarted_simulator_does_not_reuse_message_ids() {
    tandem = TestApp.start();
    SmscSimulator smsc = tandem.app.sandboxSmsc.orElseThrow();
    int port = smsc.port();
    String before = tandem.sendSms("Before");
    tandem.app.dispatcher.runOnce();
    tandem.awaitStatus(before, "sms", "delivered");
    smsc.close();
    await().atMost(Duration.ofSeconds(20)).until(() -> !tandem.app.sms.ready());

    try (SmscSimulator back = SmscSimulator.start(port, tandem.clock, Duration.ZERO, "DELIVRD")) {
      await().atMost(Duration.ofSeconds(30)).until(() -> tandem.app.sms.ready());
      String after = tandem.sendSms("After");
      tandem.clock.advance(Duration.ofMinutes(1));
      tandem.app.dispatcher.runOnce();
      tandem.awaitStatus(after, "sms", "delivered");

      assertThat(providerIds(List.of(after)))
          .doesNotContainAnyElementsOf(providerIds(List.of(before)));
    }
  }

  private List<String> providerIds(List<String> messageIds) {
    return messageIds.stream()
        .map(id -> tandem.delivery(id, "sms").get("providerId").asText())
        .toList();
  }

  private String parts(List<String> messageIds) {
    return tandem
        .app
        .database
        .jdbi()
        .withHandle(h ->
            h.createQuery(
                    "SELECT string_agg(p.delivery_id || ':' || p.seq || ':' || p.status || ':' || p.stat, ',' ORDER BY p.delivery_id)"
                        + " FROM sms_part p JOIN delivery d ON d.id = p.delivery_id"
                        + " WHERE d.message_id = ANY(CAST(:ids AS uuid[]))")
                .bind("ids", messageIds.toArray(String[]::new))
                .mapTo(String.class)
                .one());
  }

  private int receiptsOf(List<String> messageIds) {
    return tandem
        .app
        .database
        .jdbi()
        .withHandle(h ->
            h.createQuery(
                    "SELECT count(*) FROM sms_receipt r JOIN delivery d ON d.id = r.delivery_id"
                        + " WHERE d.message_id = ANY(CAST(:ids AS uuid[]))")
                .bind("ids", messageIds.toArray(String[]::new))
                .mapTo(Integer.class)
                .one());
  }

  @Test
  void receipts_in_decimal_match_submit_responses_in_hex() {
    tandem = TestApp.start(Map.of("smpp.receiptIds", "hex-to-decimal"));
    tandem
        .app
        .sandboxSmsc
        .orElseThrow()
        .idStyle(SmscSimulator.IdStyle.HEX_RESPONSE_DECIMAL_RECEIPT);
    String id = tandem.sendSms("Hex and decimal");

    tandem.app.dispatcher.runOnce();

    tandem.awaitStatus(id, "sms", "delivered");
    assertThat(tandem.delivery(id, "sms").get("providerId").asText()).matches("[0-9a-f]+");
  }

  @Test
  void an_undelivered_receipt_fails_the_delivery_with_the_reason() {
    tandem = TestApp.start();
    tandem.app.sandboxSmsc.orElseThrow().receiptStatus("UNDELIV");
    String id = tandem.sendSms("Nobody home");

    tandem.app.dispatcher.runOnce();

    tandem.awaitStatus(id, "sms", "failed");
    assertThat(tandem.delivery(id, "sms").get("lastError").asText()).contains("UNDELIV");
  }

  @Test
  void a_throttled_submit_is_retried_and_a_permanent_refusal_fails_with_the_reason_in_words() {
    tandem = TestApp.start();
    SmscSimulator smsc = tandem.app.sandboxSmsc.orElseThrow();
    smsc.failNextSubmits(1, 0x58);
    String throttled = tandem.sendSms("Throttled first");

    tandem.app.dispatcher.runOnce();
    assertThat(tandem.status(throttled, "sms")).isEqualTo("queued");
    assertThat(tandem.delivery(throttled, "sms").get("lastError").asText()).contains("throttling");
    tandem.clock.advance(Duration.ofMinutes(1));
    tandem.app.dispatcher.runOnce();
    tandem.awaitStatus(throttled, "sms", "delivered");
    assertThat(tandem.delivery(throttled, "sms").get("attempts").asInt()).isEqualTo(1);

    smsc.failNextSubmits(1, 0x0B);
    String refused = tandem.sendSms("Bad destination");
    tandem.app.dispatcher.runOnce();
    assertThat(tandem.status(refused, "sms")).isEqualTo("failed");
    assertThat(tandem.delivery(refused, "sms").get("lastError").asText())
        .contains("invalid destination address");
  }

  @Test
  void a_delivery_that_keeps_failing_gives_up_after_max_attempts() {
    tandem = TestApp.start(Map.of("dispatch.maxAttempts", "3"));
    tandem.app.sandboxSmsc.orElseThrow().failNextSubmits(100, 0x08);
    String id = tandem.sendSms("System error forever");

    for (int round = 0; round < 3; round++) {
      tandem.app.dispatcher.runOnce();
      tandem.clock.advance(Duration.ofHours(1));
    }

    JsonNode delivery = tandem.delivery(id, "sms");
    assertThat(delivery.get("status").asText()).isEqualTo("failed");
    assertThat(delivery.get("attempts").asInt()).isEqualTo(3);
    assertThat(delivery.get("lastError").asText())
        .contains("gave up after 3 attempts")
        .contains("system error");
  }

  @Test
  void several_submits_are_in_flight_at_once() {
    tandem = TestApp.start();
    for (int i = 0; i < 40; i++) {
      tandem.sendSms("Bulk " + i);
    }
    assertThat(tandem.app.dispatcher.runOnce()).isEqualTo(40);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() ->
            tandem
                    .app
                    .database
                    .jdbi()
                    .withHandle(h ->
                        h.createQuery("SELECT count(*) FROM delivery WHERE status = 'delivered'")
                            .mapTo(Integer.class)
                            .one())
                == 40);
  }

  @Test
  void a_queue_full_smsc_never_makes_a_message_fail_however_long_it_lasts() {
    tandem = TestApp.start(Map.of("dispatch.maxAttempts", "2"));
    tandem.app.sandboxSmsc.orElseThrow().failNextSubmits(5, 0x14);
    String id = tandem.sendSms("Patience");

    for (int round = 0; round < 6; round++) {
      tandem.app.dispatcher.runOnce();
      tandem.clock.advance(Duration.ofMinutes(1));
    }

    tandem.awaitStatus(id, "sms", "delivered");
    assertThat(tandem.delivery(id, "sms").get("attempts").asInt()).isEqualTo(1);
  }
}
