package dev.tandem.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.contact.ContactData;
import dev.tandem.contact.Contacts;
import dev.tandem.event.Changes;
import dev.tandem.event.Timeline;
import dev.tandem.event.TimelineEvent;
import dev.tandem.store.NamedSql;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * GDPR access and erasure (Art. 15, 17). {@link #export} gathers everything Tandem holds about a
 * person, from the records merged into theirs too. {@link #erase} finds the person's records and
 * addresses and has every feature erase its part ({@link Contacts#eraseData}, through the hooks
 * each registers) in one transaction: the consent history stays without the personal data, and each
 * address stays as a keyed one-way hash that suppresses it, so the person is never messaged or
 * imported again.
 */
public final class Privacy {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Jdbi jdbi;
  private final Clock clock;
  private final Contacts contacts;
  private final Timeline timeline;
  private final Changes changes;
  private final NamedSql sql;

  public Privacy(Jdbi jdbi, Clock clock, Contacts contacts, Timeline timeline, Changes changes) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.contacts = contacts;
    this.timeline = timeline;
    this.changes = changes;
    this.sql = NamedSql.forClass(Privacy.class);
  }

  /** Everything held about the person, as JSON. */
  public JsonNode export(UUID contactId) {
    UUID id = contacts.get(contactId).id();
    return jdbi.inTransaction(handle -> {
      lenient(handle);
      UUID[] ids = family(handle, id);
      List<String[]> addresses = addresses(handle, ids);
      ObjectNode out = JSON.createObjectNode();
      out.put("exportedAt", clock.instant().toString());
      out.put(
          "about",
          "Everything Tandem holds about this person: their record, addresses, consent history,"
              + " messages sent to them, messages they sent, their timeline, any merges, and the"
              + " systems told about them by webhook (receivers by scheme and host).");
      out.set("contact", json(handle, "exportContact", ids, id, null));
      out.set("consents", json(handle, "exportConsents", ids, id, null));
      out.set("messages", json(handle, "exportMessages", ids, id, null));
      out.set("inboundSms", json(handle, "exportInboundSms", ids, id, null));
      out.set("inboundEmail", json(handle, "exportInboundEmail", ids, id, null));
      out.set("timeline", json(handle, "exportTimeline", ids, id, null));
      out.set("merges", json(handle, "exportMerges", ids, id, null));
      out.set("flags", json(handle, "exportFlags", ids, id, null));
      out.set("webhookDeliveries", json(handle, "exportWebhookDeliveries", ids, id, null));
      out.set(
          "suppressions",
          json(
              handle,
              "exportSuppressions",
              ids,
              id,
              addresses.stream().map(a -> a[1]).toArray(String[]::new)));
      return out;
    });
  }

  /** What an erasure removed. */
  public record Erasure(UUID contactId, int records, int addresses, Instant at) {}

  public Erasure erase(UUID contactId) {
    UUID id = contacts.get(contactId).id();
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    return jdbi.inTransaction(handle -> {
      UUID[] ids = family(handle, id);
      List<String[]> found = addresses(handle, ids);
      var erasure =
          new ContactData.Erasure(
              List.of(ids),
              found.stream().filter(a -> a[0].equals("phone")).map(a -> a[1]).distinct().toList(),
              found.stream().filter(a -> a[0].equals("email")).map(a -> a[1]).distinct().toList(),
              now);
      contacts.eraseData(handle, erasure);
      timeline.append(
          handle,
          List.of(new TimelineEvent(id, now, "contact.erased", null, null, null, Map.of())));
      changes.append(handle, List.of(new Changes.NewChange(id, "contact.erased", Map.of(), now)));
      return new Erasure(id, ids.length, erasure.addresses().length, now);
    });
  }

  /** The export queries share one set of bindings; each uses what it needs. */
  private static void lenient(Handle handle) {
    handle.getConfig(org.jdbi.v3.core.statement.SqlStatements.class).setUnusedBindingAllowed(true);
  }

  private UUID[] family(Handle handle, UUID id) {
    return handle
        .createQuery(sql.get("family"))
        .bind("id", id)
        .mapTo(UUID.class)
        .list()
        .toArray(UUID[]::new);
  }

  private List<String[]> addresses(Handle handle, UUID[] ids) {
    return handle
        .createQuery(sql.get("addresses"))
        .bind("ids", ids)
        .map((rs, ctx) -> new String[] {rs.getString("kind"), rs.getString("value")})
        .list();
  }

  private JsonNode json(Handle handle, String query, UUID[] ids, UUID id, String[] addresses) {
    var q = handle.createQuery(sql.get(query)).bind("ids", ids);
    if (query.equals("exportContact")) {
      q.bind("id", id);
    }
    if (addresses != null) {
      q.bind("addresses", addresses);
    }
    try {
      return apiStyle(JSON.readTree(q.mapTo(String.class).one()));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stored JSON documents inside a row: their keys are kept as they were written. */
  private static final java.util.Set<String> DOCUMENTS =
      java.util.Set.of("evidence", "detail", "content", "data", "plan", "payload");

  private static final java.util.regex.Pattern PG_TIME =
      java.util.regex.Pattern.compile(
          "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?[+-]\\d{2}:\\d{2}");

  /**
   * The export in the API's own style: camelCase names (the rows come out of PostgreSQL in
   * snake_case) and times as ISO-8601 instants in UTC ({@code …Z}, not {@code …+00:00}).
   */
  static JsonNode apiStyle(JsonNode node) {
    if (node.isArray()) {
      var out = JSON.createArrayNode();
      node.forEach(item -> out.add(apiStyle(item)));
      return out;
    }
    if (node.isObject()) {
      var out = JSON.createObjectNode();
      node.fields()
          .forEachRemaining(f -> {
            String key = camel(f.getKey());
            out.set(key, DOCUMENTS.contains(key) ? f.getValue() : apiStyle(f.getValue()));
          });
      return out;
    }
    if (node.isTextual() && PG_TIME.matcher(node.asText()).matches()) {
      return JSON.getNodeFactory()
          .textNode(java.time.OffsetDateTime.parse(node.asText()).toInstant().toString());
    }
    return node;
  }

  static String camel(String snake) {
    if (snake.indexOf('_') < 0) {
      return snake;
    }
    var out = new StringBuilder(snake.length());
    boolean upper = false;
    for (char c : snake.toCharArray()) {
      if (c == '_') {
        upper = out.length() > 0;
      } else {
        out.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return out.toString();
  }
}
