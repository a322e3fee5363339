package dev.tandem.api;

/** A /v1 request without a valid API key (401). */
final class Unauthorized extends RuntimeException {
  Unauthorized(String message) {
    super(message);
  }
}
