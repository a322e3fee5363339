package dev.tandem.ops.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.cli.DoctorCommand;
import dev.tandem.support.TestApp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command's exit status gates a deployment; the API answers the same checks. */
class DoctorCommandTest {
  @TempDir Path dir;
  TestApp tandem;

  @BeforeEach
  void start() {
    tandem = TestApp.start();
  }

  @AfterEach
  void stop() {
    tandem.close();
  }

  private int doctor(StringWriter out, String... args) {
    var cli = new CommandLine(new DoctorCommand());
    cli.setOut(new PrintWriter(out));
    return cli.execute(args);
  }

  @Test
  void the_command_exits_1_with_the_fix_when_the_relay_is_unreachable() throws Exception {
    int closed;
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    Path config = dir.resolve("tandem.yaml");
    Files.writeString(
        config,
        """
        sandbox:
          mode: "off"
        smtp:
          host: 127.0.0.1
          port: %d
        smpp:
          host: 127.0.0.1
          port: %d
        http:
          publicUrl: https://127.0.0.1:%d
        doctor:
          resolver: 127.0.0.1:%d
          timeout: 1s
        """
            .formatted(closed, closed, closed, closed));
    var out = new StringWriter();

    // the data directory of a running Tandem: the command shares its PostgreSQL
    int status = doctor(out, "--config", config.toString(), "--data", tandem.dataDir.toString());

    assertThat(status).as(out.toString()).isEqualTo(1);
    assertThat(out.toString())
        .contains("smtp-unreachable", "fix:", "smtp.port", "smpp-unreachable")
        .doesNotContain("database-unreachable");
  }

  @Test
  void the_command_exits_0_when_nothing_is_an_error_and_prints_json_on_request() throws Exception {
    var out = new StringWriter();

    int status = doctor(out, "--json", "--data", tandem.dataDir.toString());

    assertThat(status).as(out.toString()).isZero();
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString());
    assertThat(json.get("ok").asBoolean()).isTrue();
    assertThat(json.get("findings").findValuesAsText("code"))
        .contains("config-ok", "smtp-sandbox", "clock-ok", "queue-ok", "data-ok");
  }

  @Test
  void the_api_answers_the_findings_and_the_data_checks_see_what_is_wrong() {
    tandem.clock.advance(java.time.Duration.between(tandem.clock.instant(), Instant.now()));
    var clean = tandem.call("GET", "/v1/doctor", null);
    assertThat(clean.status()).isEqualTo(200);
    assertThat(clean.body().get("ok").asBoolean()).as(clean.body().toString()).isTrue();
    assertThat(clean.body().get("findings").findValuesAsText("code"))
        .contains("smtp-ok", "smpp-ok", "data-ok");
    assertThat(tandem.call("GET", "/v1/doctor", null, null).status()).isEqualTo(401);

    // rows written behind the API's back, as an old import or a hand edit leaves them
    String withSms = tandem.aContact().get("id").asText();
    tandem.grant(withSms, "sms", "news", "Yes, text me");
    UUID bare = UUID.randomUUID();
    tandem
        .app
        .database
        .jdbi()
        .useHandle(h -> {
          h.execute(
              "DELETE FROM contact_address WHERE contact_id = ?::uuid AND kind = 'phone'", withSms);
          h.execute("INSERT INTO contact (id, created_at) VALUES (?, now())", bare);
        });

    var found = tandem.call("GET", "/v1/doctor", null).body();

    assertThat(found.get("findings").findValuesAsText("code"))
        .contains("contacts-without-address", "consent-without-address")
        .doesNotContain("data-ok");
    assertThat(found.toString()).contains(bare.toString(), withSms);
  }

  @Test
  void a_clock_far_from_the_databases_is_an_error() {
    Report report =
        Doctor.standard(
                tandem.app.config,
                new Doctor.Database.Open(tandem.app.database.jdbi()),
                Clock.fixed(Instant.now().minusSeconds(3600), java.time.ZoneOffset.UTC),
                Doctor.Endpoints.of(tandem.app.config))
            .run();

    assertThat(report.findings())
        .filteredOn(f -> f.code().equals("clock-skew"))
        .singleElement()
        .satisfies(f -> {
          assertThat(f.severity()).isEqualTo(Severity.ERROR);
          assertThat(f.found()).contains("1 h", "behind");
        });
  }
}
