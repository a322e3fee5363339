package dev.tandem.sms;

import dev.tandem.config.TandemConfig.ReceiptIds;
import java.math.BigInteger;
import java.util.Locale;

/**
 * Message ids as SMSCs write them differ between {@code submit_sm_resp} and the receipt: some
 * answer in hex and report in decimal, some pad with zeros, some change case. A receipt key is the
 * id in one canonical form, so a receipt matches its delivery by equality.
 */
public final class ReceiptKeys {
  private ReceiptKeys() {}

  /** Canonical form of an id as it appears in a receipt: lower case, no leading zeros. */
  public static String ofReceipt(String id) {
    String lower = id.strip().toLowerCase(Locale.ROOT);
    String stripped = lower.replaceFirst("^0+(?=.)", "");
    return stripped;
  }

  /** The key a receipt for the message that {@code submit_sm_resp} called {@code id} will carry. */
  public static String ofResponse(String id, ReceiptIds mode) {
    String trimmed = id.strip();
    try {
      return switch (mode) {
        case SAME -> ofReceipt(trimmed);
        case HEX_TO_DECIMAL -> ofReceipt(new BigInteger(trimmed, 16).toString(10));
        case DECIMAL_TO_HEX -> ofReceipt(new BigInteger(trimmed, 10).toString(16));
      };
    } catch (NumberFormatException e) {
      return ofReceipt(trimmed);
    }
  }
}
