package dev.tandem.api;

import static dev.tandem.api.PreferencePages.esc;

import dev.tandem.error.NotFound;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code GET /problems} and {@code GET /problems/{code}}: what each problem's {@code type} points
 * at. HTML for people (no script, everything escaped), JSON for a client that sends {@code Accept:
 * application/json}; no API key, like {@code /docs/api}.
 */
final class ProblemPages {
  private final String base;

  /**
   * @param base http.publicUrl without a trailing slash, or ""
   */
  ProblemPages(String base) {
    this.base = base;
  }

  void register(Javalin app) {
    app.get("/problems", this::index);
    app.get("/problems/{code}", this::one);
  }

  private void index(Context ctx) {
    if (wantsJson(ctx)) {
      ctx.json(Map.of("items", ProblemTypes.all().stream().map(t -> t.toJson(base)).toList()));
      return;
    }
    var body = new StringBuilder();
    body.append("<p>Every error the Tandem API answers is an RFC 9457 problem document")
        .append(" (<code>application/problem+json</code>) whose <code>type</code> is one of")
        .append(" these pages and whose <code>code</code> is its last part. The problem's")
        .append(" <code>detail</code> says what was wrong with this request and")
        .append(" <code>field</code> names the field at fault. The same list as JSON: send")
        .append(" <code>Accept: application/json</code>. The API itself:")
        .append(" <a href=\"/docs/api\">/docs/api</a>.</p><table><thead><tr><th>Code</th>")
        .append("<th>Status</th><th>Title</th></tr></thead><tbody>");
    for (var type : ProblemTypes.all()) {
      body.append("<tr><td><a href=\"/problems/")
          .append(esc(type.code()))
          .append("\"><code>")
          .append(esc(type.code()))
          .append("</code></a></td><td>")
          .append(statuses(type))
          .append("</td><td>")
          .append(esc(type.title()))
          .append("</td></tr>");
    }
    body.append("</tbody></table><p>Other <code>http-NNN</code> codes are refusals of the HTTP")
        .append(" server itself with that status; the detail says why.</p>");
    ctx.html(PreferencePages.page("Tandem API problems", body.toString()));
  }

  private void one(Context ctx) {
    String code = ctx.pathParam("code");
    var type =
        ProblemTypes.find(code)
            .orElseThrow(() ->
                new NotFound(
                    "problem-not-found",
                    "code",
                    "There is no problem '"
                        + code
                        + "'. GET /problems lists every code the API answers."));
    if (wantsJson(ctx)) {
      ctx.json(type.toJson(base));
      return;
    }
    String body =
        "<p>Code <code>"
            + esc(type.code())
            + "</code>, HTTP status "
            + statuses(type)
            + ".</p><h2>What it means</h2><p>"
            + esc(type.meaning())
            + "</p><h2>How to fix it</h2><p>"
            + esc(type.fix())
            + "</p><p><a href=\"/problems\">All problems</a> · <a href=\"/docs/api\">API"
            + " reference</a></p>";
    ctx.html(PreferencePages.page(type.title(), body));
  }

  private static String statuses(ProblemTypes.ProblemType type) {
    return type.statuses().stream().map(String::valueOf).collect(Collectors.joining(" or "));
  }

  /** JSON only when asked for and preferred to HTML; a browser's Accept lists text/html first. */
  private static boolean wantsJson(Context ctx) {
    String accept = ctx.header("Accept");
    if (accept == null) {
      return false;
    }
    int json = accept.indexOf("json");
    int html = accept.indexOf("text/html");
    return json >= 0 && (html < 0 || json < html);
  }
}
