package dev.tandem.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The whole configuration, typed and validated. Built by {@link ConfigLoader} from defaults, an
 * optional YAML file and {@code TANDEM_*} environment variables, in that order.
 */
public record TandemConfig(
    Path dataDir,
    Http http,
    Db db,
    Contacts contacts,
    Sandbox sandbox,
    Smtp smtp,
    Email email,
    Smpp smpp,
    Dispatch dispatch) {

  public record Http(String host, int port, String publicUrl) {}

  /** {@code url} empty means: run the embedded PostgreSQL in {@code dataDir/postgres}. */
  public record Db(Optional<String> url, String user, String password, int poolSize) {
    public boolean embedded() {
      return url.isEmpty();
    }
  }

  public record Contacts(String defaultRegion) {}

  public enum SandboxMode {
    AUTO,
    ON,
    OFF
  }

  public record Sandbox(
      SandboxMode mode, int smtpPort, int smppPort, Duration receiptDelay, String receiptStatus) {}

  public enum StartTls {
    REQUIRED,
    OPTIONAL,
    OFF
  }

  public record Smtp(
      Optional<String> host,
      int port,
      Optional<String> username,
      Optional<String> password,
      StartTls startTls,
      int poolSize,
      Duration timeout) {}

  public record Email(String from, String messageIdDomain) {}

  /** How the id in a delivery receipt relates to the id in {@code submit_sm_resp}. */
  public enum ReceiptIds {
    SAME,
    HEX_TO_DECIMAL,
    DECIMAL_TO_HEX
  }

  public record Smpp(
      Optional<String> host,
      int port,
      String systemId,
      String password,
      String systemType,
      String sourceAddress,
      int window,
      Duration enquireLinkInterval,
      Duration responseTimeout,
      ReceiptIds receiptIds) {}

  public record Dispatch(
      int batchSize,
      Duration pollInterval,
      int maxAttempts,
      Duration retryBase,
      Duration retryMax,
      Duration lease) {}

  /** True when the sandbox peers run and Tandem's clients point at them. */
  public boolean sandboxEnabled() {
    return switch (sandbox.mode()) {
      case ON -> true;
      case OFF -> false;
      case AUTO -> smtp.host().isEmpty() && smpp.host().isEmpty();
    };
  }
}
