package dev.tandem.email;

import dev.tandem.consent.ConsentChange;
import dev.tandem.consent.ConsentLedger;
import dev.tandem.content.EmailContent;
import dev.tandem.content.MessageContent;
import dev.tandem.event.Timeline;
import dev.tandem.event.TimelineEvent;
import dev.tandem.store.NamedSql;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * What recipients do with an email through its signed links: opens, clicks, one-click unsubscribes
 * (RFC 8058), and the hosted copy of the email.
 */
public final class EmailEngagement {

  private record Delivery(
      UUID id, UUID messageId, UUID contactId, String address, String topic, String content) {}

  private final Jdbi jdbi;
  private final Clock clock;
  private final Timeline timeline;
  private final String delivery;
  private final ConsentLedger consent;

  public EmailEngagement(Jdbi jdbi, Clock clock, Timeline timeline, ConsentLedger consent) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.timeline = timeline;
    this.consent = consent;
    var sql = NamedSql.forClass(EmailEngagement.class);
    this.delivery = sql.get("delivery");
  }

  public void opened(UUID deliveryId) {
    record(deliveryId, "email.opened", Map.of());
  }

  public void clicked(UUID deliveryId, String url) {
    record(deliveryId, "email.clicked", Map.of("url", url));
  }

  /**
   * Revokes the email's topic on email for its recipient (RFC 8058 one-click, the mailto variant or
   * the page); a replay changes nothing. {@code evidence} holds the method, IP and user agent.
   * False when the delivery is unknown.
   */
  public boolean unsubscribed(UUID deliveryId, Map<String, Object> evidence) {
    Optional<Delivery> found = find(deliveryId);
    found.ifPresent(d ->
        jdbi.useTransaction(handle -> {
          var proof = new java.util.LinkedHashMap<String, Object>(evidence);
          proof.put("deliveryId", d.id().toString());
          proof.put("messageId", d.messageId().toString());
          List<Long> added =
              consent.record(
                  handle,
                  List.of(
                      new ConsentChange(
                          d.contactId(),
                          "email",
                          d.topic() == null ? ConsentChange.ALL_TOPICS : d.topic(),
                          ConsentChange.Action.REVOKED,
                          ConsentChange.Source.EMAIL_UNSUBSCRIBE,
                          "Unsubscribe link in the email \"" + subject(d) + "\"",
                          proof,
                          clock.instant(),
                          "unsubscribe:" + d.id())));
          if (!added.isEmpty()) {
            timeline.append(
                handle,
                List.of(
                    new TimelineEvent(
                        d.contactId(),
                        clock.instant(),
                        "email.unsubscribed",
                        "email",
                        d.messageId(),
                        d.id(),
                        Map.of("topic", d.topic() == null ? "*" : d.topic()))));
          }
        }));
    return found.isPresent();
  }

  private static String subject(Delivery d) {
    return MessageContent.fromJson(d.content()).email().map(EmailContent::subject).orElse("");
  }

  /** Who an email went to and what it was about (null topic: a compliance reply). */
  public record Recipient(UUID contactId, String topic) {}

  public Optional<Recipient> recipient(UUID deliveryId) {
    return find(deliveryId).map(d -> new Recipient(d.contactId(), d.topic()));
  }

  /** The HTML (or text) of the email as written, for the hosted "view in browser" page. */
  public Optional<String> view(UUID deliveryId) {
    return find(deliveryId)
        .map(d ->
            MessageContent.fromJson(d.content()).email().map(EmailContent::viewHtml).orElse(""));
  }

  private void record(UUID deliveryId, String type, Map<String, Object> detail) {
    find(deliveryId)
        .ifPresent(d ->
            jdbi.useTransaction(handle ->
                timeline.append(
                    handle,
                    List.of(
                        new TimelineEvent(
                            d.contactId(),
                            clock.instant(),
                            type,
                            "email",
                            d.messageId(),
                            d.id(),
                            detail)))));
  }

  private Optional<Delivery> find(UUID id) {
    return jdbi.withHandle(handle ->
        handle
            .createQuery(delivery)
            .bind("id", id)
            .map((rs, ctx) ->
                new Delivery(
                    rs.getObject("id", UUID.class),
                    rs.getObject("message_id", UUID.class),
                    rs.getObject("contact_id", UUID.class),
                    rs.getString("address"),
                    rs.getString("topic"),
                    rs.getString("content")))
            .findOne());
  }
}
