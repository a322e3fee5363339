package dev.tandem.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The lock a running Tandem holds on its data directory. It tells a PostgreSQL left behind by a
 * killed Tandem (lock free, server still running: stop it) from the one a live Tandem uses (lock
 * held: connect to it through the URL that Tandem published).
 */
final class DataDirLock implements AutoCloseable {
  private final Path dataDir;
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(Path dataDir, FileChannel channel, FileLock lock) {
    this.dataDir = dataDir;
    this.channel = channel;
    this.lock = lock;
  }

  static DataDirLock acquire(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
      FileChannel channel =
          FileChannel.open(
              dataDir.resolve("tandem.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (java.nio.channels.OverlappingFileLockException heldInThisJvm) {
        lock = null;
      }
      return new DataDirLock(dataDir, channel, lock);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot use data directory "
              + dataDir
              + ": "
              + e.getMessage()
              + ". Fix: pass a writable --data DIR",
          e);
    }
  }

  boolean owned() {
    return lock != null;
  }

  /** The URL carries no password; the file is still private (0600): it names the port. */
  void publishDatabaseUrl(String url) {
    PrivateFiles.write(dataDir.resolve("postgres.url"), url);
  }

  String runningDatabaseUrl() {
    Path file = dataDir.resolve("postgres.url");
    try {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalStateException(
          "data directory "
              + dataDir
              + " is locked by another Tandem that has not published its database yet. Fix: wait"
              + " for it to start, or use another --data DIR");
    }
  }

  @Override
  public void close() {
    try {
      if (lock != null) {
        Files.deleteIfExists(dataDir.resolve("postgres.url"));
        lock.release();
      }
      channel.close();
    } catch (IOException e) {
      // the OS releases the lock when the process ends anyway
    }
  }
}
