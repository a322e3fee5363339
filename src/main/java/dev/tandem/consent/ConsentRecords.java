package dev.tandem.consent;

import dev.tandem.contact.ContactData;
import dev.tandem.store.NamedSql;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Consent's part of a merge and an erasure. A merge moves the ledger, pending opt-ins and flags,
 * and combines the two current states as the ledger orders events. An erasure keeps the ledger
 * (what was agreed and withdrawn, when, how) without its evidence, and replaces the person's
 * suppressions with keyed hashes of every address they had, so they are never sent to or imported
 * again.
 */
public final class ConsentRecords implements ContactData {
  private static final List<String> TABLES =
      List.of("consent_event", "consent_state", "consent_pending", "contact_flag", "suppression");

  private final ErasedAddresses erased;
  private final List<String> merge;
  private final String suppressErased;
  private final String dropSuppressions;
  private final List<String> eraseByContact;

  public ConsentRecords(ErasedAddresses erased) {
    this.erased = erased;
    var sql = NamedSql.forClass(ConsentRecords.class);
    this.merge =
        List.of(
            sql.get("moveConsentEvents"),
            sql.get("mergeConsentState"),
            sql.get("dropConsentState"),
            sql.get("movePending"),
            sql.get("moveFlags"));
    this.suppressErased = sql.get("suppressErased");
    this.dropSuppressions = sql.get("dropSuppressions");
    this.eraseByContact =
        List.of(sql.get("eraseConsentEvidence"), sql.get("deletePending"), sql.get("deleteFlags"));
  }

  @Override
  public List<String> tables() {
    return TABLES;
  }

  @Override
  public void merge(Handle handle, UUID from, UUID into) {
    for (String statement : merge) {
      handle.createUpdate(statement).bind("from", from).bind("into", into).execute();
    }
  }

  @Override
  public void erase(Handle handle, Erasure erasure) {
    List<String> channels = new ArrayList<>();
    List<String> hashes = new ArrayList<>();
    for (String phone : erasure.phones()) {
      channels.add("sms");
      hashes.add(erased.hash("sms", phone));
    }
    for (String email : erasure.emails()) {
      channels.add("email");
      hashes.add(erased.hash("email", email));
    }
    handle
        .createUpdate(suppressErased)
        .bind("channels", channels.toArray(String[]::new))
        .bind("hashes", hashes.toArray(String[]::new))
        .bind("now", erasure.at().toString())
        .execute();
    handle.createUpdate(dropSuppressions).bind("addresses", erasure.addresses()).execute();
    for (String statement : eraseByContact) {
      handle.createUpdate(statement).bind("ids", erasure.ids()).execute();
    }
  }
}
