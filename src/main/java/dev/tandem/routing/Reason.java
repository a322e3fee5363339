package dev.tandem.routing;

public record Reason(String code, String text) {}
