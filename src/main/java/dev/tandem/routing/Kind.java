package dev.tandem.routing;

public enum Kind {
  NOW,
  DEFERRED,
  FALLBACK,
  POINTER
}
