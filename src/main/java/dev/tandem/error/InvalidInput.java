package dev.tandem.error;

/** A value that cannot be accepted; the message names the field, the value and the fix. */
public final class InvalidInput extends TandemException {
  public InvalidInput(String code, String field, String message) {
    super(code, field, message);
  }
}
