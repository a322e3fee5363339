package dev.tandem.api;

import static dev.tandem.api.PreferencePages.esc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code GET /docs/api}: the OpenAPI document as a page to read, rendered here from {@code
 * openapi.json} (no script, no third-party assets): operations by tag with their parameters, body
 * and answers, then every schema with its properties. Everything from the document is escaped.
 */
final class ApiReference {
  private static final String METHODS = "get post put patch delete";

  private ApiReference() {}

  static String render(String openApiJson) {
    JsonNode doc;
    try {
      doc = new ObjectMapper().readTree(openApiJson);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("openapi.json is not JSON", e);
    }
    Map<String, List<String>> byTag = new LinkedHashMap<>();
    doc.get("tags").forEach(t -> byTag.put(t.get("name").asText(), new ArrayList<>()));
    var body = new StringBuilder();
    body.append("<p>")
        .append(esc(doc.at("/info/description").asText()))
        .append("</p><p>The machine-readable document: <a href=\"/openapi.json\">/openapi.json</a>")
        .append(" (OpenAPI ")
        .append(esc(doc.get("openapi").asText()))
        .append("). Lists page with <code>limit</code> and <code>after</code>; errors are")
        .append(" <code>application/problem+json</code>.</p>");
    Map<String, StringBuilder> sections = new LinkedHashMap<>();
    doc.get("paths")
        .fields()
        .forEachRemaining(path ->
            path.getValue()
                .fields()
                .forEachRemaining(op -> {
                  if (!METHODS.contains(op.getKey())) {
                    return;
                  }
                  String tag = op.getValue().path("tags").path(0).asText("Other");
                  sections
                      .computeIfAbsent(tag, k -> new StringBuilder())
                      .append(operation(op.getKey(), path.getKey(), op.getValue()));
                }));
    body.append("<nav><h2>Contents</h2><ul>");
    for (JsonNode tag : doc.get("tags")) {
      String name = tag.get("name").asText();
      if (sections.containsKey(name)) {
        body.append("<li><a href=\"#tag-")
            .append(anchor(name))
            .append("\">")
            .append(esc(name))
            .append("</a> — ")
            .append(esc(tag.path("description").asText()))
            .append("</li>");
      }
    }
    body.append("<li><a href=\"#schemas\">Schemas</a></li></ul></nav>");
    for (JsonNode tag : doc.get("tags")) {
      String name = tag.get("name").asText();
      StringBuilder ops = sections.get(name);
      if (ops != null) {
        body.append("<section id=\"tag-")
            .append(anchor(name))
            .append("\"><h2>")
            .append(esc(name))
            .append("</h2>")
            .append(ops)
            .append("</section>");
      }
    }
    body.append("<section id=\"schemas\"><h2>Schemas</h2>");
    Set<String> names = new TreeSet<>();
    doc.at("/components/schemas").fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      body.append(schema(name, doc.at("/components/schemas/" + name)));
    }
    body.append("</section>");
    return PreferencePages.page("Tandem API reference", body.toString());
  }

  private static String operation(String method, String path, JsonNode op) {
    var out = new StringBuilder();
    out.append("<h3 id=\"op-")
        .append(esc(op.path("operationId").asText()))
        .append("\"><code>")
        .append(method.toUpperCase(java.util.Locale.ROOT))
        .append(' ')
        .append(esc(path))
        .append("</code></h3><p>")
        .append(esc(op.path("summary").asText()))
        .append("</p>");
    if (op.has("parameters") && !op.get("parameters").isEmpty()) {
      out.append("<p>Parameters:</p><ul>");
      for (JsonNode p : op.get("parameters")) {
        JsonNode param = p;
        if (p.has("$ref")) { // a shared parameter: named by its reference
          String ref = p.get("$ref").asText();
          String shared = ref.substring(ref.lastIndexOf('/') + 1);
          out.append("<li><code>").append(esc(shared.toLowerCase(java.util.Locale.ROOT)));
          out.append("</code> (query) — see lists</li>");
          continue;
        }
        out.append("<li><code>")
            .append(esc(param.path("name").asText()))
            .append("</code> (")
            .append(esc(param.path("in").asText()))
            .append(param.path("required").asBoolean() ? ", required" : "")
            .append("): ")
            .append(type(param.path("schema")))
            .append(param.has("description") ? " — " + esc(param.get("description").asText()) : "")
            .append("</li>");
      }
      out.append("</ul>");
    }
    JsonNode request = op.at("/requestBody/content");
    if (!request.isMissingNode()) {
      request
          .fields()
          .forEachRemaining(c ->
              out.append("<p>Body (")
                  .append(esc(c.getKey()))
                  .append("): ")
                  .append(type(c.getValue().path("schema")))
                  .append("</p>"));
    }
    out.append("<p>Answers:</p><ul>");
    op.path("responses")
        .fields()
        .forEachRemaining(r -> {
          out.append("<li><code>").append(esc(r.getKey())).append("</code> ");
          JsonNode response = r.getValue();
          if (response.has("$ref")) {
            out.append("problem (<code>application/problem+json</code>)");
          } else {
            out.append(esc(response.path("description").asText()));
            JsonNode json = response.at("/content/application~1json/schema");
            if (!json.isMissingNode()) {
              out.append(": ").append(type(json));
            }
          }
          out.append("</li>");
        });
    out.append("</ul>");
    return out.toString();
  }

  private static String schema(String name, JsonNode s) {
    var out = new StringBuilder();
    out.append("<h3 id=\"schema-").append(anchor(name)).append("\">").append(esc(name));
    out.append("</h3>");
    if (s.has("description")) {
      out.append("<p>").append(esc(s.get("description").asText())).append("</p>");
    }
    if (s.has("allOf")) {
      out.append("<p>All of: ");
      List<String> parts = new ArrayList<>();
      s.get("allOf").forEach(part -> parts.add(type(part)));
      out.append(String.join(", ", parts)).append("</p>");
    }
    Set<String> required = new TreeSet<>();
    s.path("required").forEach(r -> required.add(r.asText()));
    if (s.has("properties")) {
      out.append("<ul>");
      s.get("properties")
          .fields()
          .forEachRemaining(p ->
              out.append("<li><code>")
                  .append(esc(p.getKey()))
                  .append("</code>")
                  .append(required.contains(p.getKey()) ? " (required)" : "")
                  .append(": ")
                  .append(type(p.getValue()))
                  .append(
                      p.getValue().has("description")
                          ? " — " + esc(p.getValue().get("description").asText())
                          : "")
                  .append("</li>"));
      out.append("</ul>");
    } else if (!s.has("allOf")) {
      out.append("<p>").append(type(s)).append("</p>");
    }
    return out.toString();
  }

  /** A schema in words: a link for a reference, the element of an array, the enum values. */
  static String type(JsonNode s) {
    if (s == null || s.isMissingNode()) {
      return "any";
    }
    if (s.has("$ref")) {
      String ref = s.get("$ref").asText();
      String name = ref.substring(ref.lastIndexOf('/') + 1);
      return "<a href=\"#schema-" + anchor(name) + "\">" + esc(name) + "</a>";
    }
    if (s.has("allOf")) {
      List<String> parts = new ArrayList<>();
      s.get("allOf").forEach(part -> parts.add(type(part)));
      return String.join(" and ", parts);
    }
    String base;
    JsonNode t = s.path("type");
    if (t.isArray()) {
      List<String> types = new ArrayList<>();
      t.forEach(x -> types.add(x.asText()));
      base = String.join(" or ", types);
    } else {
      base = t.asText("any");
    }
    if (base.startsWith("array")) {
      base = "array of " + type(s.path("items"));
    } else {
      base = esc(base);
    }
    if (s.has("format")) {
      base += " (" + esc(s.get("format").asText()) + ")";
    }
    if (s.has("enum")) {
      List<String> values = new ArrayList<>();
      s.get("enum").forEach(v -> values.add("<code>" + esc(v.asText()) + "</code>"));
      base += ", one of " + String.join(", ", values);
    }
    return base;
  }

  private static String anchor(String name) {
    return esc(name.replaceAll("[^A-Za-z0-9]+", "-"));
  }
}
