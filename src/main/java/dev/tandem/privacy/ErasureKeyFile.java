package dev.tandem.privacy;

import dev.tandem.config.ConfigException;
import dev.tandem.config.TandemConfig;
import dev.tandem.store.Secrets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key of the erased-address hashes, kept outside the database so that a dump of it does not let
 * anyone test phone numbers against the hashes (decision 0015): {@code privacy.erasureKeyFile}, or
 * {@code DATA/erasure.key} created 0600 on first start. A key an older Tandem kept in the {@code
 * secret} table moves into the file. The database keeps only a check value (an HMAC of a fixed text
 * under the key), so that a node holding another key, or none, refuses to start instead of hashing
 * differently and letting erased people back in.
 */
public final class ErasureKeyFile {
  private static final Logger log = LoggerFactory.getLogger(ErasureKeyFile.class);
  private static final String KEY = "privacy.erasureKeyFile";
  private static final String LEGACY_SECRET = "erasure";
  private static final String CHECK_SECRET = "erasure-check";
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private ErasureKeyFile() {}

  /** The key, from its file; creates or migrates the file where that is safe, else refuses. */
  public static byte[] load(TandemConfig config, Jdbi jdbi) {
    Optional<Path> configured = config.privacy().erasureKeyFile();
    Path file = configured.orElse(config.dataDir().resolve("erasure.key"));
    var secrets = new Secrets(jdbi);
    Optional<byte[]> legacy = secrets.find(LEGACY_SECRET);
    Optional<byte[]> check = secrets.find(CHECK_SECRET);
    boolean created = false;
    byte[] key;
    if (Files.exists(file)) {
      key = read(file);
    } else if (legacy.isPresent()) {
      key = write(file, legacy.get());
      log.info("moved the erasure key from the database to {}", file);
    } else if (configured.isPresent()) {
      throw new ConfigException(
          KEY,
          file.toString(),
          "the file does not exist",
          "copy the key file from a node that runs with this database; for a new installation,"
              + " create one: (umask 077; openssl rand -hex 32 > "
              + file
              + ")");
    } else if (check.isPresent()) {
      throw new ConfigException(
          KEY,
          null,
          "there is no key file at "
              + file
              + ", but this database's erased addresses were hashed with a key kept in a file on"
              + " the node that first started with it",
          "copy that node's key file to " + file + " (or set " + KEY + " to where it is)");
    } else {
      byte[] fresh = new byte[32];
      new SecureRandom().nextBytes(fresh);
      key = write(file, fresh);
      created = MessageDigest.isEqual(key, fresh);
    }
    if (legacy.isPresent() && !MessageDigest.isEqual(legacy.get(), key)) {
      throw new ConfigException(
          KEY,
          file.toString(),
          "holds another key than the one an older Tandem kept in the database, with which its"
              + " erased addresses were hashed",
          "move " + file + " away: Tandem then writes the database's key to it");
    }
    byte[] expected = secrets.putIfAbsent(CHECK_SECRET, checkValue(key));
    if (!MessageDigest.isEqual(expected, checkValue(key))) {
      if (created) {
        delete(file);
      }
      throw new ConfigException(
          KEY,
          file.toString(),
          "holds another key than the one this database's erased addresses were hashed with",
          "copy the key file from a node that runs with this database to "
              + file
              + "; with another key, erased people could be imported and messaged again");
    }
    if (legacy.isPresent()) {
      secrets.delete(LEGACY_SECRET);
    }
    return key;
  }

  private static byte[] checkValue(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal("tandem erasure key check".getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] read(Path file) {
    try {
      if (posix() && !Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
        log.warn(
            "the erasure key file {} can be read by other users than its owner: chmod 600 it",
            file);
      }
      String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
      if (!text.matches("[0-9a-fA-F]{64}")) {
        throw new ConfigException(
            KEY,
            file.toString(),
            "the file does not hold a key (64 hexadecimal digits)",
            "restore the file from the node that created it or from a backup");
      }
      return HexFormat.of().parseHex(text);
    } catch (IOException e) {
      throw new ConfigException(
          KEY,
          file.toString(),
          "the file cannot be read (" + e.getMessage() + ")",
          "make it readable by the user running Tandem");
    }
  }

  /** Writes the key to a new 0600 file; when another process wrote the file first, its key. */
  private static byte[] write(Path file, byte[] key) {
    Path directory = file.toAbsolutePath().getParent();
    Path temporary = null;
    try {
      temporary =
          posix()
              ? Files.createTempFile(
                  directory, ".erasure", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
              : Files.createTempFile(directory, ".erasure", ".tmp");
      Files.writeString(temporary, HexFormat.of().formatHex(key) + "\n");
      try (var channel = java.nio.channels.FileChannel.open(temporary)) {
        channel.force(true);
      }
      Files.createLink(file, temporary); // unlike a rename, never replaces a file written meanwhile
      return key;
    } catch (FileAlreadyExistsException e) {
      return read(file);
    } catch (IOException e) {
      throw new ConfigException(
          KEY,
          file.toString(),
          "the key file cannot be written (" + e.getMessage() + ")",
          "make " + directory + " writable by the user running Tandem");
    } finally {
      if (temporary != null) {
        delete(temporary);
      }
    }
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }
}
