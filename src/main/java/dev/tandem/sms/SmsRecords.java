package dev.tandem.sms;

import dev.tandem.contact.ContactData;
import dev.tandem.store.NamedSql;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * The SMS channel's part of a merge and an erasure: inbound SMS move with the person; erasure
 * deletes them, the parts still waiting for the rest of their message, and the unusable PDUs that
 * came from or mention one of the person's numbers.
 */
public final class SmsRecords implements ContactData {
  private static final List<String> TABLES =
      List.of("inbound_sms", "inbound_sms_part", "sms_problem");

  private final String moveInboundSms;
  private final String deleteInboundSmsParts;
  private final String deleteSmsProblems;
  private final String deleteInboundSms;

  public SmsRecords() {
    var sql = NamedSql.forClass(SmsRecords.class);
    this.moveInboundSms = sql.get("moveInboundSms");
    this.deleteInboundSmsParts = sql.get("deleteInboundSmsParts");
    this.deleteSmsProblems = sql.get("deleteSmsProblems");
    this.deleteInboundSms = sql.get("deleteInboundSms");
  }

  @Override
  public List<String> tables() {
    return TABLES;
  }

  @Override
  public void merge(Handle handle, UUID from, UUID into) {
    handle.createUpdate(moveInboundSms).bind("from", from).bind("into", into).execute();
  }

  @Override
  public void erase(Handle handle, Erasure erasure) {
    handle.createUpdate(deleteInboundSmsParts).bind("addresses", erasure.addresses()).execute();
    handle.createUpdate(deleteSmsProblems).bind("addresses", erasure.addresses()).execute();
    handle.createUpdate(deleteInboundSms).bind("ids", erasure.ids()).execute();
  }
}
