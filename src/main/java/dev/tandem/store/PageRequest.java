package dev.tandem.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.error.InvalidInput;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Where a page of a list starts and how long it is: cursor (keyset) pagination. A cursor is the
 * sort key of the last item a page showed, encoded opaquely; the next page is the items strictly
 * after it in the list's order, so items added meanwhile never shift or repeat what a reader sees,
 * and a deep page costs what the first does. Every list orders by a key that is unique.
 *
 * @param after the sort key of the last item seen, as text; empty for the first page
 */
public record PageRequest(int limit, List<String> after) {
  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 500;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** After every time a row holds: where a newest-first list keyed by time starts. */
  public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

  public PageRequest {
    after = List.copyOf(after);
  }

  public static PageRequest first(int limit) {
    return new PageRequest(limit, List.of());
  }

  /**
   * The request from the {@code limit} and {@code after} query parameters (either may be null) of a
   * list whose sort key has {@code keyParts} parts.
   */
  public static PageRequest of(String limit, String after, int keyParts) {
    int n = DEFAULT_LIMIT;
    if (limit != null) {
      try {
        n = Integer.parseInt(limit.strip());
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 1 || n > MAX_LIMIT) {
        throw new InvalidInput(
            "invalid-limit",
            "limit",
            "limit '" + limit + "' must be a whole number from 1 to " + MAX_LIMIT + ".");
      }
    }
    if (after == null || after.isEmpty()) {
      return new PageRequest(n, List.of());
    }
    return new PageRequest(n, decode(after, keyParts));
  }

  public boolean isFirst() {
    return after.isEmpty();
  }

  /** Part {@code i} of the cursor's key as an id. */
  public UUID uuid(int i) {
    try {
      return UUID.fromString(after.get(i));
    } catch (IllegalArgumentException e) {
      throw notACursor(after.get(i));
    }
  }

  /** Part {@code i} of the cursor's key as an instant. */
  public Instant instant(int i) {
    try {
      return Instant.parse(after.get(i));
    } catch (DateTimeException e) {
      throw notACursor(after.get(i));
    }
  }

  /** Part {@code i} of the cursor's key as a whole number. */
  public long number(int i) {
    try {
      return Long.parseLong(after.get(i));
    } catch (NumberFormatException e) {
      throw notACursor(after.get(i));
    }
  }

  public String text(int i) {
    return after.get(i);
  }

  /**
   * The page from rows read with {@code LIMIT limit + 1}: the extra row, when there is one, says
   * that a next page exists; the cursor is the key of the last row shown.
   */
  public <T> Page<T> page(List<T> rows, Function<? super T, List<String>> key) {
    if (rows.size() <= limit) {
      return new Page<>(rows, null);
    }
    List<T> shown = rows.subList(0, limit);
    return new Page<>(shown, encode(key.apply(shown.getLast())));
  }

  static String encode(List<String> key) {
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(key));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> decode(String cursor, int keyParts) {
    JsonNode key;
    try {
      key =
          JSON.readTree(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | JsonProcessingException e) {
      throw notACursor(cursor);
    }
    if (key == null || !key.isArray() || key.size() != keyParts) {
      throw notACursor(cursor);
    }
    List<String> parts = new ArrayList<>(keyParts);
    for (JsonNode part : key) {
      if (!part.isTextual()) {
        throw notACursor(cursor);
      }
      parts.add(part.asText());
    }
    return parts;
  }

  private static InvalidInput notACursor(String value) {
    String shown = value.length() > 80 ? value.substring(0, 80) + "…" : value;
    return new InvalidInput(
        "invalid-cursor",
        "after",
        "'"
            + shown
            + "' is not a cursor of this list. Pass the 'next' value of the page before, or"
            + " nothing for the first page.");
  }
}
