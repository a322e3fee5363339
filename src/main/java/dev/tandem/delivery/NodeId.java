package dev.tandem.delivery;

import dev.tandem.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;

/**
 * The name this node's claims carry: {@code dispatch.nodeId}, or one generated at first start and
 * kept in {@code DATA/node-id}. A restarted node takes back the claims with its name at once, so
 * two running nodes must never share one.
 */
public final class NodeId {
  static final String FILE = "node-id";

  private NodeId() {}

  public static String resolve(Optional<String> configured, Path dataDir) {
    if (configured.isPresent()) {
      return configured.get();
    }
    Path file = dataDir.resolve(FILE);
    try {
      if (Files.exists(file)) {
        String id = Files.readString(file).strip();
        if (!id.isEmpty()) {
          return id;
        }
      }
      Files.createDirectories(dataDir);
      String id = "node-" + UUID.randomUUID();
      Path partial = dataDir.resolve(FILE + ".partial");
      Files.writeString(partial, id + "\n");
      Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
      return id;
    } catch (IOException e) {
      throw new ConfigException(
          "dispatch.nodeId",
          null,
          "the node id in " + file + " cannot be read or created (" + e.getMessage() + ")",
          "make the data directory writable, or set dispatch.nodeId");
    }
  }
}
