package dev.tandem.routing;

public record Content(int smsSegments) {}
