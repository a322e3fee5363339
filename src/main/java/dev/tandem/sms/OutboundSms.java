package dev.tandem.sms;

import java.util.UUID;

/**
 * One SMS to submit: the delivery it belongs to, the E.164 destination, the text as the caller
 * wrote it, and whether smart characters may be replaced to stay in GSM-7.
 */
public record OutboundSms(UUID deliveryId, String to, String text, boolean substitute) {}
