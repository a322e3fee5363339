package dev.tandem.error;

/** A referenced record that does not exist. */
public final class NotFound extends TandemException {
  public NotFound(String code, String field, String message) {
    super(code, field, message);
  }
}
