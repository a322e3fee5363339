package dev.tandem.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.config.ConfigException;
import dev.tandem.consent.ErasedAddresses;
import dev.tandem.support.TestApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The key of erased-address hashes lives in a 0600 file, never in the database with the hashes. */
class ErasureKeyTest {
  private TestApp tandem;

  @AfterEach
  void stop() {
    if (tandem != null) {
      tandem.close();
    }
  }

  private Path keyFile() {
    return tandem.dataDir.resolve("erasure.key");
  }

  private static byte[] readKey(Path file) throws Exception {
    return HexFormat.of().parseHex(Files.readString(file).strip());
  }

  /** Creates a contact with this phone and erases it; returns the contact id. */
  private String erasePerson(String phone) {
    String id = tandem.createContact(Map.of("phone", phone)).get("id").asText();
    assertThat(tandem.call("DELETE", "/v1/contacts/" + id, null).status()).isEqualTo(200);
    return id;
  }

  private List<String> erasedSuppressions() {
    return tandem
        .app
        .database
        .jdbi()
        .withHandle(h ->
            h.createQuery("SELECT address FROM suppression WHERE address LIKE 'erased:%'")
                .mapTo(String.class)
                .list());
  }

  private List<byte[]> secretValues() {
    return tandem
        .app
        .database
        .jdbi()
        .withHandle(h -> h.createQuery("SELECT value FROM secret").mapTo(byte[].class).list());
  }

  private void assertBlocked(String phone) throws Exception {
    String message =
        tandem.send(
            Map.of(
                "to",
                Map.of("phone", phone),
                "channels",
                List.of("sms"),
                "sms",
                Map.of("text", "Hello again")));
    tandem.app.dispatcher.drain();
    assertThat(tandem.status(message, "sms")).isEqualTo("suppressed");
    var request =
        HttpRequest.newBuilder(URI.create(tandem.app.url() + "/v1/imports?topic=news"))
            .header("Authorization", "Bearer " + TestApp.API_KEY)
            .header("Content-Type", "text/csv")
            .POST(HttpRequest.BodyPublishers.ofString("phone\n" + phone + "\n"))
            .build();
    String report =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
    assertThat(report).contains("\"rejected\":1").contains("erased");
  }

  @Test
  void the_key_is_a_0600_file_in_the_data_directory_and_not_in_the_database() throws Exception {
    tandem = TestApp.start();
    String phone = TestApp.uniquePhone();

    erasePerson(phone);

    assertThat(Files.getPosixFilePermissions(keyFile()))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    byte[] key = readKey(keyFile());
    assertThat(key).hasSize(32);
    assertThat(secretValues()).noneSatisfy(value -> assertThat(value).isEqualTo(key));
    assertThat(erasedSuppressions()).containsExactly(new ErasedAddresses(key).hash("sms", phone));

    tandem.restart();
    assertThat(readKey(keyFile())).isEqualTo(key);
    assertBlocked(phone);
  }

  @Test
  void a_key_kept_in_the_database_by_an_older_version_moves_to_the_file_and_still_blocks()
      throws Exception {
    tandem = TestApp.start();
    String phone = TestApp.uniquePhone();
    erasePerson(phone);
    byte[] key = readKey(keyFile());
    // As an older Tandem left it: the key in the secret table, no file.
    tandem
        .app
        .database
        .jdbi()
        .useHandle(h -> {
          h.execute("DELETE FROM secret WHERE name LIKE 'erasure%'");
          h.execute(
              "INSERT INTO secret (name, value, created_at) VALUES ('erasure', ?, now())", key);
        });
    tandem.stop();
    Files.delete(keyFile());

    tandem.restart();

    assertThat(readKey(keyFile())).isEqualTo(key);
    assertThat(Files.getPosixFilePermissions(keyFile()))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(secretValues()).noneSatisfy(value -> assertThat(value).isEqualTo(key));
    assertBlocked(phone);
  }

  @Test
  void a_configured_key_file_is_used_and_none_is_written_to_the_data_directory() throws Exception {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Path file = Files.createTempFile("erasure", ".key");
    Files.writeString(file, HexFormat.of().formatHex(key) + "\n");
    tandem = TestApp.start(Map.of("privacy.erasureKeyFile", file.toString()));
    String phone = TestApp.uniquePhone();

    erasePerson(phone);

    assertThat(erasedSuppressions()).containsExactly(new ErasedAddresses(key).hash("sms", phone));
    assertThat(keyFile()).doesNotExist();
    assertBlocked(phone);
  }

  @Test
  void a_missing_configured_key_file_stops_start_up_with_the_fix() throws Exception {
    Path missing = Files.createTempDirectory("keys").resolve("erasure.key");

    assertThatThrownBy(() -> TestApp.start(Map.of("privacy.erasureKeyFile", missing.toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("privacy.erasureKeyFile")
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("copy");
  }

  @Test
  void a_node_with_another_key_or_without_the_key_refuses_to_start() throws Exception {
    tandem = TestApp.start();
    erasePerson(TestApp.uniquePhone());
    byte[] key = readKey(keyFile());
    tandem.stop();

    byte[] other = new byte[32];
    new SecureRandom().nextBytes(other);
    Files.writeString(keyFile(), HexFormat.of().formatHex(other));
    assertThatThrownBy(tandem::restart)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(keyFile().toString())
        .hasMessageContaining("another key");

    Files.delete(keyFile());
    assertThatThrownBy(tandem::restart)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(keyFile().toString())
        .hasMessageContaining("copy");
    assertThat(keyFile()).doesNotExist();

    Files.writeString(keyFile(), HexFormat.of().formatHex(key));
    tandem.restart();
    assertThat(tandem.app.database.reachable()).isTrue();
  }
}
