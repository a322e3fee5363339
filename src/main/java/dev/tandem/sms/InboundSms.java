package dev.tandem.sms;

import java.time.Instant;
import java.util.Optional;

/**
 * A mobile-originated SMS as the gateway received it, decoded to text. {@code part} is present when
 * it is one part of a concatenated SMS (UDH or SAR).
 */
public record InboundSms(
    String from,
    String to,
    String text,
    int dataCoding,
    Instant receivedAt,
    Optional<Part> part,
    int esmClass,
    String userData) {

  /** Which part of a concatenated SMS this is. */
  public record Part(int reference, int total, int seq) {}

  /** {@code userData}: the short message (or payload) as received, in hex. */
  public InboundSms(String from, String to, String text, int dataCoding, Instant receivedAt) {
    this(from, to, text, dataCoding, receivedAt, Optional.empty(), 0, "");
  }
}
