package dev.tandem.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 */
final class EmbeddedPostgresServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

  private final EmbeddedPostgres postgres;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /**
   * @param durable false only for tests: fsync and synchronous commit off
   */
  static EmbeddedPostgresServer start(Path clusterDir, boolean durable) {
    try {
      Files.createDirectories(clusterDir);
      stopOrphan(clusterDir);
      var builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(clusterDir)
              .setCleanDataDirectory(false)
              .setRegisterShutdownHook(false)
              .setPGStartupWait(Duration.ofSeconds(60))
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
      return new EmbeddedPostgresServer(builder.start());
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

  String jdbcUrl() {
    return postgres.getJdbcUrl("postgres", "postgres");
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
