package dev.tandem.routing;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

public record RoutingPlan(
    List<Step> steps,
    List<Skip> skipped,
    Optional<UUID> duplicateOf,
    Optional<Money> cost,
    Optional<Money> fallbackCost,
    String summary) {}
