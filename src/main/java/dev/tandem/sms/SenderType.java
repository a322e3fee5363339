package dev.tandem.sms;

import java.util.Locale;

/** What kind of sender an SMS comes from; it decides TON/NPI and, often, the price. */
public enum SenderType {
  ALPHANUMERIC,
  SHORTCODE,
  NUMBER;

  /** Letters → alphanumeric; up to 8 digits → short code; a longer number or +E.164 → number. */
  public static SenderType of(String address) {
    String digits = address.startsWith("+") ? address.substring(1) : address;
    if (!digits.isEmpty() && digits.chars().allMatch(Character::isDigit)) {
      return !address.startsWith("+") && digits.length() <= 8 ? SHORTCODE : NUMBER;
    }
    return ALPHANUMERIC;
  }

  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
