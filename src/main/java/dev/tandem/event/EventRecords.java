package dev.tandem.event;

import dev.tandem.store.NamedSql;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * The timeline's and the changes feed's part of a merge and an erasure. {@code contact} depends on
 * {@code event} (it appends to both), so this cannot implement {@code contact.ContactData}: {@code
 * App} registers it through {@code ContactData.of}. A merge moves the timeline; the feed keeps the
 * ids its readers were told. An erasure deletes the timeline and blanks what the feed said.
 */
public final class EventRecords {
  public static final List<String> TABLES = List.of("event", "change");

  private final String moveEvents;
  private final String deleteEvents;
  private final String eraseChanges;

  public EventRecords() {
    var sql = NamedSql.forClass(EventRecords.class);
    this.moveEvents = sql.get("moveEvents");
    this.deleteEvents = sql.get("deleteEvents");
    this.eraseChanges = sql.get("eraseChanges");
  }

  /** Moves the timeline of contact {@code from} to {@code into}, in the caller's transaction. */
  public void merge(Handle handle, UUID from, UUID into) {
    handle.createUpdate(moveEvents).bind("from", from).bind("into", into).execute();
  }

  /** Deletes these contacts' timeline and blanks their changes, in the caller's transaction. */
  public void erase(Handle handle, List<UUID> contactIds) {
    UUID[] ids = contactIds.toArray(UUID[]::new);
    handle.createUpdate(deleteEvents).bind("ids", ids).execute();
    handle.createUpdate(eraseChanges).bind("ids", ids).execute();
  }
}
