package dev.tandem.email;

import com.fasterxml.jackson.databind.ObjectMapper;
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
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Delivery(
      UUID id, UUID messageId, UUID contactId, String address, String content) {}

  private final Jdbi jdbi;
  private final Clock clock;
  private final Timeline timeline;
  private final String delivery;
  private final String suppress;

  public EmailEngagement(Jdbi jdbi, Clock clock, Timeline timeline) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.timeline = timeline;
    var sql = NamedSql.forClass(EmailEngagement.class);
    this.delivery = sql.get("delivery");
    this.suppress = sql.get("suppress");
  }

  public void opened(UUID deliveryId) {
    record(deliveryId, "email.opened", Map.of());
  }

  public void clicked(UUID deliveryId, String url) {
    record(deliveryId, "email.clicked", Map.of("url", url));
  }

  /** Suppresses marketing email to the delivery's address and records it; false if unknown. */
  public boolean unsubscribed(UUID deliveryId) {
    Optional<Delivery> found = find(deliveryId);
    found.ifPresent(d ->
        jdbi.useTransaction(handle -> {
          handle
              .createUpdate(suppress)
              .bind("address", d.address())
              .bind("reason", "unsubscribed (one-click)")
              .bind("now", clock.instant())
              .execute();
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
                      Map.of("address", d.address()))));
        }));
    return found.isPresent();
  }

  /** The HTML (or text) of the email as written, for the hosted "view in browser" page. */
  public Optional<String> view(UUID deliveryId) {
    return find(deliveryId)
        .map(d -> {
          try {
            var email = JSON.readTree(d.content()).path("email");
            return email.hasNonNull("html")
                ? email.get("html").asText()
                : "<pre>"
                    + org.jsoup.nodes.Entities.escape(email.path("text").asText(""))
                    + "</pre>";
          } catch (Exception e) {
            return "";
          }
        });
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
                    rs.getString("content")))
            .findOne());
  }
}
