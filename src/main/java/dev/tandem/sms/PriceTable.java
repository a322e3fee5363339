package dev.tandem.sms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tandem.config.ConfigException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * SMS prices per segment, by destination prefix (a country calling code or any E.164 prefix) and
 * sender type, from a YAML file:
 *
 * <pre>
 * currency: EUR
 * prices:
 *   - prefix: "+44"
 *     sender: alphanumeric     # alphanumeric, shortcode, number or any (the default)
 *     perSegment: "0.0350"
 *   - prefix: "+"              # everything else
 *     perSegment: "0.0600"
 * </pre>
 *
 * The longest matching prefix wins; for the same prefix a row for the sender type beats "any".
 */
public final class PriceTable {
  /** One row of the table. {@code sender} empty means any sender type. */
  public record Price(String prefix, Optional<SenderType> sender, BigDecimal perSegment) {}

  /** The cost of one SMS. */
  public record Cost(BigDecimal amount, String currency) {}

  private final String currency;
  private final List<Price> prices;

  public PriceTable(String currency, List<Price> prices) {
    this.currency = currency;
    this.prices =
        prices.stream()
            .sorted(
                Comparator.comparing((Price p) -> p.prefix().length())
                    .thenComparing(p -> p.sender().isPresent() ? 1 : 0)
                    .reversed())
            .toList();
  }

  public static PriceTable none() {
    return new PriceTable("", List.of());
  }

  public static PriceTable load(Path file) {
    String key = "sms.priceTable";
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException(
          key,
          file.toString(),
          "cannot be read (" + e.getMessage() + ")",
          "point it at a readable YAML price table");
    }
    if (root == null || !root.path("currency").isTextual() || !root.path("prices").isArray()) {
      throw new ConfigException(
          key, file.toString(), "needs 'currency' and a 'prices' list", "see docs/sms.md#cost");
    }
    var prices = new ArrayList<Price>();
    int row = 0;
    for (JsonNode entry : root.get("prices")) {
      row++;
      String prefix = entry.path("prefix").asText("");
      if (!prefix.matches("\\+[0-9]*")) {
        throw new ConfigException(
            key,
            file + " row " + row,
            "prefix '" + prefix + "' is not + followed by digits",
            "write it like \"+44\" or \"+1415\"");
      }
      Optional<SenderType> sender = Optional.empty();
      String senderText = entry.path("sender").asText("any");
      if (!senderText.equals("any")) {
        try {
          sender = Optional.of(SenderType.valueOf(senderText.toUpperCase(java.util.Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new ConfigException(
              key,
              file + " row " + row,
              "sender '" + senderText + "' is unknown",
              "use alphanumeric, shortcode, number or any");
        }
      }
      BigDecimal perSegment;
      try {
        perSegment = new BigDecimal(entry.path("perSegment").asText());
      } catch (NumberFormatException e) {
        throw new ConfigException(
            key,
            file + " row " + row,
            "perSegment '" + entry.path("perSegment").asText() + "' is not a number",
            "write it like \"0.0350\"");
      }
      if (perSegment.signum() < 0) {
        throw new ConfigException(
            key, file + " row " + row, "perSegment is negative", "use a price of 0 or more");
      }
      prices.add(new Price(prefix, sender, perSegment));
    }
    return new PriceTable(root.get("currency").asText(), prices);
  }

  /** The cost of {@code segments} segments to {@code e164} from this sender type, if priced. */
  public Optional<Cost> cost(String e164, SenderType sender, int segments) {
    for (Price price : prices) {
      if (e164.startsWith(price.prefix()) && price.sender().map(s -> s == sender).orElse(true)) {
        return Optional.of(
            new Cost(price.perSegment().multiply(BigDecimal.valueOf(segments)), currency));
      }
    }
    return Optional.empty();
  }
}
