package dev.tandem.sms;

import java.util.Optional;
import java.util.UUID;

/**
 * One SMS to submit: the delivery it belongs to, the E.164 destination, the text as the caller
 * wrote it, whether smart characters may be replaced to stay in GSM-7, and the sender id it names
 * (empty: the gateway's configured one).
 */
public record OutboundSms(
    UUID deliveryId, String to, String text, boolean substitute, Optional<String> from) {
  public OutboundSms(UUID deliveryId, String to, String text, boolean substitute) {
    this(deliveryId, to, text, substitute, Optional.empty());
  }
}
