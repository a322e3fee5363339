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
            + (value == null ? "(empty)" : "'" + masked(key, value) + "'")
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

  /**
   * The value as it may be shown: a password, secret or token not at all; credentials in a URL
   * (user:password@, password=) hidden. Error messages end up in logs and terminals.
   */
  public static String masked(String key, String value) {
    if (key.toLowerCase(java.util.Locale.ROOT).matches(".*(password|secret|token).*")) {
      return "(hidden)";
    }
    return value
        .replaceAll("(?<=://)[^/@\\s]*@", "****@")
        .replaceAll("(?i)((?:password|pass|pwd|secret|token)=)[^&;\\s]*", "$1****");
  }

  public String key() {
    return key;
  }
}
