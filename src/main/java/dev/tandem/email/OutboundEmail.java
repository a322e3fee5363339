package dev.tandem.email;

import java.util.Optional;
import java.util.UUID;

/**
 * One email to send. {@code messageId} is the RFC 5322 Message-ID without angle brackets; at least
 * one of {@code html} and {@code text} is present (the gateway derives the text part from HTML).
 */
public record OutboundEmail(
    UUID deliveryId,
    String messageId,
    String from,
    String to,
    String subject,
    Optional<String> html,
    Optional<String> text) {}
