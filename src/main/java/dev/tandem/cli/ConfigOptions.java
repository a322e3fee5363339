package dev.tandem.cli;

import dev.tandem.config.ConfigLoader;
import dev.tandem.config.TandemConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every command that reads the configuration shares. */
public final class ConfigOptions {
  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "Data directory (default: ./data, or dataDir in the config).")
  Path data;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "YAML config file; see tandem.example.yaml.")
  Path config;

  public TandemConfig load(Map<String, String> overrides) {
    var all = new HashMap<>(overrides);
    if (data != null) {
      all.put("dataDir", data.toString());
    }
    TandemConfig loaded = ConfigLoader.load(config, System.getenv(), all);
    dev.tandem.ops.Logging.apply(loaded.log());
    return loaded;
  }
}
