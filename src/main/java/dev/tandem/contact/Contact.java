package dev.tandem.contact;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * One person, whichever addresses they have. Phones are E.164, emails normalized; {@code phone} and
 * {@code email} are the first of each (where messages go), {@code phones} and {@code emails} all.
 */
public record Contact(
    UUID id,
    Optional<String> externalId,
    Optional<String> name,
    Optional<String> phone,
    Optional<String> email,
    Optional<String> timeZone,
    Instant createdAt,
    java.util.List<String> phones,
    java.util.List<String> emails,
    Optional<String> locale) {}
