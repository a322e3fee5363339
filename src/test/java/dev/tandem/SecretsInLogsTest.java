package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.tandem.config.ConfigLoader;
import dev.tandem.store.Database;
import dev.tandem.support.TestApp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** A failing run's log and error output report the failure without secrets or personal data. */
class SecretsInLogsTest {
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  @TempDir Path dir;

  @BeforeEach
  void capture() {
    captured.start();
    root.addAppender(captured);
  }

  @AfterEach
  void release() {
    root.detachAppender(captured);
  }

  private String log() {
    return captured.list.stream()
        .map(event ->
            event.getFormattedMessage()
                + (event.getThrowableProxy() == null
                    ? ""
                    : "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy())))
        .collect(Collectors.joining("\n"));
  }

  @Test
  void a_database_error_during_a_send_is_logged_without_the_text_or_the_number() {
    try (TestApp tandem = TestApp.start()) {
      tandem
          .app
          .database
          .jdbi()
          .useHandle(h ->
              h.execute(
                  """
                  CREATE FUNCTION refuse_message() RETURNS trigger LANGUAGE plpgsql AS $$
                  BEGIN RAISE EXCEPTION 'storage refused (forced by SecretsInLogsTest)'; END $$;
                  CREATE TRIGGER refuse_message BEFORE INSERT ON message
                    FOR EACH ROW EXECUTE FUNCTION refuse_message();
                  """));
      String phone = TestApp.uniquePhone();
      String text = "Marguerite, your code is 7731-PRIVATE";

      var response =
          tandem.call(
              "POST",
              "/v1/messages",
              Map.of(
                  "to",
                  Map.of("phone", phone),
                  "channels",
                  List.of("sms"),
                  "sms",
                  Map.of("text", text)));

      assertThat(response.status()).isEqualTo(500);
      String ref = response.body().get("detail").asText().replaceAll(".*under ref (\\w+).*", "$1");
      String log = log();
      assertThat(log).contains(ref).contains("storage refused (forced by SecretsInLogsTest)");
      assertThat(log).doesNotContain("7731-PRIVATE").doesNotContain(phone.substring(1));
    }
  }

  @Test
  void config_errors_name_the_key_but_never_print_a_password() throws Exception {
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of(), Map.of("smpp.password", "Zq9-hunter2-long")))
        .hasMessageContaining("smpp.password")
        .hasMessageContaining("longer than the 8 characters")
        .hasMessageNotContaining("hunter2");
    Path typo = dir.resolve("typo.yaml");
    Files.writeString(typo, "smpp:\n  pasword: Zq9hunter2\n");
    assertThatThrownBy(() -> ConfigLoader.load(typo, Map.of(), Map.of()))
        .hasMessageContaining("smpp.pasword")
        .hasMessageNotContaining("Zq9hunter2");
    Path broken = dir.resolve("broken.yaml");
    Files.writeString(broken, "smpp:\n  password: Zq9hunter2: [\n");
    assertThatThrownBy(() -> ConfigLoader.load(broken, Map.of(), Map.of()))
        .hasMessageContaining("not valid YAML")
        .hasMessageNotContaining("Zq9hunter2");
  }

  @Test
  void a_database_url_with_a_password_is_masked_when_the_connection_fails() throws Exception {
    Path config = dir.resolve("tandem.yaml");
    Files.writeString(
        config, "db:\n  url: jdbc:postgresql://127.0.0.1:1/tandem?user=app&password=Zq9hunter2\n");
    PrintStream err = System.err;
    var errBytes = new ByteArrayOutputStream();
    System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    int exit;
    try {
      exit =
          Main.run(
              "apikey",
              "create",
              "--name",
              "x",
              "--config",
              config.toString(),
              "--data",
              dir.resolve("data").toString());
    } finally {
      System.setErr(err);
    }
    String output = errBytes.toString(StandardCharsets.UTF_8) + "\n" + log();

    assertThat(exit).isEqualTo(1);
    assertThat(output).contains("cannot connect to PostgreSQL").contains("db.url");
    assertThat(output).doesNotContain("Zq9hunter2");
  }

  @Test
  void urls_lose_their_passwords_in_messages() {
    assertThatThrownBy(() ->
            Database.open(
                ConfigLoader.load(
                        null,
                        Map.of(),
                        Map.of("db.url", "jdbc:postgresql://app:Zq9hunter2@127.0.0.1:1/tandem"))
                    .db(),
                dir))
        .hasMessageContaining("127.0.0.1:1")
        .hasMessageNotContaining("Zq9hunter2");
  }

  @Test
  void passwords_in_unusual_urls_stay_hidden_in_the_error_and_its_causes() {
    for (String url :
        List.of(
            "postgres://u:TopSecretDb3@127.0.0.1:1/x",
            "jdbc:postgresql://u:Top/Secret2@127.0.0.1:1/x",
            "jdbc:postgresql://u:Top Secret2@127.0.0.1:1/x",
            "jdbc:postgresql://127.0.0.1:1/x?user=u&sslpassword=TopSecret8",
            "jdbc:postgresql://127.0.0.1:1/x?user=u&password=TopSecret6&connectTimeout=1")) {
      var db = ConfigLoader.load(null, Map.of(), Map.of("db.url", url)).db();
      Throwable thrown = catchThrowable(() -> Database.open(db, dir));
      assertThat(thrown).as(url).isNotNull();
      for (Throwable t = thrown; t != null; t = t.getCause()) {
        assertThat(String.valueOf(t.getMessage()))
            .as(url)
            .doesNotContain("TopSecret")
            .doesNotContain("Secret2");
      }
    }
  }
}
