package dev.tandem.config;

/**
 * A configuration value that Tandem cannot start with. The message names the key, value and fix; a
 * secret's value is never in it (see {@link Redact}).
 */
public final class ConfigException extends RuntimeException {
  private final String key;

  public ConfigException(String key, String value, String problem, String fix) {
    super(
        "Invalid configuration: "
            + key
            + " = "
            + (value == null || value.isEmpty() ? "(empty)" : "'" + Redact.value(key, value) + "'")
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
