package dev.tandem.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
  void a_provider_needs_its_keys_and_a_verification_key_must_be_a_public_key() {
    assertThatThrownBy(() ->
            ConfigLoader.load(
                null, Map.of(), Map.of("sms.provider", "vonage", "vonage.apiKey", "k")))
        .hasMessageContaining("vonage.")
        .hasMessageContaining("required with sms.provider = vonage");
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of(), Map.of("vonage.signatureMethod", "sha384")))
        .hasMessageContaining("vonage.signatureMethod")
        .hasMessageContaining("md5hash, md5, sha1, sha256, sha512");
    assertThatThrownBy(() ->
            ConfigLoader.load(
                null, Map.of(), Map.of("emailEvents.sendgridVerificationKey", "bm90IGEga2V5")))
        .hasMessageContaining("emailEvents.sendgridVerificationKey")
        .hasMessageContaining("not a base64 elliptic-curve public key");
    assertThatThrownBy(() ->
            ConfigLoader.load(null, Map.of(), Map.of("emailEvents.sendgridVerificationKey", "%%%")))
        .hasMessageContaining("emailEvents.sendgridVerificationKey");
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
}
