package dev.tandem.error;

/** A value that cannot be accepted; the message names the field, the value and the fix. */
public final class InvalidInput extends TandemException {
  private final java.util.List<?> findings;

  public InvalidInput(String code, String field, String message) {
    this(code, field, message, java.util.List.of());
  }

  /**
   * @param findings each thing wrong, when there are several (a template's lint findings): values
   *     the API writes as JSON under {@code findings}
   */
  public InvalidInput(String code, String field, String message, java.util.List<?> findings) {
    super(code, field, message);
    this.findings = java.util.List.copyOf(findings);
  }

  public java.util.List<?> findings() {
    return findings;
  }
}
