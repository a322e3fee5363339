package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  @TempDir Path dataDir;

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    var outBytes = new ByteArrayOutputStream();
    var errBytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    try {
      int exit = Main.run(args);
      return new Run(
          exit,
          outBytes.toString(StandardCharsets.UTF_8),
          errBytes.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void every_command_has_help() {
    for (String[] command :
        new String[][] {
          {"--help"},
          {"serve", "--help"},
          {"demo", "--help"},
          {"apikey", "--help"},
          {"apikey", "create", "--help"},
          {"apikey", "list", "--help"},
          {"apikey", "revoke", "--help"},
          {"contacts", "import", "--help"},
          {"sms", "keyword", "--help"},
          {"backup", "--help"},
          {"restore", "--help"}
        }) {
      Run run = run(command);
      assertThat(run.exit()).as(String.join(" ", command)).isZero();
      assertThat(run.out()).as(String.join(" ", command)).contains("Usage: tandem");
    }
  }

  @Test
  void apikey_create_prints_a_key_that_is_stored_only_as_a_hash() throws Exception {
    Run run = run("apikey", "create", "--name", "billing", "--data", dataDir.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    String key = run.out().strip();
    assertThat(key).startsWith("tdm_").hasSizeGreaterThan(40);
    assertThat(run.err()).contains("Store it now");
  }

  @Test
  void apikey_list_shows_keys_without_secrets_and_revoke_marks_one_revoked() throws Exception {
    String data = dataDir.toString();
    String billing = run("apikey", "create", "--name", "billing", "--data", data).out().strip();
    Run scoped =
        run(
            "apikey",
            "create",
            "--name",
            "reporting",
            "--scope",
            "api",
            "--expires-at",
            "2099-01-01T00:00:00Z",
            "--data",
            data);
    assertThat(scoped.exit()).as(scoped.err()).isZero();

    Run list = run("apikey", "list", "--data", data);
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out())
        .contains("billing")
        .contains(billing.substring(0, 8))
        .doesNotContain(billing)
        .contains("reporting")
        .contains("2099-01-01T00:00:00Z");
    String id =
        list.out()
            .lines()
            .filter(l -> l.contains("billing"))
            .findFirst()
            .orElseThrow()
            .split("\\s+")[0];

    Run revoke = run("apikey", "revoke", id, "--data", data);
    assertThat(revoke.exit()).as(revoke.err()).isZero();
    assertThat(revoke.out()).contains("revoked");
    assertThat(
            run("apikey", "list", "--data", data).out().lines().filter(l -> l.contains("billing")))
        .singleElement()
        .asString()
        .contains("revoked");
  }

  @Test
  void apikey_revoke_of_an_unknown_id_says_so() {
    Run run =
        run(
            "apikey",
            "revoke",
            "0190a7e4-0000-7000-8000-000000000000",
            "--data",
            dataDir.toString());
    assertThat(run.exit()).isNotZero();
    assertThat(run.err()).contains("0190a7e4-0000-7000-8000-000000000000");
  }

  @Test
  void contacts_import_reports_dry_runs_and_changes_nothing_the_second_time() throws Exception {
    Path list = dataDir.resolve("list.csv");
    Files.writeString(
        list,
        "Mobile,Name,SMS Opt-In\n(415) 555-0101,Ada,yes\n415-555-0102,Grace,yes\nnope,Bad,yes\n");
    String data = dataDir.resolve("data").toString();

    Run dry =
        run("contacts", "import", list.toString(), "--data", data, "--topic", "news", "--dry-run");
    Run first =
        run("contacts", "import", list.toString(), "--data", data, "--topic", "news", "--json");
    Run second = run("contacts", "import", list.toString(), "--data", data, "--topic", "news");

    assertThat(dry.exit()).as(dry.err()).isZero();
    assertThat(dry.out())
        .startsWith("Dry run: nothing was written.")
        .contains(
            "3 rows: 2 created, 0 updated, 0 merged, 0 unchanged, 1 rejected; 2 consent events")
        .contains("line 4: ");
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out()).contains("\"created\" : 2").contains("\"consentEvents\" : 2");
    assertThat(second.out())
        .contains("3 rows: 0 created, 0 updated, 0 merged, 2 unchanged, 1 rejected");
  }

  @Test
  void contacts_import_of_a_malformed_file_exits_1_with_the_line() throws Exception {
    Path list = dataDir.resolve("broken.csv");
    Files.writeString(list, "phone,name\n+14155550101,\"Ada\n");
    Run run =
        run("contacts", "import", list.toString(), "--data", dataDir.resolve("data").toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err())
        .contains("line 2")
        .contains("never closed")
        .contains("Nothing was imported");
  }

  @Test
  void a_bad_config_file_stops_with_the_key_and_exit_code_2() throws Exception {
    Path config = dataDir.resolve("bad.yaml");
    Files.writeString(config, "http:\n  port: lots\n");

    Run run = run("serve", "--config", config.toString(), "--data", dataDir.toString());

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("http.port").contains("'lots'").contains("Fix:");
  }

  @Test
  void contacts_import_rejects_a_row_with_a_nul_character_and_imports_the_rest() throws Exception {
    Path list = dataDir.resolve("nul.csv");
    Files.writeString(list, "phone,name\n+14155550101,Ada\n+14155550102,Gr\u0000ace\n");
    Run run =
        run("contacts", "import", list.toString(), "--data", dataDir.resolve("data").toString());
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("2 rows: 1 created, 0 updated, 0 merged, 0 unchanged, 1 rejected")
        .contains("line 3: ")
        .contains("U+0000");
  }
}
