package dev.tandem.contact;

import dev.tandem.error.Conflict;
import dev.tandem.error.InvalidInput;
import dev.tandem.error.NotFound;
import dev.tandem.event.Changes;
import dev.tandem.event.Timeline;
import dev.tandem.event.TimelineEvent;
import dev.tandem.store.Ids;
import dev.tandem.store.NamedSql;
import dev.tandem.store.Page;
import dev.tandem.store.PageRequest;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

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
  private final String findByAddress;
  private final String page;
  private final Timeline timeline;
  private final Changes changes;
  private final String survivorOf;
  private final String erasedAt;
  private final String lockPair;
  private final List<ContactData> registered = new CopyOnWriteArrayList<>();
  private final ContactData own;
  private final String setExternalId;
  private final String insertMerge;
  private final String mergesOf;
  private final String updateFields;
  private final String updateProfile;

  public Contacts(Jdbi jdbi, Clock clock, PhoneNumbers phones, Timeline timeline, Changes changes) {
    this.timeline = timeline;
    this.changes = changes;
    this.jdbi = jdbi;
    this.clock = clock;
    this.phones = phones;
    var sql = NamedSql.forClass(Contacts.class);
    this.insertContact = sql.get("insertContact");
    this.insertAddress = sql.get("insertAddress");
    this.ownerOfAddress = sql.get("ownerOfAddress");
    this.ownerOfExternalId = sql.get("ownerOfExternalId");
    this.findById = sql.get("findById");
    this.findByAddress = sql.get("findByAddress");
    this.page = sql.get("page");
    this.survivorOf = sql.get("survivorOf");
    this.erasedAt = sql.get("erasedAt");
    this.lockPair = sql.get("lockPair");
    this.own =
        new Own(
            List.of(sql.get("moveAddresses"), sql.get("absorb"), sql.get("tombstone")),
            sql.get("deleteAddresses"),
            sql.get("eraseContacts"));
    this.setExternalId = sql.get("setExternalId");
    this.insertMerge = sql.get("insertMerge");
    this.mergesOf = sql.get("mergesOf");
    this.updateFields = sql.get("updateFields");
    this.updateProfile = sql.get("updateProfile");
  }

  public PhoneNumbers phoneNumbers() {
    return phones;
  }

  /**
   * Creates a contact. Throws {@link InvalidInput} for a bad field and {@link Conflict} when
   * another contact already has the phone, the email or the external id.
   */
  public Contact create(NewContact request) {
    return jdbi.inTransaction(handle -> create(handle, request));
  }

  /** Creates a contact in the caller's transaction, so that it is undone with the rest. */
  public Contact create(Handle handle, NewContact request) {
    String phone = blank(request.phone()) ? null : phones.require("phone", request.phone());
    String email =
        blank(request.email()) ? null : EmailAddresses.normalize("email", request.email());
    String name = blank(request.name()) ? null : limited("name", request.name().strip(), 200);
    String externalId =
        blank(request.externalId())
            ? null
            : limited("externalId", request.externalId().strip(), 200);
    String timeZone = blank(request.timeZone()) ? null : zone(request.timeZone().strip());
    String locale = blank(request.locale()) ? null : Locales.normalize("locale", request.locale());
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
        .bind("locale", locale)
        .bind("createdAt", now)
        .execute();
    if (phone != null) {
      claimAddress(handle, id, "phone", phone, now);
    }
    if (email != null) {
      claimAddress(handle, id, "email", email, now);
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("phone", phone);
    data.put("email", email);
    data.put("name", name);
    data.put("externalId", externalId);
    changes.append(handle, List.of(new Changes.NewChange(id, "contact.created", data, now)));
    return new Contact(
        id,
        Optional.ofNullable(externalId),
        Optional.ofNullable(name),
        Optional.ofNullable(phone),
        Optional.ofNullable(email),
        Optional.ofNullable(timeZone),
        now,
        phone == null ? java.util.List.of() : java.util.List.of(phone),
        email == null ? java.util.List.of() : java.util.List.of(email),
        Optional.ofNullable(locale));
  }

  /**
   * Adds a phone or an email to a contact. Throws {@link Conflict} when another contact has it
   * (merge the two if they are one person); adding an address the contact has already is a no-op.
   */
  public Contact addAddress(UUID contactId, String phone, String email) {
    if ((phone == null) == (email == null)) {
      throw new InvalidInput("one-address", "phone", "Give one address to add: phone or email.");
    }
    UUID id = get(contactId).id();
    String kind = phone != null ? "phone" : "email";
    String value =
        phone != null ? phones.require("phone", phone) : EmailAddresses.normalize("email", email);
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    jdbi.useTransaction(handle -> {
      Optional<UUID> owner =
          handle
              .createQuery(ownerOfAddress)
              .bind("kind", kind)
              .bind("value", value)
              .mapTo(UUID.class)
              .findOne();
      if (owner.isPresent()) {
        if (!owner.get().equals(id)) {
          throw new Conflict(
              kind + "-taken",
              kind,
              "The "
                  + kind
                  + " "
                  + value
                  + " belongs to contact "
                  + owner.get()
                  + ". If they are one person, merge them: POST /v1/contacts/merge.");
        }
        return;
      }
      claimAddress(handle, id, kind, value, now);
      changes.append(
          handle,
          List.of(new Changes.NewChange(id, "contact.updated", Map.of("added", kind), now)));
    });
    return get(id);
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

  /** A contact's own fields, as a batch writer (the importer) has already checked them. */
  public record Fields(UUID id, String externalId, String name, String timeZone, String locale) {}

  /** An address of a contact, normalized by the caller. */
  public record Address(String kind, String value, UUID contactId) {}

  /**
   * Inserts contacts in one batch, in the caller's transaction. The fields must be valid already
   * (the importer checks a whole file before it writes): nothing is checked here.
   */
  public void insertBatch(Handle handle, List<Fields> contacts, Instant createdAt) {
    if (contacts.isEmpty()) {
      return;
    }
    PreparedBatch batch = handle.prepareBatch(insertContact);
    for (Fields c : contacts) {
      batch
          .bind("id", c.id())
          .bind("externalId", c.externalId())
          .bind("name", c.name())
          .bind("timeZone", c.timeZone())
          .bind("locale", c.locale())
          .bind("createdAt", createdAt)
          .add();
    }
    batch.execute();
  }

  /**
   * Adds addresses in one batch, in the caller's transaction; an address another contact holds
   * already is left with it (the caller resolved owners first).
   */
  public void addAddressesBatch(Handle handle, List<Address> addresses, Instant createdAt) {
    if (addresses.isEmpty()) {
      return;
    }
    PreparedBatch batch = handle.prepareBatch(insertAddress);
    for (Address a : addresses) {
      batch
          .bind("kind", a.kind())
          .bind("value", a.value())
          .bind("contactId", a.contactId())
          .bind("createdAt", createdAt)
          .add();
    }
    batch.execute();
  }

  /** Overwrites the fields of existing contacts in one batch, in the caller's transaction. */
  public void updateBatch(Handle handle, List<Fields> contacts) {
    if (contacts.isEmpty()) {
      return;
    }
    PreparedBatch batch = handle.prepareBatch(updateFields);
    for (Fields c : contacts) {
      batch
          .bind("id", c.id())
          .bind("name", c.name())
          .bind("externalId", c.externalId())
          .bind("timeZone", c.timeZone())
          .bind("locale", c.locale())
          .add();
    }
    batch.execute();
  }

  public Optional<Contact> find(UUID id) {
    return jdbi.withHandle(handle ->
        handle.createQuery(findById).bind("id", id).map((rs, ctx) -> contact(rs)).findOne());
  }

  /** The contact, or the one it was merged into. */
  /**
   * A change to a contact's own fields, as a PATCH: a field that is {@code null} here is left as it
   * is; {@link Optional#empty()} clears it.
   */
  public record Profile(
      Optional<String> name, Optional<String> timeZone, Optional<String> locale) {}

  /** Sets the fields {@code change} names; returns the contact as it is now. */
  @SuppressWarnings("OptionalAssignedToNull")
  public Contact update(UUID id, Profile change) {
    Contact contact = get(id);
    String name =
        change.name() == null || change.name().isEmpty() || blank(change.name().get())
            ? null
            : limited("name", change.name().get().strip(), 200);
    String timeZone =
        change.timeZone() == null || change.timeZone().isEmpty() || blank(change.timeZone().get())
            ? null
            : zone(change.timeZone().get().strip());
    String locale =
        change.locale() == null || change.locale().isEmpty() || blank(change.locale().get())
            ? null
            : Locales.normalize("locale", change.locale().get());
    jdbi.useTransaction(handle -> {
      handle
          .createUpdate(updateProfile)
          .bind("id", contact.id())
          .bind("setName", change.name() != null)
          .bind("name", name)
          .bind("setTimeZone", change.timeZone() != null)
          .bind("timeZone", timeZone)
          .bind("setLocale", change.locale() != null)
          .bind("locale", locale)
          .execute();
      Map<String, Object> data = new LinkedHashMap<>();
      if (change.name() != null) {
        data.put("name", name);
      }
      if (change.timeZone() != null) {
        data.put("timeZone", timeZone);
      }
      if (change.locale() != null) {
        data.put("locale", locale);
      }
      changes.append(
          handle,
          List.of(
              new Changes.NewChange(
                  contact.id(),
                  "contact.updated",
                  data,
                  clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS))));
    });
    return get(contact.id());
  }

  public Contact get(UUID id) {
    Optional<UUID> current =
        jdbi.withHandle(h -> h.createQuery(survivorOf).bind("id", id).mapTo(UUID.class).findOne());
    current
        .flatMap(c ->
            jdbi.withHandle(
                h -> h.createQuery(erasedAt).bind("id", c).mapTo(Instant.class).findOne()))
        .ifPresent(at -> {
          throw new NotFound(
              "contact-erased",
              "contactId",
              "Contact " + id + " was erased at the person's request at " + at + ".");
        });
    return current
        .flatMap(this::find)
        .orElseThrow(() ->
            new NotFound("contact-not-found", "contactId", "There is no contact " + id + "."));
  }

  /** A merge as recorded. */
  public record Merge(
      long id, UUID survivor, UUID merged, boolean automatic, String reason, Instant at) {}

  /**
   * Merges {@code merged} into {@code survivor}: addresses, messages, deliveries, inbound mail and
   * SMS, timeline, consent events and state (the newer state wins) all move; the survivor keeps its
   * fields and takes those it lacks; {@code merged} stays as a tombstone that forwards to the
   * survivor. Two different external ids are two people in the source system: refused.
   */
  public Merge merge(UUID survivor, UUID merged, boolean automatic, String reason) {
    return jdbi.inTransaction(handle -> merge(handle, survivor, merged, automatic, reason));
  }

  public Merge merge(Handle handle, UUID survivor, UUID merged, boolean automatic, String reason) {
    if (survivor.equals(merged)) {
      throw new InvalidInput(
          "same-contact", "merged", "survivor and merged are the same contact " + survivor + ".");
    }
    record Row(UUID id, String externalId, UUID mergedInto, boolean erased) {}
    var rows =
        handle
            .createQuery(lockPair)
            .bind("a", survivor)
            .bind("b", merged)
            .map((rs, ctx) ->
                new Row(
                    rs.getObject("id", UUID.class),
                    rs.getString("external_id"),
                    rs.getObject("merged_into", UUID.class),
                    rs.getTimestamp("erased_at") != null))
            .list();
    for (UUID id : List.of(survivor, merged)) {
      Row row =
          rows.stream()
              .filter(r -> r.id().equals(id))
              .findFirst()
              .orElseThrow(() ->
                  new NotFound(
                      "contact-not-found",
                      id.equals(survivor) ? "survivor" : "merged",
                      "There is no contact " + id + "."));
      if (row.mergedInto() != null || row.erased()) {
        throw new Conflict(
            "contact-gone",
            id.equals(survivor) ? "survivor" : "merged",
            "Contact "
                + id
                + (row.erased() ? " was erased." : " was merged into " + row.mergedInto() + ".")
                + " Merge the contact that holds the record now.");
      }
    }
    String survivorExt =
        rows.stream().filter(r -> r.id().equals(survivor)).findFirst().orElseThrow().externalId();
    String mergedExt =
        rows.stream().filter(r -> r.id().equals(merged)).findFirst().orElseThrow().externalId();
    if (survivorExt != null && mergedExt != null && !survivorExt.equals(mergedExt)) {
      throw new Conflict(
          "external-ids-differ",
          "merged",
          "Contact "
              + survivor
              + " has externalId '"
              + survivorExt
              + "' and "
              + merged
              + " has '"
              + mergedExt
              + "': the source system says they are two people. Fix the ids there first.");
    }
    for (ContactData data : data()) {
      data.merge(handle, merged, survivor);
    }
    if (mergedExt != null) {
      handle
          .createUpdate(setExternalId)
          .bind("survivor", survivor)
          .bind("externalId", mergedExt)
          .execute();
    }
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    long id =
        handle
            .createUpdate(insertMerge)
            .bind("survivor", survivor)
            .bind("merged", merged)
            .bind("automatic", automatic)
            .bind("reason", reason)
            .bind("at", now)
            .executeAndReturnGeneratedKeys("id")
            .mapTo(Long.class)
            .one();
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("merged", merged.toString());
    detail.put("automatic", automatic);
    detail.put("reason", reason);
    timeline.append(
        handle,
        List.of(new TimelineEvent(survivor, now, "contact.merged", null, null, null, detail)));
    changes.append(handle, List.of(new Changes.NewChange(survivor, "contact.merged", detail, now)));
    return new Merge(id, survivor, merged, automatic, reason, now);
  }

  /**
   * Adds a feature's part of merge and erasure. {@code App} registers one per feature before it
   * serves; a table is covered by one of them only.
   */
  public void register(ContactData data) {
    for (ContactData other : data()) {
      for (String table : data.tables()) {
        if (other.tables().contains(table)) {
          throw new IllegalStateException(
              "table "
                  + table
                  + " is covered twice: by the hook for "
                  + other.tables()
                  + " and by the one for "
                  + data.tables());
        }
      }
    }
    registered.add(data);
  }

  /** What merge and erasure reach, in the order they run: the features, then the contact itself. */
  public List<ContactData> data() {
    var all = new ArrayList<ContactData>(registered);
    all.add(own);
    return List.copyOf(all);
  }

  /**
   * Erases the person from every feature and blanks their contact records, in the caller's
   * transaction ({@code privacy} decides who and finds their addresses).
   */
  public void eraseData(Handle handle, ContactData.Erasure erasure) {
    for (ContactData data : data()) {
      data.erase(handle, erasure);
    }
  }

  /**
   * The contact's own tables: addresses move with a merge, the merged record keeps only the pointer
   * to its survivor, and an erased record keeps only its id and when it was erased. contact_merge
   * holds ids only and is kept, so forwarding keeps working.
   */
  private static final class Own implements ContactData {
    private final List<String> merge;
    private final String deleteAddresses;
    private final String eraseContacts;

    Own(List<String> merge, String deleteAddresses, String eraseContacts) {
      this.merge = merge;
      this.deleteAddresses = deleteAddresses;
      this.eraseContacts = eraseContacts;
    }

    @Override
    public List<String> tables() {
      return List.of("contact", "contact_address", "contact_merge");
    }

    @Override
    public void merge(Handle handle, UUID from, UUID into) {
      for (String statement : merge) {
        handle.createUpdate(statement).bind("survivor", into).bind("merged", from).execute();
      }
    }

    @Override
    public void erase(Handle handle, Erasure erasure) {
      handle.createUpdate(deleteAddresses).bind("ids", erasure.ids()).execute();
      handle
          .createUpdate(eraseContacts)
          .bind("ids", erasure.ids())
          .bind("now", erasure.at())
          .execute();
    }

    @Override
    public String toString() {
      return "Contacts" + tables();
    }
  }

  /** Every merge this contact took part in, oldest first. */
  public List<Merge> merges(UUID contactId) {
    return jdbi.withHandle(h ->
        h.createQuery(mergesOf)
            .bind("id", contactId)
            .map((rs, ctx) ->
                new Merge(
                    rs.getLong("id"),
                    rs.getObject("survivor", UUID.class),
                    rs.getObject("merged", UUID.class),
                    rs.getBoolean("automatic"),
                    rs.getString("reason"),
                    rs.getTimestamp("at").toInstant()))
            .list());
  }

  /** The contact with this phone number, written in any form. */
  /** Every contact (merged records left out), newest first, a page at a time. */
  public Page<Contact> page(PageRequest request) {
    UUID after = request.isFirst() ? Ids.HIGHEST : request.uuid(0);
    List<Contact> rows =
        jdbi.withHandle(handle ->
            handle
                .createQuery(page)
                .bind("after", after)
                .bind("limit", request.limit() + 1)
                .map((rs, ctx) -> contact(rs))
                .list());
    return request.page(rows, c -> List.of(c.id().toString()));
  }

  public Optional<Contact> findByPhone(String raw) {
    return findByAddress("phone", phones.require("phone", raw));
  }

  public Optional<Contact> findByEmail(String raw) {
    return findByAddress("email", EmailAddresses.normalize("email", raw));
  }

  private Optional<Contact> findByAddress(String kind, String value) {
    return jdbi.withHandle(handle -> findByAddress(handle, kind, value));
  }

  /** The contact with this phone number, in the caller's transaction. */
  public Optional<Contact> findByPhone(Handle handle, String raw) {
    return findByAddress(handle, "phone", phones.require("phone", raw));
  }

  /** The contact with this email address, in the caller's transaction. */
  public Optional<Contact> findByEmail(Handle handle, String raw) {
    return findByAddress(handle, "email", EmailAddresses.normalize("email", raw));
  }

  private Optional<Contact> findByAddress(Handle handle, String kind, String value) {
    return handle
        .createQuery(findByAddress)
        .bind("kind", kind)
        .bind("value", value)
        .map((rs, ctx) -> contact(rs))
        .findOne();
  }

  private static Contact contact(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Contact(
        rs.getObject("id", UUID.class),
        Optional.ofNullable(rs.getString("external_id")),
        Optional.ofNullable(rs.getString("name")),
        Optional.ofNullable(rs.getString("phone")),
        Optional.ofNullable(rs.getString("email")),
        Optional.ofNullable(rs.getString("time_zone")),
        rs.getTimestamp("created_at").toInstant(),
        java.util.List.of((String[]) rs.getArray("phones").getArray()),
        java.util.List.of((String[]) rs.getArray("emails").getArray()),
        Optional.ofNullable(rs.getString("locale")));
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
