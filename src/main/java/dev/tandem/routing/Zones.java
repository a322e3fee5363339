package dev.tandem.routing;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberToTimeZonesMapper;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import com.google.i18n.phonenumbers.geocoding.PhoneNumberOfflineGeocoder;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where a person may be, for quiet hours: the candidate time zones and the regions whose rules
 * apply (country, and for North American numbers the area code's state, e.g. {@code US-FL}).
 *
 * <ul>
 *   <li>An explicit zone on the contact wins ({@code explicit}).
 *   <li>Else the number's zones from libphonenumber's prefix data ({@code phone-prefix}); an area
 *       code split across zones gives several, and a window must hold in each.
 *   <li>A number that maps only to the whole of North America (toll-free, non-geographic) would
 *       span Guam to Newfoundland, where no window holds in every zone: it takes the continental US
 *       zones instead ({@code phone-country}), STANDARDS §6.3.
 *   <li>No zone at all: the installation's default ({@code default}).
 * </ul>
 *
 * The area code's state applies even when the contact has an explicit zone: Florida and Oklahoma
 * presume a number with their area code is a resident's. Pure (libphonenumber's bundled data).
 *
 * @param source explicit, phone-prefix, phone-country or default
 */
public record Zones(List<ZoneId> candidates, String source, Set<String> regions) {
  private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

  /** The continental US zones, for a North American number no prefix narrows down. */
  static final List<ZoneId> CONTINENTAL_US =
      List.of(
          ZoneId.of("America/New_York"),
          ZoneId.of("America/Chicago"),
          ZoneId.of("America/Denver"),
          ZoneId.of("America/Phoenix"),
          ZoneId.of("America/Los_Angeles"));

  public Zones {
    candidates = List.copyOf(candidates);
    regions = Set.copyOf(regions);
    if (candidates.isEmpty()) {
      throw new IllegalArgumentException("no candidate zone");
    }
  }

  public static Zones of(
      Optional<String> explicitZone, Optional<String> phoneE164, ZoneId fallback) {
    Optional<PhoneFacts> facts = phoneE164.flatMap(Zones::facts);
    Set<String> regions = facts.map(PhoneFacts::regions).orElse(Set.of());
    Optional<ZoneId> explicit = explicitZone.flatMap(Zones::zone);
    if (explicit.isPresent()) {
      return new Zones(List.of(explicit.get()), "explicit", regions);
    }
    if (facts.isPresent()) {
      List<String> ids = facts.get().zoneIds();
      if (!ids.isEmpty() && !ids.contains(PhoneNumberToTimeZonesMapper.getUnknownTimeZone())) {
        if (facts.get().countryCode() == 1 && ids.size() > 10) {
          return new Zones(CONTINENTAL_US, "phone-country", regions);
        }
        List<ZoneId> zones = ids.stream().map(Zones::zone).flatMap(Optional::stream).toList();
        if (!zones.isEmpty()) {
          return new Zones(zones, "phone-prefix", regions);
        }
      }
    }
    return new Zones(List.of(fallback), "default", regions);
  }

  /** What the number's prefix says: its country, state and time zones. */
  private record PhoneFacts(int countryCode, Set<String> regions, List<String> zoneIds) {}

  /**
   * Parsing and the prefix tables cost tens of microseconds a number, and one accept asks several
   * times: remembered per number (the map is emptied when it reaches {@value #FACTS_KEPT}).
   */
  private static final java.util.Map<String, Optional<PhoneFacts>> FACTS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static final int FACTS_KEPT = 20_000;

  private static Optional<PhoneFacts> facts(String e164) {
    Optional<PhoneFacts> known = FACTS.get(e164);
    if (known != null) {
      return known;
    }
    Optional<PhoneFacts> facts =
        parse(e164)
            .map(number ->
                new PhoneFacts(
                    number.getCountryCode(),
                    Set.copyOf(regionsOf(number)),
                    List.copyOf(
                        PhoneNumberToTimeZonesMapper.getInstance().getTimeZonesForNumber(number))));
    if (FACTS.size() >= FACTS_KEPT) {
      FACTS.clear();
    }
    FACTS.put(e164, facts);
    return facts;
  }

  private static Optional<PhoneNumber> parse(String e164) {
    try {
      return Optional.of(PHONES.parse(e164, null));
    } catch (NumberParseException e) {
      return Optional.empty();
    }
  }

  private static Optional<ZoneId> zone(String id) {
    try {
      return Optional.of(ZoneId.of(id));
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  /** The country (ISO 3166-1) and, for US and Canadian numbers, the area code's state. */
  static Set<String> regionsOf(PhoneNumber number) {
    var regions = new LinkedHashSet<String>();
    String country = PHONES.getRegionCodeForNumber(number);
    if (country == null || country.equals("ZZ")) {
      return regions;
    }
    regions.add(country);
    if (country.equals("US") || country.equals("CA")) {
      String description =
          PhoneNumberOfflineGeocoder.getInstance().getDescriptionForNumber(number, Locale.ENGLISH);
      state(country, description).ifPresent(regions::add);
    }
    return regions;
  }

  /** "Florida" or "Miami, FL" → US-FL. */
  static Optional<String> state(String country, String description) {
    if (description == null || description.isBlank()) {
      return Optional.empty();
    }
    int comma = description.lastIndexOf(", ");
    if (comma >= 0 && description.length() - comma == 4) {
      return Optional.of(country + "-" + description.substring(comma + 2));
    }
    return Optional.ofNullable(STATES.get(description.strip())).map(code -> country + "-" + code);
  }

  private static final Map<String, String> STATES =
      Map.ofEntries(
          Map.entry("Alabama", "AL"),
          Map.entry("Alaska", "AK"),
          Map.entry("Arizona", "AZ"),
          Map.entry("Arkansas", "AR"),
          Map.entry("California", "CA"),
          Map.entry("Colorado", "CO"),
          Map.entry("Connecticut", "CT"),
          Map.entry("Delaware", "DE"),
          Map.entry("Florida", "FL"),
          Map.entry("Georgia", "GA"),
          Map.entry("Hawaii", "HI"),
          Map.entry("Idaho", "ID"),
          Map.entry("Illinois", "IL"),
          Map.entry("Indiana", "IN"),
          Map.entry("Iowa", "IA"),
          Map.entry("Kansas", "KS"),
          Map.entry("Kentucky", "KY"),
          Map.entry("Louisiana", "LA"),
          Map.entry("Maine", "ME"),
          Map.entry("Maryland", "MD"),
          Map.entry("Massachusetts", "MA"),
          Map.entry("Michigan", "MI"),
          Map.entry("Minnesota", "MN"),
          Map.entry("Mississippi", "MS"),
          Map.entry("Missouri", "MO"),
          Map.entry("Montana", "MT"),
          Map.entry("Nebraska", "NE"),
          Map.entry("Nevada", "NV"),
          Map.entry("New Hampshire", "NH"),
          Map.entry("New Jersey", "NJ"),
          Map.entry("New Mexico", "NM"),
          Map.entry("New York", "NY"),
          Map.entry("North Carolina", "NC"),
          Map.entry("North Dakota", "ND"),
          Map.entry("Ohio", "OH"),
          Map.entry("Oklahoma", "OK"),
          Map.entry("Oregon", "OR"),
          Map.entry("Pennsylvania", "PA"),
          Map.entry("Rhode Island", "RI"),
          Map.entry("South Carolina", "SC"),
          Map.entry("South Dakota", "SD"),
          Map.entry("Tennessee", "TN"),
          Map.entry("Texas", "TX"),
          Map.entry("Utah", "UT"),
          Map.entry("Vermont", "VT"),
          Map.entry("Virginia", "VA"),
          Map.entry("Washington", "WA"),
          Map.entry("Washington D.C.", "DC"),
          Map.entry("West Virginia", "WV"),
          Map.entry("Wisconsin", "WI"),
          Map.entry("Wyoming", "WY"),
          Map.entry("Alberta", "AB"),
          Map.entry("British Columbia", "BC"),
          Map.entry("Manitoba", "MB"),
          Map.entry("New Brunswick", "NB"),
          Map.entry("Newfoundland and Labrador", "NL"),
          Map.entry("Nova Scotia", "NS"),
          Map.entry("Ontario", "ON"),
          Map.entry("Prince Edward Island", "PE"),
          Map.entry("Quebec", "QC"),
          Map.entry("Saskatchewan", "SK"));
}
