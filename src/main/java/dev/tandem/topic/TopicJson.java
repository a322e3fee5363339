package dev.tandem.topic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.channel.Channel;
import dev.tandem.config.ConfigException;
import dev.tandem.config.TandemConfig;
import dev.tandem.error.InvalidInput;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A topic as JSON: the API's body, the stored {@code policy} column and the YAML {@code topics:}
 * form all use the same field names. Reading validates every value and names the field it came from
 * ({@code fallback.on}, {@code caps[1].window}); fields left out take {@link TopicPolicy#defaults}
 * of the topic's class.
 */
public final class TopicJson {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

  /** The fields of a topic; {@code key} comes from the path or the YAML map. */
  public static final Set<String> FIELDS =
      Set.of(
          "class",
          "description",
          "policy",
          "preferenceDefault",
          "fallback",
          "smsSegmentBudget",
          "quietHours",
          "caps",
          "overCap",
          "dedupeWindow",
          "dailySmsBudget");

  private TopicJson() {}

  /**
   * Reads a whole topic. {@code class} is required; {@code description} defaults to {@code
   * defaultDescription}. Throws {@link InvalidInput} naming the field (prefixed by {@code prefix},
   * e.g. {@code topics.news.}) for each bad value.
   */
  public static Topic topic(String key, JsonNode node, String prefix, String defaultDescription) {
    if (node == null || !node.isObject()) {
      throw new InvalidInput(
          "invalid-topic", prefix.isEmpty() ? "body" : strip(prefix), "a topic is a JSON object.");
    }
    unknownFields(node, FIELDS, prefix);
    JsonNode classNode = node.get("class");
    if (classNode == null || classNode.isNull()) {
      throw new InvalidInput(
          "missing-class",
          prefix + "class",
          prefix + "class is required: critical, transactional or marketing.");
    }
    TopicClass topicClass = topicClass(classNode.asText(), prefix + "class");
    String description = defaultDescription;
    JsonNode d = node.get("description");
    if (d != null && !d.isNull()) {
      if (!d.isTextual() || d.asText().isBlank() || d.asText().length() > 200) {
        throw new InvalidInput(
            "invalid-description",
            prefix + "description",
            prefix + "description must be text of 1 to 200 characters (it is shown to people).");
      }
      description = d.asText().strip();
    }
    return new Topic(key, topicClass, description, policy(topicClass, node, prefix));
  }

  /** Reads the policy fields of {@code node} (others are ignored) over the class's defaults. */
  public static TopicPolicy policy(TopicClass topicClass, JsonNode node, String prefix) {
    TopicPolicy d = TopicPolicy.defaults(topicClass);
    ChannelPolicy channels = d.channels();
    if (present(node, "policy")) {
      String value = node.get("policy").asText();
      channels =
          ChannelPolicy.parse(value)
              .orElseThrow(() ->
                  new InvalidInput(
                      "invalid-policy",
                      prefix + "policy",
                      prefix
                          + "policy '"
                          + value
                          + "' is not a channel policy; use email-first, sms-first, both,"
                          + " pointer or preference."));
    }
    Channel preferenceDefault = d.preferenceDefault();
    if (present(node, "preferenceDefault")) {
      preferenceDefault = channel(node.get("preferenceDefault"), prefix + "preferenceDefault");
    }
    TopicPolicy.Fallback fallback = d.fallback();
    if (node.has("fallback")) {
      fallback = fallback(node.get("fallback"), prefix + "fallback");
    }
    int segments = d.smsSegmentBudget();
    if (present(node, "smsSegmentBudget")) {
      segments = integer(node.get("smsSegmentBudget"), prefix + "smsSegmentBudget", 1, 10);
    }
    boolean quietHours = d.quietHours();
    if (present(node, "quietHours")) {
      quietHours = bool(node.get("quietHours"), prefix + "quietHours");
    }
    List<TopicPolicy.Cap> caps = d.caps();
    if (node.has("caps")) {
      caps = caps(node.get("caps"), prefix + "caps");
    }
    TopicPolicy.OverCap overCap = d.overCap();
    if (present(node, "overCap")) {
      String value = node.get("overCap").asText();
      overCap =
          switch (value) {
            case "defer" -> TopicPolicy.OverCap.DEFER;
            case "drop" -> TopicPolicy.OverCap.DROP;
            default ->
                throw new InvalidInput(
                    "invalid-over-cap",
                    prefix + "overCap",
                    prefix + "overCap '" + value + "' is not defer or drop.");
          };
    }
    Duration dedupe = d.dedupeWindow();
    if (present(node, "dedupeWindow")) {
      dedupe = duration(node.get("dedupeWindow"), prefix + "dedupeWindow", true);
    }
    Optional<BigDecimal> budget = d.dailySmsBudget();
    if (node.has("dailySmsBudget")) {
      budget = money(node.get("dailySmsBudget"), prefix + "dailySmsBudget");
    }
    return new TopicPolicy(
        channels, preferenceDefault, fallback, segments, quietHours, caps, overCap, dedupe, budget);
  }

  /**
   * The configured topics with their policies. A bad setting stops start-up with a {@link
   * ConfigException} naming the key down to the field ({@code topics.order-shipped.caps[1].max}),
   * the value and the fix.
   */
  public static List<Topic> configured(List<TandemConfig.TopicSeed> seeds) {
    List<Topic> topics = new ArrayList<>();
    for (TandemConfig.TopicSeed seed : seeds) {
      JsonNode settings;
      try {
        settings = JSON.readTree(seed.settings());
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new ConfigException(
            seed.origin(), null, "not a map of topic settings", "see docs/topics.md");
      }
      String prefix = seed.origin().equals("topics." + seed.key()) ? seed.origin() + "." : "";
      try {
        topics.add(topic(seed.key(), settings, prefix, seed.key()));
      } catch (InvalidInput e) {
        String field = prefix.isEmpty() ? seed.origin() : e.field();
        JsonNode at =
            settings.at(
                "/"
                    + e.field()
                        .substring(Math.min(prefix.length(), e.field().length()))
                        .replace("[", "/")
                        .replace("]", "")
                        .replace('.', '/'));
        throw new ConfigException(
            field,
            at.isMissingNode() || at.isContainerNode() ? null : at.asText(),
            "invalid topic setting",
            e.getMessage());
      }
    }
    return topics;
  }

  /** The policy fields of a stored {@code policy} column. */
  public static TopicPolicy stored(TopicClass topicClass, String json) {
    try {
      return policy(topicClass, JSON.readTree(json), "policy.");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("stored topic policy is not JSON: " + json, e);
    }
  }

  /** The whole topic as the API shows it. */
  public static ObjectNode write(Topic topic) {
    ObjectNode out = JSON.createObjectNode();
    out.put("key", topic.key());
    out.put("class", topic.topicClass().name().toLowerCase(Locale.ROOT));
    out.put("description", topic.description());
    out.setAll(write(topic.policy()));
    return out;
  }

  /** The policy fields, every one written (what is stored is what applies). */
  public static ObjectNode write(TopicPolicy policy) {
    ObjectNode out = JSON.createObjectNode();
    out.put("policy", policy.channels().key());
    out.put("preferenceDefault", policy.preferenceDefault().key());
    ObjectNode fallback = out.putObject("fallback");
    ArrayNode on = fallback.putArray("on");
    policy.fallback().on().stream().sorted().map(TopicPolicy.Trigger::key).forEach(on::add);
    policy
        .fallback()
        .after()
        .ifPresentOrElse(a -> fallback.put("after", a.toString()), () -> fallback.putNull("after"));
    out.put("smsSegmentBudget", policy.smsSegmentBudget());
    out.put("quietHours", policy.quietHours());
    ArrayNode caps = out.putArray("caps");
    for (TopicPolicy.Cap cap : policy.caps()) {
      ObjectNode c = caps.addObject();
      c.put("max", cap.max());
      c.put("window", cap.window().toString());
      cap.channel().ifPresent(ch -> c.put("channel", ch.key()));
    }
    out.put("overCap", policy.overCap().name().toLowerCase(Locale.ROOT));
    out.put("dedupeWindow", policy.dedupeWindow().toString());
    policy
        .dailySmsBudget()
        .ifPresentOrElse(
            b -> out.put("dailySmsBudget", b.toPlainString()), () -> out.putNull("dailySmsBudget"));
    return out;
  }

  /** {@code critical}, {@code transactional} or {@code marketing}, any case. */
  public static TopicClass topicClass(String value, String field) {
    for (TopicClass c : TopicClass.values()) {
      if (c.name().equalsIgnoreCase(value.strip())) {
        return c;
      }
    }
    throw new InvalidInput(
        "invalid-class",
        field,
        field + " '" + value + "' is not a topic class; use critical, transactional or marketing.");
  }

  /** {@code 30m}, {@code 24h}, {@code 7d}, {@code 500ms} or ISO-8601 ({@code PT30M}); or null. */
  public static Duration parseDuration(String value) {
    Matcher m = SHORT_DURATION.matcher(value.strip().toLowerCase(Locale.ROOT));
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(value.strip().toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static TopicPolicy.Fallback fallback(JsonNode node, String field) {
    if (node.isNull()) {
      return TopicPolicy.Fallback.NONE;
    }
    if (!node.isObject()) {
      throw new InvalidInput(
          "invalid-fallback",
          field,
          field + " must be an object like {\"on\": [\"failed\"], \"after\": \"PT30M\"}, or null.");
    }
    unknownFields(node, Set.of("on", "after"), field + ".");
    Set<TopicPolicy.Trigger> on = EnumSet.noneOf(TopicPolicy.Trigger.class);
    JsonNode triggers = node.get("on");
    if (triggers != null && !triggers.isNull()) {
      if (!triggers.isArray()) {
        throw new InvalidInput(
            "invalid-trigger",
            field + ".on",
            field + ".on must be a list of failed, no-receipt, not-opened, not-clicked.");
      }
      for (JsonNode t : triggers) {
        on.add(
            TopicPolicy.Trigger.parse(t.asText())
                .orElseThrow(() ->
                    new InvalidInput(
                        "invalid-trigger",
                        field + ".on",
                        field
                            + ".on: '"
                            + t.asText()
                            + "' is not a trigger; use failed, no-receipt, not-opened or"
                            + " not-clicked.")));
      }
    }
    Optional<Duration> after = Optional.empty();
    if (present(node, "after")) {
      Duration d = duration(node.get("after"), field + ".after", false);
      after = Optional.of(d);
    }
    if (on.stream().anyMatch(TopicPolicy.Trigger::timed) && after.isEmpty()) {
      throw new InvalidInput(
          "missing-after",
          field + ".after",
          field
              + ".after is required with "
              + on.stream()
                  .filter(TopicPolicy.Trigger::timed)
                  .map(TopicPolicy.Trigger::key)
                  .toList()
              + ": how long to wait, e.g. PT30M.");
    }
    return new TopicPolicy.Fallback(on, after);
  }

  private static List<TopicPolicy.Cap> caps(JsonNode node, String field) {
    if (node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new InvalidInput(
          "invalid-caps",
          field,
          field + " must be a list like [{\"max\": 3, \"window\": \"P7D\"}], or [] for none.");
    }
    List<TopicPolicy.Cap> caps = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      String f = field + "[" + i + "]";
      JsonNode c = node.get(i);
      if (!c.isObject()) {
        throw new InvalidInput(
            "invalid-caps", f, f + " must be an object with max, window and optionally channel.");
      }
      unknownFields(c, Set.of("max", "window", "channel"), f + ".");
      if (!present(c, "max") || !present(c, "window")) {
        throw new InvalidInput(
            "invalid-caps",
            f,
            f + " needs max and window, e.g. {\"max\": 3, \"window\": \"P7D\"}.");
      }
      int max = integer(c.get("max"), f + ".max", 0, 1_000_000);
      Duration window = duration(c.get("window"), f + ".window", false);
      if (window.compareTo(Duration.ofDays(31)) > 0) {
        throw new InvalidInput(
            "invalid-caps",
            f + ".window",
            f + ".window " + window + " is longer than 31 days; use at most P31D.");
      }
      Optional<Channel> channel =
          present(c, "channel")
              ? Optional.of(channel(c.get("channel"), f + ".channel"))
              : Optional.empty();
      caps.add(new TopicPolicy.Cap(max, window, channel));
    }
    return caps;
  }

  private static Optional<BigDecimal> money(JsonNode node, String field) {
    if (node.isNull()) {
      return Optional.empty();
    }
    try {
      BigDecimal value = new BigDecimal(node.asText().strip());
      if (value.signum() < 0) {
        throw new NumberFormatException();
      }
      return Optional.of(value);
    } catch (NumberFormatException e) {
      throw new InvalidInput(
          "invalid-budget",
          field,
          field
              + " '"
              + node.asText()
              + "' is not an amount; write a number of zero or more like \"25.00\", or null.");
    }
  }

  private static Channel channel(JsonNode node, String field) {
    String value = node.asText();
    return Channel.parse(value)
        .orElseThrow(() ->
            new InvalidInput(
                "invalid-channel", field, field + " '" + value + "' is not sms or email."));
  }

  private static int integer(JsonNode node, String field, int min, int max) {
    if (node.canConvertToInt() && node.isIntegralNumber()) {
      int n = node.asInt();
      if (n >= min && n <= max) {
        return n;
      }
    } else if (node.isTextual() && node.asText().strip().matches("-?\\d{1,9}")) {
      int n = Integer.parseInt(node.asText().strip());
      if (n >= min && n <= max) {
        return n;
      }
    }
    throw new InvalidInput(
        "invalid-number",
        field,
        field + " '" + node.asText() + "' must be a whole number from " + min + " to " + max + ".");
  }

  private static boolean bool(JsonNode node, String field) {
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    return switch (node.asText().strip().toLowerCase(Locale.ROOT)) {
      case "true", "on", "yes" -> true;
      case "false", "off", "no" -> false;
      default ->
          throw new InvalidInput(
              "invalid-boolean", field, field + " '" + node.asText() + "' is not true or false.");
    };
  }

  private static Duration duration(JsonNode node, String field, boolean zeroAllowed) {
    Duration d = node.isTextual() ? parseDuration(node.asText()) : null;
    if (d != null && d.compareTo(TopicPolicy.LONGEST) > 0) {
      throw new InvalidInput(
          "duration-too-long",
          field,
          field
              + " '"
              + node.asText()
              + "' is longer than "
              + TopicPolicy.LONGEST.toDays()
              + " days, the longest a topic waits, caps or dedupes; use P31D or less.");
    }
    if (d == null || d.isNegative() || (!zeroAllowed && d.isZero())) {
      throw new InvalidInput(
          "invalid-duration",
          field,
          field
              + " '"
              + node.asText()
              + "' is not a "
              + (zeroAllowed ? "" : "positive ")
              + "duration; write ISO-8601 like PT30M or P7D (or 30m, 24h, 7d).");
    }
    return d;
  }

  private static boolean present(JsonNode node, String field) {
    return node.has(field) && !node.get(field).isNull();
  }

  private static void unknownFields(JsonNode node, Set<String> known, String prefix) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        throw new InvalidInput(
            "unknown-field",
            prefix + name,
            "'"
                + prefix
                + name
                + "' is not a topic field; use "
                + known.stream().sorted().toList()
                + ".");
      }
    }
  }

  private static String strip(String prefix) {
    return prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
  }
}
