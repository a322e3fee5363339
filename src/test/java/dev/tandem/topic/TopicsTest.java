package dev.tandem.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.channel.Channel;
import dev.tandem.error.Conflict;
import dev.tandem.error.InvalidInput;
import dev.tandem.support.TestApp;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Topics live in the database, are cached per node, seeded from config and guarded on delete. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TopicsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  TestApp tandem;

  @BeforeAll
  void start() {
    tandem = TestApp.start();
  }

  @AfterAll
  void stop() {
    tandem.close();
  }

  private Topics node(AtomicLong ticker) {
    return new Topics(tandem.app.database.jdbi(), tandem.clock, "account", ticker::get);
  }

  @Test
  void a_change_on_one_node_is_seen_by_another_once_its_copy_is_older_than_the_recheck() {
    var tickerA = new AtomicLong();
    var tickerB = new AtomicLong();
    Topics a = node(tickerA);
    Topics b = node(tickerB);
    assertThat(b.find("node-news")).isEmpty(); // b has read the table now

    a.put(new Topic("node-news", TopicClass.MARKETING, "Node news"));
    assertThat(a.find("node-news")).isPresent(); // the writer sees it at once
    tickerB.addAndGet(Topics.RECHECK.toNanos() - 1);
    assertThat(b.find("node-news")).isEmpty();
    tickerB.addAndGet(1);
    assertThat(b.find("node-news")).map(Topic::description).contains("Node news");

    a.put(
        new Topic(
            "node-news",
            TopicClass.MARKETING,
            "Node news",
            TopicJson.policy(
                TopicClass.MARKETING, JSON.createObjectNode().put("policy", "sms-first"), "")));
    tickerB.addAndGet(Topics.RECHECK.toNanos());
    assertThat(b.find("node-news").orElseThrow().policy().channels())
        .isEqualTo(ChannelPolicy.SMS_FIRST);
  }

  @Test
  void seeding_inserts_missing_topics_and_never_overwrites_a_stored_row() {
    Topics topics = node(new AtomicLong());
    var first = topics.seed(List.of(new Topic("seeded", TopicClass.TRANSACTIONAL, "From config")));
    assertThat(first.inserted()).containsExactly("seeded");

    topics.put(new Topic("seeded", TopicClass.TRANSACTIONAL, "Changed at runtime"));
    var again = topics.seed(List.of(new Topic("seeded", TopicClass.TRANSACTIONAL, "From config")));

    assertThat(again.inserted()).isEmpty();
    assertThat(again.differing()).containsExactly("seeded");
    assertThat(topics.find("seeded").orElseThrow().description()).isEqualTo("Changed at runtime");
  }

  @Test
  void a_stored_policy_reads_back_equal_to_what_was_written() {
    Topics topics = node(new AtomicLong());
    var policy =
        new TopicPolicy(
            ChannelPolicy.POINTER,
            Channel.SMS,
            new TopicPolicy.Fallback(
                EnumSet.of(TopicPolicy.Trigger.FAILED, TopicPolicy.Trigger.NO_RECEIPT),
                Optional.of(Duration.ofMinutes(30))),
            2,
            false,
            List.of(
                new TopicPolicy.Cap(3, Duration.ofDays(7), Optional.empty()),
                new TopicPolicy.Cap(1, Duration.ofDays(1), Optional.of(Channel.SMS))),
            TopicPolicy.OverCap.DEFER,
            Duration.ofHours(24),
            Optional.of(new BigDecimal("25.00")));
    var topic = new Topic("round-trip", TopicClass.TRANSACTIONAL, "Shipping updates", policy);
    assertThat(topics.put(topic)).isTrue();
    assertThat(topics.put(topic)).isFalse();

    Topics other = node(new AtomicLong());
    assertThat(other.find("round-trip")).contains(topic);
  }

  @Test
  void delete_is_refused_for_the_default_topic_and_while_consent_names_the_topic() {
    Topics topics = tandem.app.topics;
    assertThatThrownBy(() -> topics.delete("account"))
        .isInstanceOf(Conflict.class)
        .hasMessageContaining("consent.defaultTopic");

    topics.put(new Topic("used-topic", TopicClass.MARKETING, "Used"));
    String contact = tandem.aContact().get("id").asText();
    tandem.grant(contact, "email", "used-topic", "Yes, send me used things");
    assertThatThrownBy(() -> topics.delete("used-topic"))
        .isInstanceOf(Conflict.class)
        .hasMessageContaining("consent events");
    assertThat(topics.find("used-topic")).isPresent();

    topics.put(new Topic("unused-topic", TopicClass.MARKETING, "Unused"));
    topics.delete("unused-topic");
    assertThat(topics.find("unused-topic")).isEmpty();
  }

  @Test
  void a_new_key_must_be_lower_case_letters_digits_or_dashes() {
    assertThatThrownBy(
            () -> tandem.app.topics.put(new Topic("Bad_Key", TopicClass.MARKETING, "Bad")))
        .isInstanceOf(InvalidInput.class)
        .hasMessageContaining("Bad_Key");
  }

  @Test
  void fields_left_out_take_the_class_defaults() throws Exception {
    var topic =
        TopicJson.topic(
            "x", JSON.readTree("{\"class\": \"marketing\", \"policy\": \"sms-first\"}"), "", "x");
    var defaults = TopicPolicy.defaults(TopicClass.MARKETING);
    assertThat(topic.policy().channels()).isEqualTo(ChannelPolicy.SMS_FIRST);
    assertThat(topic.policy().caps()).isEqualTo(defaults.caps());
    assertThat(topic.policy().quietHours()).isTrue();
    assertThat(topic.policy().dedupeWindow()).isEqualTo(defaults.dedupeWindow());
  }

  @Test
  void each_bad_value_names_its_field() {
    assertBad("{\"class\": \"marketing\", \"policy\": \"sms-last\"}", "policy", "sms-last");
    assertBad("{\"class\": \"loud\"}", "class", "loud");
    assertBad("{\"description\": \"no class\"}", "class", "required");
    assertBad(
        "{\"class\": \"marketing\", \"fallback\": {\"on\": [\"failed\", \"rained\"]}}",
        "fallback.on",
        "rained");
    assertBad(
        "{\"class\": \"marketing\", \"fallback\": {\"on\": [\"not-opened\"]}}",
        "fallback.after",
        "not-opened");
    assertBad(
        "{\"class\": \"marketing\", \"caps\": [{\"max\": 3, \"window\": \"P7D\"},"
            + " {\"max\": -1, \"window\": \"P1D\"}]}",
        "caps[1].max",
        "-1");
    assertBad(
        "{\"class\": \"marketing\", \"caps\": [{\"max\": 3, \"window\": \"soon\"}]}",
        "caps[0].window",
        "soon");
    assertBad("{\"class\": \"marketing\", \"colour\": \"red\"}", "colour", "not a topic field");
    assertBad("{\"class\": \"marketing\", \"smsSegmentBudget\": 11}", "smsSegmentBudget", "11");
    assertBad("{\"class\": \"marketing\", \"dailySmsBudget\": \"-5\"}", "dailySmsBudget", "-5");
    assertBad("{\"class\": \"marketing\", \"overCap\": \"later\"}", "overCap", "later");
  }

  private static void assertBad(String body, String field, String mentions) {
    assertThatThrownBy(() -> TopicJson.topic("x", JSON.readTree(body), "", "x"))
        .isInstanceOfSatisfying(
            InvalidInput.class, e -> assertThat(e.field()).as(body).isEqualTo(field))
        .hasMessageContaining(mentions);
  }
}
