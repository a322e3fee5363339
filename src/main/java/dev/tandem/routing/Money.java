package dev.tandem.routing;

import java.math.BigDecimal;

public record Money(BigDecimal amount, String currency) {}
