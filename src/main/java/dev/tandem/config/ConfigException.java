package dev.tandem.config;

/**
 * A configuration value that Tandem cannot start with. The message names the key, value and fix.
 */
public final class ConfigException extends RuntimeException {
  private final String key;

  public ConfigException(String key, String value, String problem, String fix) {
    super(
        "Invalid configuration: "
            + key
            + " = "
            + (value == null ? "(empty)" : "'" + value + "'")
            + ": "
            + problem
            + ". Fix: "
            + fix);
    this.key = key;
  }

  public ConfigException(String message) {
    super(message);
    this.key = null;
  }

  public String key() {
    return key;
  }
}
