package dev.tandem.sms;

import java.util.UUID;

/** One SMS to submit: the delivery it belongs to, the E.164 destination and the text. */
public record OutboundSms(UUID deliveryId, String to, String text) {}
