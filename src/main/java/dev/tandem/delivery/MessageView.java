package dev.tandem.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.channel.Channel;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A message, its routing plan and the state of each of its deliveries, as {@code GET
 * /v1/messages/{id}} shows it.
 *
 * @param plan the router's plan as stored (JSON); empty for messages accepted before routing and
 *     for compliance replies
 * @param dryRun true when nothing was written ({@code POST /v1/messages?dryRun=true})
 * @param template what the message was rendered from, when it named a template
 * @param sender the senders stored with the message (none: the gateways' configured ones)
 */
public record MessageView(
    UUID id,
    UUID contactId,
    String topic,
    Instant createdAt,
    List<DeliveryView> deliveries,
    boolean replayed,
    Optional<JsonNode> plan,
    boolean dryRun,
    Optional<TemplateRef> template,
    Sender sender) {

  public MessageView(
      UUID id,
      UUID contactId,
      String topic,
      Instant createdAt,
      List<DeliveryView> deliveries,
      boolean replayed,
      Optional<JsonNode> plan,
      boolean dryRun) {
    this(
        id,
        contactId,
        topic,
        createdAt,
        deliveries,
        replayed,
        plan,
        dryRun,
        Optional.empty(),
        Sender.NONE);
  }

  /**
   * Who a message is sent as: the SMS sender id, the email From header and Reply-To; each empty
   * when the gateway's configured one applies.
   */
  public record Sender(Optional<String> sms, Optional<String> emailFrom, Optional<String> replyTo) {
    public static final Sender NONE =
        new Sender(Optional.empty(), Optional.empty(), Optional.empty());

    public boolean isEmpty() {
      return sms.isEmpty() && emailFrom.isEmpty() && replyTo.isEmpty();
    }
  }

  /** The template a message was rendered from: key, version and the locale of its variant. */
  public record TemplateRef(String key, int version, String locale) {}

  public record DeliveryView(
      UUID id,
      Channel channel,
      String address,
      DeliveryStatus status,
      int attempts,
      String providerId,
      String lastError,
      Integer segments,
      String encoding,
      java.math.BigDecimal cost,
      String currency,
      Instant updatedAt,
      Step step) {}

  /**
   * Where a delivery stands in its message's plan.
   *
   * @param kind now, deferred, fallback or pointer
   * @param follows the delivery a fallback or pointer follows
   * @param triggers what makes a fallback go
   * @param dueAt when a queued delivery is due or a held one's timer runs out
   * @param variant what a pointer step carried: {@code pointer} or {@code full}
   */
  public record Step(
      String kind,
      Optional<UUID> follows,
      List<String> triggers,
      Optional<Duration> after,
      Optional<Instant> dueAt,
      Optional<String> variant) {
    public static final Step NOW =
        new Step(
            "now",
            Optional.empty(),
            List.of(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
  }

  MessageView asReplay() {
    return new MessageView(
        id, contactId, topic, createdAt, deliveries, true, plan, false, template, sender);
  }
}
