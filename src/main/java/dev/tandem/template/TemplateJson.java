package dev.tandem.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.contact.Locales;
import dev.tandem.error.InvalidInput;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A template as JSON: the API's body, the stored version and the CLI's {@code template.json} use
 * the same fields. Reading validates every value and names the field it came from ({@code
 * variants.pt-BR.email.subject}).
 */
public final class TemplateJson {
  static final ObjectMapper JSON = new ObjectMapper();
  public static final Set<String> FIELDS =
      Set.of("description", "topic", "sampleData", "variants", "attachments");
  private static final Set<String> VARIANT_FIELDS = Set.of("email", "sms");
  private static final Set<String> EMAIL_FIELDS = Set.of("subject", "html", "text");
  private static final Set<String> SMS_FIELDS = Set.of("text", "trackLinks");
  private static final Set<String> ATTACHMENT_FIELDS =
      Set.of("filename", "contentType", "content", "contentId");
  private static final int MAX_VARIANTS = 50;
  private static final int MAX_DATA_DEPTH = 20;

  private TemplateJson() {}

  /** Reads a template; {@code key} comes from the path or the folder's name. */
  public static TemplateDocument read(String key, JsonNode body) {
    TemplateDocument.requireKey("key", key);
    if (body == null || !body.isObject()) {
      throw new InvalidInput("invalid-template", "body", "a template is a JSON object.");
    }
    allowOnly(body, FIELDS, "");
    String description = optionalText(body, "description", "description", 2_000).orElse("");
    Optional<String> topic = optionalText(body, "topic", "topic", 64);
    Map<String, Object> sample =
        body.has("sampleData") && !body.get("sampleData").isNull()
            ? object(body.get("sampleData"), "sampleData")
            : Map.of();
    JsonNode variantsNode = body.get("variants");
    if (variantsNode == null || !variantsNode.isObject() || variantsNode.isEmpty()) {
      throw new InvalidInput(
          "missing-variants",
          "variants",
          "variants is required: an object by locale, e.g. {\"default\": {\"email\": {...},"
              + " \"sms\": {...}}}.");
    }
    if (variantsNode.size() > MAX_VARIANTS) {
      throw new InvalidInput(
          "too-many-variants",
          "variants",
          variantsNode.size() + " locales; at most " + MAX_VARIANTS + ".");
    }
    var variants = new LinkedHashMap<String, TemplateDocument.Variant>();
    if (variantsNode.has(Locales.DEFAULT)) {
      variants.put(
          Locales.DEFAULT,
          variant(variantsNode.get(Locales.DEFAULT), "variants." + Locales.DEFAULT));
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = variantsNode.fields(); it.hasNext(); ) {
      var entry = it.next();
      if (entry.getKey().equals(Locales.DEFAULT)) {
        continue;
      }
      String field = "variants." + entry.getKey();
      String tag = Locales.normalize(field, entry.getKey());
      if (variants.containsKey(tag)) {
        throw new InvalidInput(
            "duplicate-locale",
            field,
            "variants has '" + entry.getKey() + "' and '" + tag + "', which are the same locale.");
      }
      variants.put(tag, variant(entry.getValue(), field));
    }
    var attachments = new ArrayList<TemplateDocument.Attachment>();
    JsonNode files = body.get("attachments");
    if (files != null && !files.isNull()) {
      if (!files.isArray()) {
        throw new InvalidInput(
            "invalid-attachments", "attachments", "attachments is a list of files.");
      }
      for (int i = 0; i < files.size(); i++) {
        JsonNode a = files.get(i);
        String field = "attachments[" + i + "]";
        if (!a.isObject()) {
          throw new InvalidInput("invalid-attachment", field, field + " is not an object.");
        }
        allowOnly(a, ATTACHMENT_FIELDS, field + ".");
        attachments.add(
            new TemplateDocument.Attachment(
                requiredText(a, "filename", field + ".filename", 255),
                requiredText(a, "contentType", field + ".contentType", 255),
                requiredText(a, "content", field + ".content", 15_000_000),
                optionalText(a, "contentId", field + ".contentId", 100)));
      }
    }
    return new TemplateDocument(key, description, topic, sample, variants, attachments);
  }

  private static TemplateDocument.Variant variant(JsonNode node, String field) {
    if (node == null || !node.isObject()) {
      throw new InvalidInput(
          "invalid-variant", field, field + " is an object with \"email\" and/or \"sms\".");
    }
    allowOnly(node, VARIANT_FIELDS, field + ".");
    Optional<TemplateDocument.EmailVariant> email = Optional.empty();
    JsonNode e = node.get("email");
    if (e != null && !e.isNull()) {
      String f = field + ".email";
      if (!e.isObject()) {
        throw new InvalidInput(
            "invalid-variant", f, f + " is an object with subject and html and/or text.");
      }
      allowOnly(e, EMAIL_FIELDS, f + ".");
      String subject = requiredText(e, "subject", f + ".subject", 2_000);
      Optional<String> html =
          optionalText(e, "html", f + ".html", TemplateDocument.MAX_SOURCE_CHARS);
      Optional<String> text =
          optionalText(e, "text", f + ".text", TemplateDocument.MAX_SOURCE_CHARS);
      if (html.isEmpty() && text.isEmpty()) {
        throw new InvalidInput(
            "missing-email-body", f + ".html", f + " needs html or text (or both).");
      }
      email = Optional.of(new TemplateDocument.EmailVariant(subject, html, text));
    }
    Optional<TemplateDocument.SmsVariant> sms = Optional.empty();
    JsonNode s = node.get("sms");
    if (s != null && !s.isNull()) {
      String f = field + ".sms";
      if (!s.isObject()) {
        throw new InvalidInput("invalid-variant", f, f + " is an object with text.");
      }
      allowOnly(s, SMS_FIELDS, f + ".");
      JsonNode track = s.get("trackLinks");
      if (track != null && !track.isNull() && !track.isBoolean()) {
        throw new InvalidInput(
            "invalid-track-links", f + ".trackLinks", f + ".trackLinks is true or false.");
      }
      sms =
          Optional.of(
              new TemplateDocument.SmsVariant(
                  requiredText(s, "text", f + ".text", 10_000),
                  track == null || track.isNull() || track.asBoolean()));
    }
    if (email.isEmpty() && sms.isEmpty()) {
      throw new InvalidInput("empty-variant", field, field + " has neither an email nor an SMS.");
    }
    return new TemplateDocument.Variant(email, sms);
  }

  /** Writes what {@link #read} reads. */
  public static ObjectNode write(TemplateDocument t) {
    ObjectNode root = JSON.createObjectNode();
    root.put("description", t.description());
    t.topic().ifPresent(topic -> root.put("topic", topic));
    root.set("sampleData", JSON.valueToTree(t.sampleData()));
    ObjectNode variants = root.putObject("variants");
    t.variants()
        .forEach((locale, v) -> {
          ObjectNode node = variants.putObject(locale);
          v.email()
              .ifPresent(e -> {
                ObjectNode email = node.putObject("email").put("subject", e.subject());
                e.html().ifPresent(h -> email.put("html", h));
                e.text().ifPresent(x -> email.put("text", x));
              });
          v.sms()
              .ifPresent(s ->
                  node.putObject("sms").put("text", s.text()).put("trackLinks", s.trackLinks()));
        });
    if (!t.attachments().isEmpty()) {
      var files = root.putArray("attachments");
      for (TemplateDocument.Attachment a : t.attachments()) {
        ObjectNode file =
            files
                .addObject()
                .put("filename", a.filename())
                .put("contentType", a.contentType())
                .put("content", a.contentBase64());
        a.contentId().ifPresent(id -> file.put("contentId", id));
      }
    }
    return root;
  }

  /**
   * Template data as the renderer takes it: a JSON object as maps, lists, strings, numbers and
   * booleans; {@code null} values are kept as absent, so a template using one fails by name.
   */
  public static Map<String, Object> object(JsonNode node, String field) {
    if (node == null || node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      throw new InvalidInput(
          "invalid-data", field, field + " is a JSON object of the template's variables.");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) value(node, field, 0);
    return map;
  }

  private static Object value(JsonNode node, String field, int depth) {
    if (depth > MAX_DATA_DEPTH) {
      throw new InvalidInput(
          "data-too-deep", field, field + " nests deeper than " + MAX_DATA_DEPTH + " levels.");
    }
    if (node.isObject()) {
      var map = new LinkedHashMap<String, Object>();
      node.fields()
          .forEachRemaining(e -> {
            if (!e.getValue().isNull()) {
              map.put(e.getKey(), value(e.getValue(), field + "." + e.getKey(), depth + 1));
            }
          });
      return java.util.Collections.unmodifiableMap(map);
    }
    if (node.isArray()) {
      var list = new ArrayList<Object>();
      for (int i = 0; i < node.size(); i++) {
        list.add(value(node.get(i), field + "[" + i + "]", depth + 1));
      }
      return java.util.Collections.unmodifiableList(list);
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    if (node.isIntegralNumber()) {
      return node.bigIntegerValue();
    }
    if (node.isNumber()) {
      // as written: 10.50 stays 10.50 (a double would print 10.5)
      return node.decimalValue().toPlainString();
    }
    return node.asText();
  }

  static void allowOnly(JsonNode node, Set<String> allowed, String prefix) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        throw new InvalidInput(
            "unknown-field",
            prefix + name,
            "'"
                + prefix
                + name
                + "' is not a field here; the fields are "
                + new java.util.TreeSet<>(allowed)
                + ".");
      }
    }
  }

  static String requiredText(JsonNode node, String name, String field, int max) {
    return optionalText(node, name, field, max)
        .orElseThrow(() -> new InvalidInput("missing-field", field, field + " is required."));
  }

  static Optional<String> optionalText(JsonNode node, String name, String field, int max) {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw new InvalidInput("invalid-field", field, field + " is a string.");
    }
    String text = value.asText();
    if (text.length() > max) {
      throw new InvalidInput(
          "field-too-long",
          field,
          field + " is " + text.length() + " characters; the limit is " + max + ".");
    }
    return text.isBlank() ? Optional.empty() : Optional.of(text);
  }

  /** A list of strings, e.g. for a request's named channels. */
  static List<String> strings(JsonNode node) {
    var out = new ArrayList<String>();
    node.forEach(n -> out.add(n.asText()));
    return out;
  }
}
