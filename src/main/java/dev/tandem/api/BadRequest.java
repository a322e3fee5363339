package dev.tandem.api;

/** A request body that is not the JSON the route expects (400). */
final class BadRequest extends RuntimeException {
  private final String field;

  BadRequest(String field, String message) {
    super(message);
    this.field = field;
  }

  String field() {
    return field;
  }
}
