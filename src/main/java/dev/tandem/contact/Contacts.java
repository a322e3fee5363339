package dev.tandem.contact;

import dev.tandem.error.Conflict;
import dev.tandem.error.InvalidInput;
import dev.tandem.error.NotFound;
import dev.tandem.store.Ids;
import dev.tandem.store.NamedSql;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Contacts and their addresses. An address belongs to at most one contact. */
public final class Contacts {
  private final Jdbi jdbi;
  private final Clock clock;
  private final PhoneNumbers phones;
  private final String insertContact;
  private final String insertAddress;
  private final String ownerOfAddress;
  private final String ownerOfExternalId;
  private final String findById;

  public Contacts(Jdbi jdbi, Clock clock, PhoneNumbers phones) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.phones = phones;
    var sql = NamedSql.forClass(Contacts.class);
    this.insertContact = sql.get("insertContact");
    this.insertAddress = sql.get("insertAddress");
    this.ownerOfAddress = sql.get("ownerOfAddress");
    this.ownerOfExternalId = sql.get("ownerOfExternalId");
    this.findById = sql.get("findById");
  }

  public PhoneNumbers phoneNumbers() {
    return phones;
  }

  /**
   * Creates a contact. Throws {@link InvalidInput} for a bad field and {@link Conflict} when
   * another contact already has the phone, the email or the external id.
   */
  public Contact create(NewContact request) {
    String phone = blank(request.phone()) ? null : phones.require("phone", request.phone());
    String email =
        blank(request.email()) ? null : EmailAddresses.normalize("email", request.email());
    String name = blank(request.name()) ? null : limited("name", request.name().strip(), 200);
    String externalId =
        blank(request.externalId())
            ? null
            : limited("externalId", request.externalId().strip(), 200);
    String timeZone = blank(request.timeZone()) ? null : zone(request.timeZone().strip());
    if (phone == null && email == null && name == null && externalId == null) {
      throw new InvalidInput(
          "empty-contact",
          "phone",
          "A contact needs at least one of phone, email, name or externalId.");
    }
    UUID id = Ids.next(clock);
    Instant now =
        clock
            .instant()
            .truncatedTo(java.time.temporal.ChronoUnit.MICROS); // PostgreSQL keeps microseconds
    return jdbi.inTransaction(handle -> {
      if (externalId != null) {
        handle
            .createQuery(ownerOfExternalId)
            .bind("externalId", externalId)
            .mapTo(UUID.class)
            .findOne()
            .ifPresent(other -> {
              throw new Conflict(
                  "external-id-taken",
                  "externalId",
                  "externalId '" + externalId + "' already belongs to contact " + other + ".");
            });
      }
      handle
          .createUpdate(insertContact)
          .bind("id", id)
          .bind("externalId", externalId)
          .bind("name", name)
          .bind("timeZone", timeZone)
          .bind("createdAt", now)
          .execute();
      if (phone != null) {
        claimAddress(handle, id, "phone", phone, now);
      }
      if (email != null) {
        claimAddress(handle, id, "email", email, now);
      }
      return new Contact(
          id,
          Optional.ofNullable(externalId),
          Optional.ofNullable(name),
          Optional.ofNullable(phone),
          Optional.ofNullable(email),
          Optional.ofNullable(timeZone),
          now);
    });
  }

  private void claimAddress(Handle handle, UUID contactId, String kind, String value, Instant now) {
    int inserted =
        handle
            .createUpdate(insertAddress)
            .bind("kind", kind)
            .bind("value", value)
            .bind("contactId", contactId)
            .bind("createdAt", now)
            .execute();
    if (inserted == 0) {
      UUID other =
          handle
              .createQuery(ownerOfAddress)
              .bind("kind", kind)
              .bind("value", value)
              .mapTo(UUID.class)
              .one();
      throw new Conflict(
          kind + "-taken",
          kind,
          "The " + kind + " " + value + " already belongs to contact " + other + ".");
    }
  }

  public Optional<Contact> find(UUID id) {
    return jdbi.withHandle(handle ->
        handle
            .createQuery(findById)
            .bind("id", id)
            .map((rs, ctx) ->
                new Contact(
                    rs.getObject("id", UUID.class),
                    Optional.ofNullable(rs.getString("external_id")),
                    Optional.ofNullable(rs.getString("name")),
                    Optional.ofNullable(rs.getString("phone")),
                    Optional.ofNullable(rs.getString("email")),
                    Optional.ofNullable(rs.getString("time_zone")),
                    rs.getTimestamp("created_at").toInstant()))
            .findOne());
  }

  public Contact get(UUID id) {
    return find(id)
        .orElseThrow(() ->
            new NotFound("contact-not-found", "contactId", "There is no contact " + id + "."));
  }

  /** The contact with this phone number, written in any form. */
  public Optional<Contact> findByPhone(String raw) {
    return findByAddress("phone", phones.require("phone", raw));
  }

  public Optional<Contact> findByEmail(String raw) {
    return findByAddress("email", EmailAddresses.normalize("email", raw));
  }

  private Optional<Contact> findByAddress(String kind, String value) {
    return jdbi.withHandle(handle ->
            handle
                .createQuery(ownerOfAddress)
                .bind("kind", kind)
                .bind("value", value)
                .mapTo(UUID.class)
                .findOne())
        .flatMap(this::find);
  }

  /**
   * The contact that owns this E.164 number, created if there is none (an inbound SMS from an
   * unknown number). Safe when two callers race: the unique address decides.
   */
  public Contact findOrCreateByPhone(String e164) {
    for (int attempt = 0; ; attempt++) {
      Optional<Contact> existing = findByAddress("phone", e164);
      if (existing.isPresent()) {
        return existing.get();
      }
      try {
        return create(new NewContact(e164, null, null, null, null));
      } catch (Conflict raced) {
        if (attempt > 2) {
          throw raced;
        }
      }
    }
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }

  private static String limited(String field, String value, int max) {
    if (value.length() > max) {
      throw new InvalidInput(
          "too-long",
          field,
          field + " is " + value.length() + " characters; the limit is " + max + ".");
    }
    return value;
  }

  private static String zone(String value) {
    try {
      return ZoneId.of(value).getId();
    } catch (DateTimeException e) {
      throw new InvalidInput(
          "invalid-time-zone",
          "timeZone",
          "'" + value + "' is not a time zone. Use an IANA name such as Europe/Paris.");
    }
  }
}
