package dev.tandem.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.channel.Channel;
import dev.tandem.topic.ChannelPolicy;
import dev.tandem.topic.TopicClass;
import dev.tandem.topic.TopicPolicy;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void defaults_are_visible_and_valid() {
    TandemConfig config = ConfigLoader.load(null, Map.of(), Map.of());

    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.db().embedded()).isTrue();
    assertThat(config.smpp().window()).isEqualTo(50);
    assertThat(config.sandboxEnabled()).isTrue();
  }

  @Test
  void the_file_is_read_and_env_overrides_it_and_flags_override_both() throws Exception {
    Path file = dir.resolve("tandem.yaml");
    Files.writeString(
        file,
        """
        http:
          port: 9000
          publicUrl: https://tandem.example.org
        smtp:
          host: relay.internal
          poolSize: 8
        dispatch:
          retryBase: 5s
        """);

    TandemConfig config =
        ConfigLoader.load(
            file,
            Map.of("TANDEM_SMTP_POOL_SIZE", "12", "TANDEM_DB_URL", "jdbc:postgresql://db/tandem"),
            Map.of("http.port", "9100"));

    assertThat(config.http().port()).isEqualTo(9100);
    assertThat(config.smtp().host()).contains("relay.internal");
    assertThat(config.smtp().poolSize()).isEqualTo(12);
    assertThat(config.dispatch().retryBase().toSeconds()).isEqualTo(5);
    assertThat(config.db().url()).contains("jdbc:postgresql://db/tandem");
    assertThat(config.sandboxEnabled()).isFalse();
  }

  @Test
  void the_example_file_holds_every_key_with_its_default() throws Exception {
    Map<String, String> example = ConfigLoader.readYaml(Path.of("tandem.example.yaml"));
    assertThat(example.keySet())
        .containsExactlyInAnyOrderElementsOf(ConfigLoader.DEFAULTS.keySet());
    example.forEach(
        (key, value) -> assertThat(value).as(key).isEqualTo(ConfigLoader.DEFAULTS.get(key)));
  }

  @Test
  void a_wrong_value_names_the_key_the_value_and_the_fix() {
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of("TANDEM_SMPP_WINDOW", "lots"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("smpp.window")
        .hasMessageContaining("'lots'")
        .hasMessageContaining("Fix:");
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of("TANDEM_DISPATCH_RETRY_BASE", "soon"), Map.of()))
        .hasMessageContaining("dispatch.retryBase")
        .hasMessageContaining("30s");
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of("TANDEM_SMTP_START_TLS", "maybe"), Map.of()))
        .hasMessageContaining("smtp.startTls")
        .hasMessageContaining("required, optional, off");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("TANDEM_HTTP_PORT", "70000"), Map.of()))
        .hasMessageContaining("http.port");
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of("TANDEM_CONTACTS_DEFAULT_REGION", "XX"), Map.of()))
        .hasMessageContaining("contacts.defaultRegion");
  }

  @Test
  void a_public_url_must_be_an_absolute_http_url_without_credentials() {
    assertThat(
            ConfigLoader.load(
                    null, Map.of("TANDEM_HTTP_PUBLIC_URL", "https://tandem.example.org/"), Map.of())
                .http()
                .publicUrl())
        .isEqualTo("https://tandem.example.org");
    assertThat(ConfigLoader.load(null, Map.of(), Map.of()).http().publicUrl()).isEmpty();
    for (String bad :
        List.of("tandem.example.org", "ftp://x.org", "https://u:p@x.org", "https://x.org/?a=1")) {
      assertThatThrownBy(
              () -> ConfigLoader.load(null, Map.of("TANDEM_HTTP_PUBLIC_URL", bad), Map.of()))
          .as(bad)
          .hasMessageContaining("http.publicUrl")
          .hasMessageContaining("absolute http(s) URL");
    }
  }

  @Test
  void an_unknown_key_in_the_file_is_refused_with_the_known_ones() throws Exception {
    Path file = dir.resolve("typo.yaml");
    Files.writeString(file, "smtp:\n  hots: relay.internal\n");

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("smtp.hots")
        .hasMessageContaining("smtp.host");
  }

  @Test
  void env_names_follow_the_keys() {
    assertThat(ConfigLoader.envName("smtp.poolSize")).isEqualTo("TANDEM_SMTP_POOL_SIZE");
    assertThat(ConfigLoader.envName("db.url")).isEqualTo("TANDEM_DB_URL");
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

    TandemConfig config = ConfigLoader.load(file, Map.of(), Map.of());

    var shipped = config.consent().topic("order-shipped").orElseThrow();
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
    var news = config.consent().topic("news").orElseThrow();
    var defaults = TopicPolicy.defaults(TopicClass.MARKETING);
    assertThat(news.policy().channels()).isEqualTo(ChannelPolicy.SMS_FIRST);
    assertThat(news.policy().caps()).isEqualTo(defaults.caps());
    assertThat(news.policy().quietHours()).isTrue();
    assertThat(news.description()).isEqualTo("news");
    // the string form still works next to it
    assertThat(config.consent().topic("alerts").orElseThrow().topicClass())
        .isEqualTo(TopicClass.CRITICAL);
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
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
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
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("topics.order-shipped.fallback.after")
        .hasMessageContaining("PT30M");
  }
}
