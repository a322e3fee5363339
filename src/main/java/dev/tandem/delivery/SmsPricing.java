package dev.tandem.delivery;

import dev.tandem.content.SmsContent;
import dev.tandem.sms.PriceTable;
import dev.tandem.sms.SenderType;
import dev.tandem.sms.SmsText;
import java.util.Optional;

/**
 * Segments and cost of an SMS delivery, computed once at accept: the text is encoded and split as
 * the gateway will send it, and priced from the table for the destination and sender type.
 */
public record SmsPricing(PriceTable table, SenderType sender, boolean substitutionByDefault) {
  private static final com.google.i18n.phonenumbers.PhoneNumberUtil PHONES =
      com.google.i18n.phonenumbers.PhoneNumberUtil.getInstance();

  /**
   * What one SMS delivery costs. {@code cost} is empty when the table has no price for it; {@code
   * country} is the destination's ISO 3166 region, when the number has one.
   */
  record Priced(int segments, String encoding, Optional<PriceTable.Cost> cost, String country) {}

  /**
   * Pricing for SMS from {@code sender} (a message that names one): prices differ by sender type
   * (an alphanumeric sender costs more in many countries); none named keeps the default's.
   */
  SmsPricing from(Optional<String> sender) {
    return sender
        .map(s -> new SmsPricing(table, SenderType.of(s), substitutionByDefault))
        .orElse(this);
  }

  Priced price(String e164, SmsContent sms) {
    SmsText text = SmsText.of(sms.text(), sms.substitution());
    return new Priced(
        text.segments(),
        text.encoding().name(),
        table.cost(e164, sender, text.segments()),
        country(e164));
  }

  /** Region per number, remembered (an accept prices a number more than once). */
  private static final java.util.Map<String, Optional<String>> COUNTRIES =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static String country(String e164) {
    Optional<String> known = COUNTRIES.get(e164);
    if (known == null) {
      known = Optional.ofNullable(parseCountry(e164));
      if (COUNTRIES.size() >= 20_000) {
        COUNTRIES.clear();
      }
      COUNTRIES.put(e164, known);
    }
    return known.orElse(null);
  }

  private static String parseCountry(String e164) {
    try {
      String region = PHONES.getRegionCodeForNumber(PHONES.parse(e164, null));
      return region == null || region.equals("ZZ") ? null : region;
    } catch (com.google.i18n.phonenumbers.NumberParseException e) {
      return null;
    }
  }
}
