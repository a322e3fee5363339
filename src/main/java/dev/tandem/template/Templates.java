package dev.tandem.template;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.error.Conflict;
import dev.tandem.error.NotFound;
import dev.tandem.store.NamedSql;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Templates and brand snippets in PostgreSQL. Every save that changes a template is a new version
 * (a message records the version it was rendered from, and versions are never edited); a save lint
 * finds errors in is refused with each finding. Snippets are read through a short cache, as topics
 * are, since every render uses them.
 */
public final class Templates {
  private static final long SNIPPET_CACHE_MILLIS = 500;

  private final Jdbi jdbi;
  private final Clock clock;
  private final TemplateRenderer renderer;
  private final Function<Optional<String>, TemplateLint.Context> lintContext;
  private final NamedSql sql = NamedSql.forClass(Templates.class);
  private volatile CachedSnippets cached;

  /**
   * @param lintContext what lint checks a template against, from its topic (empty: the default)
   */
  public Templates(
      Jdbi jdbi,
      Clock clock,
      TemplateRenderer renderer,
      Function<Optional<String>, TemplateLint.Context> lintContext) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.renderer = renderer;
    this.lintContext = lintContext;
  }

  public TemplateRenderer renderer() {
    return renderer;
  }

  /**
   * A template as stored.
   *
   * @param version the version this is
   * @param updatedAt when this version was saved
   */
  public record Stored(
      TemplateDocument template, int version, Instant createdAt, Instant updatedAt) {}

  /**
   * What a save did.
   *
   * @param created whether the key is new
   * @param changed false when the body equals the current version (no new version)
   * @param findings lint's warnings (errors refuse the save)
   */
  public record Saved(
      Stored stored, boolean created, boolean changed, List<TemplateLint.Finding> findings) {}

  /** What lint checks a template on this topic against (empty: the default topic). */
  public TemplateLint.Context lintContext(Optional<String> topic) {
    return lintContext.apply(topic);
  }

  /** Lint's findings for a template, with the snippets as they are now. */
  public List<TemplateLint.Finding> check(TemplateDocument template) {
    return TemplateLint.check(template, snippets(), lintContext.apply(template.topic()), renderer);
  }

  /** Saves a template: a new version when it differs from the current one; errors refuse it. */
  public Saved put(TemplateDocument template) {
    List<TemplateLint.Finding> findings = check(template);
    TemplateLint.refusal(template.key(), findings)
        .ifPresent(refusal -> {
          throw refusal;
        });
    String body = TemplateJson.write(template).toString();
    Instant now = now();
    return jdbi.inTransaction(handle -> {
      handle.createQuery(sql.get("lockKey")).bind("key", template.key()).mapTo(String.class).one();
      Optional<Map<String, Object>> latest =
          handle.createQuery(sql.get("latest")).bind("key", template.key()).mapToMap().findOne();
      boolean live = latest.isPresent() && latest.get().get("deleted_at") == null;
      if (live && sameJson(body, (String) latest.get().get("body"))) {
        return new Saved(get(handle, template.key(), null), false, false, nonErrors(findings));
      }
      int version =
          handle
                  .createQuery(sql.get("maxVersion"))
                  .bind("key", template.key())
                  .mapTo(Integer.class)
                  .one()
              + 1;
      handle
          .createUpdate(sql.get("upsertTemplate"))
          .bind("key", template.key())
          .bind("version", version)
          .bind("now", now)
          .execute();
      handle
          .createUpdate(sql.get("insertVersion"))
          .bind("key", template.key())
          .bind("version", version)
          .bind("body", body)
          .bind("now", now)
          .execute();
      return new Saved(get(handle, template.key(), null), !live, true, nonErrors(findings));
    });
  }

  private static List<TemplateLint.Finding> nonErrors(List<TemplateLint.Finding> findings) {
    return findings.stream().filter(f -> f.severity() != TemplateLint.Severity.ERROR).toList();
  }

  private static boolean sameJson(String a, String b) {
    try {
      return TemplateJson.JSON.readTree(a).equals(TemplateJson.JSON.readTree(b));
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** The current version, or a given one (a deleted template's versions stay readable). */
  public Stored get(String key, Integer version) {
    return jdbi.withHandle(handle -> get(handle, key, version));
  }

  private Stored get(Handle handle, String key, Integer version) {
    TemplateDocument.requireKey("template", key);
    var query =
        version == null
            ? handle.createQuery(sql.get("current")).bind("key", key)
            : handle.createQuery(sql.get("version")).bind("key", key).bind("version", version);
    return query
        .map((rs, ctx) -> stored(rs))
        .findOne()
        .orElseThrow(() ->
            new NotFound(
                "template-not-found",
                "template",
                version == null
                    ? "No template '" + key + "'. Create it with PUT /v1/templates/" + key + "."
                    : "Template '" + key + "' has no version " + version + "."));
  }

  private static Stored stored(java.sql.ResultSet rs) throws java.sql.SQLException {
    JsonNode body;
    try {
      body = TemplateJson.JSON.readTree(rs.getString("body"));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("template_version.body is not JSON", e);
    }
    return new Stored(
        TemplateJson.read(rs.getString("key"), body),
        rs.getInt("version"),
        rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("updated_at").toInstant());
  }

  public List<Stored> all() {
    return jdbi.withHandle(
        handle -> handle.createQuery(sql.get("all")).map((rs, ctx) -> stored(rs)).list());
  }

  /** Every version of a template, newest first: number and when it was saved. */
  public List<Map<String, Object>> versions(String key) {
    get(key, null);
    return jdbi.withHandle(handle ->
        handle
            .createQuery(sql.get("versions"))
            .bind("key", key)
            .map((rs, ctx) -> {
              var out = new LinkedHashMap<String, Object>();
              out.put("version", rs.getInt("version"));
              out.put("createdAt", rs.getTimestamp("created_at").toInstant());
              return (Map<String, Object>) out;
            })
            .list());
  }

  /** Deletes a template; its versions stay, as messages rendered from them refer to them. */
  public void delete(String key) {
    get(key, null);
    jdbi.useHandle(handle ->
        handle
            .createUpdate(sql.get("deleteTemplate"))
            .bind("key", key)
            .bind("now", now())
            .execute());
  }

  // --- snippets

  /** The snippets as they are now (at most half a second old). */
  public Snippets snippets() {
    CachedSnippets c = cached;
    long now = System.nanoTime();
    if (c != null && now - c.loadedAt < SNIPPET_CACHE_MILLIS * 1_000_000) {
      return c.snippets;
    }
    Snippets loaded =
        new Snippets(
            jdbi
                .withHandle(handle ->
                    handle
                        .createQuery(sql.get("snippets"))
                        .map((rs, ctx) ->
                            new Snippets.Snippet(
                                rs.getString("key"),
                                rs.getString("text"),
                                Optional.ofNullable(rs.getString("html"))))
                        .list())
                .stream()
                .collect(java.util.stream.Collectors.toMap(Snippets.Snippet::key, s -> s)));
    // the same snippets keep the same instance, so compiled templates stay cached
    if (c != null && c.snippets.equals(loaded)) {
      loaded = c.snippets;
    }
    cached = new CachedSnippets(loaded, now);
    return loaded;
  }

  private record CachedSnippets(Snippets snippets, long loadedAt) {}

  public Snippets.Snippet putSnippet(Snippets.Snippet snippet) {
    // the snippet must compile in both forms before anything uses it
    for (var form :
        List.of(
            Map.entry(TemplateRenderer.Mode.TEXT, snippet.text()),
            Map.entry(TemplateRenderer.Mode.HTML, snippet.html().orElse("")))) {
      renderer.compile(
          form.getValue(),
          form.getKey(),
          Snippets.NONE,
          form.getKey() == TemplateRenderer.Mode.HTML ? "html" : "text");
    }
    refuseCycle(snippet);
    refuseBreaking(snippet);
    jdbi.useHandle(handle ->
        handle
            .createUpdate(sql.get("upsertSnippet"))
            .bind("key", snippet.key())
            .bind("text", snippet.text())
            .bind("html", snippet.html().orElse(null))
            .bind("now", now())
            .execute());
    cached = null;
    return snippet;
  }

  /**
   * A snippet edit that would make a current template fail lint (a variable its sample data lacks,
   * an SMS over budget, an include of a snippet that does not exist) is refused, naming each
   * template and finding: otherwise the template would fail at its next send.
   */
  private void refuseBreaking(Snippets.Snippet changed) {
    Snippets before = snippets();
    if (!before.byKey().containsKey(changed.key())) {
      return; // a new snippet: no current template can include it yet
    }
    var map = new java.util.HashMap<>(before.byKey());
    map.put(changed.key(), changed);
    Snippets after = new Snippets(map);
    var broken = new java.util.ArrayList<Map<String, Object>>();
    var names = new java.util.ArrayList<String>();
    for (Stored stored : all()) {
      if (!TemplateJson.write(stored.template()).toString().contains("{{>")) {
        continue;
      }
      List<TemplateLint.Finding> findings =
          TemplateLint.check(
              stored.template(), after, lintContext.apply(stored.template().topic()), renderer);
      for (TemplateLint.Finding f : findings) {
        if (f.severity() == TemplateLint.Severity.ERROR) {
          var json = new java.util.LinkedHashMap<>(f.toJson());
          json.put("template", stored.template().key());
          broken.add(json);
          if (!names.contains(stored.template().key())) {
            names.add(stored.template().key());
          }
        }
      }
    }
    if (!broken.isEmpty()) {
      throw new dev.tandem.error.InvalidInput(
          "snippet-breaks-templates",
          "text",
          "with this change, "
              + String.join(", ", names)
              + " would fail lint: "
              + broken.get(0).get("message")
              + (broken.size() > 1 ? " (see findings for the rest)" : ""),
          broken);
    }
  }

  private static final Pattern INCLUDE = Pattern.compile("\\{\\{>\\s*([^}\\s]+)\\s*}}");

  /** A snippet that would include itself, directly or through others, is refused. */
  private void refuseCycle(Snippets.Snippet changed) {
    var all = new java.util.HashMap<>(snippets().byKey());
    all.put(changed.key(), changed);
    var path = new java.util.ArrayList<String>();
    if (reaches(all, changed.key(), changed.key(), path, new java.util.HashSet<>())) {
      throw new dev.tandem.error.InvalidInput(
          "snippet-include-cycle",
          "text",
          "snippet "
              + changed.key()
              + " would include itself ("
              + changed.key()
              + " → "
              + String.join(" → ", path)
              + "); a snippet cannot include itself, directly or through others.");
    }
  }

  private static boolean reaches(
      Map<String, Snippets.Snippet> all,
      String from,
      String target,
      List<String> path,
      java.util.Set<String> seen) {
    Snippets.Snippet snippet = all.get(from);
    if (snippet == null || !seen.add(from)) {
      return false;
    }
    var matcher = INCLUDE.matcher(snippet.text() + "\n" + snippet.html().orElse(""));
    while (matcher.find()) {
      String next = matcher.group(1);
      path.add(next);
      if (next.equals(target) || reaches(all, next, target, path, seen)) {
        return true;
      }
      path.remove(path.size() - 1);
    }
    return false;
  }

  /** Deletes a snippet no current template includes. */
  public void deleteSnippet(String key) {
    TemplateDocument.requireKey("snippet", key);
    if (!snippets().byKey().containsKey(key)) {
      throw new NotFound("snippet-not-found", "snippet", "No snippet '" + key + "'.");
    }
    Pattern include = Pattern.compile("\\{\\{>\\s*" + Pattern.quote(key) + "\\s*}}");
    List<String> users =
        all().stream()
            .filter(s -> include.matcher(TemplateJson.write(s.template()).toString()).find())
            .map(s -> s.template().key())
            .toList();
    users = new java.util.ArrayList<>(users);
    for (Snippets.Snippet other : snippets().byKey().values()) {
      if (!other.key().equals(key)
          && include.matcher(other.text() + "\n" + other.html().orElse("")).find()) {
        users.add("snippet " + other.key());
      }
    }
    if (!users.isEmpty()) {
      throw new Conflict(
          "snippet-in-use",
          "snippet",
          "Snippet '"
              + key
              + "' is included by "
              + String.join(", ", users)
              + "; remove the include from them first.");
    }
    jdbi.useHandle(
        handle -> handle.createUpdate(sql.get("deleteSnippet")).bind("key", key).execute());
    cached = null;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
