package dev.tandem.preference;

import dev.tandem.contact.ContactData;
import dev.tandem.store.NamedSql;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * The preference table's part of a merge (the survivor's own preferences win) and an erasure (all
 * deleted), registered with {@code Contacts} like every feature's.
 */
public final class PreferenceRecords implements ContactData {
  private final String merge;
  private final String erase;

  public PreferenceRecords() {
    var sql = NamedSql.forClass(Preferences.class);
    this.merge = sql.get("merge");
    this.erase = sql.get("erase");
  }

  @Override
  public List<String> tables() {
    return List.of("preference");
  }

  @Override
  public void merge(Handle handle, UUID from, UUID into) {
    handle.createUpdate(merge).bind("from", from).bind("into", into).execute();
    handle.createUpdate(erase).bind("contactId", from).execute();
  }

  @Override
  public void erase(Handle handle, Erasure erasure) {
    for (UUID id : erasure.contactIds()) {
      handle.createUpdate(erase).bind("contactId", id).execute();
    }
  }
}
