package dev.tandem.error;

/**
 * What a caller did wrong, in words a user can act on. The API turns these into problem+json (RFC
 * 9457) with the same code, sentence and field; everything else is a 500 with the detail in the log
 * only.
 */
public abstract sealed class TandemException extends RuntimeException
    permits InvalidInput, NotFound, Conflict {
  private final String code;
  private final String field;

  protected TandemException(String code, String field, String message) {
    super(message);
    this.code = code;
    this.field = field;
  }

  /** Stable, machine-readable: {@code invalid-phone}, {@code contact-not-found}, … */
  public String code() {
    return code;
  }

  /** The request field at fault, or null. */
  public String field() {
    return field;
  }
}
