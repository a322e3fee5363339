package dev.tandem.routing;

public record Gate(boolean allowed, String code, String reason) {}
