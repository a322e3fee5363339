package dev.tandem.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tandem.config.TandemConfig.ReceiptIds;
import dev.tandem.config.TandemConfig.SandboxMode;
import dev.tandem.config.TandemConfig.StartTls;
import dev.tandem.config.TandemConfig.TopicSeed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the configuration: built-in defaults, then the YAML file, then {@code TANDEM_*} environment
 * variables (key {@code smtp.poolSize} is {@code TANDEM_SMTP_POOL_SIZE}). Unknown keys and bad
 * values stop start-up with the key, the value and the fix.
 */
public final class ConfigLoader {

  /** Every key Tandem reads, with its default; the example YAML documents the same keys. */
  public static final Map<String, String> DEFAULTS = defaults();

  private static Map<String, String> defaults() {
    var d = new LinkedHashMap<String, String>();
    d.put("dataDir", "./data");
    d.put("http.host", "127.0.0.1");
    d.put("http.port", "8080");
    d.put("http.publicUrl", "");
    d.put("db.url", "");
    d.put("db.user", "postgres");
    d.put("db.password", "");
    d.put("db.poolSize", "10");
    d.put("db.statementStats", "off");
    d.put("contacts.defaultRegion", "US");
    d.put("contacts.phoneValidation", "possible");
    d.put("sms.substitution", "on");
    d.put("sms.priceTable", "");
    d.put("sms.provider", "smpp");
    d.put("sms.senders", "");
    d.put("sandbox.mode", "auto");
    d.put("sandbox.smtpPort", "0");
    d.put("sandbox.smppPort", "0");
    d.put("sandbox.receiptDelay", "100ms");
    d.put("sandbox.receiptStatus", "DELIVRD");
    d.put("smtp.host", "");
    d.put("smtp.port", "587");
    d.put("smtp.username", "");
    d.put("smtp.password", "");
    d.put("smtp.startTls", "optional");
    d.put("smtp.poolSize", "4");
    d.put("smtp.timeout", "30s");
    d.put("smtp.implicitTls", "off");
    d.put("smtp.fallbackRelays", "");
    d.put("smtp.sslTrust", "");
    d.put("email.from", "Tandem <noreply@tandem.localhost>");
    d.put("email.messageIdDomain", "tandem.localhost");
    d.put("email.bounceDomain", "");
    d.put("email.dkimDomain", "");
    d.put("email.dkimSelector", "");
    d.put("email.dkimPrivateKey", "");
    d.put("email.identities", "");
    d.put("smpp.host", "");
    d.put("smpp.port", "2775");
    d.put("smpp.systemId", "tandem");
    d.put("smpp.password", "");
    d.put("smpp.systemType", "");
    d.put("smpp.sourceAddress", "Tandem");
    d.put("smpp.window", "50");
    d.put("smpp.enquireLinkInterval", "30s");
    d.put("smpp.responseTimeout", "10s");
    d.put("smpp.receiptIds", "same");
    d.put("smpp.longMessages", "udh");
    d.put("smpp.defaultAlphabet", "gsm7");
    d.put("smpp.validityPeriod", "");
    d.put("smpp.binds", "1");
    d.put("smpp.maxPerSecond", "0");
    d.put("smpp.routesFile", "");
    d.put("smpp.bindMode", "transceiver");
    d.put("twilio.baseUrl", "");
    d.put("twilio.accountSid", "");
    d.put("twilio.authToken", "");
    d.put("twilio.from", "");
    d.put("vonage.baseUrl", "");
    d.put("vonage.apiKey", "");
    d.put("vonage.apiSecret", "");
    d.put("vonage.signatureSecret", "");
    d.put("vonage.signatureMethod", "sha256");
    d.put("vonage.from", "");
    d.put("reputation.guard", "on");
    d.put("reputation.window", "24h");
    d.put("reputation.minimumSends", "200");
    d.put("reputation.complaintRate", "0.3%");
    d.put("reputation.bounceRate", "4%");
    d.put("reputation.optOutRate", "2%");
    d.put("reputation.checkEvery", "5m");
    d.put("log.level", "info");
    d.put("log.format", "text");
    d.put("emailEvents.mailgunSigningKey", "");
    d.put("emailEvents.sendgridVerificationKey", "");
    d.put("inbound.smtpPort", "");
    d.put("inbound.smtpHost", "127.0.0.1");
    d.put("inbound.mailboxUrl", "");
    d.put("inbound.pollInterval", "1m");
    d.put("inbound.unknownSenders", "store");
    d.put("inbound.maxConnections", "100");
    d.put("inbound.maxConnectionsPerAddress", "10");
    d.put("inbound.idleTimeout", "60s");
    d.put("dispatch.batchSize", "200");
    d.put("dispatch.pollInterval", "250ms");
    d.put("dispatch.maxAttempts", "10");
    d.put("dispatch.retryBase", "2s");
    d.put("dispatch.retryMax", "10m");
    d.put("dispatch.lease", "2m");
    d.put("dispatch.nodeId", "");
    d.put("webhooks.retryFor", "24h");
    d.put("webhooks.disableAfter", "72h");
    d.put("webhooks.timeout", "10s");
    d.put("webhooks.allowPrivateNetworks", "off");
    d.put("webhooks.callbackSecret", "");
    d.put(
        "consent.topics",
        "alerts:critical:Security and service alerts;"
            + " account:transactional:Receipts and account updates;"
            + " news:marketing:News and offers");
    d.put("consent.defaultTopic", "account");
    // the YAML form of topics with their routing policy: a map key -> {class, description, policy,
    // fallback, ...}, kept as JSON text (TANDEM_TOPICS takes the same JSON)
    d.put("topics", "");
    d.put("consent.revocationScope", "channel");
    d.put("consent.senderName", "Tandem");
    d.put(
        "consent.stopReply",
        "{sender}: you are unsubscribed and will get no more texts. Reply START to resubscribe.");
    d.put(
        "consent.startReply",
        "{sender}: you are subscribed again. Reply HELP for help, STOP to opt out.");
    d.put(
        "consent.helpReply",
        "{sender}: texts about your account. Msg & data rates may apply. Reply STOP to opt out.");
    d.put(
        "consent.confirmRequest",
        "{sender}: reply YES to get {topic} by text. Msg & data rates may apply. Reply STOP to"
            + " opt out.");
    d.put("consent.confirmedReply", "{sender}: thanks, you are subscribed to {topic}.");
    d.put("consent.optOutKeywords", "");
    d.put("consent.optInKeywords", "");
    d.put("consent.helpKeywords", "");
    d.put("consent.keywordLanguages", "");
    d.put("consent.doubleOptInExpiry", "48h");
    d.put("consent.preferenceLinkTtl", "30d");
    d.put("privacy.erasureKeyFile", "");
    d.put("routing.defaultZone", "UTC");
    d.put("routing.quietHoursFile", "");
    d.put("routing.emailCost", "");
    d.put("doctor.resolver", "");
    d.put("doctor.timeout", "5s");
    return java.util.Collections.unmodifiableMap(d);
  }

  private ConfigLoader() {}

  /** Keys whose YAML value may be a list (kept as JSON text; the environment gives the same). */
  private static final Set<String> LISTS = Set.of("sms.senders", "email.identities");

  /**
   * The environment variable that overrides {@code key}: {@code smtp.poolSize →
   * TANDEM_SMTP_POOL_SIZE}.
   */
  public static String envName(String key) {
    return "TANDEM_"
        + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT);
  }

  /**
   * @param file optional YAML file
   * @param env the process environment (passed in so tests can supply their own)
   * @param overrides values from command-line flags; they win over everything
   */
  public static TandemConfig load(
      Path file, Map<String, String> env, Map<String, String> overrides) {
    var values = new TreeMap<String, String>(DEFAULTS);
    if (file != null) {
      values.putAll(readYaml(file));
    }
    for (String key : DEFAULTS.keySet()) {
      String fromEnv = env.get(envName(key));
      if (fromEnv != null) {
        values.put(key, fromEnv);
      }
    }
    overrides.forEach((key, value) -> {
      if (!DEFAULTS.containsKey(key)) {
        throw new IllegalArgumentException("unknown config key " + key);
      }
      values.put(key, value);
    });
    return build(new Values(values));
  }

  static Map<String, String> readYaml(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(
          "Config file " + file + " does not exist. Fix: pass an existing file to --config.");
    }
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    } catch (IOException e) {
      // only the first line of the parser's message: the rest quotes the file, secrets included
      throw new ConfigException(
          "Config file "
              + file
              + " is not valid YAML: "
              + e.getMessage().lines().findFirst().orElse("")
              + (e instanceof JsonProcessingException j && j.getLocation() != null
                  ? " (line " + j.getLocation().getLineNr() + ")"
                  : "")
              + ".");
    }
    var flat = new LinkedHashMap<String, String>();
    if (root != null && !root.isMissingNode() && !root.isNull()) {
      if (!root.isObject()) {
        throw new ConfigException("Config file " + file + " must be a YAML mapping of keys.");
      }
      JsonNode topics = ((com.fasterxml.jackson.databind.node.ObjectNode) root).remove("topics");
      flatten("", root, flat);
      if (topics != null) {
        flat.put("topics", topics.isNull() ? "" : topics.toString());
      }
    }
    for (String key : flat.keySet()) {
      if (!DEFAULTS.containsKey(key)) {
        throw new ConfigException(
            "Invalid configuration: "
                + key
                + ": unknown key in "
                + file
                + ". Fix: use one of "
                + knownNear(key));
      }
    }
    return flat;
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      var field = fields.next();
      String key = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
      JsonNode value = field.getValue();
      if (value.isObject()) {
        flatten(key, value, out);
      } else if (value.isArray() && LISTS.contains(key)) {
        out.put(key, value.toString()); // read back by Values.list / Values.identities
      } else if (value.isNull()) {
        out.put(key, "");
      } else {
        out.put(key, value.asText());
      }
    }
  }

  private static String knownNear(String key) {
    String section = key.contains(".") ? key.substring(0, key.indexOf('.') + 1) : "";
    List<String> near =
        DEFAULTS.keySet().stream()
            .filter(k -> !section.isEmpty() && k.startsWith(section))
            .toList();
    return String.join(", ", near.isEmpty() ? List.copyOf(DEFAULTS.keySet()) : near);
  }

  private static TandemConfig build(Values v) {
    var config =
        new TandemConfig(
            Path.of(v.text("dataDir")),
            new TandemConfig.Http(
                v.text("http.host"), v.port("http.port", true), v.publicUrl("http.publicUrl")),
            new TandemConfig.Db(
                v.optional("db.url"),
                v.text("db.user"),
                v.text("db.password"),
                v.integer("db.poolSize", 2, 200),
                v.onOff("db.statementStats")),
            new TandemConfig.Contacts(
                v.region("contacts.defaultRegion"),
                v.choice("contacts.phoneValidation", TandemConfig.PhoneValidation.class)),
            new TandemConfig.Sms(
                v.onOff("sms.substitution"),
                v.optional("sms.priceTable").map(Path::of),
                v.choice("sms.provider", TandemConfig.SmsProvider.class),
                v.list("sms.senders")),
            new TandemConfig.Sandbox(
                v.choice("sandbox.mode", SandboxMode.class),
                v.port("sandbox.smtpPort", true),
                v.port("sandbox.smppPort", true),
                v.duration("sandbox.receiptDelay", Duration.ZERO),
                v.receiptStatus("sandbox.receiptStatus")),
            new TandemConfig.Smtp(
                v.optional("smtp.host"),
                v.port("smtp.port", false),
                v.optional("smtp.username"),
                v.optional("smtp.password"),
                v.choice("smtp.startTls", StartTls.class),
                v.integer("smtp.poolSize", 1, 100),
                v.duration("smtp.timeout", Duration.ofSeconds(1)),
                v.onOff("smtp.implicitTls"),
                v.relays("smtp.fallbackRelays"),
                v.text("smtp.sslTrust")),
            new TandemConfig.Email(
                v.text("email.from"),
                v.text("email.messageIdDomain"),
                v.optional("email.bounceDomain"),
                v.dkim(),
                v.identities("email.identities")),
            new TandemConfig.Smpp(
                v.optional("smpp.host"),
                v.port("smpp.port", false),
                v.maxLength("smpp.systemId", 15),
                v.maxLength("smpp.password", 8),
                v.maxLength("smpp.systemType", 12),
                v.maxLength("smpp.sourceAddress", 20),
                v.integer("smpp.window", 1, 1000),
                v.duration("smpp.enquireLinkInterval", Duration.ofSeconds(1)),
                v.duration("smpp.responseTimeout", Duration.ofMillis(100)),
                v.choice("smpp.receiptIds", ReceiptIds.class),
                v.choice("smpp.longMessages", TandemConfig.LongMessages.class),
                v.choice("smpp.defaultAlphabet", TandemConfig.DefaultAlphabet.class),
                v.optional("smpp.validityPeriod")
                    .map(p -> v.duration("smpp.validityPeriod", Duration.ofMinutes(1))),
                v.integer("smpp.binds", 1, 16),
                v.integer("smpp.maxPerSecond", 0, 100_000),
                v.optional("smpp.routesFile").map(Path::of),
                v.choice("smpp.bindMode", TandemConfig.BindMode.class)),
            new TandemConfig.Twilio(
                v.text("twilio.baseUrl").replaceAll("/+$", ""),
                v.text("twilio.accountSid"),
                v.text("twilio.authToken"),
                v.text("twilio.from")),
            new TandemConfig.Vonage(
                v.text("vonage.baseUrl").replaceAll("/+$", ""),
                v.text("vonage.apiKey"),
                v.text("vonage.apiSecret"),
                v.text("vonage.signatureSecret"),
                v.choice("vonage.signatureMethod", TandemConfig.VonageSignatureMethod.class),
                v.text("vonage.from")),
            new TandemConfig.EmailEvents(
                v.optional("emailEvents.mailgunSigningKey"),
                v.optional("emailEvents.sendgridVerificationKey")
                    .map(key -> v.ecPublicKey("emailEvents.sendgridVerificationKey", key))),
            new TandemConfig.Inbound(
                v.optional("inbound.smtpPort").map(p -> v.port("inbound.smtpPort", true)),
                v.text("inbound.smtpHost"),
                v.optional("inbound.mailboxUrl"),
                v.duration("inbound.pollInterval", Duration.ofSeconds(5)),
                v.choice("inbound.unknownSenders", TandemConfig.UnknownSenders.class),
                v.integer("inbound.maxConnections", 1, 10_000),
                v.integer("inbound.maxConnectionsPerAddress", 1, 10_000),
                v.duration("inbound.idleTimeout", Duration.ofSeconds(1))),
            new TandemConfig.Dispatch(
                v.integer("dispatch.batchSize", 1, 5000),
                v.duration("dispatch.pollInterval", Duration.ofMillis(10)),
                v.integer("dispatch.maxAttempts", 1, 1000),
                v.duration("dispatch.retryBase", Duration.ZERO),
                v.duration("dispatch.retryMax", Duration.ZERO),
                v.duration("dispatch.lease", Duration.ofSeconds(5)),
                v.nodeId("dispatch.nodeId")),
            v.consent(),
            new TandemConfig.Privacy(v.optional("privacy.erasureKeyFile").map(Path::of)),
            v.routing(),
            new TandemConfig.Webhooks(
                v.duration("webhooks.retryFor", Duration.ofMinutes(1)),
                v.duration("webhooks.disableAfter", Duration.ofMinutes(1)),
                v.duration("webhooks.timeout", Duration.ofMillis(100)),
                v.onOff("webhooks.allowPrivateNetworks"),
                v.callbackSecret("webhooks.callbackSecret")),
            new TandemConfig.Log(
                v.choice("log.level", TandemConfig.LogLevel.class),
                v.choice("log.format", TandemConfig.LogFormat.class)),
            new TandemConfig.Reputation(
                v.onOff("reputation.guard"),
                v.duration("reputation.window", Duration.ofMinutes(10)),
                v.integer("reputation.minimumSends", 1, 100_000_000),
                v.rate("reputation.complaintRate"),
                v.rate("reputation.bounceRate"),
                v.rate("reputation.optOutRate"),
                v.duration("reputation.checkEvery", Duration.ofSeconds(10))),
            new TandemConfig.Doctor(
                v.hostPort("doctor.resolver"),
                v.duration("doctor.timeout", Duration.ofMillis(100))));
    if (config.smtp().username().isPresent() != config.smtp().password().isPresent()) {
      throw new ConfigException(
          "smtp.password",
          config.smtp().password().isPresent() ? "(set)" : null,
          "smtp.username and smtp.password go together",
          "set both to authenticate, or neither");
    }
    if (config.sms().provider() == TandemConfig.SmsProvider.TWILIO) {
      for (var required :
          Map.of(
                  "twilio.baseUrl", config.twilio().baseUrl(),
                  "twilio.accountSid", config.twilio().accountSid(),
                  "twilio.authToken", config.twilio().authToken(),
                  "twilio.from", config.twilio().from())
              .entrySet()) {
        if (required.getValue().isEmpty()) {
          throw new ConfigException(
              required.getKey(),
              null,
              "required with sms.provider = twilio",
              "set it (see tandem.example.yaml)");
        }
      }
      if (!config.twilio().baseUrl().matches("https?://.+")) {
        throw new ConfigException(
            "twilio.baseUrl",
            config.twilio().baseUrl(),
            "not an http(s) URL",
            "write the provider's API base, e.g. https://api.provider.example");
      }
    }
    if (config.sms().provider() == TandemConfig.SmsProvider.VONAGE) {
      for (var required :
          Map.of(
                  "vonage.baseUrl", config.vonage().baseUrl(),
                  "vonage.apiKey", config.vonage().apiKey(),
                  "vonage.apiSecret", config.vonage().apiSecret(),
                  "vonage.signatureSecret", config.vonage().signatureSecret(),
                  "vonage.from", config.vonage().from())
              .entrySet()) {
        if (required.getValue().isEmpty()) {
          throw new ConfigException(
              required.getKey(),
              null,
              "required with sms.provider = vonage",
              "set it (see tandem.example.yaml)");
        }
      }
      if (!config.vonage().baseUrl().matches("https?://.+")) {
        throw new ConfigException(
            "vonage.baseUrl",
            config.vonage().baseUrl(),
            "not an http(s) URL",
            "write the provider's API base, e.g. https://rest.provider.example");
      }
    }
    if (!config.email().from().contains("@")) {
      throw new ConfigException(
          "email.from",
          config.email().from(),
          "not an email address",
          "e.g. Shop <news@shop.example>");
    }
    return config;
  }

  /** Raw string values with typed, validating readers. */
  private record Values(Map<String, String> raw) {
    String text(String key) {
      return raw.get(key).trim();
    }

    TandemConfig.Routing routing() {
      String zone = text("routing.defaultZone");
      java.time.ZoneId defaultZone;
      try {
        defaultZone = java.time.ZoneId.of(zone);
      } catch (java.time.DateTimeException e) {
        throw new ConfigException(
            "routing.defaultZone",
            zone,
            "not a time zone",
            "use an IANA zone such as UTC, Europe/London or America/New_York");
      }
      Optional<java.math.BigDecimal> emailCost = Optional.empty();
      String currency = "USD";
      Optional<String> cost = optional("routing.emailCost");
      if (cost.isPresent()) {
        var m =
            java.util.regex.Pattern.compile("(\\d{1,6}(?:\\.\\d{1,6})?)\\s+([A-Z]{3})")
                .matcher(cost.get().strip());
        if (!m.matches()) {
          throw new ConfigException(
              "routing.emailCost",
              cost.get(),
              "not an amount and a currency",
              "write it as amount and ISO currency, e.g. '0.0004 USD'");
        }
        emailCost = Optional.of(new java.math.BigDecimal(m.group(1)));
        currency = m.group(2);
      }
      return new TandemConfig.Routing(
          defaultZone, optional("routing.quietHoursFile").map(Path::of), emailCost, currency);
    }

    Optional<String> optional(String key) {
      String value = text(key);
      return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    /** A share: {@code 0.3%} or {@code 0.003}, above 0 and at most 1 (100%). */
    double rate(String key) {
      String value = text(key).strip();
      try {
        double rate =
            value.endsWith("%")
                ? Double.parseDouble(value.substring(0, value.length() - 1).strip()) / 100
                : Double.parseDouble(value);
        if (rate > 0 && rate <= 1) {
          return rate;
        }
      } catch (NumberFormatException e) {
        // told below
      }
      throw new ConfigException(
          key, value, "not a share above 0 and at most 100%", "write it as 0.3% or 0.003");
    }

    /** A base64 X.509 (SubjectPublicKeyInfo) elliptic-curve public key, as providers show it. */
    String ecPublicKey(String key, String value) {
      try {
        java.security.KeyFactory.getInstance("EC")
            .generatePublic(
                new java.security.spec.X509EncodedKeySpec(
                    java.util.Base64.getMimeDecoder().decode(value)));
        return value;
      } catch (IllegalArgumentException | java.security.GeneralSecurityException e) {
        throw new ConfigException(
            key,
            Redact.value(key, value),
            "not a base64 elliptic-curve public key",
            "copy the verification key from the provider's signed event webhook settings");
      }
    }

    Optional<String> nodeId(String key) {
      Optional<String> value = optional(key);
      if (value.isPresent() && !value.get().matches("[A-Za-z0-9._-]{1,64}")) {
        throw new ConfigException(
            key,
            value.get(),
            "is not 1-64 letters, digits, dots, dashes or underscores",
            "name each node once, e.g. tandem-1, or leave it empty to use DATA/node-id");
      }
      return value;
    }

    String maxLength(String key, int max) {
      String value = text(key);
      if (value.length() > max) {
        throw new ConfigException(
            key, value, "longer than the " + max + " characters SMPP allows", "shorten it");
      }
      return value;
    }

    int integer(String key, int min, int max) {
      String value = text(key);
      try {
        int n = Integer.parseInt(value);
        if (n < min || n > max) {
          throw new ConfigException(
              key, value, "out of range", "use a whole number from " + min + " to " + max);
        }
        return n;
      } catch (NumberFormatException e) {
        throw new ConfigException(
            key, value, "not a whole number", "use a whole number from " + min + " to " + max);
      }
    }

    int port(String key, boolean zeroAllowed) {
      String value = text(key);
      int port;
      try {
        port = Integer.parseInt(value);
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < (zeroAllowed ? 0 : 1) || port > 65535) {
        throw new ConfigException(
            key,
            value,
            "not a TCP port",
            "use a number from " + (zeroAllowed ? "0 (any free port)" : "1") + " to 65535");
      }
      return port;
    }

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    Duration duration(String key, Duration min) {
      String value = text(key);
      Duration parsed = parseDuration(value);
      if (parsed == null) {
        throw new ConfigException(
            key, value, "not a duration", "write it like 500ms, 30s, 10m, 2h or PT30S");
      }
      if (parsed.compareTo(min) < 0) {
        throw new ConfigException(key, value, "too short", "use at least " + min);
      }
      return parsed;
    }

    <E extends Enum<E>> E choice(String key, Class<E> type) {
      return choice(key, text(key), type);
    }

    private <E extends Enum<E>> E choice(String key, String value, Class<E> type) {
      for (E constant : type.getEnumConstants()) {
        if (constant.name().replace('_', '-').equalsIgnoreCase(value)
            || constant.name().equalsIgnoreCase(value)) {
          return constant;
        }
      }
      var names = new StringBuilder();
      for (E constant : type.getEnumConstants()) {
        names.append(names.isEmpty() ? "" : ", ");
        names.append(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
      }
      throw new ConfigException(key, value, "not one of the choices", "use one of " + names);
    }

    /** A comma-separated list of {@link #choice} values. */
    <E extends Enum<E>> List<E> choices(String key, Class<E> type) {
      var chosen = new java.util.ArrayList<E>();
      for (String value : text(key).split(",")) {
        if (!value.isBlank()) {
          chosen.add(choice(key, value.strip(), type));
        }
      }
      return List.copyOf(chosen);
    }

    /** Empty, or an absolute http(s) URL without query or fragment; trailing slashes dropped. */
    String publicUrl(String key) {
      String value = text(key);
      if (value.isEmpty()) {
        return value;
      }
      try {
        var uri = new java.net.URI(value);
        if (uri.getScheme() != null
            && uri.getScheme().matches("(?i)https?")
            && uri.getHost() != null
            && uri.getQuery() == null
            && uri.getFragment() == null
            && uri.getUserInfo() == null) {
          return value.replaceAll("/+$", "");
        }
      } catch (java.net.URISyntaxException e) {
        // refused below
      }
      throw new ConfigException(
          key,
          value,
          "not an absolute http(s) URL without query, fragment or credentials",
          "write the URL people reach this server at, e.g. https://tandem.example.org");
    }

    /**
     * A list: a JSON array of strings (a YAML list, or the same JSON in the environment) or text
     * separated by commas. Each entry stripped; empty entries refused.
     */
    List<String> list(String key) {
      String value = text(key);
      if (value.isEmpty()) {
        return List.of();
      }
      var out = new ArrayList<String>();
      if (value.startsWith("[")) {
        JsonNode array = json(key, value, "a list of strings, e.g. [\"Shop\", \"+14155550100\"]");
        for (JsonNode item : array) {
          if (!item.isTextual() && !item.isNumber()) {
            throw new ConfigException(
                key, value, "'" + item + "' is not a string", "list plain values, one per entry");
          }
          out.add(item.asText().strip());
        }
      } else {
        for (String item : value.split(",")) {
          out.add(item.strip());
        }
      }
      if (out.stream().anyMatch(String::isEmpty)) {
        throw new ConfigException(key, value, "an entry is empty", "remove the empty entry");
      }
      return List.copyOf(out);
    }

    /**
     * Sender identities: a JSON array (a YAML list) whose entries are a From address as a string,
     * or an object {@code {from: ..., replyTo: ...}}; or text of From addresses separated by
     * semicolons (display names may hold commas).
     */
    List<TandemConfig.Identity> identities(String key) {
      String value = text(key);
      if (value.isEmpty()) {
        return List.of();
      }
      var out = new ArrayList<TandemConfig.Identity>();
      if (value.startsWith("[")) {
        String fix =
            "list identities like [\"Shop <news@shop.example>\", {from: \"Support"
                + " <help@shop.example>\", replyTo: \"desk@shop.example\"}]";
        for (JsonNode item : json(key, value, fix)) {
          if (item.isTextual()) {
            out.add(new TandemConfig.Identity(item.asText().strip(), Optional.empty()));
          } else if (item.isObject() && item.path("from").isTextual()) {
            var names = new ArrayList<String>();
            item.fieldNames().forEachRemaining(names::add);
            names.removeAll(List.of("from", "replyTo"));
            if (!names.isEmpty()) {
              throw new ConfigException(
                  key, value, "unknown field " + names + " in " + item, "use from and replyTo");
            }
            out.add(
                new TandemConfig.Identity(
                    item.get("from").asText().strip(),
                    item.path("replyTo").isTextual()
                        ? Optional.of(item.get("replyTo").asText().strip())
                        : Optional.empty()));
          } else {
            throw new ConfigException(
                key, value, "'" + item + "' is neither an address nor {from, replyTo}", fix);
          }
        }
      } else {
        for (String item : value.split(";")) {
          if (!item.isBlank()) {
            out.add(new TandemConfig.Identity(item.strip(), Optional.empty()));
          }
        }
      }
      return List.copyOf(out);
    }

    private static JsonNode json(String key, String value, String fix) {
      JsonNode node;
      try {
        node = new ObjectMapper().readTree(value);
      } catch (IOException e) {
        throw new ConfigException(key, value, "not a list", fix);
      }
      if (node == null || !node.isArray()) {
        throw new ConfigException(key, value, "not a list", fix);
      }
      return node;
    }

    /** A signing secret: 16 to 200 printable ASCII characters without spaces, or none. */
    Optional<String> callbackSecret(String key) {
      Optional<String> value = optional(key);
      if (value.isPresent()
          && (value.get().length() < 16
              || value.get().length() > 200
              || !value.get().chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
        throw new ConfigException(
            key,
            value.get(),
            "not 16 to 200 printable ASCII characters without spaces",
            "make one with: openssl rand -hex 32");
      }
      return value;
    }

    /** {@code host:port,host:port}: more relays to try in order when the first is down. */
    java.util.List<String> relays(String key) {
      String value = text(key);
      if (value.isEmpty()) {
        return java.util.List.of();
      }
      var relays = new java.util.ArrayList<String>();
      for (String relay : value.split(",")) {
        String trimmed = relay.strip();
        if (!trimmed.matches("[A-Za-z0-9.-]+:[0-9]{1,5}")) {
          throw new ConfigException(
              key,
              value,
              "'" + trimmed + "' is not host:port",
              "list relays like relay2.example:587,relay3.example:587");
        }
        relays.add(trimmed);
      }
      return java.util.List.copyOf(relays);
    }

    /** Empty, or host:port (an IPv6 address in brackets: [::1]:53). */
    Optional<String> hostPort(String key) {
      Optional<String> value = optional(key);
      if (value.isPresent()
          && !value.get().matches("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}")) {
        throw new ConfigException(
            key, value.get(), "is not host:port", "write it like 127.0.0.1:53 or dns.example:53");
      }
      return value;
    }

    Optional<TandemConfig.Dkim> dkim() {
      Optional<String> domain = optional("email.dkimDomain");
      Optional<String> selector = optional("email.dkimSelector");
      Optional<String> key = optional("email.dkimPrivateKey");
      if (domain.isEmpty() && selector.isEmpty() && key.isEmpty()) {
        return Optional.empty();
      }
      for (var part :
          java.util.List.of(
              Map.entry("email.dkimDomain", domain),
              Map.entry("email.dkimSelector", selector),
              Map.entry("email.dkimPrivateKey", key))) {
        if (part.getValue().isEmpty()) {
          throw new ConfigException(
              part.getKey(),
              null,
              "DKIM needs domain, selector and private key together",
              "set all three, or none to send unsigned");
        }
      }
      Path file = Path.of(key.get());
      if (!Files.isReadable(file)) {
        throw new ConfigException(
            "email.dkimPrivateKey",
            key.get(),
            "is not a readable file",
            "point it at the RSA private key (PKCS#8, PEM or DER)");
      }
      return Optional.of(new TandemConfig.Dkim(domain.get(), selector.get(), file));
    }

    TandemConfig.Consent consent() {
      var topics = new ArrayList<>(topics("consent.topics"));
      for (TopicSeed topic : topicMap("topics")) {
        topics.removeIf(t -> t.key().equals(topic.key()));
        topics.add(topic);
      }
      String defaultTopic = text("consent.defaultTopic");
      if (topics.stream().noneMatch(t -> t.key().equals(defaultTopic))) {
        throw new ConfigException(
            "consent.defaultTopic",
            defaultTopic,
            "not one of consent.topics",
            "use one of " + topics.stream().map(TopicSeed::key).toList());
      }
      return new TandemConfig.Consent(
          topics,
          defaultTopic,
          choice("consent.revocationScope", TandemConfig.RevocationScope.class),
          text("consent.senderName"),
          reply("consent.stopReply"),
          reply("consent.startReply"),
          reply("consent.helpReply"),
          reply("consent.confirmRequest"),
          reply("consent.confirmedReply"),
          words("consent.optOutKeywords"),
          words("consent.optInKeywords"),
          words("consent.helpKeywords"),
          choices("consent.keywordLanguages", TandemConfig.KeywordLanguage.class),
          duration("consent.doubleOptInExpiry", Duration.ofMinutes(5)),
          duration("consent.preferenceLinkTtl", Duration.ofMinutes(5)));
    }

    /**
     * The YAML {@code topics:} map (as JSON text): each entry a topic with its policy; fields left
     * out take the class's defaults. A key also in {@code consent.topics} is replaced by this one.
     */
    List<TopicSeed> topicMap(String key) {
      String value = text(key);
      if (value.isEmpty()) {
        return List.of();
      }
      JsonNode map;
      try {
        map = new ObjectMapper(new YAMLFactory()).readTree(value);
      } catch (IOException e) {
        throw new ConfigException(
            key, value, "not a map of topics", "write topics: {order-shipped: {class: ...}}");
      }
      if (map == null || !map.isObject()) {
        throw new ConfigException(
            key,
            value,
            "not a map of topics",
            "write each topic under topics: by its key, with class, description and policy keys");
      }
      var topics = new ArrayList<TopicSeed>();
      var fields = map.fields();
      while (fields.hasNext()) {
        var entry = fields.next();
        String topicKey = entry.getKey();
        if (!topicKey.matches("[a-z0-9][a-z0-9_-]{0,63}")) {
          throw new ConfigException(
              key + "." + topicKey,
              topicKey,
              "not a topic key",
              "use 1 to 64 lower-case letters, digits or '-', e.g. order-shipped");
        }
        if (!entry.getValue().isObject()) {
          throw new ConfigException(
              key + "." + topicKey,
              entry.getValue().asText(),
              "not a map of topic settings",
              "give at least its class, e.g. " + topicKey + ": {class: transactional}");
        }
        topics.add(new TopicSeed(topicKey, key + "." + topicKey, entry.getValue().toString()));
      }
      return topics;
    }

    /** {@code key:class:description; key:class:description}. */
    List<TopicSeed> topics(String key) {
      String value = text(key);
      var topics = new java.util.ArrayList<TopicSeed>();
      for (String entry : value.split(";")) {
        if (entry.isBlank()) {
          continue;
        }
        String[] parts = entry.strip().split(":", 3);
        if (parts.length != 3 || !parts[0].strip().matches("[a-z0-9][a-z0-9_-]{0,39}")) {
          throw new ConfigException(
              key,
              value,
              "'" + entry.strip() + "' is not key:class:description",
              "write topics like alerts:critical:Security alerts; news:marketing:News and offers"
                  + " (keys in lower case, letters, digits, - and _)");
        }
        String topicClass = parts[1].strip().toLowerCase(Locale.ROOT);
        if (!List.of("critical", "transactional", "marketing").contains(topicClass)) {
          throw new ConfigException(
              key,
              value,
              "topic '" + parts[0].strip() + "' has class '" + parts[1].strip() + "'",
              "use critical, transactional or marketing");
        }
        String topicKey = parts[0].strip();
        if (topics.stream().anyMatch(t -> t.key().equals(topicKey))) {
          throw new ConfigException(
              key, value, "topic '" + topicKey + "' is listed twice", "list each topic once");
        }
        var settings = new ObjectMapper().createObjectNode();
        settings.put("class", topicClass).put("description", parts[2].strip());
        topics.add(new TopicSeed(topicKey, key, settings.toString()));
      }
      if (topics.isEmpty()) {
        throw new ConfigException(key, value, "no topics", "list at least one topic");
      }
      return List.copyOf(topics);
    }

    String reply(String key) {
      String value = text(key);
      if (value.isEmpty() || value.length() > 320) {
        throw new ConfigException(
            key, value, "a reply must be 1 to 320 characters", "write a short text");
      }
      return value;
    }

    List<String> words(String key) {
      String value = text(key);
      return value.isEmpty()
          ? List.of()
          : java.util.Arrays.stream(value.split(","))
              .map(String::strip)
              .filter(w -> !w.isEmpty())
              .map(w -> w.toUpperCase(Locale.ROOT))
              .toList();
    }

    boolean onOff(String key) {
      String value = text(key);
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "on", "true", "yes" -> true;
        case "off", "false", "no" -> false;
        default -> throw new ConfigException(key, value, "not on or off", "use on or off");
      };
    }

    String region(String key) {
      String value = text(key).toUpperCase(Locale.ROOT);
      if (!com.google.i18n.phonenumbers.PhoneNumberUtil.getInstance()
          .getSupportedRegions()
          .contains(value)) {
        throw new ConfigException(
            key,
            text(key),
            "not a region libphonenumber knows",
            "use an ISO 3166 code like US or GB");
      }
      return value;
    }

    String receiptStatus(String key) {
      String value = text(key).toUpperCase(Locale.ROOT);
      var allowed =
          List.of("DELIVRD", "EXPIRED", "DELETED", "UNDELIV", "ACCEPTD", "UNKNOWN", "REJECTD");
      if (!allowed.contains(value)) {
        throw new ConfigException(key, text(key), "not a receipt stat", "use one of " + allowed);
      }
      return value;
    }
  }

  /**
   * Parses {@code 500ms}, {@code 30s}, {@code 10m}, {@code 2h}, {@code 1d} or ISO-8601; null if
   * neither.
   */
  public static Duration parseDuration(String value) {
    Matcher m = Values.SHORT_DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      Function<Long, Duration> unit =
          switch (m.group(2)) {
            case "ms" -> Duration::ofMillis;
            case "s" -> Duration::ofSeconds;
            case "m" -> Duration::ofMinutes;
            case "h" -> Duration::ofHours;
            default -> Duration::ofDays;
          };
      return unit.apply(n);
    }
    try {
      return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
