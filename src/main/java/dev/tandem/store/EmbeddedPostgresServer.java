package dev.tandem.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL that Tandem runs itself when no external database is configured. Its cluster lives
 * in {@code DATA/postgres} and survives restarts. As root, zonky runs initdb and postgres in a user
 * namespace (as "nobody"), since PostgreSQL refuses to run as root.
 *
 * <p>Nobody else on the machine gets in: every login needs a password (SCRAM-SHA-256, loopback
 * only); the superuser's is in {@code DATA/postgres-admin.password} and used only here, to set up;
 * Tandem itself logs in as {@value #ROLE}, which is no superuser and owns only the {@code public}
 * schema's objects, with the password in {@code DATA/postgres.password}. Both files are 0600. A
 * cluster made before this (trust logins, no passwords) is brought to this state on its first
 * start.
 */
final class EmbeddedPostgresServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
  static final String ROLE = "tandem";
  static final String HBA_HEADER =
      "# Written by Tandem: password (SCRAM) logins from loopback only";

  private final EmbeddedPostgres postgres;
  private final String password;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres, String password) {
    this.postgres = postgres;
    this.password = password;
  }

  /**
   * Where PostgreSQL's binaries are unpacked: a directory only this account can write. zonky's
   * default, {@code $TMPDIR/embedded-pg}, is shared: another account could swap the binaries that
   * then run as this one, with the passwords at hand. {@code ~/.cache/tandem/postgres} (or under
   * {@code XDG_CACHE_HOME}) when that is this account's own, else {@code DATA/postgres-bin}.
   */
  static Path binariesDir(Path dataDir) throws IOException {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path cache =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    for (Path candidate :
        List.of(cache.resolve("tandem").resolve("postgres"), dataDir.resolve("postgres-bin"))) {
      try {
        Files.createDirectories(candidate);
        PrivateFiles.restrictDirectory(candidate.getParent());
        PrivateFiles.restrictDirectory(candidate);
        if (PrivateFiles.ownOnly(candidate) && PrivateFiles.ownOnly(candidate.getParent())) {
          return candidate;
        }
      } catch (IOException e) {
        log.debug("cannot use {} for PostgreSQL's binaries: {}", candidate, e.getMessage());
      }
    }
    throw new IOException(
        "no directory only this account can write to unpack PostgreSQL into (tried "
            + cache.resolve("tandem/postgres")
            + " and "
            + dataDir.resolve("postgres-bin")
            + "). Fix: make the data directory this account's own");
  }

  /** Where the password of Tandem's own role is kept. */
  static Path passwordFile(Path dataDir) {
    return dataDir.resolve("postgres.password");
  }

  /**
   * @param durable false only for tests: fsync and synchronous commit off
   */
  static EmbeddedPostgresServer start(Path dataDir, boolean durable) {
    return start(dataDir, durable, false);
  }

  /**
   * @param statementStats load pg_stat_statements (schema {@code stats}, readable by Tandem's
   *     role), for measuring how many statements the work takes
   */
  static EmbeddedPostgresServer start(Path dataDir, boolean durable, boolean statementStats) {
    Path clusterDir = dataDir.resolve("postgres");
    try {
      Files.createDirectories(clusterDir);
      stopOrphan(clusterDir);
      boolean fresh = !Files.exists(clusterDir.resolve("PG_VERSION"));
      Path adminFile = dataDir.resolve("postgres-admin.password");
      if (!fresh && !Files.exists(adminFile) && !trusts(clusterDir)) {
        throw new IllegalStateException(
            adminFile
                + " is missing, and the cluster in "
                + clusterDir
                + " needs it (its logins need passwords). Fix: restore it from a backup of the data"
                + " directory");
      }
      String admin = PrivateFiles.secret(adminFile);
      String password = PrivateFiles.secret(passwordFile(dataDir));
      var builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(clusterDir)
              .setCleanDataDirectory(false)
              .setRegisterShutdownHook(false)
              .setOverrideWorkingDirectory(binariesDir(dataDir).toFile())
              .setPGStartupWait(Duration.ofSeconds(60))
              // zonky's own readiness check logs in as the superuser: with its password
              .setConnectConfig("password", admin)
              .setServerConfig("listen_addresses", "127.0.0.1")
              .setServerConfig("max_connections", "100")
              // check tables for vacuum and analyze every 5 s, not every minute: see V1__core.sql
              .setServerConfig("autovacuum_naptime", "5s");
      if (durable) {
        // zonky starts postgres with -F (fsync off) for tests; later -c options win.
        builder
            .setServerConfig("fsync", "on")
            .setServerConfig("synchronous_commit", "on")
            .setServerConfig("full_page_writes", "on");
      }
      if (statementStats) {
        builder.setServerConfig("shared_preload_libraries", "pg_stat_statements");
      }
      if (fresh) {
        // zonky runs `initdb -A trust`; these later options win: no moment without passwords
        builder.setLocaleConfig("pwfile", adminFile.toString());
        builder.setLocaleConfig("auth", "scram-sha-256");
      }
      EmbeddedPostgres postgres = builder.start();
      try {
        secure(postgres, clusterDir, admin, password);
        if (statementStats) {
          statementStats(postgres);
        }
      } catch (SQLException | IOException | RuntimeException e) {
        postgres.close();
        throw new IllegalStateException(
            "could not secure the embedded PostgreSQL in " + clusterDir + ": " + e.getMessage(), e);
      }
      return new EmbeddedPostgresServer(postgres, password);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not start the embedded PostgreSQL in " + clusterDir + ": " + e.getMessage(), e);
    }
  }

  /**
   * A Tandem that was killed leaves its postgres running and holding the cluster. Stop it (SIGINT:
   * PostgreSQL's fast shutdown) so that one restart is enough.
   */
  static void stopOrphan(Path clusterDir) throws IOException {
    Path pidFile = clusterDir.resolve("postmaster.pid");
    if (!Files.isRegularFile(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile);
    if (lines.isEmpty()) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).strip());
    } catch (NumberFormatException e) {
      return;
    }
    Optional<ProcessHandle> orphan =
        ProcessHandle.of(pid)
            .filter(ProcessHandle::isAlive)
            .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
    if (orphan.isEmpty()) {
      return;
    }
    log.warn(
        "A PostgreSQL (pid {}) left behind by an earlier Tandem holds {}; stopping it",
        pid,
        clusterDir);
    var kill = new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start();
    try {
      kill.waitFor(10, TimeUnit.SECONDS);
      orphan.get().onExit().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IOException(
          "the PostgreSQL left behind (pid " + pid + ") did not stop; stop it by hand", e);
    }
  }

  /**
   * Passwords on every role, Tandem's own role owning the schema, and logins with passwords only.
   * Idempotent: cheap on every start, and the upgrade of a cluster from before.
   */
  /** pg_stat_statements in a schema of its own, which Tandem's role may read and reset. */
  private static void statementStats(EmbeddedPostgres postgres) throws SQLException {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("SET search_path = pg_catalog, pg_temp");
      s.execute("CREATE SCHEMA IF NOT EXISTS stats AUTHORIZATION postgres");
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA stats");
      s.execute("GRANT USAGE ON SCHEMA stats TO " + ROLE);
      s.execute("GRANT pg_read_all_stats TO " + ROLE);
      // resetting the counters between measured runs
      s.execute("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA stats TO " + ROLE);
    }
  }

  private static void secure(
      EmbeddedPostgres postgres, Path clusterDir, String admin, String password)
      throws SQLException, IOException {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      // tandem owns public: as the superuser, resolve no name there (a function or operator of
      // tandem's would otherwise run with the superuser's rights)
      s.execute("SET search_path = pg_catalog, pg_temp");
      boolean trusting = trusts(clusterDir);
      if (trusting) {
        log.warn(
            "The embedded PostgreSQL in {} let anyone on this machine log in: setting passwords and"
                + " allowing password logins only",
            clusterDir);
        s.execute("ALTER ROLE postgres PASSWORD '" + admin + "'");
      }
      s.execute(
          "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '"
              + ROLE
              + "') THEN CREATE ROLE "
              + ROLE
              + "; END IF; END $$");
      s.execute(
          "ALTER ROLE "
              + ROLE
              + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '"
              + password
              + "'");
      s.execute("REVOKE ALL ON DATABASE postgres FROM PUBLIC");
      s.execute("GRANT CONNECT, TEMPORARY ON DATABASE postgres TO " + ROLE);
      s.execute("ALTER SCHEMA public OWNER TO " + ROLE);
      s.execute(OWN_PUBLIC_SCHEMA);
      Path hba = clusterDir.resolve("pg_hba.conf");
      String wanted =
          HBA_HEADER
              + "\nlocal  all  all                scram-sha-256"
              + "\nhost   all  all  127.0.0.1/32  scram-sha-256"
              + "\nhost   all  all  ::1/128       scram-sha-256\n";
      if (!Files.readString(hba).equals(wanted)) {
        Files.writeString(hba, wanted);
        s.execute("SELECT pg_reload_conf()");
      }
    }
  }

  /**
   * Gives Tandem's role every table, view, sequence and routine in public (from older clusters).
   */
  private static final String OWN_PUBLIC_SCHEMA =
      """
      DO $$
      DECLARE r record;
      BEGIN
        FOR r IN
          SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
          WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
            AND pg_get_userbyid(c.relowner) <> 'tandem'
            -- a sequence that belongs to a column moves with its table
            AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid
                            AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))
        LOOP
          EXECUTE format('ALTER %s %s OWNER TO tandem',
            CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
              WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, r.name);
        END LOOP;
        FOR r IN
          SELECT p.oid::regprocedure AS name FROM pg_proc p
          WHERE p.pronamespace = 'public'::regnamespace AND pg_get_userbyid(p.proowner) <> 'tandem'
        LOOP
          EXECUTE format('ALTER ROUTINE %s OWNER TO tandem', r.name);
        END LOOP;
      END $$
      """;

  /** True while the cluster's pg_hba.conf lets some login in without a password. */
  private static boolean trusts(Path clusterDir) throws IOException {
    Path hba = clusterDir.resolve("pg_hba.conf");
    if (!Files.exists(hba)) {
      return false;
    }
    return Files.readAllLines(hba).stream()
        .map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .anyMatch(line -> !line.endsWith("scram-sha-256") && !line.endsWith("reject"));
  }

  /** The URL of Tandem's own role, without the password (see {@link #password()}). */
  String jdbcUrl() {
    return postgres.getJdbcUrl(ROLE, "postgres");
  }

  String password() {
    return password;
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      log.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
    }
  }
}
