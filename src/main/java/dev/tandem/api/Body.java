package dev.tandem.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A JSON request body read field by field, so that a wrong type names the field ("phone must be a
 * string") instead of surfacing a Jackson message, and unknown fields are refused.
 */
final class Body {
  private final JsonNode root;
  private final String prefix;

  private Body(JsonNode root, String prefix) {
    this.root = root;
    this.prefix = prefix;
  }

  static Body parse(ObjectMapper json, String text, Set<String> allowed) {
    if (text == null || text.isBlank()) {
      throw new BadRequest(null, "The request body is empty; send a JSON object.");
    }
    JsonNode root;
    try {
      root = json.readTree(text);
    } catch (JsonProcessingException e) {
      throw new BadRequest(
          null,
          "The request body is not valid JSON (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + "): "
              + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new BadRequest(null, "The request body must be a JSON object.");
    }
    var body = new Body(root, "");
    body.allowOnly(allowed);
    return body;
  }

  void allowOnly(Set<String> allowed) {
    root.fieldNames()
        .forEachRemaining(name -> {
          if (!allowed.contains(name)) {
            throw new BadRequest(
                prefix + name,
                "Unknown field '"
                    + prefix
                    + name
                    + "'. Known fields: "
                    + String.join(", ", allowed.stream().sorted().toList())
                    + ".");
          }
        });
  }

  String string(String name) {
    JsonNode node = root.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw new BadRequest(prefix + name, prefix + name + " must be a string.");
    }
    return node.asText();
  }

  UUID uuid(String name) {
    String value = string(name);
    if (value == null) {
      return null;
    }
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw new BadRequest(prefix + name, prefix + name + " '" + value + "' is not a UUID.");
    }
  }

  List<String> strings(String name) {
    JsonNode node = root.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isArray()) {
      throw new BadRequest(prefix + name, prefix + name + " must be an array of strings.");
    }
    var values = new ArrayList<String>();
    for (JsonNode item : node) {
      if (!item.isTextual()) {
        throw new BadRequest(prefix + name, prefix + name + " must be an array of strings.");
      }
      values.add(item.asText());
    }
    return values;
  }

  /** An array of objects, each with only {@code allowed} fields; empty when absent. */
  List<Body> objects(String name, Set<String> allowed) {
    JsonNode node = root.get(name);
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new BadRequest(prefix + name, prefix + name + " must be an array of objects.");
    }
    var items = new ArrayList<Body>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode item = node.get(i);
      String itemPrefix = prefix + name + "[" + i + "].";
      if (!item.isObject()) {
        throw new BadRequest(
            prefix + name + "[" + i + "]", prefix + name + "[" + i + "] must be an object.");
      }
      var body = new Body(item, itemPrefix);
      body.allowOnly(allowed);
      items.add(body);
    }
    return items;
  }

  /** A nested object, or an empty body when absent. */
  Body object(String name, Set<String> allowed) {
    JsonNode node = root.get(name);
    if (node == null || node.isNull()) {
      return new Body(new ObjectMapper().createObjectNode(), prefix + name + ".");
    }
    if (!node.isObject()) {
      throw new BadRequest(prefix + name, prefix + name + " must be an object.");
    }
    var body = new Body(node, prefix + name + ".");
    body.allowOnly(allowed);
    return body;
  }
}
