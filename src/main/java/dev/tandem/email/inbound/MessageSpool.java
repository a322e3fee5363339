package dev.tandem.email.inbound;

import jakarta.mail.util.SharedByteArrayInputStream;
import jakarta.mail.util.SharedFileInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * Where a message being received is kept: in memory up to {@link #IN_MEMORY_BYTES}, beyond that in
 * a file of its own in the spool directory, never more than its maximum size (readable by its owner
 * only, deleted when the message has been handled), so that many big messages at once do not fill
 * the heap. A file left by a crash belongs to a message that was never acknowledged: the next start
 * deletes it.
 */
final class MessageSpool {
  static final int IN_MEMORY_BYTES = 512 * 1024;

  private final Path directory;
  private final long maxBytes;

  MessageSpool(Path directory, long maxBytes) {
    this.directory = directory;
    this.maxBytes = maxBytes;
    try {
      Files.createDirectories(directory);
      Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
      try (var left = Files.list(directory)) {
        for (Path file : left.toList()) {
          Files.deleteIfExists(file);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the inbound mail spool " + directory, e);
    }
  }

  /** A received message: its bytes in memory or in a spool file, deleted on close. */
  static final class Spooled implements AutoCloseable {
    private final byte[] bytes;
    private final Path file;
    private final long size;
    private SpoolFileStream opened;

    private Spooled(byte[] bytes, Path file, long size) {
      this.bytes = bytes;
      this.file = file;
      this.size = size;
    }

    long size() {
      return size;
    }

    /** The message for Jakarta Mail to parse without copying it: parts are read where they lie. */
    InputStream open() throws IOException {
      if (file == null) {
        return new SharedByteArrayInputStream(bytes);
      }
      if (opened != null) {
        opened.closeFile();
      }
      opened = new SpoolFileStream(file.toFile());
      return opened;
    }

    /** At most {@code max} bytes from the start of the message. */
    byte[] head(int max) throws IOException {
      if (file == null) {
        return bytes.length <= max ? bytes : java.util.Arrays.copyOf(bytes, max);
      }
      try (InputStream in = Files.newInputStream(file)) {
        return in.readNBytes(max);
      }
    }

    /** The spool file, when the message is too big to be held in memory. */
    java.util.Optional<Path> file() {
      return java.util.Optional.ofNullable(file);
    }

    @Override
    public void close() throws IOException {
      if (opened != null) {
        opened.closeFile();
      }
      if (file != null) {
        Files.deleteIfExists(file);
      }
    }
  }

  /**
   * Receives a message; empty when it is longer than {@code maxBytes} (then nothing is kept and the
   * rest of {@code data} is left unread).
   */
  Optional<Spooled> read(InputStream data) throws IOException {
    byte[] first = data.readNBytes((int) Math.min(IN_MEMORY_BYTES, maxBytes) + 1);
    if (first.length <= IN_MEMORY_BYTES && first.length <= maxBytes) {
      return Optional.of(new Spooled(first, null, first.length));
    }
    if (first.length > maxBytes) {
      return Optional.empty();
    }
    Path file =
        Files.createTempFile(
            directory,
            "mail-",
            ".eml",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(first);
      long size = first.length;
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = data.read(buffer)) >= 0; ) {
        size += n;
        if (size > maxBytes) {
          out.close();
          Files.delete(file);
          return Optional.empty();
        }
        out.write(buffer, 0, n);
      }
      return Optional.of(new Spooled(null, file, size));
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(file);
      throw e;
    }
  }

  /**
   * Jakarta Mail's parts read the file through streams of their own that nobody closes; the file
   * they share is closed here, before it is deleted, rather than whenever they are collected.
   */
  private static final class SpoolFileStream extends SharedFileInputStream {
    SpoolFileStream(File file) throws IOException {
      super(file);
    }

    void closeFile() throws IOException {
      in.close();
    }
  }
}
