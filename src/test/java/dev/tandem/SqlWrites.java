package dev.tandem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the statements that write a table ({@code INSERT INTO x}, {@code UPDATE x}, {@code DELETE
 * FROM x}, {@code TRUNCATE x}, {@code MERGE INTO x}, {@code COPY x FROM}) in the SQL files next to
 * the classes and in string literals of the Java sources, and tells which package each sits in.
 * Textual on purpose: it needs no database and sees a statement whether or not a test runs it.
 * Migrations are not scanned: they belong to {@code store} and may touch every table.
 */
final class SqlWrites {
  /**
   * Which feature package owns (alone writes) each table. A table missing here fails the rule, so a
   * new table gets an owner when it is added.
   */
  static final Map<String, String> OWNERS =
      Map.ofEntries(
          Map.entry("contact", "contact"),
          Map.entry("contact_address", "contact"),
          Map.entry("contact_merge", "contact"),
          Map.entry("message", "delivery"),
          Map.entry("delivery", "delivery"),
          Map.entry("sms_part", "delivery"),
          Map.entry("sms_receipt", "delivery"),
          Map.entry("inbound_sms", "sms"),
          Map.entry("inbound_sms_part", "sms"),
          Map.entry("sms_problem", "sms"),
          Map.entry("inbound_email", "email"),
          Map.entry("provider_event", "store"),
          Map.entry("event", "event"),
          Map.entry("change", "event"),
          Map.entry("consent_event", "consent"),
          Map.entry("consent_state", "consent"),
          Map.entry("consent_pending", "consent"),
          Map.entry("contact_flag", "consent"),
          Map.entry("suppression", "consent"),
          Map.entry("topic", "topic"),
          Map.entry("preference", "preference"),
          Map.entry("api_key", "api"),
          Map.entry("secret", "store"),
          Map.entry("template", "template"),
          Map.entry("template_version", "template"),
          Map.entry("snippet", "template"),
          Map.entry("short_link", "template"),
          Map.entry("webhook", "webhook"),
          Map.entry("webhook_event", "webhook"),
          Map.entry("import_run", "imports"),
          Map.entry("reputation_pause", "reputation"));

  /** One statement that writes {@code table}, found in {@code file}, a source of {@code pkg}. */
  /** A table claimed through store.Leases: the package that builds the spec writes that table. */
  private static final Pattern LEASE_SPEC =
      Pattern.compile("Leases\\.Spec\\.of\\(\\s*\"([a-z_]+)\"");

  record Write(String table, String pkg, String file, String statement) {
    /** The feature package: {@code sms} for {@code sms.smpp}. */
    String feature() {
      int dot = pkg.indexOf('.');
      return dot < 0 ? pkg : pkg.substring(0, dot);
    }

    @Override
    public String toString() {
      return file + ": " + statement;
    }
  }

  private static final Pattern WRITE =
      Pattern.compile(
          "\\b(?:(INSERT\\s+INTO)|(DELETE\\s+FROM)(?:\\s+ONLY)?|(UPDATE)(?:\\s+ONLY)?"
              + "|(TRUNCATE)(?:\\s+TABLE)?(?:\\s+ONLY)?|(MERGE\\s+INTO)|(COPY))"
              + "\\s+((?:[a-z_][a-z0-9_]*\\.)?[a-z_][a-z0-9_]*)",
          Pattern.CASE_INSENSITIVE);

  /** The words before UPDATE that make it a lock or a conflict action, not a statement. */
  private static final Set<String> NOT_A_STATEMENT = Set.of("for", "key", "do", "on");

  private static final Pattern SQL_COMMENT =
      Pattern.compile("--[^\n]*|/\\*.*?\\*/", Pattern.DOTALL);
  private static final Pattern SQL_STRING = Pattern.compile("'(?:[^']|'')*'");

  /** One pass over Java: text blocks, strings, char literals, comments, whichever comes first. */
  private static final Pattern JAVA_TOKEN =
      Pattern.compile(
          "\"\"\"(.*?)\"\"\"|\"((?:[^\"\\\\\n]|\\\\.)*)\"|'(?:[^'\\\\]|\\\\.)+'|//[^\n]*|/\\*.*?\\*/",
          Pattern.DOTALL);

  private SqlWrites() {}

  /** The tables that {@code sql} writes, as the statements name them. */
  static List<String> tablesWritten(String sql) {
    return found(sql).stream().map(f -> f[0]).toList();
  }

  /** Each write as {table, the statement from its keyword on, on one line}. */
  private static List<String[]> found(String sql) {
    String text = SQL_STRING.matcher(SQL_COMMENT.matcher(sql).replaceAll(" ")).replaceAll("''");
    List<String[]> found = new ArrayList<>();
    Matcher m = WRITE.matcher(text);
    while (m.find()) {
      if (m.group(3) != null && NOT_A_STATEMENT.contains(wordBefore(text, m.start()))) {
        continue; // FOR UPDATE, FOR NO KEY UPDATE, ON CONFLICT ... DO UPDATE
      }
      if (m.group(6) != null
          && !text.substring(m.end()).stripLeading().regionMatches(true, 0, "FROM", 0, 4)) {
        continue; // COPY x TO reads
      }
      String table = m.group(7).toLowerCase(Locale.ROOT);
      String statement =
          text.substring(m.start(), Math.min(text.length(), m.end() + 40))
              .replaceAll("\\s+", " ")
              .strip();
      found.add(new String[] {table.substring(table.indexOf('.') + 1), statement + " ..."});
    }
    return found;
  }

  /** The SQL in a Java source: its string literals and text blocks, comments left out. */
  static String sqlInJava(String source) {
    StringBuilder literals = new StringBuilder();
    Matcher m = JAVA_TOKEN.matcher(source);
    while (m.find()) {
      if (m.group(1) != null || m.group(2) != null) {
        literals.append(m.group(1) != null ? m.group(1) : m.group(2)).append(' ');
      }
    }
    return literals.toString();
  }

  /**
   * Every write in the SQL files under {@code resources} and the Java sources under {@code java}.
   */
  static List<Write> scan(Path resources, Path java) {
    List<Write> writes = new ArrayList<>();
    for (Path file : files(resources, ".sql")) {
      add(writes, resources, file, read(file));
    }
    for (Path file : files(java, ".java")) {
      String text = read(file);
      if (java.relativize(file).toString().replace('\\', '/').equals("store/Leases.java")) {
        // Generic: writes the table named by its caller's spec, counted below as the caller's.
        continue;
      }
      add(writes, java, file, sqlInJava(text));
      Matcher spec = LEASE_SPEC.matcher(text);
      while (spec.find()) {
        Path relative = java.relativize(file);
        writes.add(
            new Write(
                spec.group(1),
                relative.getParent().toString().replace(file.getFileSystem().getSeparator(), "."),
                relative.toString().replace('\\', '/'),
                spec.group()));
      }
    }
    return writes;
  }

  /** The writes whose table belongs to another package, or to none. */
  static List<String> violations(List<Write> writes) {
    List<String> problems = new ArrayList<>();
    for (Write w : writes) {
      Optional<String> owner = Optional.ofNullable(OWNERS.get(w.table()));
      if (owner.isEmpty()) {
        problems.add(
            w
                + " writes "
                + w.table()
                + ", which has no owner: add it to SqlWrites.OWNERS with the package that alone"
                + " writes it");
      } else if (!owner.get().equals(w.feature())) {
        problems.add(
            w
                + " writes "
                + w.table()
                + " from "
                + w.pkg()
                + ", but only "
                + owner.get()
                + " writes it: call a method of "
                + owner.get()
                + " (through a small interface that App wires if a direct call would make a"
                + " package cycle)");
      }
    }
    return problems;
  }

  private static void add(List<Write> writes, Path root, Path file, String sql) {
    Path relative = root.relativize(file);
    String pkg =
        relative.getParent() == null
            ? ""
            : relative.getParent().toString().replace(file.getFileSystem().getSeparator(), ".");
    String name = relative.toString().replace('\\', '/');
    for (String[] write : found(sql)) {
      writes.add(new Write(write[0], pkg, name, write[1]));
    }
  }

  private static String wordBefore(String text, int at) {
    Matcher m = Pattern.compile("([A-Za-z_]+)\\s*$").matcher(text.substring(0, at));
    return m.find() ? m.group(1).toLowerCase(Locale.ROOT) : "";
  }

  private static List<Path> files(Path root, String suffix) {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
