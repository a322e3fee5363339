package dev.tandem.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.config.TandemConfig.PhoneValidation;
import dev.tandem.sandbox.SmscSimulator;
import dev.tandem.support.TestApp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Numbers that carriers accept but libphonenumber does not yet call valid, and mobile-originated
 * SMS from senders that are not phone numbers at all (issue 9 points 12 and 18), over SMPP.
 */
class InboundSendersTest {
  private static TestApp tandem;

  @BeforeAll
  static void start() {
    tandem = TestApp.start();
  }

  @AfterAll
  static void stop() {
    tandem.close();
  }

  private static SmscSimulator smsc() {
    return tandem.app.sandboxSmsc.orElseThrow();
  }

  private static List<Map<String, Object>> inbound(String sender) {
    return tandem
        .app
        .database
        .jdbi()
        .withHandle(h ->
            h.createQuery(
                    "SELECT contact_id, text FROM inbound_sms WHERE sender = :sender ORDER BY received_at")
                .bind("sender", sender)
                .mapToMap()
                .list());
  }

  @Test
  void possible_numbers_are_accepted_and_marked_not_valid_with_a_warning() {
    for (String phone : List.of("+447700900123", "+15550001111")) {
      var created = tandem.call("POST", "/v1/contacts", Map.of("phone", phone));
      assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
      var details = created.body().get("phoneDetails").get(0);
      assertThat(details.get("phone").asText()).isEqualTo(phone);
      assertThat(details.get("valid").asBoolean()).isFalse();
      assertThat(created.body().get("warnings").get(0).get("code").asText())
          .isEqualTo("phone-not-valid");
      assertThat(created.body().get("warnings").get(0).get("detail").asText())
          .contains(phone)
          .contains("contacts.phoneValidation");
    }
    var valid = tandem.createContact(Map.of("phone", TestApp.uniquePhone()));
    assertThat(valid.get("phoneDetails").get(0).get("valid").asBoolean()).isTrue();
    assertThat(valid.get("warnings")).isEmpty();
    var impossible = tandem.call("POST", "/v1/contacts", Map.of("phone", "+4477009"));
    assertThat(impossible.status()).isEqualTo(422);
    assertThat(impossible.body().get("field").asText()).isEqualTo("phone");
  }

  @Test
  void strict_validation_keeps_refusing_numbers_outside_the_known_ranges() {
    var strict = new dev.tandem.contact.PhoneNumbers("US", PhoneValidation.STRICT);
    assertThat(strict.toE164("+15550001111")).isEmpty();
    assertThat(strict.toE164("+14155550123")).contains("+14155550123");
    var possible = new dev.tandem.contact.PhoneNumbers("US", PhoneValidation.POSSIBLE);
    assertThat(possible.toE164("+15550001111")).contains("+15550001111");
    assertThat(possible.toE164("(555) 000-1111")).contains("+15550001111");
    assertThat(possible.toE164("+1555")).isEmpty();
  }

  @Test
  void a_stop_from_a_number_outside_the_known_ranges_is_honoured() {
    String phone = "+15550002222";
    assertThat(smsc().injectMo(phone, "Tandem", "STOP")).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> !inbound(phone).isEmpty());
    var contact = tandem.call("GET", "/v1/contacts?phone=" + phone, null).body().get("items");
    assertThat(contact).hasSize(1);
    String id = contact.get(0).get("id").asText();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> tandem.call("GET", "/v1/contacts/" + id + "/consents", null).body().toString(),
            body -> body.contains("revoked"));
  }

  @Test
  void a_stop_from_an_international_number_without_its_plus_reaches_the_numbers_contact() {
    // Some SMSCs send the source address with TON unknown and no '+'; as a number of the default
    // region (US) these digits are too long, as an international one they are the contact's.
    String id = tandem.createContact(Map.of("phone", "+447911123456")).get("id").asText();
    tandem.grant(id, "sms", "news", "Texts about news");

    tandem.app.inbound.record(
        new InboundSms("447911123456", "Tandem", "STOP", 0, tandem.clock.instant()));

    assertThat(inbound("447911123456"))
        .singleElement()
        .satisfies(row -> assertThat(String.valueOf(row.get("contact_id"))).isEqualTo(id));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> tandem.call("GET", "/v1/contacts/" + id + "/consents", null).body().toString(),
            body -> body.contains("revoked"));
  }

  @Test
  void sms_from_short_codes_and_alphanumeric_senders_are_stored_and_their_stop_is_honoured() {
    for (String sender : List.of("72345", "ACMEBANK")) {
      assertThat(smsc().injectMo(sender, "Tandem", "Stop")).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> !inbound(sender).isEmpty());
      assertThat(inbound(sender).get(0).get("contact_id")).isNull();
      assertThat(inbound(sender).get(0).get("text")).isEqualTo("Stop");
      List<String> reasons =
          tandem
              .app
              .database
              .jdbi()
              .withHandle(h ->
                  h.createQuery(
                          "SELECT reason FROM suppression WHERE channel = 'sms' AND address = :a")
                      .bind("a", sender)
                      .mapTo(String.class)
                      .list());
      assertThat(reasons).singleElement().asString().contains("opt-out");
    }
    assertThat(smsc().injectMo("ACMEBANK", "Tandem", "hello")).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> inbound("ACMEBANK").size() == 2);
  }

  @Test
  void a_nul_in_an_inbound_sms_is_removed_and_the_sms_acknowledged() {
    String phone = TestApp.uniquePhone();
    byte[] ucs2 = "Hi\u0000 there".getBytes(StandardCharsets.UTF_16BE);
    // injectRaw throws when Tandem answers anything but ESME_ROK (the SMSC would redeliver)
    smsc().injectRaw(phone, "Tandem", (byte) 0x08, (byte) 0, ucs2);
    byte[] latin1 = "Bye\u0000!".getBytes(StandardCharsets.ISO_8859_1);
    smsc().injectRaw(phone, "Tandem", (byte) 0x03, (byte) 0, latin1);
    await().atMost(Duration.ofSeconds(10)).until(() -> inbound(phone).size() == 2);
    assertThat(inbound(phone))
        .extracting(row -> row.get("text"))
        .containsExactly("Hi there", "Bye!");
  }
}
