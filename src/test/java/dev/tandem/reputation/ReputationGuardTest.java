package dev.tandem.reputation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.email.InboundMail;
import dev.tandem.support.TestApp;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Marketing pauses when complaints pass their threshold, transactional mail keeps going, the alert
 * reaches webhook subscribers and /metrics, and a resume lets the held marketing go.
 */
class ReputationGuardTest {
  TestApp tandem;

  @AfterEach
  void stop() {
    if (tandem != null) {
      tandem.close();
    }
  }

  TestApp start() {
    return TestApp.start(
        Map.of(
            "reputation.minimumSends", "5",
            "webhooks.allowPrivateNetworks", "on"));
  }

  /** An email of {@code topic} to a new contact (consent granted when it is marketing). */
  String email(String topic) {
    String address = TestApp.uniqueEmail();
    JsonNode contact = tandem.createContact(Map.of("email", address));
    if (topic.equals("news")) {
      tandem.grant(contact.get("id").asText(), "email", "news", "Send me news and offers");
    }
    var request = new HashMap<String, Object>();
    request.put("contactId", contact.get("id").asText());
    request.put("channels", List.of("email"));
    request.put("topic", topic);
    request.put("email", Map.of("subject", "Hello", "text", "Hello there."));
    return tandem.send(request);
  }

  void complaintAbout(String messageId) {
    String providerId = tandem.delivery(messageId, "email").get("providerId").asText();
    tandem.app.inboundEmails.record(
        new InboundMail(
            InboundMail.Kind.COMPLAINT,
            "fbl@mailbox.example",
            "Complaint",
            Optional.empty(),
            List.of(providerId),
            Optional.empty(),
            Optional.of("abuse"),
            "",
            "",
            Optional.empty()),
        100);
  }

  JsonNode reputation(String method, String path) {
    var answer = tandem.call(method, path, null);
    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
    return answer.body();
  }

  @Test
  void complaints_past_the_threshold_pause_marketing_from_that_domain_until_resumed() {
    tandem = start();
    var subscribed =
        tandem.call(
            "POST",
            "/v1/webhooks",
            Map.of("url", "http://127.0.0.1:9/alerts", "events", List.of("reputation.*")));
    assertThat(subscribed.status()).isEqualTo(201);
    var sent = new java.util.ArrayList<String>();
    for (int i = 0; i < 5; i++) {
      sent.add(email("account"));
    }
    tandem.app.dispatcher.drain();

    // four out of five is not judged yet: below the volume that counts
    assertThat(reputation("POST", "/v1/reputation/check").get("pauses")).isEmpty();
    complaintAbout(sent.get(0));
    JsonNode checked = reputation("POST", "/v1/reputation/check");

    assertThat(checked.get("pauses"))
        .singleElement()
        .satisfies(p -> {
          assertThat(p.get("channel").asText()).isEqualTo("email");
          assertThat(p.get("scope").asText()).isEqualTo("tandem.localhost");
          assertThat(p.get("reason").asText())
              .contains("spam complaints 20% of 5 emails")
              .contains("threshold 0.3%");
        });
    assertThat(checked.get("rates").findValuesAsText("complaints")).contains("1");
    assertThat(count("SELECT count(*) FROM webhook_event WHERE type = 'reputation.paused'"))
        .isOne();
    assertThat(tandem.call("GET", "/metrics", null, null).body().get("text").asText())
        .contains("tandem_reputation_paused{channel=\"email\"} 1.0")
        .contains("tandem_reputation_paused{channel=\"sms\"} 0.0");
    // the doctor names it, with the resume to run
    JsonNode doctor = tandem.call("GET", "/v1/doctor", null).body();
    assertThat(doctor.toString())
        .contains("marketing-paused")
        .contains("Marketing on email from tandem.localhost is paused")
        .contains("/v1/reputation/resume");
    // a second check (or another node) opens no second pause and tells no one twice
    reputation("POST", "/v1/reputation/check");
    assertThat(count("SELECT count(*) FROM reputation_pause")).isOne();
    assertThat(count("SELECT count(*) FROM webhook_event WHERE type = 'reputation.paused'"))
        .isOne();

    String marketing = email("news");
    String receipt = email("account");
    tandem.app.dispatcher.drain();

    assertThat(tandem.status(receipt, "email")).isEqualTo("sent");
    assertThat(tandem.status(marketing, "email")).isEqualTo("queued");
    assertThat(tandem.delivery(marketing, "email").get("lastError").asText())
        .contains("marketing on email from tandem.localhost is paused")
        .contains("POST /v1/reputation/resume");
    // held until a resume: later rounds do not take it again (one deferral on its timeline)
    tandem.clock.advance(Duration.ofHours(2));
    tandem.app.dispatcher.drain();
    String contact = tandem.message(marketing).get("contactId").asText();
    assertThat(
            tandem
                .call("GET", "/v1/contacts/" + contact + "/timeline", null)
                .body()
                .get("items")
                .findValuesAsText("type"))
        .containsOnlyOnce("delivery.deferred");

    tandem.clock.advance(Duration.ofMinutes(5)); // someone looks into it, then resumes
    var resumed =
        tandem.call(
            "POST",
            "/v1/reputation/resume",
            Map.of("channel", "email", "scope", "Tandem.Localhost"));
    assertThat(resumed.status()).as(resumed.body().toString()).isEqualTo(200);
    assertThat(count("SELECT count(*) FROM webhook_event WHERE type = 'reputation.resumed'"))
        .isOne();
    // the complaint before the resume no longer counts
    tandem.clock.advance(Duration.ofMinutes(1));
    assertThat(reputation("POST", "/v1/reputation/check").get("pauses")).isEmpty();

    // the resume released what was held: it goes in the next round, not an hour later
    tandem.app.dispatcher.drain();
    assertThat(tandem.status(marketing, "email")).isEqualTo("sent");
  }

  @Test
  void a_resume_that_names_no_open_pause_or_a_bad_channel_is_refused_and_changes_nothing() {
    tandem = start();
    var none =
        tandem.call(
            "POST", "/v1/reputation/resume", Map.of("channel", "email", "scope", "x.example"));
    assertThat(none.status()).isEqualTo(404);
    assertThat(none.body().get("code").asText()).isEqualTo("pause-not-found");
    var fax = tandem.call("POST", "/v1/reputation/resume", Map.of("channel", "fax"));
    assertThat(fax.status()).isEqualTo(422);
    assertThat(fax.body().get("field").asText()).isEqualTo("channel");
    var noScope = tandem.call("POST", "/v1/reputation/resume", Map.of("channel", "email"));
    assertThat(noScope.status()).isEqualTo(422);
    assertThat(noScope.body().get("field").asText()).isEqualTo("scope");
    assertThat(tandem.call("POST", "/v1/reputation/resume", "[]").status()).isEqualTo(400);
    assertThat(count("SELECT count(*) FROM reputation_pause")).isZero();
  }

  @Test
  void with_the_guard_off_rates_are_shown_and_nothing_pauses() {
    tandem = TestApp.start(Map.of("reputation.minimumSends", "1", "reputation.guard", "off"));
    String id = email("account");
    tandem.app.dispatcher.drain();
    complaintAbout(id);
    JsonNode checked = reputation("POST", "/v1/reputation/check");
    assertThat(checked.get("pauses")).isEmpty();
    assertThat(checked.get("rates").findValuesAsText("complaints")).contains("1");
  }

  int count(String sql) {
    return tandem
        .app
        .database
        .jdbi()
        .withHandle(h -> h.createQuery(sql).mapTo(Integer.class).one());
  }
}
