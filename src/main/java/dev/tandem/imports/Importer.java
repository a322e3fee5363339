package dev.tandem.imports;

import dev.tandem.consent.ConsentChange;
import dev.tandem.consent.ConsentLedger;
import dev.tandem.consent.ErasedAddresses;
import dev.tandem.contact.Contacts;
import dev.tandem.contact.EmailAddresses;
import dev.tandem.error.InvalidInput;
import dev.tandem.error.TandemException;
import dev.tandem.event.Changes;
import dev.tandem.store.Ids;
import dev.tandem.store.NamedSql;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Imports a contact list (SMS, email or mixed) from CSV: resolves each row to one person by its
 * normalized phone, email or external id (names never merge anyone; a name that contradicts keeps
 * two records apart and is reported), records per-channel consent in the ledger, and reports what
 * it did. Rows are read and parsed on one thread while the chunk before is written on the caller's,
 * 1,000 at a time, so memory does not grow with the file; the whole import is one transaction, so a
 * malformed file leaves nothing behind and a dry run is a rollback. Importing the same file again
 * changes nothing.
 */
public final class Importer {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Importer.class);

  static final int CHUNK = 1000;
  private static final char NUL = '\u0000';

  /** The tables an import writes. */
  private static final List<String> WRITTEN =
      List.of("contact", "contact_address", "consent_event", "consent_state", "change", "event");

  /** The fields a column can fill, with the header names recognized without a mapping. */
  enum Field {
    PHONE("phone", "mobile", "phonenumber", "mobilephone", "cell", "msisdn"),
    EMAIL("email", "emailaddress", "mail"),
    NAME("name", "fullname"),
    EXTERNAL_ID("externalid", "customerid", "crmid"),
    TIME_ZONE("timezone", "tz"),
    LOCALE("locale", "language", "lang"),
    TOPIC("topic"),
    SMS_CONSENT("smsconsent", "smsoptin"),
    SMS_CONSENT_DATE("smsconsentdate", "smsoptindate"),
    SMS_CONSENT_SOURCE("smsconsentsource"),
    SMS_CONSENT_WORDING("smsconsentwording"),
    EMAIL_CONSENT("emailconsent", "emailoptin"),
    EMAIL_CONSENT_DATE("emailconsentdate", "emailoptindate"),
    EMAIL_CONSENT_SOURCE("emailconsentsource"),
    EMAIL_CONSENT_WORDING("emailconsentwording");

    final List<String> aliases;

    Field(String... aliases) {
      this.aliases = List.of(aliases);
    }

    String key() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Field of(String name) {
      String wanted = simplify(name);
      for (Field f : values()) {
        if (simplify(f.key()).equals(wanted)) {
          return f;
        }
      }
      return null;
    }
  }

  /**
   * @param mapping field → header, for columns whose header Tandem does not recognize
   * @param topic the topic of the consent columns when the file has no topic column ({@code *}:
   *     every topic, for opt-out lists)
   */
  public record Options(
      Map<String, String> mapping, String topic, boolean dryRun, Charset charset, String name) {
    public Options {
      mapping = Map.copyOf(mapping);
      charset = charset == null ? StandardCharsets.UTF_8 : charset;
      name = name == null ? "import" : name;
    }
  }

  /** Told how far the import is, every chunk. */
  public interface Progress {
    void update(long bytes, long rows);

    Progress NONE = (bytes, rows) -> {};
  }

  private final Jdbi jdbi;
  private final Clock clock;
  private final Contacts contacts;
  private final ConsentLedger ledger;
  private final Changes changes;
  private final ErasedAddresses erased;
  private final String owners;
  private final String contactsById;
  private final String erasedAmong;
  private final String statesOf;
  private final String existingKeys;
  private final ImportRuns runs;

  public Importer(
      Jdbi jdbi,
      Clock clock,
      Contacts contacts,
      ConsentLedger ledger,
      Changes changes,
      ErasedAddresses erased) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.contacts = contacts;
    this.ledger = ledger;
    this.changes = changes;
    this.erased = erased;
    var sql = NamedSql.forClass(Importer.class);
    this.owners = sql.get("owners");
    this.contactsById = sql.get("contactsById");
    this.erasedAmong = sql.get("erasedAmong");
    this.statesOf = sql.get("statesOf");
    this.existingKeys = sql.get("existingKeys");
    this.runs = new ImportRuns(jdbi);
  }

  /**
   * Imports the CSV. Throws {@link InvalidInput} (field {@code file}, with the line) when the file
   * is malformed; then nothing is written.
   */
  public ImportReport run(InputStream input, Options options, Progress progress) {
    UUID id = Ids.next(clock);
    Instant started = clock.instant();
    try {
      ImportReport report = importFile(input, options, progress);
      report.id = id;
      runs.record(id, options.name(), options.dryRun(), report, null, started, clock.instant());
      LOG.info(
          "import {}{} finished in {} ms: {} rows, {} created, {} updated, {} merged, {} unchanged,"
              + " {} rejected, {} consent events",
          id,
          options.dryRun() ? " (dry run)" : "",
          Duration.between(started, clock.instant()).toMillis(),
          report.rows,
          report.created,
          report.updated,
          report.merged,
          report.unchanged,
          report.rejected,
          report.consentEvents);
      return report;
    } catch (RuntimeException e) {
      String why =
          e instanceof TandemException
              ? e.getMessage()
              : "the import stopped (" + e.getClass().getSimpleName() + "); nothing was imported";
      // the reason may quote a value from the file: the log names only its code
      LOG.warn(
          "import {} refused ({}); nothing was imported; GET /v1/imports/{} says why",
          id,
          e instanceof TandemException t ? t.code() : e.getClass().getSimpleName(),
          id);
      try {
        runs.record(id, options.name(), options.dryRun(), null, why, started, clock.instant());
      } catch (RuntimeException recording) {
        e.addSuppressed(recording);
      }
      throw e;
    }
  }

  /** The history of imports, which this importer keeps. */
  public ImportRuns runs() {
    return runs;
  }

  private ImportReport importFile(InputStream input, Options options, Progress progress) {
    var report = new ImportReport();
    report.dryRun = options.dryRun();
    try (var csv = new CsvReader(input, options.charset());
        Handle handle = jdbi.open()) {
      var header = csv.next();
      if (header == null) {
        throw new CsvReader.MalformedCsv(1, "the file is empty; the first line must be a header");
      }
      Columns columns = columns(header.fields(), options);
      handle.begin();
      probeByKey(handle);
      boolean done = false;
      try (var reading = new Reading(csv, new Parser(columns))) {
        long bytes = csv.bytesRead();
        Parsed parsed;
        while ((parsed = reading.next()) != null) {
          new Chunk(handle, columns, options, report).run(parsed);
          bytes = parsed.bytes();
          progress.update(bytes, report.rows);
        }
        progress.update(bytes, report.rows);
        done = true;
      } finally {
        if (done && !options.dryRun()) {
          handle.commit();
        } else {
          handle.rollback();
          sweep();
        }
      }
    } catch (CsvReader.MalformedCsv e) {
      throw new InvalidInput(
          "malformed-csv",
          "file",
          "The file cannot be imported, " + e.getMessage() + ". Nothing was imported.");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return report;
  }

  /**
   * Reads and parses the file on a thread of its own, at most two chunks ahead of the writer: the
   * parsing of one chunk overlaps the writing of the one before, and memory stays that of a few
   * chunks whatever the file's size.
   */
  private static final class Reading implements AutoCloseable {
    private static final Object END = new Object();
    private final BlockingQueue<Object> ready = new ArrayBlockingQueue<>(2);
    private final CsvReader csv;
    private final Thread thread;
    private volatile boolean stopped;

    Reading(CsvReader csv, Parser parser) {
      this.csv = csv;
      this.thread = Thread.ofPlatform().name("import-reader").daemon().start(() -> read(parser));
    }

    private void read(Parser parser) {
      Object last;
      try {
        var records = new ArrayList<CsvReader.Record>(CHUNK);
        CsvReader.Record record;
        while ((record = csv.next()) != null) {
          records.add(record);
          if (records.size() == CHUNK) {
            if (!hand(parser.parse(records, csv.bytesRead()))) {
              return;
            }
            records = new ArrayList<>(CHUNK);
          }
        }
        if (!records.isEmpty() && !hand(parser.parse(records, csv.bytesRead()))) {
          return;
        }
        last = END;
      } catch (RuntimeException | Error e) {
        last = e;
      }
      hand(last);
    }

    /** Hands a chunk (or the end, or a failure) to the writer; false once the writer stopped. */
    private boolean hand(Object item) {
      try {
        while (!stopped) {
          if (ready.offer(item, 100, TimeUnit.MILLISECONDS)) {
            return true;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return false;
    }

    /** The next chunk, or null at the end of the file; rethrows what the reader met. */
    Parsed next() {
      Object item;
      try {
        item = ready.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while importing", e);
      }
      return switch (item) {
        case Parsed parsed -> parsed;
        case RuntimeException e -> throw e;
        case Error e -> throw e;
        default -> null;
      };
    }

    /** Stops the reader, also when it waits on a slow input, and waits for it to end. */
    @Override
    public void close() {
      stopped = true;
      thread.interrupt();
      try {
        csv.close();
      } catch (IOException e) {
        // the input is being abandoned: nothing to do about its close failing
      }
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Every lookup of the import is by key, with an index: planned so, whatever the statistics say.
   * They cannot be trusted here: the tables grow inside this one transaction, unseen by ANALYZE
   * (autovacuum's included), so plans made from them walk whole tables for every chunk.
   */
  private static void probeByKey(Handle handle) {
    handle.execute("SET LOCAL enable_hashjoin = off");
    handle.execute("SET LOCAL enable_mergejoin = off");
    handle.execute("SET LOCAL enable_seqscan = off");
  }

  /**
   * Removes the rows a dry run (or a failed import) wrote and rolled back, and counts the tables
   * anew. Left there, they were counted by nobody: autovacuum's ANALYZE, seconds later, saw tables
   * of many pages and no rows, and the real import that followed ran at 55 rows/s instead of
   * thousands (bench/import.sh after-dry-run).
   */
  private void sweep() {
    jdbi.useHandle(handle -> handle.execute("VACUUM (ANALYZE) " + String.join(", ", WRITTEN)));
  }

  /** Which column holds which field. */
  private record Columns(Map<Field, Integer> index, List<String> header, String topic) {
    int width() {
      return header.size();
    }

    String get(List<String> fields, Field field) {
      Integer i = index.get(field);
      if (i == null || i >= fields.size()) {
        return null;
      }
      String value = fields.get(i).strip();
      return value.isEmpty() ? null : value;
    }

    boolean has(Field field) {
      return index.containsKey(field);
    }
  }

  private Columns columns(List<String> header, Options options) {
    if (header.stream().anyMatch(name -> name.indexOf(NUL) >= 0)) {
      throw new CsvReader.MalformedCsv(
          1, "the header holds a NUL character (U+0000); remove it from the file");
    }
    Map<Field, Integer> index = new LinkedHashMap<>();
    Map<String, Integer> byName = new HashMap<>();
    for (int i = 0; i < header.size(); i++) {
      byName.putIfAbsent(header.get(i).strip(), i);
      byName.putIfAbsent(simplify(header.get(i)), i);
    }
    for (var entry : options.mapping().entrySet()) {
      Field field = Field.of(entry.getKey());
      if (field == null) {
        throw new InvalidInput(
            "unknown-field",
            "map",
            "'"
                + entry.getKey()
                + "' is not a field Tandem imports. Map one of: "
                + java.util.Arrays.stream(Field.values()).map(Field::key).toList()
                + ".");
      }
      Integer column = byName.get(entry.getValue().strip());
      if (column == null) {
        throw new CsvReader.MalformedCsv(
            1,
            "the column '"
                + entry.getValue()
                + "' mapped to "
                + field.key()
                + " is not in the header, which has: "
                + String.join(", ", header));
      }
      index.put(field, column);
    }
    for (Field field : Field.values()) {
      if (index.containsKey(field)) {
        continue;
      }
      for (String alias : field.aliases) {
        Integer column = byName.get(alias);
        if (column != null && !index.containsValue(column)) {
          index.put(field, column);
          break;
        }
      }
    }
    if (!index.containsKey(Field.PHONE)
        && !index.containsKey(Field.EMAIL)
        && !index.containsKey(Field.EXTERNAL_ID)) {
      throw new CsvReader.MalformedCsv(
          1,
          "no column is a phone, an email or an external id (the header has: "
              + String.join(", ", header)
              + "); name them so, or map them with --map phone=COLUMN");
    }
    boolean consent =
        index.containsKey(Field.SMS_CONSENT) || index.containsKey(Field.EMAIL_CONSENT);
    String topic = options.topic();
    if (topic != null && !topic.equals(ConsentChange.ALL_TOPICS)) {
      topic = ledger.topic("topic", topic).key();
    }
    if (consent && topic == null && !index.containsKey(Field.TOPIC)) {
      throw new InvalidInput(
          "missing-topic",
          "topic",
          "The file has consent columns but no topic column: say which topic they are about with"
              + " --topic (one of "
              + ledger.topics().all().stream().map(t -> t.key()).toList()
              + ", or * for every topic, as in an opt-out list).");
    }
    return new Columns(Map.copyOf(index), List.copyOf(header), topic);
  }

  static String simplify(String header) {
    return header.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
  }

  /** A row read and checked. */
  private record Row(
      long line,
      String phone,
      String email,
      String name,
      String externalId,
      String timeZone,
      String locale,
      List<Consent> consents,
      String phoneHash,
      String emailHash) {
    List<String> keys() {
      var keys = new ArrayList<String>(3);
      if (phone != null) {
        keys.add("phone:" + phone);
      }
      if (email != null) {
        keys.add("email:" + email);
      }
      if (externalId != null) {
        keys.add("ext:" + externalId);
      }
      return keys;
    }
  }

  private record Consent(
      String channel,
      String topic,
      ConsentChange.Action action,
      Instant at,
      String source,
      String wording,
      String dedupe) {}

  /** What is known of a contact while its chunk is processed. */
  private static final class Person {
    final UUID id;
    String name;
    String externalId;
    String timeZone;
    String locale;
    final boolean fresh;
    boolean touched;

    /** A field of the stored record changed (not only an address added): the row is updated. */
    boolean fieldsChanged;

    Person(UUID id, String name, String externalId, String timeZone, String locale, boolean fresh) {
      this.id = id;
      this.name = name;
      this.externalId = externalId;
      this.timeZone = timeZone;
      this.locale = locale;
      this.fresh = fresh;
    }
  }

  /** A chunk of records as read and checked, ready to resolve against the database. */
  private record Parsed(int records, List<Row> rows, List<Rejected> rejects, long bytes) {}

  private record Rejected(long line, String why) {}

  /**
   * Reads and checks rows (parsing numbers, dates and consent, hashing): the work that needs no
   * database, done on its own thread while the previous chunk is being written.
   */
  private final class Parser {
    final Columns columns;

    Parser(Columns columns) {
      this.columns = columns;
    }

    Parsed parse(List<CsvReader.Record> records, long bytes) {
      List<Row> rows = new ArrayList<>(records.size());
      List<Rejected> rejects = new ArrayList<>();
      for (CsvReader.Record record : records) {
        try {
          rows.add(parse(record));
        } catch (TandemException e) {
          rejects.add(new Rejected(record.line(), e.getMessage()));
        }
      }
      return new Parsed(records.size(), rows, rejects, bytes);
    }

    Row parse(CsvReader.Record record) {
      List<String> f = record.fields();
      if (f.size() != columns.width()) {
        throw new InvalidInput(
            "wrong-width", "row", f.size() + " fields where the header has " + columns.width());
      }
      for (int i = 0; i < f.size(); i++) {
        if (f.get(i).indexOf(NUL) >= 0) {
          String column = columns.header().get(i);
          throw new InvalidInput(
              "nul-character",
              column,
              "the column '"
                  + column
                  + "' holds a NUL character (U+0000), which cannot be stored; remove it from the"
                  + " file");
        }
      }
      String phone = columns.get(f, Field.PHONE);
      String email = columns.get(f, Field.EMAIL);
      String externalId = columns.get(f, Field.EXTERNAL_ID);
      phone = phone == null ? null : contacts.phoneNumbers().require("phone", phone);
      email = email == null ? null : EmailAddresses.normalize("email", email);
      if (phone == null && email == null && externalId == null) {
        throw new InvalidInput("no-address", "row", "no phone, email or external id");
      }
      String name = columns.get(f, Field.NAME);
      if (name != null && name.length() > 200) {
        throw new InvalidInput("too-long", "name", "the name is longer than 200 characters");
      }
      if (externalId != null && externalId.length() > 200) {
        throw new InvalidInput("too-long", "external_id", "the external id is longer than 200");
      }
      String zone = columns.get(f, Field.TIME_ZONE);
      if (zone != null) {
        try {
          zone = ZoneId.of(zone).getId();
        } catch (DateTimeException e) {
          throw new InvalidInput(
              "invalid-time-zone",
              "time_zone",
              "'" + zone + "' is not a time zone (use an IANA name such as Europe/Paris)");
        }
      }
      String locale = columns.get(f, Field.LOCALE);
      if (locale != null) {
        locale = dev.tandem.contact.Locales.normalize("locale", locale);
      }
      String topic = columns.get(f, Field.TOPIC);
      if (topic == null) {
        topic = columns.topic();
      } else if (!topic.equals(ConsentChange.ALL_TOPICS)) {
        topic = ledger.topic("topic", topic).key();
      }
      List<Consent> consents = new ArrayList<>(2);
      consent(f, "sms", phone, topic, consents);
      consent(f, "email", email, topic, consents);
      return new Row(
          record.line(),
          phone,
          email,
          name,
          externalId,
          zone,
          locale,
          consents,
          phone == null ? null : erased.hash("sms", phone),
          email == null ? null : erased.hash("email", email));
    }

    void consent(List<String> f, String channel, String address, String topic, List<Consent> out) {
      boolean sms = channel.equals("sms");
      String value = columns.get(f, sms ? Field.SMS_CONSENT : Field.EMAIL_CONSENT);
      if (value == null) {
        return;
      }
      String column = channel + "_consent";
      ConsentChange.Action action =
          switch (simplify(value)) {
            case "yes",
                "y",
                "true",
                "1",
                "granted",
                "optedin",
                "optin",
                "subscribed",
                "consented" ->
                ConsentChange.Action.GRANTED;
            case "no",
                "n",
                "false",
                "0",
                "revoked",
                "optedout",
                "optout",
                "unsubscribed",
                "stop",
                "stopped" ->
                ConsentChange.Action.REVOKED;
            default ->
                throw new InvalidInput(
                    "invalid-consent",
                    column,
                    column
                        + " '"
                        + value
                        + "' is neither yes (granted, opted-in) nor no (revoked, opted-out)");
          };
      if (address == null) {
        throw new InvalidInput(
            "consent-without-address",
            column,
            column + " is set but the row has no " + (sms ? "phone" : "email"));
      }
      if (action == ConsentChange.Action.GRANTED && topic.equals(ConsentChange.ALL_TOPICS)) {
        throw new InvalidInput(
            "grant-for-every-topic",
            column,
            "an opt-in is for a topic; give the row a topic (or --topic), * is for opt-outs only");
      }
      String dateValue = columns.get(f, sms ? Field.SMS_CONSENT_DATE : Field.EMAIL_CONSENT_DATE);
      Instant at = dateValue == null ? null : date(column + "_date", dateValue);
      String wording =
          columns.get(f, sms ? Field.SMS_CONSENT_WORDING : Field.EMAIL_CONSENT_WORDING);
      out.add(
          new Consent(
              channel,
              topic,
              action,
              at,
              columns.get(f, sms ? Field.SMS_CONSENT_SOURCE : Field.EMAIL_CONSENT_SOURCE),
              wording,
              dedupeKey(channel, address, topic, action, at, wording)));
    }

    Instant date(String column, String value) {
      Instant at = null;
      try {
        at = Instant.parse(value);
      } catch (DateTimeException e) {
        try {
          at = LocalDateTime.parse(value.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e2) {
          try {
            at = LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
          } catch (DateTimeException e3) {
            throw new InvalidInput(
                "invalid-date",
                column,
                column
                    + " '"
                    + value
                    + "' is not a date; write 2026-01-31, 2026-01-31 14:30 or an ISO-8601 instant");
          }
        }
      }
      if (at.isAfter(clock.instant())) {
        throw new InvalidInput("future-date", column, column + " '" + value + "' is in the future");
      }
      return at;
    }
  }

  /** One chunk of rows: read what the database knows about them, resolve, write. */
  private final class Chunk {
    final Handle handle;
    final Columns columns;
    final Options options;
    final ImportReport report;
    final Map<String, UUID> owner = new HashMap<>();
    final Map<UUID, Person> people = new HashMap<>();
    final Map<String, String> consentState = new HashMap<>();
    final Set<String> knownKeys = new HashSet<>();
    final List<Person> created = new ArrayList<>();
    final List<String[]> addresses = new ArrayList<>();
    final List<ConsentChange> consentChanges = new ArrayList<>();
    final Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);

    Chunk(Handle handle, Columns columns, Options options, ImportReport report) {
      this.handle = handle;
      this.columns = columns;
      this.options = options;
      this.report = report;
    }

    void run(Parsed parsed) {
      report.rows += parsed.records();
      parsed.rejects().forEach(r -> report.reject(r.line(), r.why()));
      List<Row> rows = parsed.rows();
      if (rows.isEmpty()) {
        return;
      }
      load(rows);
      Set<String> erasedKeys = erasedKeys(rows);
      for (Row row : rows) {
        if (row.keys().stream().anyMatch(erasedKeys::contains)) {
          report.reject(
              row.line(),
              "this person's data was erased at their request; an erased address is never"
                  + " imported again");
          continue;
        }
        resolve(row);
      }
      flush();
    }

    /** What the database knows about the chunk's addresses, their owners and consent. */
    void load(List<Row> rows) {
      var kinds = new ArrayList<String>();
      var values = new ArrayList<String>();
      for (Row row : rows) {
        for (String key : row.keys()) {
          int colon = key.indexOf(':');
          kinds.add(key.substring(0, colon));
          values.add(key.substring(colon + 1));
        }
      }
      if (kinds.isEmpty()) {
        return;
      }
      handle
          .createQuery(owners)
          .bind("kinds", kinds.toArray(String[]::new))
          .bind("values", values.toArray(String[]::new))
          .map((rs, ctx) ->
              Map.entry(
                  rs.getString("kind") + ":" + rs.getString("value"),
                  rs.getObject("contact_id", UUID.class)))
          .forEach(e -> owner.put(e.getKey(), e.getValue()));
      UUID[] ids = owner.values().stream().distinct().toArray(UUID[]::new);
      if (ids.length == 0) {
        return;
      }
      handle
          .createQuery(contactsById)
          .bind("ids", ids)
          .map((rs, ctx) ->
              new Person(
                  rs.getObject("id", UUID.class),
                  rs.getString("name"),
                  rs.getString("external_id"),
                  rs.getString("time_zone"),
                  rs.getString("locale"),
                  false))
          .forEach(p -> people.put(p.id, p));
      loadConsent(ids);
      var keys = new ArrayList<String>();
      for (Row row : rows) {
        for (Consent c : row.consents()) {
          keys.add(c.dedupe());
        }
      }
      if (!keys.isEmpty()) {
        knownKeys.addAll(
            handle
                .createQuery(existingKeys)
                .bind("keys", keys.toArray(String[]::new))
                .mapTo(String.class)
                .list());
      }
    }

    Set<String> erasedKeys(List<Row> rows) {
      Map<String, String> byHash = new HashMap<>();
      Map<String, String> channelOf = new HashMap<>();
      for (Row row : rows) {
        if (row.phone() != null) {
          String hash = row.phoneHash();
          byHash.put(hash, "phone:" + row.phone());
          channelOf.put(hash, "sms");
        }
        if (row.email() != null) {
          String hash = row.emailHash();
          byHash.put(hash, "email:" + row.email());
          channelOf.put(hash, "email");
        }
      }
      String[] hashes = byHash.keySet().toArray(String[]::new);
      String[] channels = new String[hashes.length];
      for (int i = 0; i < hashes.length; i++) {
        channels[i] = channelOf.get(hashes[i]);
      }
      if (byHash.isEmpty()) {
        return Set.of();
      }
      Set<String> keys = new HashSet<>();
      handle
          .createQuery(erasedAmong)
          .bind("channels", channels)
          .bind("hashes", hashes)
          .mapTo(String.class)
          .forEach(h -> keys.add(byHash.get(h)));
      return keys;
    }

    void resolve(Row row) {
      Map<UUID, List<String>> owned = new LinkedHashMap<>();
      List<String> free = new ArrayList<>();
      for (String key : row.keys()) {
        UUID id = owner.get(key);
        if (id == null) {
          free.add(key);
        } else {
          owned.computeIfAbsent(id, k -> new ArrayList<>()).add(key);
        }
      }
      // Owners whose name or external id contradicts the row, or an owner already taken as the
      // row's person, are other people: not merged (a nameless row never joins Alice and Bob).
      List<UUID> compatible = new ArrayList<>();
      Set<String> contested = new LinkedHashSet<>();
      String knownName = row.name();
      String knownExternalId = row.externalId();
      for (var entry : owned.entrySet()) {
        Person p = people.get(entry.getKey());
        String why = contradiction(p, knownName, knownExternalId);
        if (why == null) {
          compatible.add(p.id);
          knownName = knownName == null ? p.name : knownName;
          knownExternalId = knownExternalId == null ? p.externalId : knownExternalId;
        } else {
          for (String key : entry.getValue()) {
            contested.add(key);
            report.conflict(
                row.line(),
                why.startsWith("name") ? "address-claimed" : "external-id-differs",
                label(key)
                    + " belongs to contact "
                    + p.id
                    + " ("
                    + why
                    + "); not moved. If they are one person, merge them with POST"
                    + " /v1/contacts/merge");
          }
        }
      }
      boolean changed = false;
      boolean createdNow = false;
      boolean mergedNow = false;
      Person target;
      if (compatible.size() > 1) {
        compatible.sort(null); // ids are time-ordered: the oldest record survives
        target = people.get(compatible.getFirst());
        flush();
        for (UUID other : compatible.subList(1, compatible.size())) {
          contacts.merge(
              handle,
              target.id,
              other,
              true,
              "import "
                  + options.name()
                  + " line "
                  + row.line()
                  + ": the row has addresses of both");
          Person gone = people.remove(other);
          owner.replaceAll((k, v) -> v.equals(other) ? target.id : v);
          if (target.name == null) {
            target.name = gone.name;
          }
          if (target.externalId == null) {
            target.externalId = gone.externalId;
          }
          reloadConsent(target.id);
        }
        report.merged++;
        mergedNow = true;
      } else if (compatible.size() == 1) {
        target = people.get(compatible.getFirst());
      } else if (!free.isEmpty()) {
        target = new Person(Ids.next(clock), row.name(), null, row.timeZone(), row.locale(), true);
        people.put(target.id, target);
        created.add(target);
        report.created++;
        createdNow = true;
      } else {
        return; // every address belongs to someone else: reported as conflicts
      }
      for (String key : free) {
        if (key.startsWith("ext:")) {
          if (target.externalId == null) {
            target.externalId = key.substring(4);
            target.touched = true;
            target.fieldsChanged = true;
            owner.put(key, target.id);
            changed = true;
          } else {
            report.conflict(
                row.line(),
                "external-id-differs",
                "the row's external id "
                    + key.substring(4)
                    + " differs from contact "
                    + target.id
                    + "'s "
                    + target.externalId);
          }
          continue;
        }
        int colon = key.indexOf(':');
        addresses.add(
            new String[] {key.substring(0, colon), key.substring(colon + 1), target.id.toString()});
        owner.put(key, target.id);
        target.touched = true;
        changed = true;
      }
      if (target.name == null && row.name() != null) {
        target.name = row.name();
        target.touched = true;
        target.fieldsChanged = true;
        changed = true;
      }
      if (target.timeZone == null && row.timeZone() != null) {
        target.timeZone = row.timeZone();
        target.touched = true;
        target.fieldsChanged = true;
        changed = true;
      }
      if (target.locale == null && row.locale() != null) {
        target.locale = row.locale();
        target.touched = true;
        target.fieldsChanged = true;
        changed = true;
      }
      for (Consent c : row.consents()) {
        String address = c.channel().equals("sms") ? row.phone() : row.email();
        String key = (c.channel().equals("sms") ? "phone:" : "email:") + address;
        if (contested.contains(key)) {
          report.conflict(
              row.line(),
              "consent-not-applied",
              c.channel() + " consent not recorded: " + label(key) + " belongs to another contact");
          continue;
        }
        String dedupe = c.dedupe();
        if (!knownKeys.add(dedupe)) {
          continue; // imported before (or twice in this file): nothing new
        }
        String stateKey = target.id + "/" + c.channel() + "/" + c.topic();
        String status = c.action().key();
        String before = consentState.get(stateKey);
        if (before != null && !before.equals(status)) {
          report.conflict(
              row.line(),
              "consent-differs",
              c.channel()
                  + " "
                  + c.topic()
                  + " was "
                  + before
                  + " and this row says "
                  + status
                  + "; the later one by date wins (at the same date, the opt-out)");
        }
        consentState.put(stateKey, status);
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("file", options.name());
        evidence.put("line", row.line());
        evidence.put("address", address);
        if (c.source() != null) {
          evidence.put("listSource", c.source());
        }
        evidence.put("dateGiven", c.at() != null);
        consentChanges.add(
            new ConsentChange(
                target.id,
                c.channel(),
                c.topic(),
                c.action(),
                ConsentChange.Source.IMPORT,
                c.wording(),
                evidence,
                c.at() == null ? now : c.at(),
                dedupe));
        report.consentEvents++;
        changed = true;
      }
      if (createdNow || mergedNow) {
        return;
      }
      if (changed) {
        report.updated++;
      } else {
        report.unchanged++;
      }
    }

    /**
     * Why this stored contact cannot be the person known so far as {@code name} and {@code
     * externalId} (the row's, or those of an owner already matched), or null.
     */
    String contradiction(Person p, String name, String externalId) {
      if (externalId != null && p.externalId != null && !p.externalId.equals(externalId)) {
        return "external id " + p.externalId + ", the row's person has " + externalId;
      }
      if (name != null && p.name != null && !sameName(p.name, name)) {
        return "name '" + p.name + "', the row's person is '" + name + "'";
      }
      return null;
    }

    void reloadConsent(UUID id) {
      consentState.keySet().removeIf(k -> k.startsWith(id + "/"));
      loadConsent(new UUID[] {id});
    }

    /** The stored consent state of these contacts, keyed contact/channel/topic. */
    void loadConsent(UUID[] ids) {
      handle
          .createQuery(statesOf)
          .bind("ids", ids)
          .map((rs, ctx) ->
              Map.entry(
                  rs.getObject("contact_id", UUID.class)
                      + "/"
                      + rs.getString("channel")
                      + "/"
                      + rs.getString("topic"),
                  rs.getString("status")))
          .forEach(e -> consentState.put(e.getKey(), e.getValue()));
    }

    /** Writes what the chunk resolved so far, in batches. */
    void flush() {
      contacts.insertBatch(
          handle,
          created.stream()
              .map(p -> new Contacts.Fields(p.id, p.externalId, p.name, p.timeZone, p.locale))
              .toList(),
          now);
      contacts.addAddressesBatch(
          handle,
          addresses.stream()
              .map(a -> new Contacts.Address(a[0], a[1], UUID.fromString(a[2])))
              .toList(),
          now);
      List<Person> touched = people.values().stream().filter(p -> p.touched && !p.fresh).toList();
      contacts.updateBatch(
          handle,
          touched.stream()
              .filter(p -> p.fieldsChanged)
              .map(p -> new Contacts.Fields(p.id, p.externalId, p.name, p.timeZone, p.locale))
              .toList());
      // the feed tells of a contact before any change about it (its consent)
      List<Changes.NewChange> feed = new ArrayList<>();
      for (Person p : created) {
        feed.add(new Changes.NewChange(p.id, "contact.created", fields(p), now));
      }
      for (Person p : touched) {
        feed.add(new Changes.NewChange(p.id, "contact.updated", fields(p), now));
        p.touched = false;
        p.fieldsChanged = false;
      }
      changes.append(handle, feed);
      if (!consentChanges.isEmpty()) {
        ledger.record(handle, List.copyOf(consentChanges));
      }
      created.clear();
      addresses.clear();
      consentChanges.clear();
      people.replaceAll((id, p) ->
          p.fresh ? new Person(p.id, p.name, p.externalId, p.timeZone, p.locale, false) : p);
    }

    Map<String, Object> fields(Person p) {
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("name", p.name);
      data.put("externalId", p.externalId);
      data.put("timeZone", p.timeZone);
      data.put("locale", p.locale);
      data.put("source", "import " + options.name());
      return data;
    }
  }

  /** The same consent line imported again (from any file) has the same key. */
  private static String dedupeKey(
      String channel,
      String address,
      String topic,
      ConsentChange.Action action,
      Instant at,
      String wording) {
    return "import:"
        + sha256(
            String.join(
                "\u0000",
                channel,
                address,
                topic,
                action.key(),
                Objects.toString(at),
                Objects.toString(wording)));
  }

  private static String label(String key) {
    int colon = key.indexOf(':');
    String kind = key.substring(0, colon);
    return (kind.equals("ext") ? "external id" : kind) + " " + key.substring(colon + 1);
  }

  private static boolean sameName(String a, String b) {
    return a != null
        && b != null
        && a.strip().replaceAll("\\s+", " ").equalsIgnoreCase(b.strip().replaceAll("\\s+", " "));
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
