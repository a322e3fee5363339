package dev.tandem.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * Files in the data directory that only the account running Tandem may read (0600): database
 * passwords and keys. Written whole (a temporary file renamed into place) and never readable by
 * others, not even for a moment.
 */
public final class PrivateFiles {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private PrivateFiles() {}

  /** Writes {@code text} to {@code file} readable by its owner only, replacing what was there. */
  public static void write(Path file, String text) {
    try {
      Path temporary = create(file.resolveSibling(file.getFileName() + ".tmp"));
      Files.writeString(temporary, text, StandardCharsets.UTF_8);
      Files.move(
          temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      restrict(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The secret kept in {@code file} (its first line), created with 256 random bits on first use. A
   * file others could read is made private again.
   */
  public static String secret(Path file) {
    try {
      if (!Files.exists(file)) {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        write(file, Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n");
      }
      restrict(file);
      String secret = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("");
      if (!secret.matches("[A-Za-z0-9_-]{32,200}")) {
        throw new IllegalStateException(
            file
                + " does not hold a secret Tandem wrote (32 to 200 characters of A-Z, a-z, 0-9, _"
                + " and -). Fix: restore it from a backup of the data directory");
      }
      return secret;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Makes an existing file readable by its owner only. */
  public static void restrict(Path file) throws IOException {
    if (posix(file)) {
      Files.setPosixFilePermissions(file, OWNER_ONLY);
    }
  }

  /** Makes a directory this account's own to write: rwx for the owner, nothing for others. */
  static void restrictDirectory(Path directory) throws IOException {
    if (posix(directory) && ownedByThisAccount(directory)) {
      Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
    }
  }

  /** True when only this account can write to {@code path} (owner, and no group or other write). */
  static boolean ownOnly(Path path) throws IOException {
    if (!posix(path)) {
      return true;
    }
    var permissions = Files.getPosixFilePermissions(path);
    return ownedByThisAccount(path)
        && !permissions.contains(PosixFilePermission.GROUP_WRITE)
        && !permissions.contains(PosixFilePermission.OTHERS_WRITE);
  }

  private static boolean ownedByThisAccount(Path path) throws IOException {
    return Files.getOwner(path).getName().equals(System.getProperty("user.name"));
  }

  private static Path create(Path file) throws IOException {
    Files.deleteIfExists(file);
    try {
      return posix(file.getParent())
          ? Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY))
          : Files.createFile(file, new FileAttribute<?>[0]);
    } catch (FileAlreadyExistsException e) {
      throw new IOException("another process is writing " + file, e);
    }
  }

  private static boolean posix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
