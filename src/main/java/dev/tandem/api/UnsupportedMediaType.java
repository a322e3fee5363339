package dev.tandem.api;

/** A request body in a media type or charset the route does not read (415). */
final class UnsupportedMediaType extends RuntimeException {
  UnsupportedMediaType(String message) {
    super(message);
  }
}
