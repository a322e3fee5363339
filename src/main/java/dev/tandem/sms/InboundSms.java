package dev.tandem.sms;

import java.time.Instant;

/** A mobile-originated SMS as the gateway received it, decoded to text. */
public record InboundSms(String from, String to, String text, int dataCoding, Instant receivedAt) {}
