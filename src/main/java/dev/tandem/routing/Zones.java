package dev.tandem.routing;

import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;

public record Zones(List<ZoneId> candidates, String source, Set<String> regions) {
  public static Zones of(Optional<String> explicit, Optional<String> phone, ZoneId fallback) {
    return explicit
        .map(z -> new Zones(List.of(ZoneId.of(z)), "explicit", Set.of()))
        .orElse(new Zones(List.of(fallback), "default", Set.of()));
  }
}
