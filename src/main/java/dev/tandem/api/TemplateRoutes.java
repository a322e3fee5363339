package dev.tandem.api;

import dev.tandem.content.EmailContent;
import dev.tandem.delivery.MessageRequest;
import dev.tandem.delivery.MessageView;
import dev.tandem.delivery.Messages;
import dev.tandem.error.InvalidInput;
import dev.tandem.error.NotFound;
import dev.tandem.sms.SmsText;
import dev.tandem.template.PointerSms;
import dev.tandem.template.ShortLinks;
import dev.tandem.template.Snippets;
import dev.tandem.template.TemplateDocument;
import dev.tandem.template.TemplateJson;
import dev.tandem.template.TemplateLint;
import dev.tandem.template.TemplateRenderer;
import dev.tandem.template.TemplateRequest;
import dev.tandem.template.Templates;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * {@code /v1/templates} and {@code /v1/snippets}: templates saved as versions and linted on every
 * save, checked without saving, previewed for a person (both channels, segments, cost and the
 * routing plan); and {@code /s/CODE}, the short links in SMS (docs/templates.md).
 */
final class TemplateRoutes {
  static final String PATH = "/v1/templates";
  static final String SNIPPETS = "/v1/snippets";

  private final Templates templates;
  private final ShortLinks shortLinks;
  private final Messages messages;
  private final BiFunction<MessageView, String, Map<String, Object>> messageJson;
  private final Function<Context, String> baseUrl;

  TemplateRoutes(
      Templates templates,
      ShortLinks shortLinks,
      Messages messages,
      BiFunction<MessageView, String, Map<String, Object>> messageJson,
      Function<Context, String> baseUrl) {
    this.templates = templates;
    this.shortLinks = shortLinks;
    this.messages = messages;
    this.messageJson = messageJson;
    this.baseUrl = baseUrl;
  }

  void register(Javalin app) {
    app.get(PATH, this::list);
    app.get(PATH + "/{key}", this::get);
    app.put(PATH + "/{key}", this::put);
    app.delete(
        PATH + "/{key}",
        ctx -> {
          templates.delete(ctx.pathParam("key"));
          ctx.status(204);
        });
    app.get(
        PATH + "/{key}/versions",
        ctx -> ctx.json(Map.of("items", templates.versions(ctx.pathParam("key")))));
    app.post(PATH + "/{key}/check", this::check);
    app.post(PATH + "/{key}/preview", this::preview);
    app.get(
        SNIPPETS,
        ctx ->
            ctx.json(
                Map.of(
                    "items",
                    templates.snippets().byKey().values().stream()
                        .sorted(java.util.Comparator.comparing(Snippets.Snippet::key))
                        .map(TemplateRoutes::snippetJson)
                        .toList())));
    app.get(SNIPPETS + "/{key}", ctx -> ctx.json(snippetJson(snippet(ctx.pathParam("key")))));
    app.put(SNIPPETS + "/{key}", this::putSnippet);
    app.delete(
        SNIPPETS + "/{key}",
        ctx -> {
          templates.deleteSnippet(ctx.pathParam("key"));
          ctx.status(204);
        });
    app.get(ShortLinks.PATH + "{code}", this::click);
  }

  private void list(Context ctx) {
    ctx.json(
        Map.of(
            "items",
            templates.all().stream()
                .map(s -> {
                  var out = new LinkedHashMap<String, Object>();
                  out.put("key", s.template().key());
                  out.put("version", s.version());
                  out.put("description", s.template().description());
                  out.put("topic", s.template().topic().orElse(null));
                  out.put("locales", s.template().locales());
                  out.put("updatedAt", s.updatedAt());
                  return out;
                })
                .toList()));
  }

  private void get(Context ctx) {
    ctx.json(json(templates.get(ctx.pathParam("key"), version(ctx))));
  }

  private static Integer version(Context ctx) {
    String v = ctx.queryParam("version");
    if (v == null) {
      return null;
    }
    try {
      int version = Integer.parseInt(v);
      if (version >= 1) {
        return version;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new InvalidInput(
        "invalid-template-version",
        "version",
        "version is '" + v + "'; give a version number (1, 2, …) or leave it out for the current.");
  }

  private void put(Context ctx) {
    String key = ctx.pathParam("key");
    TemplateDocument template = TemplateJson.read(key, Body.parse(ctx, null).root());
    Templates.Saved saved = templates.put(template);
    if (saved.created()) {
      ctx.status(201).header("Location", PATH + "/" + key);
    }
    Map<String, Object> out = json(saved.stored());
    out.put("changed", saved.changed());
    out.put("findings", saved.findings().stream().map(TemplateLint.Finding::toJson).toList());
    ctx.json(out);
  }

  /** Lint without saving: what {@code tandem templates check} asks. */
  private void check(Context ctx) {
    TemplateDocument template =
        TemplateJson.read(ctx.pathParam("key"), Body.parse(ctx, null).root());
    List<TemplateLint.Finding> findings = templates.check(template);
    var out = new LinkedHashMap<String, Object>();
    out.put("ok", findings.stream().noneMatch(f -> f.severity() == TemplateLint.Severity.ERROR));
    out.put("findings", findings.stream().map(TemplateLint.Finding::toJson).toList());
    ctx.json(out);
  }

  /**
   * Both channels as a person would get them. With a contact (or an address) the preview is a dry
   * run of the send: their locale, the routing plan, each delivery's segments and cost. Without
   * one, the template renders with the data given or its sample data.
   */
  private void preview(Context ctx) {
    String key = ctx.pathParam("key");
    Body body =
        Body.parse(
            ctx,
            Set.of(
                "contactId",
                "to",
                "topic",
                "channels",
                "data",
                "locale",
                "version",
                "substitution"));
    var root = body.root();
    Integer version = null;
    if (root.hasNonNull("version")) {
      if (!root.get("version").isIntegralNumber() || root.get("version").asInt() < 1) {
        throw new InvalidInput(
            "invalid-template-version", "version", "version is a version number (1, 2, …).");
      }
      version = root.get("version").asInt();
    }
    Templates.Stored stored = templates.get(key, version);
    Map<String, Object> data =
        root.has("data")
            ? TemplateJson.object(root.get("data"), "data")
            : stored.template().sampleData();
    String locale = body.string("locale");
    Body to = body.object("to", Set.of("phone", "email"));
    String substitution = body.string("substitution");
    if (substitution != null && !substitution.equals("on") && !substitution.equals("off")) {
      throw new InvalidInput(
          "invalid-substitution", "substitution", "substitution is \"on\" or \"off\".");
    }
    Boolean substitute = substitution == null ? null : substitution.equals("on");
    var out = new LinkedHashMap<String, Object>();
    out.put("template", stored.template().key());
    out.put("version", stored.version());
    String base = baseUrl.apply(ctx);
    TemplateRenderer.Rendered rendered;
    if (body.uuid("contactId") != null
        || to.string("phone") != null
        || to.string("email") != null) {
      Messages.Preview preview =
          messages.preview(
              new MessageRequest(
                  body.uuid("contactId"),
                  to.string("phone"),
                  to.string("email"),
                  body.strings("channels"),
                  body.string("topic"),
                  null,
                  substitute,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  List.of(),
                  null,
                  new TemplateRequest(key, stored.version(), locale, data),
                  null));
      rendered = preview.rendered().orElseThrow();
      out.put("message", messageJson.apply(preview.view(), base));
    } else {
      if (root.has("channels") || root.has("topic")) {
        throw new InvalidInput(
            "preview-without-recipient",
            root.has("channels") ? "channels" : "topic",
            "channels and topic shape a routing plan, which needs a recipient: give contactId or"
                + " to.");
      }
      rendered =
          templates
              .renderer()
              .render(
                  stored.template(),
                  locale == null ? null : dev.tandem.contact.Locales.normalize("locale", locale),
                  withContact(data),
                  templates.snippets(),
                  new TemplateRenderer.Options(
                      budget(stored),
                      !Boolean.FALSE.equals(substitute),
                      url -> shortLinks.placeholder()),
                  TemplateRenderer.EmailOptions.NONE);
    }
    out.put("locale", rendered.locale());
    rendered.email().ifPresent(e -> out.put("email", emailJson(e)));
    if (rendered.sms().isPresent()) {
      var sms = new LinkedHashMap<String, Object>();
      sms.put("source", rendered.smsSource().name().toLowerCase(java.util.Locale.ROOT));
      sms.put("text", rendered.sms().get().text());
      sms.putAll(rendered.smsText().orElseThrow().toJson());
      out.put("sms", sms);
    }
    rendered
        .email()
        .ifPresent(e -> {
          String pointer = PointerSms.text(e.subject(), base + "/v/" + VIEW_TOKEN_SHAPE, true);
          var json = new LinkedHashMap<String, Object>();
          json.put("text", pointer);
          json.putAll(SmsText.of(pointer, true).toJson());
          out.put("pointerSms", json);
        });
    ctx.json(out);
  }

  /** As long as a real hosted-view token: the pointer SMS previews at its real length. */
  private static final String VIEW_TOKEN_SHAPE = "AAAAAAAAAAAAAAAAAAAAAA.v.AAAAAAAAAAAAAAAAAAAAAA";

  private int budget(Templates.Stored stored) {
    return templates.lintContext(stored.template().topic()).smsSegmentBudget();
  }

  private static Map<String, Object> withContact(Map<String, Object> data) {
    if (data.containsKey("contact")) {
      return data;
    }
    var out = new LinkedHashMap<>(data);
    out.put("contact", Map.of("name", "Sample Person", "firstName", "Sample"));
    return out;
  }

  private static Map<String, Object> emailJson(EmailContent e) {
    var email = new LinkedHashMap<String, Object>();
    email.put("subject", e.subject());
    email.put("html", e.html().orElse(null));
    email.put("text", e.text().orElse(null));
    email.put(
        "attachments",
        e.attachments().stream()
            .map(a ->
                Map.of(
                    "filename",
                    a.filename(),
                    "contentType",
                    a.contentType(),
                    "bytes",
                    a.content().length))
            .toList());
    return email;
  }

  private void putSnippet(Context ctx) {
    String key = TemplateDocument.requireKey("snippet", ctx.pathParam("key"));
    Body body = Body.parse(ctx, Set.of("text", "html"));
    boolean created = !templates.snippets().byKey().containsKey(key);
    Snippets.Snippet saved =
        templates.putSnippet(
            new Snippets.Snippet(
                key, body.string("text"), Optional.ofNullable(body.string("html"))));
    if (created) {
      ctx.status(201).header("Location", SNIPPETS + "/" + key);
    }
    ctx.json(snippetJson(saved));
  }

  private Snippets.Snippet snippet(String key) {
    Snippets.Snippet snippet = templates.snippets().byKey().get(key);
    if (snippet == null) {
      throw new NotFound(
          "snippet-not-found",
          "snippet",
          "No snippet '" + key + "'. Create it with PUT " + SNIPPETS + "/" + key + ".");
    }
    return snippet;
  }

  private static Map<String, Object> snippetJson(Snippets.Snippet s) {
    var out = new LinkedHashMap<String, Object>();
    out.put("key", s.key());
    out.put("text", s.text());
    out.put("html", s.html().orElse(null));
    return out;
  }

  private static Map<String, Object> json(Templates.Stored s) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("key", s.template().key());
    out.put("version", s.version());
    out.put("createdAt", s.createdAt());
    out.put("updatedAt", s.updatedAt());
    TemplateJson.write(s.template())
        .fields()
        .forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  /** A short link: its stored target (never one from the request), the click on the timeline. */
  private void click(Context ctx) {
    String url =
        shortLinks
            .click(ctx.pathParam("code"), ctx.userAgent())
            .orElseThrow(() ->
                new NotFound("invalid-link", "code", "This link is not valid or has expired."));
    ctx.header("Cache-Control", "no-store").header("Referrer-Policy", "no-referrer");
    ctx.redirect(url, HttpStatus.FOUND);
  }
}
