package dev.tandem.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named SQL queries from a {@code .sql} file next to the class that runs them: {@code
 * contact/ContactStore.sql} for {@code ContactStore}. Each query starts with a {@code -- name: x}
 * line. Stores look their queries up in their constructor, so a missing one fails at start.
 */
public final class NamedSql {
  private final String source;
  private final Map<String, String> queries;

  private NamedSql(String source, Map<String, String> queries) {
    this.source = source;
    this.queries = queries;
  }

  public static NamedSql forClass(Class<?> owner) {
    String resource = owner.getSimpleName() + ".sql";
    try (InputStream in = owner.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "SQL file "
                + owner.getPackageName().replace('.', '/')
                + "/"
                + resource
                + " is missing");
      }
      return parse(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read SQL file " + resource, e);
    }
  }

  static NamedSql parse(String source, String text) {
    var queries = new LinkedHashMap<String, String>();
    String name = null;
    var body = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      String trimmed = line.strip();
      if (trimmed.startsWith("-- name:")) {
        if (name != null) {
          queries.put(name, body.toString().strip());
        }
        name = trimmed.substring("-- name:".length()).strip();
        body.setLength(0);
      } else if (name != null) {
        body.append(line).append('\n');
      }
    }
    if (name != null) {
      queries.put(name, body.toString().strip());
    }
    return new NamedSql(source, Map.copyOf(queries));
  }

  /** The query called {@code name}; throws at once when the file has none. */
  public String get(String name) {
    String sql = queries.get(name);
    if (sql == null || sql.isEmpty()) {
      throw new IllegalStateException(
          "SQL file "
              + source
              + " has no query named '"
              + name
              + "' (has "
              + queries.keySet()
              + ")");
    }
    return sql;
  }
}
