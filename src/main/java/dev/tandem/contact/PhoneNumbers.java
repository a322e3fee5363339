package dev.tandem.contact;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber;
import dev.tandem.error.InvalidInput;
import java.util.Optional;

/** Turns a phone number in any written form into E.164, with a default region for local forms. */
public final class PhoneNumbers {
  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
  private final String defaultRegion;

  public PhoneNumbers(String defaultRegion) {
    this.defaultRegion = defaultRegion;
  }

  /** E.164, or empty when the input is not a valid number. */
  public Optional<String> toE164(String raw) {
    if (raw == null || raw.isBlank() || raw.length() > 64) {
      return Optional.empty();
    }
    try {
      Phonenumber.PhoneNumber number = UTIL.parse(raw.strip(), defaultRegion);
      if (!UTIL.isValidNumber(number)) {
        return Optional.empty();
      }
      return Optional.of(UTIL.format(number, PhoneNumberUtil.PhoneNumberFormat.E164));
    } catch (NumberParseException e) {
      return Optional.empty();
    }
  }

  /** E.164, or an {@link InvalidInput} naming {@code field} and the value. */
  public String require(String field, String raw) {
    return toE164(raw)
        .orElseThrow(() ->
            new InvalidInput(
                "invalid-phone",
                field,
                "'"
                    + raw
                    + "' is not a valid phone number. Write it in international form (+14155550123)"
                    + " or as a number of the default region "
                    + defaultRegion
                    + "."));
  }
}
