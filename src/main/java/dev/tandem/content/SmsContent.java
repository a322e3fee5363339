package dev.tandem.content;

import dev.tandem.error.InvalidInput;

/**
 * The SMS of a message.
 *
 * @param text what the person reads; 1 to {@link #MAX_CHARS} characters
 * @param substitution whether characters outside GSM-7 may be replaced by close ones (keeps the
 *     cheaper encoding)
 */
public record SmsContent(String text, boolean substitution) {
  public static final int MAX_CHARS = 1600;

  public SmsContent {
    if (text == null || text.isBlank()) {
      throw new InvalidInput(
          "missing-sms-text", "sms.text", "sms.text is required when channels include sms.");
    }
    if (text.length() > MAX_CHARS) {
      throw new InvalidInput(
          "sms-too-long",
          "sms.text",
          "sms.text is "
              + text.length()
              + " characters; the limit is "
              + MAX_CHARS
              + ". Shorten it or send the details by email.");
    }
  }
}
