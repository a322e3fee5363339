package dev.tandem.ops.doctor;

import dev.tandem.store.NamedSql;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * Data that contradicts itself. Findings name contact ids, never addresses: the doctor's output
 * lands in tickets and chat.
 */
final class ConsistencyChecks implements Check {
  static final int SAMPLE = 5;

  private final Jdbi jdbi;
  private final NamedSql sql = NamedSql.forClass(ConsistencyChecks.class);

  ConsistencyChecks(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  @Override
  public String name() {
    return "data";
  }

  @Override
  public List<Finding> run() {
    var findings = new ArrayList<Finding>();
    jdbi.useHandle(handle -> {
      List<Map<String, Object>> bare = query(handle, "contactsWithoutAddress");
      if (!bare.isEmpty()) {
        findings.add(
            Finding.warning(
                "contacts-without-address",
                name(),
                total(bare)
                    + " contacts have neither a phone nor an email, e.g. "
                    + ids(bare, "id")
                    + ".",
                "Nothing can reach them: every message to them is refused.",
                "Add an address (PATCH /v1/contacts/{id}) or erase them if they are leftovers."));
      }
      List<Map<String, Object>> orphaned = query(handle, "consentWithoutAddress");
      if (!orphaned.isEmpty()) {
        findings.add(
            Finding.warning(
                "consent-without-address",
                name(),
                total(orphaned)
                    + " consent grants are for a channel the contact has no address on any more,"
                    + " e.g. "
                    + ids(orphaned, "contact_id")
                    + ".",
                "Consent belongs to the address it was given for: if an address is added later,"
                    + " it would inherit a grant its owner never gave.",
                "Revoke those grants (POST /v1/contacts/{id}/consents with action revoke) or"
                    + " restore the address the person consented with."));
      }
      List<Map<String, Object>> conflicts = query(handle, "conflictingIdentities");
      for (var conflict : conflicts) {
        Object contacts = conflict.get("contacts");
        String list =
            contacts instanceof java.sql.Array array
                ? String.join(", ", readArray(array))
                : String.valueOf(contacts);
        findings.add(
            Finding.warning(
                "identity-conflict",
                name(),
                "Contacts " + list + " hold the same " + conflict.get("kind") + ", spelt apart.",
                "Inbound replies, receipts and STOPs match one of them at random: consent and"
                    + " history split between two records of one person.",
                "Merge them (POST /v1/contacts/merge) or correct the address on the wrong one."));
      }
      for (var topic : query(handle, "unconfiguredTopics")) {
        findings.add(
            Finding.warning(
                "topic-not-configured",
                name(),
                topic.get("messages")
                    + " messages were sent under topic "
                    + topic.get("topic")
                    + ", which is not a topic now.",
                "Consent, preferences and policy for those messages cannot be looked up: replies"
                    + " and unsubscribes about them fall back to the default topic.",
                "Add it again under consent.topics or topics in the config (or PUT"
                    + " /v1/topics/"
                    + topic.get("topic")
                    + ")."));
      }
    });
    if (findings.isEmpty()) {
      findings.add(
          Finding.ok(
              "data-ok",
              name(),
              "Every contact has an address, every consent an address, no identity is held"
                  + " twice and every topic in use exists."));
    }
    return findings;
  }

  private List<Map<String, Object>> query(org.jdbi.v3.core.Handle handle, String name) {
    return handle.createQuery(sql.get(name)).bind("limit", SAMPLE).mapToMap().list();
  }

  private static long total(List<Map<String, Object>> rows) {
    return ((Number) rows.getFirst().get("total")).longValue();
  }

  private static String ids(List<Map<String, Object>> rows, String column) {
    return String.join(
        ", ", rows.stream().map(r -> String.valueOf(r.get(column))).distinct().toList());
  }

  private static List<String> readArray(java.sql.Array array) {
    try {
      return List.of((String[]) array.getArray());
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
