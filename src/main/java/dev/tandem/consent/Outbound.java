package dev.tandem.consent;

import java.util.UUID;

/**
 * How consent sends what it must send (STOP confirmations, HELP answers, double opt-in requests):
 * implemented by the delivery side, so consent does not depend on it. These messages answer the
 * person and are not gated by consent.
 */
public interface Outbound {
  /** An SMS to {@code phone}, or to the contact's first number when it is null. */
  default void sms(UUID contactId, String phone, String text) {
    sms(contactId, phone, text, null);
  }

  /**
   * An answer to an SMS the person sent to {@code answering}: it goes from that number when it is a
   * configured sender (a STOP to the second number is confirmed by the second number), else from
   * the default sender.
   */
  void sms(UUID contactId, String phone, String text, String answering);

  void email(UUID contactId, String subject, String text, String html);
}
