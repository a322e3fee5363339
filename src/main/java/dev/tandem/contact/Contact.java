package dev.tandem.contact;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** One person, whichever addresses they have. Phone is E.164; email is normalized. */
public record Contact(
    UUID id,
    Optional<String> externalId,
    Optional<String> name,
    Optional<String> phone,
    Optional<String> email,
    Optional<String> timeZone,
    Instant createdAt) {}
