package dev.tandem.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.contact.Locales;
import dev.tandem.error.InvalidInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Templates as a folder of files, so they can live in git and be edited with an HTML editor:
 *
 * <pre>
 * templates/
 *   snippets/NAME.txt              a snippet's text; NAME.html its optional HTML form
 *   KEY/template.json              {"description", "topic", "sampleData", "trackLinks": false,
 *                                   "attachments": [{"file": "files/x.pdf", "contentType", "contentId"}]}
 *   KEY/LOCALE/subject.txt         the email's subject (LOCALE is "default", "pt-BR", …)
 *   KEY/LOCALE/email.html          the email's HTML
 *   KEY/LOCALE/email.txt           the email's text part
 *   KEY/LOCALE/sms.txt             the SMS
 *   KEY/files/…                    files the email carries
 * </pre>
 *
 * One newline at the end of a file is not part of its text (editors add it); files are written with
 * one. Reading gives each template in the API's JSON shape ({@link TemplateJson}) and each snippet
 * as {@code {"text", "html"}}; a file that cannot be used is a {@link Problem} naming it.
 */
public final class TemplateFolder {
  public static final String SNIPPETS = "snippets";
  private static final String FILES = "files";
  private static final long MAX_FILE_BYTES = 15L * 1024 * 1024;

  private TemplateFolder() {}

  /** A file or folder that cannot be used, with what is wrong. */
  public static final class Problem extends RuntimeException {
    public Problem(Path path, String what) {
      super(path + ": " + what);
    }
  }

  /** What a folder holds: templates by key (API JSON) and snippets by key. */
  public record Contents(Map<String, ObjectNode> templates, Map<String, ObjectNode> snippets) {}

  /** Reads the folder; {@code keys} empty means every template in it. */
  public static Contents read(Path dir, List<String> keys) {
    if (!Files.isDirectory(dir)) {
      throw new Problem(dir, "is not a folder (give --dir, or run where ./templates is)");
    }
    var templates = new TreeMap<String, ObjectNode>();
    var snippets = new TreeMap<String, ObjectNode>();
    for (Path sub : children(dir)) {
      String name = sub.getFileName().toString();
      if (name.startsWith(".") || !Files.isDirectory(sub)) {
        continue;
      }
      if (name.equals(SNIPPETS)) {
        snippets.putAll(snippets(sub));
        continue;
      }
      if (!TemplateDocument.KEY.matcher(name).matches()) {
        throw new Problem(
            sub,
            "is not a template key: use 1-64 lowercase letters, digits, '.', '-' or '_' (e.g."
                + " order-shipped)");
      }
      if (keys.isEmpty() || keys.contains(name)) {
        templates.put(name, template(sub));
      }
    }
    for (String key : keys) {
      if (!templates.containsKey(key)) {
        throw new Problem(dir.resolve(key), "no such template folder");
      }
    }
    return new Contents(templates, snippets);
  }

  private static Map<String, ObjectNode> snippets(Path dir) {
    var out = new TreeMap<String, ObjectNode>();
    for (Path file : children(dir)) {
      String name = file.getFileName().toString();
      if (name.startsWith(".")) {
        continue;
      }
      int dot = name.lastIndexOf('.');
      String key = dot < 0 ? name : name.substring(0, dot);
      String ext = dot < 0 ? "" : name.substring(dot + 1);
      if (!ext.equals("txt") && !ext.equals("html")) {
        throw new Problem(file, "a snippet is NAME.txt (its text) or NAME.html (its HTML form)");
      }
      if (!TemplateDocument.KEY.matcher(key).matches()) {
        throw new Problem(file, "'" + key + "' is not a snippet key (lowercase, digits, . - _)");
      }
      out.computeIfAbsent(key, k -> TemplateJson.JSON.createObjectNode())
          .put(ext.equals("txt") ? "text" : "html", text(file));
    }
    out.forEach((key, node) -> {
      if (!node.has("text")) {
        throw new Problem(dir.resolve(key + ".txt"), "missing: every snippet needs its text");
      }
    });
    return out;
  }

  private static ObjectNode template(Path dir) {
    ObjectNode body = TemplateJson.JSON.createObjectNode();
    Path meta = dir.resolve("template.json");
    boolean trackLinks = true;
    if (Files.exists(meta)) {
      JsonNode node;
      try {
        node = TemplateJson.JSON.readTree(text(meta));
      } catch (IOException e) {
        throw new Problem(meta, "is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
      }
      if (node == null || !node.isObject()) {
        throw new Problem(meta, "is not a JSON object");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        var field = it.next();
        switch (field.getKey()) {
          case "description", "topic", "sampleData" -> body.set(field.getKey(), field.getValue());
          case "trackLinks" -> trackLinks = field.getValue().asBoolean(true);
          case "attachments" -> body.set("attachments", attachments(dir, field.getValue(), meta));
          default ->
              throw new Problem(
                  meta,
                  "unknown field '"
                      + field.getKey()
                      + "' (fields: description, topic, sampleData, trackLinks, attachments)");
        }
      }
    }
    ObjectNode variants = body.putObject("variants");
    for (Path sub : children(dir)) {
      String name = sub.getFileName().toString();
      if (!Files.isDirectory(sub) || name.equals(FILES) || name.startsWith(".")) {
        continue;
      }
      String locale;
      try {
        locale = name.equals(Locales.DEFAULT) ? name : Locales.normalize("locale", name);
      } catch (InvalidInput e) {
        throw new Problem(sub, "is not a locale: name it default or a BCP 47 tag such as pt-BR");
      }
      ObjectNode variant = TemplateJson.JSON.createObjectNode();
      Path subject = sub.resolve("subject.txt");
      Path html = sub.resolve("email.html");
      Path emailText = sub.resolve("email.txt");
      if (Files.exists(subject) || Files.exists(html) || Files.exists(emailText)) {
        ObjectNode email = variant.putObject("email");
        if (Files.exists(subject)) {
          email.put("subject", text(subject));
        }
        if (Files.exists(html)) {
          email.put("html", text(html));
        }
        if (Files.exists(emailText)) {
          email.put("text", text(emailText));
        }
      }
      Path sms = sub.resolve("sms.txt");
      if (Files.exists(sms)) {
        ObjectNode node = variant.putObject("sms").put("text", text(sms));
        if (!trackLinks) {
          node.put("trackLinks", false);
        }
      }
      for (Path file : children(sub)) {
        String f = file.getFileName().toString();
        if (!List.of("subject.txt", "email.html", "email.txt", "sms.txt").contains(f)
            && !f.startsWith(".")) {
          throw new Problem(
              file,
              "unknown file (a locale folder has subject.txt, email.html, email.txt, sms.txt)");
        }
      }
      variants.set(locale, variant);
    }
    return body;
  }

  private static ArrayNode attachments(Path dir, JsonNode list, Path meta) {
    if (!list.isArray()) {
      throw new Problem(
          meta, "attachments is a list of {\"file\", \"contentType\", \"contentId\"}");
    }
    ArrayNode out = TemplateJson.JSON.createArrayNode();
    for (JsonNode a : list) {
      String file = a.path("file").asText("");
      Path path = dir.resolve(file).normalize();
      if (file.isEmpty() || !path.startsWith(dir.resolve(FILES)) || !Files.isRegularFile(path)) {
        throw new Problem(
            meta, "attachment file '" + file + "' is not a file under " + dir.resolve(FILES));
      }
      byte[] bytes;
      try {
        if (Files.size(path) > MAX_FILE_BYTES) {
          throw new Problem(path, "is larger than 15 MB");
        }
        bytes = Files.readAllBytes(path);
      } catch (IOException e) {
        throw new Problem(path, "cannot be read: " + e.getMessage());
      }
      String type = a.path("contentType").asText("");
      if (type.isEmpty()) {
        type = java.net.URLConnection.guessContentTypeFromName(path.getFileName().toString());
      }
      ObjectNode node =
          out.addObject()
              .put("filename", path.getFileName().toString())
              .put("contentType", type == null ? "application/octet-stream" : type)
              .put("content", Base64.getEncoder().encodeToString(bytes));
      if (a.hasNonNull("contentId")) {
        node.put("contentId", a.get("contentId").asText());
      }
    }
    return out;
  }

  /** Writes templates (the API's JSON of each) and snippets as files; returns what it wrote. */
  public static List<Path> write(
      Path dir, Map<String, JsonNode> templates, Map<String, JsonNode> snippets) {
    var written = new ArrayList<Path>();
    try {
      Files.createDirectories(dir);
      for (var s : snippets.entrySet()) {
        Path folder = dir.resolve(SNIPPETS);
        Files.createDirectories(folder);
        written.add(
            writeText(folder.resolve(s.getKey() + ".txt"), s.getValue().path("text").asText()));
        if (s.getValue().hasNonNull("html")) {
          written.add(
              writeText(folder.resolve(s.getKey() + ".html"), s.getValue().get("html").asText()));
        }
      }
      for (var t : templates.entrySet()) {
        Path folder = dir.resolve(TemplateDocument.requireKey("key", t.getKey()));
        Files.createDirectories(folder);
        JsonNode body = t.getValue();
        ObjectNode meta = TemplateJson.JSON.createObjectNode();
        for (String field : List.of("description", "topic", "sampleData")) {
          if (body.hasNonNull(field)
              && !(field.equals("description") && body.get(field).asText().isEmpty())) {
            meta.set(field, body.get(field));
          }
        }
        boolean untracked = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = body.path("variants").fields();
            it.hasNext(); ) {
          var v = it.next();
          Path locale = folder.resolve(v.getKey());
          Files.createDirectories(locale);
          JsonNode email = v.getValue().path("email");
          if (email.hasNonNull("subject")) {
            written.add(writeText(locale.resolve("subject.txt"), email.get("subject").asText()));
          }
          if (email.hasNonNull("html")) {
            written.add(writeText(locale.resolve("email.html"), email.get("html").asText()));
          }
          if (email.hasNonNull("text")) {
            written.add(writeText(locale.resolve("email.txt"), email.get("text").asText()));
          }
          JsonNode sms = v.getValue().path("sms");
          if (sms.hasNonNull("text")) {
            written.add(writeText(locale.resolve("sms.txt"), sms.get("text").asText()));
            untracked |= !sms.path("trackLinks").asBoolean(true);
          }
        }
        if (untracked) {
          meta.put("trackLinks", false);
        }
        if (body.path("attachments").isArray() && !body.get("attachments").isEmpty()) {
          Path files = folder.resolve(FILES);
          Files.createDirectories(files);
          ArrayNode list = meta.putArray("attachments");
          for (JsonNode a : body.get("attachments")) {
            String filename = a.path("filename").asText();
            Path file = files.resolve(filename).normalize();
            if (!file.startsWith(files)) {
              throw new Problem(file, "an attachment's name leads outside " + files);
            }
            Files.write(file, Base64.getDecoder().decode(a.path("content").asText("")));
            written.add(file);
            ObjectNode entry =
                list.addObject()
                    .put("file", FILES + "/" + filename)
                    .put("contentType", a.path("contentType").asText());
            if (a.hasNonNull("contentId")) {
              entry.put("contentId", a.get("contentId").asText());
            }
          }
        }
        written.add(
            writeText(
                folder.resolve("template.json"),
                TemplateJson.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(meta)));
      }
    } catch (IOException e) {
      throw new Problem(dir, "cannot be written: " + e.getMessage());
    }
    return written;
  }

  private static Path writeText(Path file, String text) throws IOException {
    Files.writeString(file, text + "\n", StandardCharsets.UTF_8);
    return file;
  }

  private static String text(Path file) {
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new Problem(file, "is larger than 15 MB");
      }
      String text = Files.readString(file, StandardCharsets.UTF_8);
      if (text.endsWith("\r\n")) {
        return text.substring(0, text.length() - 2);
      }
      return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    } catch (java.nio.charset.MalformedInputException e) {
      throw new Problem(file, "is not UTF-8 text");
    } catch (IOException e) {
      throw new Problem(file, "cannot be read: " + e.getMessage());
    }
  }

  private static List<Path> children(Path dir) {
    try (Stream<Path> list = Files.list(dir)) {
      return list.sorted().toList();
    } catch (IOException e) {
      throw new Problem(dir, "cannot be listed: " + e.getMessage());
    }
  }
}
