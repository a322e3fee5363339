package dev.tandem.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.config.ConfigLoader;
import dev.tandem.sandbox.SmscSimulator;
import dev.tandem.sms.smpp.SmppGateway;
import dev.tandem.support.TestApp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The SMPP client against the sandbox SMSC over TCP: long messages, odd SMSCs, bad input. */
class SmppClientTest {
  static final String LONG_TEXT =
      "Your appointment at the Riverside clinic is confirmed for Tuesday 3 March at 09:40. "
          + "Please bring your insurance card and arrive ten minutes early. To change or cancel, "
          + "reply to this message or call us on 020 7946 0000 during opening hours. See you soon!";

  TestApp tandem;

  @AfterEach
  void stop() {
    if (tandem != null) {
      tandem.close();
    }
  }

  private SmscSimulator smsc() {
    return tandem.app.sandboxSmsc.orElseThrow();
  }

  private List<SmscSimulator.Submitted> submitsTo(String messageId) {
    String to = tandem.delivery(messageId, "sms").get("address").asText();
    return smsc().received().stream().filter(s -> s.to().equals(to)).toList();
  }

  @Test
  void a_long_text_goes_as_udh_parts_and_is_delivered_when_every_part_is() {
    tandem = TestApp.start();
    String id = tandem.sendSms(LONG_TEXT);
    assertThat(tandem.delivery(id, "sms").get("segments").asInt()).isEqualTo(2);

    tandem.app.dispatcher.runOnce();

    tandem.awaitStatus(id, "sms", "delivered");
    List<SmscSimulator.Submitted> parts = submitsTo(id);
    assertThat(parts)
        .hasSize(2)
        .allSatisfy(p -> {
          assertThat(p.concatenation()).isEqualTo("udh");
          assertThat(p.esmClass() & 0x40).isEqualTo(0x40);
          assertThat(p.parts()).isEqualTo(2);
          assertThat(p.reference()).isEqualTo(parts.get(0).reference());
        });
    assertThat(parts.get(0).text() + parts.get(1).text()).isEqualTo(LONG_TEXT);
    assertThat(tandem.delivery(id, "sms").get("providerId").asText().split(",")).hasSize(2);
  }

  @Test
  void one_undelivered_part_fails_the_whole_sms_with_the_part_named() {
    tandem = TestApp.start();
    smsc().receiptStatusForPart(2, "UNDELIV");
    String id = tandem.sendSms(LONG_TEXT);

    tandem.app.dispatcher.runOnce();

    tandem.awaitStatus(id, "sms", "failed");
    assertThat(tandem.delivery(id, "sms").get("lastError").asText())
        .contains("UNDELIV")
        .contains("part 2 of 2");
  }

  @Test
  void sar_and_payload_modes_carry_long_texts_as_configured() {
    tandem = TestApp.start(Map.of("smpp.longMessages", "sar"));
    String sar = tandem.sendSms(LONG_TEXT);
    tandem.app.dispatcher.runOnce();
    tandem.awaitStatus(sar, "sms", "delivered");
    assertThat(submitsTo(sar))
        .hasSize(2)
        .allSatisfy(p -> assertThat(p.concatenation()).isEqualTo("sar"));
    tandem.close();

    tandem = TestApp.start(Map.of("smpp.longMessages", "payload"));
    String payload = tandem.sendSms(LONG_TEXT);
    tandem.app.dispatcher.runOnce();
    tandem.awaitStatus(payload, "sms", "delivered");
    assertThat(submitsTo(payload))
        .singleElement()
        .satisfies(p -> {
          assertThat(p.concatenation()).isEqualTo("payload");
          assertThat(p.text()).isEqualTo(LONG_TEXT);
        });
    assertThat(tandem.delivery(payload, "sms").get("segments").asInt()).isEqualTo(2);
  }

  @Test
  void data_coding_follows_the_text_and_the_smscs_default_alphabet() {
    tandem = TestApp.start(Map.of("smpp.defaultAlphabet", "latin1", "smpp.validityPeriod", "24h"));
    String latin = tandem.sendSms("Café à 5 €? Non: 5 £");
    String greek = tandem.sendSms("Δ is GSM but not Latin-1");
    String emoji = tandem.sendSms("Thanks 🙏");
    tandem.app.dispatcher.runOnce();
    tandem.awaitStatus(emoji, "sms", "delivered");

    assertThat(submitsTo(latin))
        .singleElement()
        .satisfies(p -> {
          assertThat(p.dataCoding()).isEqualTo(0x08); // € has no Latin-1 code
        });
    assertThat(submitsTo(greek).get(0).dataCoding()).isEqualTo(0x08);
    assertThat(submitsTo(emoji).get(0).dataCoding()).isEqualTo(0x08);
    String plain = tandem.sendSms("Cafe a 5 euros");
    tandem.app.dispatcher.runOnce();
    tandem.awaitStatus(plain, "sms", "delivered");
    assertThat(submitsTo(plain).get(0).dataCoding()).isEqualTo(0x03);
    assertThat(submitsTo(plain).get(0).text()).isEqualTo("Cafe a 5 euros");
    assertThat(submitsTo(plain).get(0).validityPeriod()).isEqualTo("000001000000000R");
  }

  @Test
  void smart_characters_are_replaced_unless_the_message_says_off() {
    tandem = TestApp.start();
    String smart = tandem.sendSms("It’s “ready”");
    JsonNode contact = tandem.createContact(Map.of("phone", TestApp.uniquePhone()));
    String verbatim =
        tandem.send(
            Map.of(
                "contactId",
                contact.get("id").asText(),
                "channels",
                List.of("sms"),
                "sms",
                Map.of("text", "It’s “ready”", "substitution", "off")));
    tandem.app.dispatcher.runOnce();
    tandem.awaitStatus(verbatim, "sms", "delivered");

    assertThat(submitsTo(smart).get(0).text()).isEqualTo("It's \"ready\"");
    assertThat(submitsTo(smart).get(0).dataCoding()).isZero();
    assertThat(submitsTo(verbatim).get(0).text()).isEqualTo("It’s “ready”");
    assertThat(submitsTo(verbatim).get(0).dataCoding()).isEqualTo(0x08);
  }

  @Test
  void a_connection_dropped_mid_window_loses_nothing() {
    tandem = TestApp.start();
    for (int i = 0; i < 20; i++) {
      tandem.sendSms("Window " + i);
    }
    smsc().dropConnectionAfter(5);

    tandem.app.dispatcher.runOnce();
    await().atMost(Duration.ofSeconds(30)).until(() -> tandem.app.sms.ready());
    for (int round = 0; round < 5 && countWhere("status IN ('queued')") > 0; round++) {
      tandem.clock.advance(Duration.ofMinutes(10));
      tandem.app.dispatcher.runOnce();
    }

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(statuses()).isEqualTo(Map.of("delivered", 20)));
  }

  @Test
  void a_slow_smsc_makes_submits_retry_until_it_answers_in_time() {
    tandem = TestApp.start(Map.of("smpp.responseTimeout", "200ms"));
    smsc().responseDelay(Duration.ofMillis(1500));
    String id = tandem.sendSms("Slow");

    tandem.app.dispatcher.runOnce();
    assertThat(tandem.delivery(id, "sms").get("lastError").asText())
        .contains("no submit_sm_resp within 200 ms");
    assertThat(tandem.status(id, "sms")).isEqualTo("queued");

    smsc().responseDelay(Duration.ZERO);
    await().atMost(Duration.ofSeconds(30)).until(() -> tandem.app.sms.ready());
    tandem.clock.advance(Duration.ofMinutes(1));
    tandem.app.dispatcher.runOnce();
    tandem.awaitStatus(id, "sms", "delivered");
  }

  @Test
  void an_smsc_that_refuses_the_bind_is_reported_in_words() throws Exception {
    try (SmscSimulator refusing =
        SmscSimulator.start(0, Clock.systemUTC(), Duration.ZERO, "DELIVRD")) {
      refusing.refuseBinds(true);
      var config = ConfigLoader.load(null, Map.of(), Map.of()).smpp();
      var gateway =
          new SmppGateway(
              "127.0.0.1", refusing.port(), config, new NoListener(), Clock.systemUTC());
      gateway.start();
      try {
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() ->
                gateway.notReadyReason() != null
                    && gateway.notReadyReason().contains("bind refused"));
        assertThat(gateway.notReadyReason()).contains("0x0000000D (bind failed)");
        var result =
            gateway
                .submit(new OutboundSms(java.util.UUID.randomUUID(), "+14155552000", "hi", true))
                .join();
        assertThat(result).isInstanceOf(SmsSubmitResult.RetryLater.class);
      } finally {
        gateway.close();
      }
    }
  }

  @Test
  void several_binds_share_the_traffic() {
    tandem = TestApp.start(Map.of("smpp.binds", "3", "smpp.maxPerSecond", "1000"));
    await().atMost(Duration.ofSeconds(20)).until(() -> smsc().boundSessions() == 3);
    for (int i = 0; i < 9; i++) {
      tandem.sendSms("Bind " + i);
    }
    tandem.app.dispatcher.runOnce();
    await().atMost(Duration.ofSeconds(20)).until(() -> countWhere("status = 'delivered'") == 9);
  }

  @Test
  void transmitter_and_receiver_binds_carry_submits_receipts_and_replies() {
    tandem = TestApp.start(Map.of("smpp.bindMode", "transmitter-receiver"));
    await().atMost(Duration.ofSeconds(20)).until(() -> smsc().boundSessions() == 2);
    String id = tandem.sendSms("Over two sessions");

    tandem.app.dispatcher.runOnce();

    tandem.awaitStatus(id, "sms", "delivered");
    String phone = TestApp.uniquePhone();
    assertThat(smsc().injectMo(phone, "Tandem", "Reply over the receiver")).isTrue();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> countIn("inbound_sms WHERE text = 'Reply over the receiver'") == 1);
  }

  @Test
  void a_receipt_carried_only_in_tlvs_is_understood() {
    tandem = TestApp.start();
    smsc().receiptsInTlvsOnly(true);
    smsc().receiptStatus("UNDELIV");
    String id = tandem.sendSms("Plain");

    tandem.app.dispatcher.runOnce();

    tandem.awaitStatus(id, "sms", "failed");
    assertThat(tandem.delivery(id, "sms").get("lastError").asText()).contains("UNDELIV");
  }

  @Test
  void concatenated_inbound_sms_is_reassembled_in_order() {
    tandem = TestApp.start();
    String phone = TestApp.uniquePhone();
    assertThat(smsc().injectMo(phone, "Tandem", LONG_TEXT + " ✓")).isTrue();

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> {
          var texts =
              tandem
                  .app
                  .database
                  .jdbi()
                  .withHandle(h ->
                      h.createQuery("SELECT text FROM inbound_sms WHERE sender = :s")
                          .bind("s", phone)
                          .mapTo(String.class)
                          .list());
          assertThat(texts).containsExactly(LONG_TEXT + " ✓");
        });
    assertThat(countIn("inbound_sms_part")).isZero();
    String userData =
        tandem
            .app
            .database
            .jdbi()
            .withHandle(h ->
                h.createQuery(
                        "SELECT esm_class || ' ' || user_data FROM inbound_sms WHERE sender = :s")
                    .bind("s", phone)
                    .mapTo(String.class)
                    .one());
    String[] fields = userData.split(" ");
    assertThat(fields[0]).isEqualTo("64"); // esm_class 0x40: a user data header is present
    // the ✓ makes it UCS-2: 4 parts, each kept as received with its header 05 00 03 ref 04 seq
    assertThat(fields).hasSize(5);
    for (int part = 1; part <= 4; part++) {
      assertThat(fields[part]).startsWith("050003");
      assertThat(fields[part].substring(8, 12)).isEqualTo("040" + part); // total 4, this seq
    }
  }

  @Test
  void subscribers_get_each_inbound_sms_once_it_is_stored() {
    tandem = TestApp.start();
    var received = new java.util.concurrent.CopyOnWriteArrayList<InboundMessages.ReceivedSms>();
    tandem.app.inbound.subscribe(received::add);
    String phone = TestApp.uniquePhone();

    smsc().injectMo(phone, "12345", "STOP");

    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
    assertThat(received.get(0).from()).isEqualTo(phone);
    assertThat(received.get(0).text()).isEqualTo("STOP");
    assertThat(tandem.call("GET", "/v1/contacts/" + received.get(0).contactId(), null).status())
        .isEqualTo(200);
  }

  @Test
  void unusable_input_is_recorded_with_a_reason_and_never_crashes_the_client() {
    tandem = TestApp.start();
    smsc()
        .injectRaw("+14155552999", "Tandem", (byte) 0x08, (byte) 0, new byte[] {0x00, 0x41, 0x00});
    smsc().injectRaw("+14155552999", "Tandem", (byte) 0x04, (byte) 0, new byte[] {0x01, 0x02});
    smsc()
        .injectRaw(
            "ACME", "Tandem", (byte) 0x00, (byte) 0, "hello".getBytes(StandardCharsets.US_ASCII));
    smsc().injectRaw("+14155552999", "Tandem", (byte) 0x00, (byte) 0x40, new byte[] {0x09, 0x00});
    smsc().injectReceiptText("this is not a receipt at all");
    smsc()
        .injectReceiptText(
            "id:999999999 sub:001 dlvrd:001 submit date:2511271030 done date:2511271031 stat:DELIVRD err:000 text:");

    await().atMost(Duration.ofSeconds(10)).until(() -> countIn("sms_problem") == 4);
    // a sender that is not a number is no problem: its SMS is kept, without a contact
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> countIn("inbound_sms WHERE sender = 'ACME' AND contact_id IS NULL") == 1);
    var reasons =
        tandem.app.smsProblems.recent(10).stream().map(SmsProblems.Problem::reason).toList();
    assertThat(reasons)
        .anySatisfy(r -> assertThat(r).contains("odd number of octets"))
        .anySatisfy(r -> assertThat(r).contains("binary data"))
        .anySatisfy(r -> assertThat(r).contains("user data header is longer"))
        .anySatisfy(r -> assertThat(r).contains("unreadable delivery receipt"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> countIn("sms_receipt WHERE delivery_id IS NULL") == 1);
    var problems = tandem.call("GET", "/v1/sms/problems", null);
    assertThat(problems.body().get("items")).hasSize(4);
    tandem.clock.advance(Duration.ofMinutes(11)); // the unknown-id receipt is now a problem too
    var later = tandem.call("GET", "/v1/sms/problems", null).body().get("items");
    assertThat(later).hasSize(5);
    assertThat(later.findValuesAsText("reason"))
        .anySatisfy(r -> assertThat(r).contains("no SMS sent from here"));

    String id = tandem.sendSms("Still working");
    tandem.app.dispatcher.runOnce();
    tandem.awaitStatus(id, "sms", "delivered");
  }

  @Test
  void each_sms_delivery_records_its_segments_and_cost_from_the_price_table() throws Exception {
    Path prices = Files.createTempFile("prices", ".yaml");
    Files.writeString(
        prices,
        """
        currency: EUR
        prices:
          - prefix: "+1"
            perSegment: "0.0079"
          - prefix: "+1415"
            sender: alphanumeric
            perSegment: "0.0100"
          - prefix: "+"
            perSegment: "0.0500"
        """);
    tandem = TestApp.start(Map.of("sms.priceTable", prices.toString()));
    String id = tandem.sendSms(LONG_TEXT);
    tandem.app.dispatcher.runOnce();
    tandem.awaitStatus(id, "sms", "delivered");

    JsonNode delivery = tandem.delivery(id, "sms");
    assertThat(delivery.get("segments").asInt()).isEqualTo(2);
    assertThat(delivery.get("encoding").asText()).isEqualTo("GSM7");
    assertThat(delivery.get("cost").asText()).isEqualTo("0.02");
    assertThat(delivery.get("currency").asText()).isEqualTo("EUR");
    String contactId = tandem.message(id).get("contactId").asText();
    JsonNode events =
        tandem.call("GET", "/v1/contacts/" + contactId + "/timeline", null).body().get("items");
    assertThat(events.findValues("detail"))
        .anySatisfy(d -> assertThat(d.path("cost").asText()).isEqualTo("0.02"));
    Files.delete(prices);
  }

  @Test
  void numbers_are_routed_to_the_smsc_of_their_prefix_and_the_rest_to_the_default()
      throws Exception {
    try (SmscSimulator uk = SmscSimulator.start(0, Clock.systemUTC(), Duration.ZERO, "DELIVRD")) {
      Path routes = Files.createTempFile("routes", ".yaml");
      Files.writeString(
          routes,
          """
          - name: uk
            prefixes: ["+44"]
            host: 127.0.0.1
            port: %d
            systemId: tandem-uk
          """
              .formatted(uk.port()));
      tandem = TestApp.start(Map.of("smpp.routesFile", routes.toString()));
      await().atMost(Duration.ofSeconds(20)).until(() -> uk.boundSessions() == 1);
      uk.reuseIds();
      smsc().reuseIds();
      String ukMessage = tandem.sendSms("+447911123456", "Hello London");
      String usMessage = tandem.sendSms("Hello San Francisco");

      tandem.app.dispatcher.runOnce();

      tandem.awaitStatus(ukMessage, "sms", "delivered");
      tandem.awaitStatus(usMessage, "sms", "delivered");
      assertThat(uk.received())
          .extracting(SmscSimulator.Submitted::text)
          .containsExactly("Hello London");
      assertThat(smsc().received())
          .extracting(SmscSimulator.Submitted::text)
          .containsExactly("Hello San Francisco");
      // both SMSCs start counting at the same id: the route's name keeps their receipts apart
      assertThat(uk.received().get(0).messageId()).isEqualTo(smsc().received().get(0).messageId());
      Files.delete(routes);
    }
  }

  @Test
  void a_bad_routes_file_stops_start_up_with_the_entry_and_the_fix() throws Exception {
    Path routes = Files.createTempFile("routes", ".yaml");
    Files.writeString(routes, "- name: uk\n  prefixes: [\"44\"]\n  host: 127.0.0.1\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> TestApp.start(Map.of("smpp.routesFile", routes.toString())))
        .hasMessageContaining("smpp.routesFile")
        .hasMessageContaining("entry 1")
        .hasMessageContaining("+44");
    Files.delete(routes);
  }

  private Map<String, Integer> statuses() {
    var rows =
        tandem
            .app
            .database
            .jdbi()
            .withHandle(h ->
                h.createQuery(
                        "SELECT status, count(*) AS n, string_agg(DISTINCT coalesce(last_error, ''), ' | ') AS errors FROM delivery GROUP BY status")
                    .map((rs, ctx) ->
                        Map.entry(
                            rs.getString("status")
                                + (rs.getString("errors").isEmpty()
                                    ? ""
                                    : " (" + rs.getString("errors") + ")"),
                            rs.getInt("n")))
                    .list());
    var result = new java.util.TreeMap<String, Integer>();
    rows.forEach(e -> result.put(e.getKey(), e.getValue()));
    return result;
  }

  private int countWhere(String condition) {
    return tandem
        .app
        .database
        .jdbi()
        .withHandle(h ->
            h.createQuery("SELECT count(*) FROM delivery WHERE " + condition)
                .mapTo(Integer.class)
                .one());
  }

  private int countIn(String tableAndCondition) {
    return tandem
        .app
        .database
        .jdbi()
        .withHandle(h ->
            h.createQuery("SELECT count(*) FROM " + tableAndCondition).mapTo(Integer.class).one());
  }

  private static final class NoListener implements SmsGateway.Listener {
    @Override
    public void onReceipt(DeliveryReceipt receipt, String receiptKey, String raw) {}

    @Override
    public void onInbound(InboundSms sms) {}

    @Override
    public void onUnusable(String kind, String source, String raw, String reason) {}
  }
}
