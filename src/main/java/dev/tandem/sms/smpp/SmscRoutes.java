package dev.tandem.sms.smpp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tandem.config.ConfigException;
import dev.tandem.config.TandemConfig;
import dev.tandem.sms.RoutedSmsGateway;
import dev.tandem.sms.SmsGateway;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Extra SMSCs from {@code smpp.routesFile}; the {@code smpp.*} SMSC takes every number no route
 * claims:
 *
 * <pre>
 * - name: uk                 # letters, digits, dashes; names the receipt keys of this SMSC
 *   prefixes: ["+44"]        # E.164 prefixes routed here (longest match wins)
 *   host: smsc.uk.example
 *   port: 2775
 *   systemId: tandem-uk
 *   password: secret
 * </pre>
 *
 * Every other smpp.* setting (window, longMessages, receiptIds, …) is inherited from the default.
 */
public final class SmscRoutes {
  private SmscRoutes() {}

  public static List<RoutedSmsGateway.Route> load(
      Path file, TandemConfig.Smpp defaults, SmsGateway.Listener listener, Clock clock) {
    String key = "smpp.routesFile";
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException(
          key,
          file.toString(),
          "cannot be read (" + e.getMessage() + ")",
          "point it at a readable YAML list of SMSCs");
    }
    if (root == null || !root.isArray()) {
      throw new ConfigException(
          key,
          file.toString(),
          "is not a YAML list",
          "write one '- name: …' entry per SMSC (see docs/sms.md)");
    }
    var routes = new ArrayList<RoutedSmsGateway.Route>();
    int row = 0;
    for (JsonNode entry : root) {
      row++;
      String where = file + " entry " + row;
      String name = entry.path("name").asText("");
      if (!name.matches("[A-Za-z0-9-]{1,30}")) {
        throw new ConfigException(
            key,
            where,
            "name '" + name + "' is not 1-30 letters, digits or dashes",
            "name each SMSC, e.g. uk-primary");
      }
      var prefixes = new ArrayList<String>();
      entry.path("prefixes").forEach(p -> prefixes.add(p.asText()));
      if (prefixes.isEmpty() || !prefixes.stream().allMatch(p -> p.matches("\\+[0-9]+"))) {
        throw new ConfigException(
            key,
            where,
            "prefixes " + prefixes + " are missing or not +digits",
            "list E.164 prefixes such as [\"+44\", \"+353\"]");
      }
      String host = entry.path("host").asText("");
      int port = entry.path("port").asInt(2775);
      if (host.isEmpty() || port < 1 || port > 65535) {
        throw new ConfigException(
            key, where, "host or port missing or invalid", "give host and port of the SMSC");
      }
      var smpp =
          new TandemConfig.Smpp(
              java.util.Optional.of(host),
              port,
              entry.path("systemId").asText(defaults.systemId()),
              entry.path("password").asText(defaults.password()),
              entry.path("systemType").asText(defaults.systemType()),
              entry.path("sourceAddress").asText(defaults.sourceAddress()),
              defaults.window(),
              defaults.enquireLinkInterval(),
              defaults.responseTimeout(),
              defaults.receiptIds(),
              defaults.longMessages(),
              defaults.defaultAlphabet(),
              defaults.validityPeriod(),
              defaults.binds(),
              defaults.maxPerSecond(),
              java.util.Optional.empty(),
              defaults.bindMode());
      routes.add(
          new RoutedSmsGateway.Route(
              name, prefixes, new SmppGateway(host, port, smpp, listener, clock, name + "/")));
    }
    return routes;
  }
}
