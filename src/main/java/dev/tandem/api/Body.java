package dev.tandem.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tandem.error.InvalidInput;
import io.javalin.http.Context;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A JSON request body read field by field, so that a wrong type names the field ("phone must be a
 * string") instead of surfacing a Jackson message, and unknown fields are refused.
 */
final class Body {
  static final int MAX_NESTING = 32;
  private static final ObjectMapper STRICT =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();
  private final JsonNode root;
  private final String prefix;

  private Body(JsonNode root, String prefix) {
    this.root = root;
    this.prefix = prefix;
  }

  /**
   * Reads the request body as JSON: only {@code application/json} in UTF-8 (415 otherwise), bytes
   * decoded strictly, and a document Jackson would otherwise half-accept (trailing tokens,
   * duplicate keys, deep nesting, lone surrogates) refused with 400; NUL in a string is 422.
   */
  /**
   * The body's bytes. One that stops short of its Content-Length fails the read when the idle
   * timeout passes (an IOException Javalin does not declare): the client's fault, a 400.
   */
  private static byte[] bytes(Context ctx) {
    try {
      return ctx.bodyAsBytes();
    } catch (RuntimeException e) {
      throw e; // 413 and the like, answered as they are
    } catch (Exception e) {
      throw new BadRequest(
          null,
          "The request body stopped arriving before its Content-Length ("
              + ctx.contentLength()
              + " bytes); send the whole body.");
    }
  }

  static Body parse(Context ctx, Set<String> allowed) {
    requireJson(ctx.header("Content-Type"));
    String text = decodeUtf8(bytes(ctx));
    if (text.isBlank()) {
      throw new BadRequest(null, "The request body is empty; send a JSON object.");
    }
    JsonNode root;
    try {
      root = STRICT.readTree(text);
    } catch (JsonProcessingException e) {
      throw new BadRequest(
          null, "The request body is not valid JSON" + where(e) + ": " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new BadRequest(null, "The request body must be a JSON object.");
    }
    checkStrings(root, "");
    var body = new Body(root, "");
    if (allowed != null) {
      body.allowOnly(allowed);
    }
    return body;
  }

  /** The object as parsed, for a feature that checks its own fields (topics answer 422). */
  JsonNode root() {
    return root;
  }

  private static void requireJson(String contentType) {
    String[] parts = contentType == null ? new String[] {""} : contentType.split(";");
    if (!parts[0].strip().equalsIgnoreCase("application/json")) {
      throw new UnsupportedMediaType(
          "The request body must be JSON: send 'Content-Type: application/json'"
              + (contentType == null ? "" : ", not '" + contentType + "'")
              + ".");
    }
    for (int i = 1; i < parts.length; i++) {
      String[] parameter = parts[i].split("=", 2);
      if (parameter[0].strip().equalsIgnoreCase("charset")) {
        String charset = parameter.length < 2 ? "" : parameter[1].strip().replace("\"", "");
        if (!charset.equalsIgnoreCase("utf-8")) {
          throw new UnsupportedMediaType(
              "charset '"
                  + charset
                  + "' is not supported: JSON is UTF-8. Send 'Content-Type: application/json; charset=utf-8'.");
        }
      }
    }
  }

  private static String decodeUtf8(byte[] bytes) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      throw new BadRequest(
          null,
          "The request body is not valid UTF-8 (byte "
              + in.position()
              + "); send JSON encoded as UTF-8.");
    }
    return out.flip().toString();
  }

  private static String where(JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    return at == null || at.getLineNr() < 0
        ? ""
        : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
  }

  /** PostgreSQL cannot store NUL, and a lone surrogate is not a character in any encoding. */
  private static void checkStrings(JsonNode node, String path) {
    if (node.isTextual()) {
      checkString(node.textValue(), path);
    } else if (node.isObject()) {
      node.fields()
          .forEachRemaining(field -> {
            String fieldPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
            checkString(field.getKey(), fieldPath);
            checkStrings(field.getValue(), fieldPath);
          });
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        checkStrings(node.get(i), path + "[" + i + "]");
      }
    }
  }

  private static void checkString(String text, String path) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\u0000') {
        throw new InvalidInput(
            "nul-character",
            path,
            path + " contains the NUL character (U+0000) at position " + i + "; remove it.");
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new BadRequest(
            path,
            path
                + " contains a lone UTF-16 surrogate (\\u"
                + HexFormat.of().toHexDigits(c)
                + ") at position "
                + i
                + ", which is not a character; send valid Unicode.");
      }
    }
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

  /**
   * One element of an array, read as a body of its own whose fields are named under {@code prefix}.
   */
  static Body item(JsonNode item, String prefix) {
    if (!item.isObject()) {
      throw new BadRequest(
          prefix.substring(0, prefix.length() - 1),
          prefix.substring(0, prefix.length() - 1) + " must be an object.");
    }
    return new Body(item, prefix);
  }

  /** A nested object, or an empty body when absent. */
  Body object(String name, Set<String> allowed) {
    JsonNode node = root.get(name);
    if (node == null || node.isNull()) {
      return new Body(STRICT.createObjectNode(), prefix + name + ".");
    }
    if (!node.isObject()) {
      throw new BadRequest(prefix + name, prefix + name + " must be an object.");
    }
    var body = new Body(node, prefix + name + ".");
    body.allowOnly(allowed);
    return body;
  }
}
