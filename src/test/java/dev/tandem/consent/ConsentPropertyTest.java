package dev.tandem.consent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.sms.InboundSms;
import dev.tandem.support.TestApp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random interleavings of consent changes, keyword replies, sends and dispatch rounds: whatever the
 * order, no delivery is sent on a channel and topic whose latest consent event before the dispatch
 * was a revocation, and no marketing goes out without a grant.
 */
class ConsentPropertyTest {
  private static TestApp tandem;

  @BeforeContainer
  static void start() {
    tandem = TestApp.start();
  }

  @AfterContainer
  static void stop() {
    tandem.close();
  }

  /** One step of a run. */
  sealed interface Step {}

  record Change(String channel, String topic, boolean grant) implements Step {}

  record Keyword(String text) implements Step {}

  record Send(List<String> channels, String topic) implements Step {}

  record Dispatch() implements Step {}

  record Wait(int millis) implements Step {}

  @Provide
  Arbitrary<List<Step>> runs() {
    Arbitrary<String> channel = Arbitraries.of("sms", "email");
    Arbitrary<String> topic = Arbitraries.of("alerts", "account", "news");
    Arbitrary<Step> change =
        Combinators.combine(
                channel,
                Arbitraries.of("alerts", "account", "news", "*"),
                Arbitraries.of(true, false))
            .as((c, t, g) -> (Step) new Change(c, t.equals("*") && g ? "news" : t, g));
    Arbitrary<Step> keyword =
        Arbitraries.of(
                "STOP",
                "Stop please",
                "START",
                "UNSTOP",
                "HELP",
                "YES",
                "stop texting me",
                "thanks!")
            .map(Keyword::new);
    Arbitrary<Step> send =
        Combinators.combine(
                Arbitraries.of(List.of("sms"), List.of("email"), List.of("sms", "email")), topic)
            .as(Send::new);
    Arbitrary<Step> dispatch = Arbitraries.just(new Dispatch());
    Arbitrary<Step> wait = Arbitraries.of(0, 0, 1, 500).map(Wait::new);
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(3, change),
            net.jqwik.api.Tuple.of(2, keyword),
            net.jqwik.api.Tuple.of(4, send),
            net.jqwik.api.Tuple.of(3, dispatch),
            net.jqwik.api.Tuple.of(2, wait))
        .list()
        .ofMinSize(3)
        .ofMaxSize(25);
  }

  @Property(tries = 60)
  void nothing_is_sent_on_a_channel_and_topic_revoked_before_dispatch(
      @ForAll("runs") List<Step> run) {
    String phone = TestApp.uniquePhone();
    String id =
        tandem
            .createContact(Map.of("phone", phone, "email", TestApp.uniqueEmail()))
            .get("id")
            .asText();
    for (Step step : run) {
      switch (step) {
        case Change c -> {
          var body = new HashMap<String, Object>();
          body.put("channel", c.channel());
          body.put("topic", c.topic());
          body.put("action", c.grant() ? "grant" : "revoke");
          body.put("wording", "as agreed");
          assertThat(tandem.call("POST", "/v1/contacts/" + id + "/consents", body).status())
              .isEqualTo(201);
        }
        case Keyword k ->
            tandem.app.inbound.record(
                new InboundSms(phone, "Tandem", k.text(), 0, tandem.clock.instant()));
        case Send s -> {
          var body = new HashMap<String, Object>();
          body.put("contactId", id);
          body.put("channels", s.channels());
          body.put("topic", s.topic());
          body.put("sms", Map.of("text", "About " + s.topic()));
          body.put("email", Map.of("subject", "About " + s.topic(), "text", "x"));
          assertThat(tandem.call("POST", "/v1/messages", body).status()).isEqualTo(202);
        }
        case Dispatch d -> {
          tandem.app.dispatcher.drain();
          tandem.clock.advance(Duration.ofMillis(1)); // what comes next is after this round
        }
        case Wait w -> tandem.clock.advance(Duration.ofMillis(w.millis()));
      }
    }
    tandem.app.dispatcher.drain();
    check(id);
  }

  /** An event as the oracle sees it. */
  record Event(
      long id, String channel, String topic, boolean revoked, Instant at, Instant recorded) {}

  private void check(String id) {
    JsonNode history =
        tandem.call("GET", "/v1/contacts/" + id + "/consents", null).body().get("history");
    List<Event> events = new ArrayList<>();
    history.forEach(e ->
        events.add(
            new Event(
                e.get("id").asLong(),
                e.get("channel").asText(),
                e.get("topic").asText(),
                e.get("action").asText().equals("revoked"),
                Instant.parse(e.get("at").asText()),
                Instant.parse(e.get("recordedAt").asText()))));
    var sent =
        tandem
            .app
            .database
            .jdbi()
            .withHandle(h ->
                h.createQuery(
                        "SELECT d.id, d.channel, m.topic, e.at FROM delivery d JOIN message m ON m.id = d.message_id"
                            + " JOIN event e ON e.delivery_id = d.id AND e.type = 'delivery.sent'"
                            + " WHERE d.contact_id = CAST(:id AS uuid) AND m.topic IS NOT NULL")
                    .bind("id", id)
                    .mapToMap()
                    .list());
    for (Map<String, Object> delivery : sent) {
      String channel = (String) delivery.get("channel");
      String topic = (String) delivery.get("topic");
      Instant dispatched = ((java.sql.Timestamp) delivery.get("at")).toInstant();
      Event latest = null;
      boolean granted = false;
      for (Event e : events) {
        if (!e.channel().equals(channel)
            || !(e.topic().equals(topic) || e.topic().equals("*"))
            || e.recorded().isAfter(dispatched)) {
          continue;
        }
        granted |= !e.revoked() && e.topic().equals(topic);
        if (latest == null || later(e, latest)) {
          latest = e;
        }
      }
      assertThat(latest == null || !latest.revoked())
          .as(
              "%s %s sent at %s after revocation %s; ledger %s",
              channel, topic, dispatched, latest, events)
          .isTrue();
      if (topic.equals("news")) {
        assertThat(granted)
            .as("marketing %s sent at %s without a grant", channel, dispatched)
            .isTrue();
      }
    }
  }

  /** The ledger's order: by time; at the same instant a revocation; then the later record. */
  private static boolean later(Event a, Event b) {
    int byTime = a.at().compareTo(b.at());
    if (byTime != 0) {
      return byTime > 0;
    }
    if (a.revoked() != b.revoked()) {
      return a.revoked();
    }
    return a.id() > b.id();
  }
}
