package dev.tandem.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Backup and restore of the embedded PostgreSQL, online: a physical copy of {@code DATA/postgres}
 * taken between {@code pg_backup_start} and {@code pg_backup_stop}, plus the WAL written meanwhile
 * (held by a temporary replication slot), in one zip file with the cluster's two password files.
 * This is what {@code pg_basebackup -X fetch} does; zonky's PostgreSQL ships only {@code initdb},
 * {@code pg_ctl} and {@code postgres} (no {@code pg_dump} nor {@code pg_basebackup}), and a {@code
 * pg_dump} found on the machine is usually older than the embedded server, which it refuses.
 *
 * <p>A restored cluster starts with the {@code backup_label} of the copy, replays the WAL in the
 * archive and ends at the last record the copy holds: every transaction committed before {@code
 * backup} finished copying the WAL. It needs the same PostgreSQL major version (the same Tandem
 * release, or one with the same embedded PostgreSQL). The erasure key is deliberately not in the
 * archive (decision 0015): it is kept and backed up apart.
 */
public final class EmbeddedBackup {
  static final String FORMAT = "tandem-embedded-backup 1";
  private static final String MANIFEST = "tandem-backup.properties";
  private static final String CLUSTER = "postgres";
  private static final String ADMIN_PASSWORD = "postgres-admin.password";
  private static final String ROLE_PASSWORD = "postgres.password";

  /** Directories whose contents PostgreSQL rebuilds at start: left out, as pg_basebackup does. */
  private static final Set<String> EMPTY_DIRECTORIES =
      Set.of(
          "pg_dynshmem",
          "pg_notify",
          "pg_replslot",
          "pg_serial",
          "pg_snapshots",
          "pg_stat_tmp",
          "pg_subtrans",
          "pg_wal");

  private static final Set<String> SKIPPED_FILES =
      Set.of(
          "postmaster.pid",
          "postmaster.opts",
          "backup_label",
          "backup_label.old",
          "tablespace_map",
          "standby.signal",
          "recovery.signal",
          "pg_internal.init",
          "postgresql.auto.conf.tmp",
          "current_logfiles.tmp",
          "epg-lock"); // zonky's lock of the running server

  private EmbeddedBackup() {}

  /** What a backup wrote: the file, its size, and the cluster's schema version. */
  public record Written(Path archive, long bytes, String schemaVersion, boolean serverWasRunning) {}

  /** What a restore put back. */
  public record Restored(
      Path clusterDir, String schemaVersion, Instant takenAt, Path replacedCluster) {}

  /**
   * Backs the embedded database of {@code dataDir} up into {@code archive} (a new file), while a
   * Tandem runs on it or not: when none does, this starts the embedded server for the time of the
   * copy.
   */
  public static Written backUp(Path dataDir, Path archive, Clock clock) {
    if (!Files.isRegularFile(dataDir.resolve(CLUSTER).resolve("PG_VERSION"))) {
      throw new IllegalStateException(
          "there is no embedded database in "
              + dataDir.resolve(CLUSTER)
              + ". Fix: pass the data directory Tandem runs with (--data DIR or dataDir)");
    }
    if (archive
        .toAbsolutePath()
        .normalize()
        .startsWith(dataDir.resolve(CLUSTER).toAbsolutePath().normalize())) {
      throw new IllegalStateException(
          archive + " is inside the database it would copy. Fix: write the backup elsewhere");
    }
    if (Files.exists(archive)) {
      throw new IllegalStateException(
          archive + " exists already. Fix: name a new file (a backup never overwrites one)");
    }
    try (DataDirLock lock = DataDirLock.acquire(dataDir)) {
      EmbeddedPostgresServer started = null;
      String url;
      if (lock.owned()) {
        started = EmbeddedPostgresServer.start(dataDir, true, false);
        url = started.jdbcUrl();
      } else {
        url = lock.runningDatabaseUrl();
      }
      try {
        return copy(dataDir, archive, url, clock, started == null);
      } finally {
        if (started != null) {
          started.close();
        }
      }
    }
  }

  private static Written copy(
      Path dataDir, Path archive, String url, Clock clock, boolean serverWasRunning) {
    Path cluster = dataDir.resolve(CLUSTER);
    Path partial = archive.resolveSibling(archive.getFileName() + ".partial");
    var admin = new Properties();
    admin.setProperty("user", "postgres");
    admin.setProperty("password", PrivateFiles.secret(dataDir.resolve(ADMIN_PASSWORD)));
    // the published URL names Tandem's role; the copy needs the superuser (pg_backup_start)
    String adminUrl = url.replaceFirst("\\?.*$", "");
    try (Connection c = DriverManager.getConnection(adminUrl, admin);
        Statement s = c.createStatement()) {
      s.execute("SET search_path = pg_catalog, pg_temp");
      String schemaVersion = schemaVersion(s);
      Files.deleteIfExists(partial);
      // 0600 from its first byte: it holds every name, address and message
      if (Files.getFileStore(partial.toAbsolutePath().getParent())
          .supportsFileAttributeView("posix")) {
        Files.createFile(
            partial,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      try (OutputStream file = Files.newOutputStream(partial);
          var zip = new ZipOutputStream(file)) {
        // keeps every WAL segment from here on until this session ends, checkpoints or not
        s.execute(
            "SELECT pg_create_physical_replication_slot('tandem_backup_' || pg_backend_pid(),"
                + " true, true)");
        s.execute("SELECT pg_backup_start('tandem backup', true)");
        List<Path> files = clusterFiles(cluster);
        for (Path path : files) {
          add(zip, cluster, path);
        }
        // pg_control last, as pg_basebackup sends it: the newest copy of it
        add(zip, cluster, cluster.resolve("global").resolve("pg_control"));
        String label;
        try (ResultSet r =
            s.executeQuery("SELECT labelfile, spcmapfile FROM pg_backup_stop(false)")) {
          r.next();
          label = r.getString(1);
          if (r.getString(2) != null && !r.getString(2).isBlank()) {
            throw new IllegalStateException(
                "the embedded cluster has tablespaces, which this backup does not copy");
          }
        }
        entry(zip, CLUSTER + "/backup_label", label.getBytes(StandardCharsets.UTF_8));
        // the WAL from the start of the copy to its end (and a little after): read after the stop
        try (var wal = Files.list(cluster.resolve("pg_wal"))) {
          for (Path segment : wal.filter(Files::isRegularFile).sorted().toList()) {
            add(zip, cluster, segment);
          }
        }
        for (String secret : List.of(ADMIN_PASSWORD, ROLE_PASSWORD)) {
          entry(zip, secret, Files.readAllBytes(dataDir.resolve(secret)));
        }
        var manifest = new Properties();
        manifest.setProperty("format", FORMAT);
        manifest.setProperty("takenAt", clock.instant().toString());
        manifest.setProperty("schemaVersion", schemaVersion);
        manifest.setProperty(
            "postgresVersion", Files.readString(cluster.resolve("PG_VERSION")).strip());
        var text = new StringWriter();
        manifest.store(text, "Tandem backup of the embedded PostgreSQL (docs/operations.md)");
        entry(zip, MANIFEST, text.toString().getBytes(StandardCharsets.UTF_8));
      }
      PrivateFiles.restrict(partial);
      Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE);
      return new Written(archive, Files.size(archive), schemaVersion, serverWasRunning);
    } catch (SQLException e) {
      deleteQuietly(partial);
      throw new IllegalStateException(
          "could not back up the embedded PostgreSQL in " + cluster + ": " + e.getMessage(), e);
    } catch (IOException e) {
      deleteQuietly(partial);
      throw new UncheckedIOException(
          "could not write the backup " + archive + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      deleteQuietly(partial);
      throw e;
    }
  }

  private static String schemaVersion(Statement s) throws SQLException {
    try (ResultSet r =
        s.executeQuery(
            "SELECT coalesce((SELECT version FROM public.flyway_schema_history WHERE success AND"
                + " version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1), 'none')")) {
      r.next();
      return r.getString(1);
    } catch (SQLException noHistoryYet) {
      return "none";
    }
  }

  /** The cluster's files but pg_control and the WAL, which are copied after them. */
  private static List<Path> clusterFiles(Path cluster) throws IOException {
    var files = new ArrayList<Path>();
    Files.walkFileTree(
        cluster,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
            files.add(dir);
            boolean rebuilt = EMPTY_DIRECTORIES.contains(cluster.relativize(dir).toString());
            return rebuilt ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
            String name = file.getFileName().toString();
            if (attributes.isRegularFile()
                && !SKIPPED_FILES.contains(name)
                && !name.startsWith("pgsql_tmp")
                && !file.equals(cluster.resolve("global").resolve("pg_control"))) {
              files.add(file);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE; // dropped by the server during the copy
            }
            throw e;
          }
        });
    // pg_wal's own subdirectories (archive_status, summaries) must exist, empty
    try (var wal = Files.list(cluster.resolve("pg_wal"))) {
      wal.filter(Files::isDirectory).sorted().forEach(files::add);
    }
    return files;
  }

  private static void add(ZipOutputStream zip, Path cluster, Path path) throws IOException {
    String name = CLUSTER + "/" + cluster.relativize(path).toString().replace('\\', '/');
    if (Files.isDirectory(path)) {
      zip.putNextEntry(new ZipEntry(name.endsWith("/") ? name : name + "/"));
      zip.closeEntry();
      return;
    }
    try (InputStream in = Files.newInputStream(path)) {
      zip.putNextEntry(new ZipEntry(name));
      in.transferTo(zip);
      zip.closeEntry();
    } catch (NoSuchFileException droppedDuringTheCopy) {
      // a table dropped or a file removed meanwhile: the WAL replay knows it is gone
    }
  }

  private static void entry(ZipOutputStream zip, String name, byte[] content) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(content);
    zip.closeEntry();
  }

  /**
   * Puts the database of {@code archive} into {@code dataDir}, then starts it once (recovery) and
   * stops it. No Tandem may run on the data directory. The archive is unpacked beside the data
   * first, so that a damaged one changes nothing. A database already there is refused, or with
   * {@code replace} moved aside with its password files into {@code DATA/replaced-<time>}.
   */
  public static Restored restore(Path archive, Path dataDir, boolean replace, Clock clock) {
    if (!Files.isRegularFile(archive)) {
      throw new IllegalStateException(archive + " is not a file. Fix: name a backup file");
    }
    try (DataDirLock lock = DataDirLock.acquire(dataDir)) {
      if (!lock.owned()) {
        throw new IllegalStateException(
            "a Tandem is running on "
                + dataDir
                + ". Fix: stop it (and every command using this data directory), then restore");
      }
      Path cluster = dataDir.resolve(CLUSTER);
      boolean occupied = Files.isDirectory(cluster) && !empty(cluster);
      if (occupied && !replace) {
        throw new IllegalStateException(
            cluster
                + " holds a database. Fix: restore into an empty data directory, or pass"
                + " --replace to move this one and its password files aside into"
                + " DATA/replaced-<time>");
      }
      String time =
          DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss")
              .withZone(ZoneOffset.UTC)
              .format(clock.instant());
      Path staging = dataDir.resolve("restore-" + time + ".partial");
      Properties manifest;
      try {
        manifest = extract(archive, staging);
      } catch (IOException | RuntimeException e) {
        deleteTree(staging);
        throw e;
      }
      Path replaced = null;
      if (occupied) {
        EmbeddedPostgresServer.stopOrphan(cluster);
        replaced = Files.createDirectory(dataDir.resolve("replaced-" + time));
        privateDirectory(replaced);
        for (String name : List.of(CLUSTER, ADMIN_PASSWORD, ROLE_PASSWORD)) {
          if (Files.exists(dataDir.resolve(name))) {
            Files.move(dataDir.resolve(name), replaced.resolve(name));
          }
        }
      } else if (Files.isDirectory(cluster)) {
        Files.delete(cluster);
      }
      for (String name : List.of(CLUSTER, ADMIN_PASSWORD, ROLE_PASSWORD)) {
        Files.move(
            staging.resolve(name), dataDir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      }
      deleteTree(staging);
      // recovery from the backup_label and the WAL in the archive happens on this first start
      EmbeddedPostgresServer.start(dataDir, true, false).close();
      return new Restored(
          cluster,
          manifest.getProperty("schemaVersion"),
          Instant.parse(manifest.getProperty("takenAt")),
          replaced);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not restore " + archive + " into " + dataDir + ": " + e.getMessage(), e);
    }
  }

  private static boolean empty(Path directory) throws IOException {
    try (var entries = Files.list(directory)) {
      return entries.findAny().isEmpty();
    }
  }

  /** Unpacks a backup into {@code target} (a new directory); returns its manifest. */
  private static Properties extract(Path archive, Path target) throws IOException {
    Files.createDirectories(target);
    privateDirectory(target);
    Path root = target.toAbsolutePath().normalize();
    var manifest = new Properties();
    var seen = new HashSet<String>();
    try (var zip = new ZipInputStream(Files.newInputStream(archive))) {
      for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
        String name = entry.getName();
        if (name.equals(MANIFEST)) {
          manifest.load(new StringReader(new String(zip.readAllBytes(), StandardCharsets.UTF_8)));
          continue;
        }
        String top = name.contains("/") ? name.substring(0, name.indexOf('/')) : name;
        Path path = root.resolve(name).normalize();
        if (!List.of(CLUSTER, ADMIN_PASSWORD, ROLE_PASSWORD).contains(top)
            || !path.startsWith(root)) {
          throw new IllegalStateException(
              archive + " holds " + name + ", which no Tandem backup has: not restored");
        }
        seen.add(top);
        if (entry.isDirectory()) {
          Files.createDirectories(path);
          privateDirectory(path);
          continue;
        }
        Files.createDirectories(path.getParent());
        Files.copy(zip, path, StandardCopyOption.REPLACE_EXISTING);
        PrivateFiles.restrict(path);
      }
    } catch (ZipException e) {
      throw new IllegalStateException(archive + " is not a Tandem backup (" + e.getMessage() + ")");
    }
    if (!FORMAT.equals(manifest.getProperty("format"))
        || !seen.containsAll(List.of(CLUSTER, ADMIN_PASSWORD, ROLE_PASSWORD))
        || !Files.isRegularFile(root.resolve(CLUSTER).resolve("backup_label"))) {
      throw new IllegalStateException(
          archive
              + " is not a complete backup of Tandem's embedded database (it needs "
              + MANIFEST
              + ", the cluster with its backup_label and both password files): not restored");
    }
    return manifest;
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  /** PostgreSQL refuses a data directory that others may read. */
  private static void privateDirectory(Path dir) throws IOException {
    if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // the message that follows names the backup; a partial file is named .partial
    }
  }
}
