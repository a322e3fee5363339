package dev.tandem.email;

import dev.tandem.contact.ContactData;
import dev.tandem.store.NamedSql;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * The email channel's part of a merge and an erasure: inbound mail moves with the person; erasure
 * deletes it, and any mail sent from one of their addresses that matched no contact.
 */
public final class EmailRecords implements ContactData {
  private static final List<String> TABLES = List.of("inbound_email");

  private final String moveInboundEmail;
  private final String deleteInboundEmail;

  public EmailRecords() {
    var sql = NamedSql.forClass(EmailRecords.class);
    this.moveInboundEmail = sql.get("moveInboundEmail");
    this.deleteInboundEmail = sql.get("deleteInboundEmail");
  }

  @Override
  public List<String> tables() {
    return TABLES;
  }

  @Override
  public void merge(Handle handle, UUID from, UUID into) {
    handle.createUpdate(moveInboundEmail).bind("from", from).bind("into", into).execute();
  }

  @Override
  public void erase(Handle handle, Erasure erasure) {
    handle
        .createUpdate(deleteInboundEmail)
        .bind("ids", erasure.ids())
        .bind("addresses", erasure.addresses())
        .execute();
  }
}
