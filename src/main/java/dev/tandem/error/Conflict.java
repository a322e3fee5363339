package dev.tandem.error;

/** A request that clashes with what is stored (an address another contact owns, …). */
public final class Conflict extends TandemException {
  public Conflict(String code, String field, String message) {
    super(code, field, message);
  }
}
