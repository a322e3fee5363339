package dev.tandem.api;

/**
 * A request this caller may not make: a webhook signature that does not verify, a key without the
 * scope (403).
 */
final class Forbidden extends RuntimeException {
  Forbidden(String message) {
    super(message);
  }
}
