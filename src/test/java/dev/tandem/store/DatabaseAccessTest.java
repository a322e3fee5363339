package dev.tandem.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.config.ConfigLoader;
import dev.tandem.config.TandemConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nobody else on the machine gets into the embedded PostgreSQL (issue 9 point 1): every login needs
 * a password, Tandem's role is no superuser, and the files that hold the passwords are private.
 */
class DatabaseAccessTest {
  @TempDir Path dataDir;

  private TandemConfig.Db db() {
    return ConfigLoader.load(null, Map.of(), Map.of()).db();
  }

  private String url() throws Exception {
    return Files.readString(dataDir.resolve("postgres.url")).strip();
  }

  private static void assertRefused(String url, String user, String password) {
    var properties = new Properties();
    properties.setProperty("user", user);
    if (password != null) {
      properties.setProperty("password", password);
    }
    assertThatThrownBy(() -> DriverManager.getConnection(url, properties).close())
        .as("log in as %s with password %s", user, password)
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("password");
  }

  private void assertLockedDown(Database database) throws Exception {
    String url = url();
    assertThat(url).doesNotContain("password").contains("user=tandem");
    String withoutUser = url.replaceAll("\\?.*", "");
    assertRefused(withoutUser, "postgres", null);
    assertRefused(withoutUser, "tandem", null);
    assertRefused(withoutUser, "postgres", "postgres");
    assertRefused(withoutUser, "tandem", "wrong");
    for (String file :
        new String[] {"postgres.url", "postgres.password", "postgres-admin.password"}) {
      assertThat(
              PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve(file))))
          .as(file)
          .isEqualTo("rw-------");
    }
    database
        .jdbi()
        .useHandle(h -> {
          assertThat(h.createQuery("SELECT current_user").mapTo(String.class).one())
              .isEqualTo("tandem");
          assertThat(
                  h.createQuery("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                      .mapTo(Boolean.class)
                      .one())
              .isFalse();
          assertThatThrownBy(() -> h.execute("COPY (SELECT 1) TO PROGRAM 'true'"))
              .hasMessageContaining("permission denied");
          assertThatThrownBy(() -> h.execute("CREATE DATABASE other"))
              .hasMessageContaining("permission denied");
          assertThat(
                  h.createQuery(
                          "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner <> 'tandem'")
                      .mapTo(Integer.class)
                      .one())
              .isZero();
        });
  }

  @Test
  void a_new_data_directory_allows_only_password_logins_and_tandem_is_no_superuser()
      throws Exception {
    try (Database database = Database.open(db(), dataDir, false)) {
      assertLockedDown(database);
      // a second process on the running data directory still gets in, with the password file
      try (Database guest = Database.open(db(), dataDir, false)) {
        assertThat(guest.reachable()).isTrue();
      }
    }
    try (Database again = Database.open(db(), dataDir, false)) {
      assertLockedDown(again);
    }
  }

  @Test
  void the_postgres_that_runs_comes_from_a_directory_no_other_account_can_write() throws Exception {
    try (Database database = Database.open(db(), dataDir, false)) {
      long pid =
          Long.parseLong(
              Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).get(0).strip());
      Path binary = Path.of(ProcessHandle.of(pid).orElseThrow().info().command().orElseThrow());
      assertThat(binary.toString()).doesNotStartWith(System.getProperty("java.io.tmpdir"));
      for (Path dir = binary.getParent(); dir != null; dir = dir.getParent()) {
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(dir));
        boolean sticky = dir.equals(Path.of("/tmp"));
        assertThat(sticky || (mode.charAt(4) == '-' && mode.charAt(7) == '-'))
            .as("%s is %s", dir, mode)
            .isTrue();
      }
    }
  }

  @Test
  void nothing_the_tandem_role_creates_runs_as_the_superuser_at_the_next_start() throws Exception {
    // an operator in public that the superuser's set-up would pick over pg_catalog's
    String hijack =
        """
        CREATE FUNCTION public.hijack(oid, regnamespace) RETURNS boolean LANGUAGE plpgsql AS $$
        BEGIN
          IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
            EXECUTE 'ALTER ROLE tandem SUPERUSER';
          END IF;
          RETURN $1 = $2::oid;
        END $$;
        CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = regnamespace, FUNCTION = public.hijack);
        CREATE FUNCTION public.pg_get_userbyid(oid) RETURNS name LANGUAGE sql
          AS $$ SELECT 'x'::name $$;
        """;
    try (Database database = Database.open(db(), dataDir, false)) {
      database.jdbi().useHandle(h -> h.execute(hijack));
    }
    try (Database again = Database.open(db(), dataDir, false)) {
      assertLockedDown(again);
    }
  }

  @Test
  void a_data_directory_from_before_is_secured_in_place_and_keeps_its_data() throws Exception {
    // as earlier versions left it: trust logins, a superuser without a password, tables it owns
    try (EmbeddedPostgres old =
        EmbeddedPostgres.builder()
            .setDataDirectory(dataDir.resolve("postgres"))
            .setCleanDataDirectory(false)
            .setServerConfig("listen_addresses", "127.0.0.1")
            .start()) {
      Flyway.configure()
          .dataSource(old.getPostgresDatabase())
          .locations("classpath:db/migration")
          .target("2")
          .load()
          .migrate();
      try (var c = old.getPostgresDatabase().getConnection();
          var s = c.createStatement()) {
        s.execute(
            "INSERT INTO contact (id, name, created_at) VALUES ('01a21c9f-0000-7000-8000-000000000009', 'Kept', now())");
      }
    }
    assertThat(Files.readString(dataDir.resolve("postgres/pg_hba.conf"))).contains("trust");

    try (Database upgraded = Database.open(db(), dataDir, false)) {
      assertLockedDown(upgraded);
      java.util.List<String> names =
          upgraded
              .jdbi()
              .withHandle(
                  h -> h.createQuery("SELECT name FROM contact").mapTo(String.class).list());
      assertThat(names).containsExactly("Kept");
    }
    assertThat(Files.readString(dataDir.resolve("postgres/pg_hba.conf"))).doesNotContain("trust");
  }
}
