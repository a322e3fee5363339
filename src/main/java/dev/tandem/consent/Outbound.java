package dev.tandem.consent;

import java.util.UUID;

/**
 * How consent sends what it must send (STOP confirmations, HELP answers, double opt-in requests):
 * implemented by the delivery side, so consent does not depend on it. These messages answer the
 * person and are not gated by consent.
 */
public interface Outbound {
  /** An SMS to {@code phone}, or to the contact's first number when it is null. */
  void sms(UUID contactId, String phone, String text);

  void email(UUID contactId, String subject, String text, String html);
}
