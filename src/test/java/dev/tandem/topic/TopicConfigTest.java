package dev.tandem.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.channel.Channel;
import dev.tandem.config.ConfigException;
import dev.tandem.config.ConfigLoader;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Topics configured in YAML or in the consent.topics string, read with their policies. */
class TopicConfigTest {
  @TempDir Path dir;

  private static Topic find(List<Topic> topics, String key) {
    return topics.stream().filter(t -> t.key().equals(key)).findFirst().orElseThrow();
  }

  @Test
  void topics_in_the_yaml_form_carry_their_policy_and_unset_keys_take_the_class_defaults()
      throws Exception {
    Path file = dir.resolve("topics.yaml");
    Files.writeString(
        file,
        """
        topics:
          order-shipped:
            class: transactional
            description: Shipping updates
            policy: pointer
            fallback: { on: [failed, no-receipt], after: 30m }
            smsSegmentBudget: 2
            quietHours: false
            caps: [ { max: 3, window: 7d }, { max: 1, window: 1d, channel: sms } ]
            overCap: defer
            dedupeWindow: 24h
            dailySmsBudget: "25.00"
          news:
            class: marketing
            policy: sms-first
        """);

    var topics =
        TopicJson.configured(ConfigLoader.load(file, Map.of(), Map.of()).consent().topics());

    var shipped = find(topics, "order-shipped");
    assertThat(shipped.description()).isEqualTo("Shipping updates");
    assertThat(shipped.policy().channels()).isEqualTo(ChannelPolicy.POINTER);
    assertThat(shipped.policy().fallback().on())
        .containsExactlyInAnyOrder(TopicPolicy.Trigger.FAILED, TopicPolicy.Trigger.NO_RECEIPT);
    assertThat(shipped.policy().fallback().after()).contains(Duration.ofMinutes(30));
    assertThat(shipped.policy().smsSegmentBudget()).isEqualTo(2);
    assertThat(shipped.policy().caps())
        .containsExactly(
            new TopicPolicy.Cap(3, Duration.ofDays(7), Optional.empty()),
            new TopicPolicy.Cap(1, Duration.ofDays(1), Optional.of(Channel.SMS)));
    assertThat(shipped.policy().overCap()).isEqualTo(TopicPolicy.OverCap.DEFER);
    assertThat(shipped.policy().dedupeWindow()).isEqualTo(Duration.ofHours(24));
    assertThat(shipped.policy().dailySmsBudget()).contains(new BigDecimal("25.00"));

    // news from consent.topics is replaced; the keys it leaves out are marketing's defaults
    var news = find(topics, "news");
    var defaults = TopicPolicy.defaults(TopicClass.MARKETING);
    assertThat(news.policy().channels()).isEqualTo(ChannelPolicy.SMS_FIRST);
    assertThat(news.policy().caps()).isEqualTo(defaults.caps());
    assertThat(news.policy().quietHours()).isTrue();
    assertThat(news.description()).isEqualTo("news");
    // the string form still works next to it
    assertThat(find(topics, "alerts").topicClass()).isEqualTo(TopicClass.CRITICAL);
  }

  @Test
  void a_bad_topic_setting_names_the_key_the_value_and_the_fix() throws Exception {
    Path file = dir.resolve("bad-topics.yaml");
    Files.writeString(
        file,
        """
        topics:
          order-shipped:
            class: transactional
            caps: [ { max: 3, window: 7d }, { max: -2, window: 1d } ]
        """);
    assertThatThrownBy(() ->
            TopicJson.configured(ConfigLoader.load(file, Map.of(), Map.of()).consent().topics()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("topics.order-shipped.caps[1].max")
        .hasMessageContaining("'-2'")
        .hasMessageContaining("whole number from 0");

    Files.writeString(
        file,
        """
        topics:
          order-shipped:
            class: transactional
            fallback: { on: [not-opened] }
        """);
    assertThatThrownBy(() ->
            TopicJson.configured(ConfigLoader.load(file, Map.of(), Map.of()).consent().topics()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("topics.order-shipped.fallback.after")
        .hasMessageContaining("PT30M");
  }

  @Test
  void a_topic_that_is_not_a_map_is_refused_when_the_config_is_loaded() throws Exception {
    Path file = dir.resolve("not-a-map.yaml");
    Files.writeString(file, "topics:\n  order-shipped: transactional\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("topics.order-shipped")
        .hasMessageContaining("class: transactional");
  }
}
