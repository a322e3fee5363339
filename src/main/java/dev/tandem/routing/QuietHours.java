package dev.tandem.routing;

import dev.tandem.topic.TopicClass;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * When marketing SMS may reach a person, as data: per region and day of week, a window in the
 * person's local time. A moment is allowed when it is inside the window of <b>every</b> region that
 * applies ({@code *}, the country, the area code's state) in <b>every</b> zone the person may be
 * in: the intersection, so the most restrictive rule wins and an ambiguous number is treated as
 * being in its strictest zone. Pure; DST-correct (each zone's local time is computed for the moment
 * itself).
 */
public final class QuietHours {
  /** One row: in {@code region}, on {@code days}, from (inclusive) until (exclusive). */
  public record Rule(
      String region,
      Optional<TopicClass> topicClass,
      Set<DayOfWeek> days,
      LocalTime from,
      LocalTime until,
      String source) {}

  /** Now allowed, or the next allowed moment, or none within a week (the windows never overlap). */
  public record Verdict(boolean allowedNow, Optional<Instant> next, String explanation) {}

  /** Rules by region, then by class ("" for the rows without one). */
  private final Map<String, Map<String, List<Rule>>> byRegion;

  public QuietHours(List<Rule> rules) {
    var map = new HashMap<String, Map<String, List<Rule>>>();
    for (Rule r : rules) {
      map.computeIfAbsent(r.region(), k -> new HashMap<>())
          .computeIfAbsent(r.topicClass().map(TopicClass::name).orElse(""), k -> new ArrayList<>())
          .add(r);
    }
    this.byRegion = Map.copyOf(map);
  }

  /** The rules shipped with Tandem (the federal window, stricter state rows). */
  public static QuietHours defaults() {
    try (InputStream in = QuietHours.class.getResourceAsStream("quiet-hours.tsv")) {
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads rules as tab-separated rows {@code region days from until source}; {@code #} comments and
   * a header row are skipped. A region may name a class ({@code US-FL:transactional}): its rows
   * replace the region's general rows for that class. Days: {@code mon-sun}, {@code mon-fri},
   * {@code sat}, {@code mon,wed}. A bad row is refused with its line number.
   */
  public static QuietHours parse(String text) {
    List<Rule> rules = new ArrayList<>();
    int lineNo = 0;
    for (String line : text.split("\n")) {
      lineNo++;
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#") || l.startsWith("region\t")) {
        continue;
      }
      String[] f = l.split("\t");
      if (f.length < 4) {
        throw new IllegalArgumentException(
            "quiet hours line "
                + lineNo
                + ": want region, days, from, until (tab-separated): "
                + l);
      }
      try {
        LocalTime from = LocalTime.parse(f[2].strip());
        LocalTime until =
            f[3].strip().equals("24:00") ? LocalTime.MAX : LocalTime.parse(f[3].strip());
        if (!from.isBefore(until)) {
          throw new IllegalArgumentException("from " + from + " is not before until " + until);
        }
        String[] region = f[0].strip().split(":", 2);
        Optional<TopicClass> topicClass = Optional.empty();
        if (region.length == 2) {
          topicClass =
              Optional.of(
                  java.util.Arrays.stream(TopicClass.values())
                      .filter(c -> c.name().equalsIgnoreCase(region[1].strip()))
                      .findFirst()
                      .orElseThrow(() ->
                          new IllegalArgumentException(
                              "'"
                                  + region[1]
                                  + "' is not a class (critical, transactional, marketing)")));
        }
        rules.add(
            new Rule(
                region[0].strip(),
                topicClass,
                days(f[1].strip()),
                from,
                until,
                f.length > 4 ? f[4] : ""));
      } catch (DateTimeParseException | IllegalArgumentException e) {
        throw new IllegalArgumentException("quiet hours line " + lineNo + ": " + e.getMessage(), e);
      }
    }
    return new QuietHours(rules);
  }

  private static Set<DayOfWeek> days(String spec) {
    Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    for (String part : spec.toLowerCase(Locale.ROOT).split(",")) {
      String[] range = part.strip().split("-");
      DayOfWeek a = day(range[0]);
      DayOfWeek b = range.length > 1 ? day(range[1]) : a;
      for (DayOfWeek d = a; ; d = d.plus(1)) {
        days.add(d);
        if (d == b) {
          break;
        }
      }
    }
    return days;
  }

  private static DayOfWeek day(String s) {
    for (DayOfWeek d : DayOfWeek.values()) {
      if (d.name().toLowerCase(Locale.ROOT).startsWith(s.strip()) && s.strip().length() >= 3) {
        return d;
      }
    }
    throw new IllegalArgumentException("'" + s + "' is not a day (mon, tue, … sun)");
  }

  /** The rules of each region among these (plus {@code *}) that has rules for this class. */
  private List<List<Rule>> applicable(Set<String> regions, TopicClass topicClass) {
    var result = new ArrayList<List<Rule>>();
    var all = new ArrayList<String>();
    all.add("*");
    all.addAll(new TreeSet<>(regions));
    for (String r : all) {
      Map<String, List<Rule>> byClass = byRegion.get(r);
      if (byClass != null) {
        List<Rule> rules = byClass.getOrDefault(topicClass.name(), byClass.get(""));
        if (rules != null) {
          result.add(rules);
        }
      }
    }
    return result;
  }

  public boolean allowed(Zones zones, TopicClass topicClass, Instant at) {
    return allowed(applicable(zones.regions(), topicClass), zones.candidates(), at);
  }

  private static boolean allowed(List<List<Rule>> regions, List<ZoneId> zones, Instant at) {
    for (ZoneId zone : zones) {
      ZonedDateTime local = at.atZone(zone);
      LocalTime time = local.toLocalTime();
      for (List<Rule> rules : regions) {
        boolean inside = false;
        for (Rule r : rules) {
          if (r.days().contains(local.getDayOfWeek())
              && !time.isBefore(r.from())
              && time.isBefore(r.until())) {
            inside = true;
            break;
          }
        }
        if (!inside) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Whether {@code now} is allowed and, if not, the first allowed moment within the next 8 days:
   * the earliest allowed moment is {@code now} or the start of some window in some zone, so only
   * those are tried.
   */
  public Verdict check(Zones zones, TopicClass topicClass, Instant now) {
    List<List<Rule>> regions = applicable(zones.regions(), topicClass);
    if (regions.isEmpty() || allowed(regions, zones.candidates(), now)) {
      return new Verdict(true, Optional.empty(), "inside the allowed window");
    }
    var starts = new TreeSet<Instant>();
    for (ZoneId zone : zones.candidates()) {
      LocalDate today = now.atZone(zone).toLocalDate();
      for (int d = 0; d <= 8; d++) {
        LocalDate date = today.plusDays(d);
        for (List<Rule> rules : regions) {
          for (Rule r : rules) {
            if (r.days().contains(date.getDayOfWeek())) {
              Instant start = ZonedDateTime.of(date, r.from(), zone).toInstant();
              if (start.isAfter(now)) {
                starts.add(start);
              }
            }
          }
        }
      }
    }
    for (Instant start : starts) {
      if (allowed(regions, zones.candidates(), start)) {
        return new Verdict(false, Optional.of(start), "outside the allowed window " + where(zones));
      }
    }
    return new Verdict(
        false,
        Optional.empty(),
        "the allowed windows never overlap " + where(zones) + "; set the contact's time zone");
  }

  private static String where(Zones zones) {
    return "in "
        + (zones.candidates().size() == 1 ? "" : "every one of ")
        + zones.candidates()
        + (zones.regions().isEmpty() ? "" : " (rules of " + new TreeSet<>(zones.regions()) + ")");
  }
}
