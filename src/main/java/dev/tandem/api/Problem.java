package dev.tandem.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** An RFC 9457 problem document: a stable code, a plain sentence and the field at fault. */
record Problem(
    int status,
    String code,
    String title,
    String detail,
    String field,
    java.util.List<?> findings) {
  Problem(int status, String code, String title, String detail, String field) {
    this(status, code, title, detail, field, java.util.List.of());
  }

  /**
   * @param base http.publicUrl without a trailing slash, or "" when it is not set: then {@code
   *     type} is a relative reference (RFC 9457 allows one), resolved against the request's URL
   */
  Map<String, Object> toJson(String base) {
    var json = new LinkedHashMap<String, Object>();
    json.put("type", base + "/problems/" + code);
    json.put("title", title);
    json.put("status", status);
    json.put("detail", detail);
    json.put("code", code);
    if (field != null) {
      json.put("field", field);
    }
    if (!findings.isEmpty()) {
      json.put("findings", findings);
    }
    return json;
  }
}
