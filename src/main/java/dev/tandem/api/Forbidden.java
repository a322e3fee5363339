package dev.tandem.api;

/** A webhook whose signature does not verify (403). */
final class Forbidden extends RuntimeException {
  Forbidden(String message) {
    super(message);
  }
}
