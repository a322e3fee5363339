package dev.tandem.sms;

import dev.tandem.contact.Contact;
import dev.tandem.contact.Contacts;
import dev.tandem.event.Timeline;
import dev.tandem.event.TimelineEvent;
import dev.tandem.store.Ids;
import dev.tandem.store.NamedSql;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records mobile-originated SMS: matched to the contact by E.164 (an unknown number creates a
 * contact), kept with its raw fields, and put on the contact's timeline as {@code sms.received}.
 */
public final class InboundMessages {
  private static final Logger log = LoggerFactory.getLogger(InboundMessages.class);

  private final Jdbi jdbi;
  private final Clock clock;
  private final Contacts contacts;
  private final Timeline timeline;
  private final String insert;

  public InboundMessages(Jdbi jdbi, Clock clock, Contacts contacts, Timeline timeline) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.contacts = contacts;
    this.timeline = timeline;
    this.insert = NamedSql.forClass(InboundMessages.class).get("insert");
  }

  /** Stores the SMS; returns its id, or empty when the sender is not a phone number. */
  public Optional<UUID> record(InboundSms sms) {
    Optional<String> sender = contacts.phoneNumbers().toE164(sms.from());
    if (sender.isEmpty()) {
      log.warn("inbound SMS from '{}' dropped: the sender is not a valid phone number", sms.from());
      return Optional.empty();
    }
    Contact contact = contacts.findOrCreateByPhone(sender.get());
    UUID id = Ids.next(clock);
    jdbi.useTransaction(handle -> {
      handle
          .createUpdate(insert)
          .bind("id", id)
          .bind("contactId", contact.id())
          .bind("sender", sms.from())
          .bind("recipient", sms.to())
          .bind("text", sms.text())
          .bind("dataCoding", sms.dataCoding())
          .bind("receivedAt", sms.receivedAt())
          .execute();
      timeline.append(
          handle,
          List.of(
              new TimelineEvent(
                  contact.id(),
                  sms.receivedAt(),
                  "sms.received",
                  "sms",
                  null,
                  null,
                  Map.of(
                      "inboundId",
                      id.toString(),
                      "from",
                      sender.get(),
                      "to",
                      sms.to(),
                      "text",
                      sms.text()))));
    });
    return Optional.of(id);
  }
}
