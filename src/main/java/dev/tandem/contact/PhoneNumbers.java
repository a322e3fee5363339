package dev.tandem.contact;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber;
import dev.tandem.config.TandemConfig.PhoneValidation;
import dev.tandem.error.InvalidInput;
import java.util.Optional;

/**
 * Turns a phone number in any written form into E.164, with a default region for local forms.
 * libphonenumber's list of valid ranges lags what carriers hand out, so by default a number whose
 * length is possible for its country is accepted too, and {@link #isKnownValid} says which is
 * which.
 */
public final class PhoneNumbers {
  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
  private final String defaultRegion;
  private final PhoneValidation validation;

  public PhoneNumbers(String defaultRegion, PhoneValidation validation) {
    this.defaultRegion = defaultRegion;
    this.validation = validation;
  }

  /**
   * Numbers as written and what they are, remembered: parsing and validating costs tens of
   * microseconds, and accepting one message reads its number several times. Emptied when it reaches
   * {@value #KEPT} entries.
   */
  private final java.util.Map<String, Optional<String>> known =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static final int KEPT = 20_000;

  /** E.164, or empty when the input is not a number (valid, or possible unless strict). */
  public Optional<String> toE164(String raw) {
    if (raw == null || raw.isBlank() || raw.length() > 64) {
      return Optional.empty();
    }
    Optional<String> e164 = known.get(raw);
    if (e164 == null) {
      e164 = parse(raw);
      if (known.size() >= KEPT) {
        known.clear();
      }
      known.put(raw, e164);
    }
    return e164;
  }

  private Optional<String> parse(String raw) {
    try {
      Phonenumber.PhoneNumber number = UTIL.parse(raw.strip(), defaultRegion);
      boolean accepted =
          UTIL.isValidNumber(number)
              || (validation == PhoneValidation.POSSIBLE
                  && UTIL.getRegionCodeForCountryCode(number.getCountryCode()) != null
                  && !UTIL.getRegionCodeForCountryCode(number.getCountryCode()).equals("ZZ")
                  && UTIL.isPossibleNumberWithReason(number)
                      == PhoneNumberUtil.ValidationResult.IS_POSSIBLE);
      if (!accepted) {
        return Optional.empty();
      }
      return Optional.of(UTIL.format(number, PhoneNumberUtil.PhoneNumberFormat.E164));
    } catch (NumberParseException e) {
      return Optional.empty();
    }
  }

  /**
   * The E.164 number of an SMS sender, or empty for a short code or a name. Some SMSCs send an
   * international number without its '+' (TON unknown): 9 to 15 digits that are no number of the
   * default region are read as international. Up to 8 digits stay a short code.
   */
  public Optional<String> senderToE164(String sender) {
    return toE164(sender)
        .or(() ->
            sender != null && sender.strip().matches("[0-9]{9,15}")
                ? toE164("+" + sender.strip())
                : Optional.empty());
  }

  /** Whether libphonenumber knows this E.164 number to be in an assigned range. */
  public static boolean isKnownValid(String e164) {
    try {
      return UTIL.isValidNumber(UTIL.parse(e164, "ZZ"));
    } catch (NumberParseException e) {
      return false;
    }
  }

  /**
   * The warning to show with a number accepted as possible but not known valid: it may be a new
   * range, or a typo.
   */
  public static String notKnownValidWarning(String e164) {
    return e164
        + " has a length possible for its country but is not in libphonenumber's list of assigned"
        + " ranges (new ranges appear there late): it is kept and SMS to it are sent. Check it if"
        + " it was typed by hand; contacts.phoneValidation: strict refuses such numbers.";
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
                    + "' is not a phone number. Write it in international form (+14155550123)"
                    + " or as a number of the default region "
                    + defaultRegion
                    + "."));
  }
}
