package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpServer;
import dev.tandem.config.ConfigLoader;
import dev.tandem.support.TestApp;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The files that install Tandem: the Dockerfile, compose.yaml, the systemd unit and its environment
 * file. No Docker engine runs here, so the image is not built; these checks hold what can be held
 * without one, and the image's health check runs against a real Tandem.
 */
class PackagingTest {
  private static final Path DOCKERFILE = Path.of("Dockerfile");
  private static final Path COMPOSE = Path.of("compose.yaml");
  private static final Path UNIT = Path.of("packaging/tandem.service");
  private static final Path ENV_FILE = Path.of("packaging/tandem.env");
  private static final Path HEALTHCHECK = Path.of("packaging/healthcheck.sh");
  private static final Pattern TANDEM_VARIABLE = Pattern.compile("\\bTANDEM_[A-Z0-9_]+");

  /** Variables Tandem reads that are not config keys. */
  private static final Set<String> OTHER_VARIABLES = Set.of("TANDEM_BOOTSTRAP_API_KEY");

  @Test
  void every_tandem_variable_they_set_is_one_tandem_reads() throws IOException {
    Set<String> known =
        ConfigLoader.DEFAULTS.keySet().stream()
            .map(ConfigLoader::envName)
            .collect(Collectors.toCollection(TreeSet::new));
    known.addAll(OTHER_VARIABLES);
    for (Path file : List.of(DOCKERFILE, COMPOSE, UNIT, ENV_FILE, HEALTHCHECK)) {
      Set<String> used =
          TANDEM_VARIABLE
              .matcher(Files.readString(file))
              .results()
              .map(m -> m.group())
              .collect(Collectors.toCollection(TreeSet::new));
      // a misspelt variable is ignored silently by Tandem: the setting would not apply
      assertThat(used).as(file + " (known: " + known + ")").isSubsetOf(known);
    }
  }

  @Test
  void the_image_builds_on_a_jdk_runs_on_a_jre_as_a_user_with_a_health_check_and_a_data_volume()
      throws IOException {
    List<String> lines = Files.readAllLines(DOCKERFILE);
    List<String> from = lines.stream().filter(l -> l.startsWith("FROM ")).toList();

    assertThat(from).hasSize(2);
    assertThat(from.get(0)).matches("FROM eclipse-temurin:(2[1-9]|[3-9][0-9])-jdk AS build");
    assertThat(from.get(1)).matches("FROM eclipse-temurin:(2[1-9]|[3-9][0-9])-jre");
    assertThat(lines)
        .anyMatch(l -> l.matches("USER [1-9][0-9]*:[1-9][0-9]*"))
        .anyMatch(l -> l.equals("VOLUME [\"/var/lib/tandem\"]"))
        .anyMatch(l -> l.contains("TANDEM_DATA_DIR=/var/lib/tandem"))
        .anyMatch(l -> l.contains("TANDEM_HTTP_HOST=0.0.0.0"))
        .anyMatch(l -> l.startsWith("HEALTHCHECK "))
        .anyMatch(l -> l.contains("CMD [\"/opt/tandem/healthcheck.sh\"]"))
        .anyMatch(l -> l.startsWith("ENTRYPOINT [\"java\""));
    // everything the build stage copies passes .dockerignore
    assertThat(Files.readAllLines(Path.of(".dockerignore")))
        .contains("*", "!pom.xml", "!mvnw", "!.mvn", "!src/main", "!packaging/healthcheck.sh");
  }

  @Test
  void compose_starts_tandem_once_its_postgresql_is_healthy_and_keeps_both_in_named_volumes()
      throws IOException {
    JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(COMPOSE.toFile());
    JsonNode postgres = compose.at("/services/postgres");
    JsonNode tandem = compose.at("/services/tandem");

    assertThat(postgres.at("/healthcheck/test").toString()).contains("pg_isready");
    assertThat(tandem.at("/depends_on/postgres/condition").asText()).isEqualTo("service_healthy");
    assertThat(tandem.at("/environment/TANDEM_DB_URL").asText())
        .isEqualTo(
            "jdbc:postgresql://postgres:5432/" + postgres.at("/environment/POSTGRES_DB").asText());
    assertThat(tandem.at("/environment/TANDEM_DB_USER").asText())
        .isEqualTo(postgres.at("/environment/POSTGRES_USER").asText());
    assertThat(tandem.at("/volumes/0").asText()).isEqualTo("tandem-data:/var/lib/tandem");
    assertThat(postgres.at("/volumes/0").asText()).startsWith("postgres-data:");
    assertThat(compose.at("/volumes").has("tandem-data")).isTrue();
    assertThat(compose.at("/volumes").has("postgres-data")).isTrue();
  }

  @Test
  void the_systemd_unit_runs_as_its_own_user_with_only_the_data_directory_writable()
      throws Exception {
    Map<String, String> unit =
        Files.readAllLines(UNIT).stream()
            .filter(l -> l.contains("=") && !l.startsWith("#"))
            .collect(
                Collectors.toMap(
                    l -> l.substring(0, l.indexOf('=')),
                    l -> l.substring(l.indexOf('=') + 1),
                    (a, b) -> a + " " + b));

    assertThat(unit)
        .containsEntry("User", "tandem")
        .containsEntry("NoNewPrivileges", "yes")
        .containsEntry("ProtectSystem", "strict")
        .containsEntry("ReadWritePaths", "/var/lib/tandem")
        .containsEntry("Environment", "TANDEM_DATA_DIR=/var/lib/tandem")
        .containsEntry("Restart", "on-failure")
        .containsEntry("EnvironmentFile", "/etc/tandem/tandem.env")
        .doesNotContainKey("MemoryDenyWriteExecute");
    assertThat(unit.get("ExecStart")).contains("-jar /opt/tandem/tandem.jar serve");

    // systemd's own check, where systemd is installed (it names unknown keys and bad values)
    assumeThat(Path.of("/usr/bin/systemd-analyze")).isExecutable();
    Process verify =
        new ProcessBuilder("systemd-analyze", "verify", UNIT.toAbsolutePath().toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(output).as("systemd-analyze verify").isEmpty();
  }

  private static int healthcheck(int port) throws Exception {
    var builder = new ProcessBuilder("bash", HEALTHCHECK.toString()).redirectErrorStream(true);
    builder.environment().put("TANDEM_HTTP_HOST", "0.0.0.0");
    builder.environment().put("TANDEM_HTTP_PORT", Integer.toString(port));
    Process process = builder.start();
    process.getInputStream().readAllBytes();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return process.exitValue();
  }

  @Test
  void the_image_health_check_passes_on_a_ready_tandem_only() throws Exception {
    try (TestApp tandem = TestApp.start()) {
      assertThat(healthcheck(URI.create(tandem.app.url()).getPort())).isZero();
    }
    // a server that is up but not ready
    HttpServer notReady = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    notReady.createContext(
        "/health/ready",
        exchange -> {
          exchange.sendResponseHeaders(503, -1);
          exchange.close();
        });
    notReady.start();
    try {
      assertThat(healthcheck(notReady.getAddress().getPort())).isEqualTo(1);
    } finally {
      notReady.stop(0);
    }
    // nothing listening
    int closed;
    try (var socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    assertThat(healthcheck(closed)).isNotZero();
  }
}
