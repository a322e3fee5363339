package dev.tandem.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.tandem.channel.Channel;
import dev.tandem.contact.Contact;
import dev.tandem.contact.Contacts;
import dev.tandem.contact.NewContact;
import dev.tandem.contact.PhoneNumbers;
import dev.tandem.delivery.DeliveryStatus;
import dev.tandem.delivery.MessageRequest;
import dev.tandem.delivery.MessageView;
import dev.tandem.delivery.Messages;
import dev.tandem.email.EmailEngagement;
import dev.tandem.email.LinkSigner;
import dev.tandem.error.Conflict;
import dev.tandem.error.InvalidInput;
import dev.tandem.error.NotFound;
import dev.tandem.error.TandemException;
import dev.tandem.event.Timeline;
import dev.tandem.event.TimelineEvent;
import dev.tandem.ops.Health;
import dev.tandem.sandbox.SandboxSmtpServer;
import dev.tandem.sandbox.SmscSimulator;
import dev.tandem.sms.InboundMessages;
import dev.tandem.sms.SmsProblems;
import dev.tandem.sms.SmsText;
import dev.tandem.sms.http.TwilioGateway;
import dev.tandem.sms.http.TwilioSignature;
import dev.tandem.store.Ids;
import dev.tandem.store.Page;
import dev.tandem.store.PageRequest;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API (Javalin): translates requests into calls on the features and their answers and
 * errors back into JSON and problem+json. No business rule lives here.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
  static final String PROBLEM_JSON = "application/problem+json; charset=utf-8";

  /** The features the API serves; the sandbox parts are absent when the sandbox is off. */
  public record Features(
      Contacts contacts,
      Messages messages,
      Timeline timeline,
      SmsProblems smsProblems,
      ApiKeys apiKeys,
      Health health,
      PrometheusMeterRegistry metrics,
      Optional<SandboxSmtpServer> sandboxSmtp,
      Optional<SmscSimulator> sandboxSmsc,
      Optional<TwilioGateway> twilio,
      Optional<dev.tandem.sms.http.VonageGateway> vonage,
      dev.tandem.email.provider.ProviderEvents emailEvents,
      EmailEngagement engagement,
      LinkSigner links,
      dev.tandem.consent.ConsentLedger consent,
      dev.tandem.consent.ContactFlags flags,
      dev.tandem.consent.DoubleOptIn doubleOptIn,
      dev.tandem.event.Changes changes,
      java.time.Clock clock,
      dev.tandem.imports.Importer importer,
      dev.tandem.privacy.Privacy privacy,
      dev.tandem.consent.Suppressions suppressions,
      dev.tandem.email.InboundEmails inboundEmails,
      InboundMessages inboundSms,
      dev.tandem.preference.Preferences preferences,
      dev.tandem.delivery.CostReport costs,
      java.time.ZoneId defaultZone,
      dev.tandem.template.Templates templates,
      dev.tandem.template.ShortLinks shortLinks,
      dev.tandem.webhook.Webhooks webhooks,
      dev.tandem.reputation.ReputationGuard reputation,
      java.util.function.Supplier<dev.tandem.ops.doctor.Report> doctor) {

    /** The same features with another node's key check: a second node on the same database. */
    public Features withApiKeys(ApiKeys keys) {
      return new Features(
          contacts,
          messages,
          timeline,
          smsProblems,
          keys,
          health,
          metrics,
          sandboxSmtp,
          sandboxSmsc,
          twilio,
          vonage,
          emailEvents,
          engagement,
          links,
          consent,
          flags,
          doubleOptIn,
          changes,
          clock,
          importer,
          privacy,
          suppressions,
          inboundEmails,
          inboundSms,
          preferences,
          costs,
          defaultZone,
          templates,
          shortLinks,
          webhooks,
          reputation,
          doctor);
    }
  }

  /** A route as registered: the OpenAPI test compares these with openapi.json. */
  public record Route(String method, String path) {}

  private final Features features;
  private final String publicUrl;
  private final ObjectMapper json;
  private final Javalin app;
  private final List<Route> routes = new ArrayList<>();

  private ApiServer(Features features, String publicUrl) {
    this.features = features;
    this.publicUrl = publicUrl.replaceAll("/+$", "");
    this.json =
        new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    this.app =
        Javalin.create(config -> {
          config.showJavalinBanner = false;
          config.useVirtualThreads = true;
          config.jsonMapper(new JavalinJackson(json, true));
          config.http.prefer405over404 = true;
          config.jetty.modifyServer(
              server -> server.setErrorHandler(new BadMessageProblems(this.publicUrl)));
          config.requestLogger.http((ctx, millis) ->
              dev.tandem.ops.Metrics.request(
                  features.metrics(),
                  ctx.method().name(),
                  routeOf(ctx),
                  ctx.statusCode(),
                  (long) (millis * 1_000_000)));
          config.events(events ->
              events.handlerAdded(meta -> {
                if (isEndpoint(meta.getHttpMethod())) {
                  routes.add(new Route(meta.getHttpMethod().name().toLowerCase(), meta.getPath()));
                }
              }));
        });
    registerRoutes();
  }

  private static boolean isEndpoint(HandlerType type) {
    return switch (type) {
      case GET, POST, PUT, PATCH, DELETE -> true;
      default -> false;
    };
  }

  public static ApiServer start(Features features, String host, int port, String publicUrl) {
    var server = new ApiServer(features, publicUrl);
    server.app.start(host, port);
    return server;
  }

  public Features features() {
    return features;
  }

  public int port() {
    return app.port();
  }

  public List<Route> routes() {
    return List.copyOf(routes);
  }

  /** The route pattern that answered ({@code /v1/messages/{id}}), never the raw path. */
  private static String routeOf(Context ctx) {
    try {
      String path = ctx.endpointHandlerPath();
      return path == null || path.isEmpty() || path.equals("*") ? "unmatched" : path;
    } catch (RuntimeException e) {
      return "unmatched";
    }
  }

  private void registerRoutes() {
    app.before(PageSecurity::headers);
    var pages = new PageSecurity(publicUrl);
    for (String form : List.of("/p/{token}", "/confirm/{token}", "/u/{token}")) {
      app.before(form, pages::requireSameOrigin);
    }
    app.beforeMatched("/v1/*", this::authenticate);
    app.beforeMatched(ApiServer::refuseNul);
    app.exception(TandemException.class, (e, ctx) -> problem(ctx, toProblem(e)));
    app.exception(
        BadRequest.class,
        (e, ctx) ->
            problem(
                ctx,
                new Problem(
                    400, "malformed-request", "Malformed request", e.getMessage(), e.field())));
    app.exception(
        UnsupportedMediaType.class,
        (e, ctx) ->
            problem(
                ctx,
                new Problem(
                    415,
                    "unsupported-media-type",
                    "Unsupported media type",
                    e.getMessage(),
                    null)));
    app.exception(HttpResponseException.class, (e, ctx) -> problem(ctx, httpProblem(e, ctx)));
    app.exception(
        Forbidden.class,
        (e, ctx) -> problem(ctx, new Problem(403, "forbidden", "Forbidden", e.getMessage(), null)));
    app.exception(
        Unauthorized.class,
        (e, ctx) -> {
          ctx.header("WWW-Authenticate", "Bearer");
          problem(ctx, new Problem(401, "unauthorized", "Unauthorized", e.getMessage(), null));
        });
    app.exception(
        Exception.class,
        (e, ctx) -> {
          String ref = UUID.randomUUID().toString().substring(0, 8);
          log.error("request {} {} failed (ref {})", ctx.method(), ctx.path(), ref, e);
          problem(
              ctx,
              new Problem(
                  500,
                  "internal-error",
                  "Internal error",
                  "Tandem could not complete the request; the server log has the details under ref "
                      + ref
                      + ".",
                  null));
        });
    app.error(
        404,
        ctx -> {
          if (ctx.attribute("problem") == null) {
            problem(ctx, noSuchRoute(ctx));
          }
        });

    app.get("/health/live", ctx -> ctx.json(Map.of("status", "ok")));
    app.get("/health/ready", this::ready);
    app.get(
        "/metrics",
        ctx ->
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(features.metrics().scrape()));
    app.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openApiDocument()));
    String reference = ApiReference.render(openApiDocument());
    app.get("/docs/api", ctx -> ctx.html(reference));
    new ProblemPages(publicUrl).register(app);

    app.post("/v1/contacts", this::createContact);
    app.get("/v1/contacts", this::findContacts);
    app.get(
        "/v1/contacts/{id}",
        ctx -> ctx.json(contactJson(features.contacts().get(uuidParam(ctx, "id")))));
    app.get("/v1/contacts/{id}/timeline", this::timeline);
    app.patch("/v1/contacts/{id}", this::updateContact);
    app.post("/v1/messages", this::sendMessage);
    app.get("/v1/messages", this::listMessages);
    app.get("/v1/inbound", this::listInbound);
    app.post("/v1/messages/batch", this::sendMessages);
    app.post("/v1/sms/inspect", this::inspectSms);
    registerEmailLinks();
    new ConsentRoutes(
            features.contacts(),
            features.consent(),
            features.flags(),
            features.doubleOptIn(),
            features.changes(),
            features.clock(),
            features.suppressions())
        .register(app);
    new ImportRoutes(features.importer(), features.metrics()).register(app);
    new ApiKeyRoutes(features.apiKeys()).register(app);
    new TopicRoutes(features.consent().topics()).register(app);
    new WebhookRoutes(features.webhooks()).register(app);
    new ReputationRoutes(features.reputation()).register(app);
    new ProviderRoutes(features.vonage(), features.emailEvents(), features.clock()).register(app);
    new PreferenceRoutes(features.preferences()).register(app);
    new ReportRoutes(features.costs()).register(app);
    // the same checks as tandem doctor; 200 with the findings even when some are errors (the
    // request worked; "ok" says whether the node is fit)
    app.get("/v1/doctor", ctx -> ctx.json(features.doctor().get().asJson()));
    new TemplateRoutes(
            features.templates(),
            features.shortLinks(),
            features.messages(),
            this::messageJson,
            this::baseUrl)
        .register(app);
    PreferencePages.registerRefusal(app);
    new PreferencePages(
            features.contacts(),
            features.consent(),
            features.doubleOptIn(),
            features.preferences(),
            features.doubleOptIn().links(),
            features.clock())
        .register(app, this::baseUrl);
    app.post("/v1/contacts/merge", this::merge);
    app.post(
        "/v1/contacts/{id}/addresses",
        ctx -> {
          Body body = Body.parse(ctx, Set.of("phone", "email"));
          ctx.json(
              contactJson(
                  features
                      .contacts()
                      .addAddress(
                          uuidParam(ctx, "id"), body.string("phone"), body.string("email"))));
        });
    app.get(
        "/v1/contacts/{id}/export",
        ctx ->
            ctx.header("Content-Disposition", "attachment; filename=\"contact-export.json\"")
                .json(features.privacy().export(uuidParam(ctx, "id"))));
    app.delete(
        "/v1/contacts/{id}", ctx -> ctx.json(features.privacy().erase(uuidParam(ctx, "id"))));
    app.get(
        "/v1/contacts/{id}/merges",
        ctx ->
            ctx.json(
                Map.of(
                    "items",
                    features
                        .contacts()
                        .merges(features.contacts().get(uuidParam(ctx, "id")).id()))));
    app.post(TwilioGateway.STATUS_PATH, ctx -> twilioWebhook(ctx, TwilioGateway::onStatusCallback));
    app.post(
        TwilioGateway.INBOUND_PATH,
        ctx -> {
          twilioWebhook(ctx, TwilioGateway::onInbound);
          ctx.contentType("text/xml")
              .result("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>");
        });
    app.get(
        "/v1/sms/problems", ctx -> ctx.json(Map.of("items", features.smsProblems().recent(100))));
    app.get(
        "/v1/inbound/unmatched",
        ctx -> ctx.json(Map.of("items", features.inboundEmails().unmatched(100))));
    app.get(
        "/v1/messages/{id}",
        ctx -> ctx.json(messageJson(features.messages().get(uuidParam(ctx, "id")), baseUrl(ctx))));

    features
        .sandboxSmtp()
        .ifPresent(smtp ->
            app.get(
                "/v1/sandbox/emails",
                ctx ->
                    ctx.json(
                        Map.of(
                            "items",
                            smtp.received().stream()
                                .map(e -> {
                                  var item = new LinkedHashMap<String, Object>();
                                  item.put("from", e.envelopeFrom());
                                  item.put("to", e.envelopeTo());
                                  item.put("subject", e.subject());
                                  item.put("messageId", e.messageId());
                                  item.put("receivedAt", e.at());
                                  item.put("raw", e.raw());
                                  return item;
                                })
                                .toList()))));
    features
        .sandboxSmsc()
        .ifPresent(smsc -> {
          app.get("/v1/sandbox/sms", ctx -> ctx.json(Map.of("items", smsc.received())));
          app.post("/v1/sandbox/sms/inbound", ctx -> injectInbound(ctx, smsc));
        });
  }

  private final java.util.concurrent.atomic.AtomicLong lastAuthFailureLogged =
      new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - 2_000_000_000L);
  private final java.util.concurrent.atomic.AtomicInteger authFailuresNotLogged =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * A refused API key, in the log: at most one line a second, with how many were not written, so
   * someone trying keys cannot fill the disk.
   */
  private void logAuthFailure(Context ctx, String reason) {
    long now = System.nanoTime();
    long last = lastAuthFailureLogged.get();
    if (now - last < 1_000_000_000L || !lastAuthFailureLogged.compareAndSet(last, now)) {
      authFailuresNotLogged.incrementAndGet();
      return;
    }
    int skipped = authFailuresNotLogged.getAndSet(0);
    log.warn(
        "API key refused for {} {} from {}: {}{}",
        ctx.method(),
        routeOf(ctx),
        ctx.ip(),
        reason,
        skipped == 0 ? "" : " (and " + skipped + " more refusals in the last seconds)");
  }

  private void authenticate(Context ctx) {
    String header = ctx.header("Authorization");
    if (header == null || header.isBlank()) {
      throw new Unauthorized(
          "This route needs an API key: send 'Authorization: Bearer KEY'. Create one with ./tandem apikey create --name NAME.");
    }
    if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new Unauthorized("The Authorization header must be 'Bearer KEY'.");
    }
    switch (features.apiKeys().check(header.substring(7).strip())) {
      case ApiKeys.Check.Refused refused -> {
        logAuthFailure(ctx, refused.reason());
        throw new Unauthorized(refused.reason());
      }
      case ApiKeys.Check.Valid valid -> {
        String needed =
            ctx.path().startsWith(ApiKeyRoutes.PATH) ? ApiKeys.MANAGE_KEYS : ApiKeys.API;
        if (!valid.key().scopes().contains(needed)) {
          throw new Forbidden(
              "The API key "
                  + valid.key().prefix()
                  + "… lacks the scope '"
                  + needed
                  + "' this route needs; it has "
                  + String.join(", ", valid.key().scopes())
                  + ". Use a key with that scope.");
        }
        ctx.attribute("apiKeyName", valid.key().name() + " (" + valid.key().prefix() + "…)");
      }
    }
  }

  /** PostgreSQL cannot store NUL: a parameter with one is refused before any feature sees it. */
  private static void refuseNul(Context ctx) {
    var parameters = new LinkedHashMap<String, String>();
    ctx.pathParamMap().forEach(parameters::put);
    ctx.queryParamMap()
        .forEach((name, values) ->
            values.forEach(value -> parameters.merge(name, value, String::concat)));
    parameters.forEach((name, value) -> {
      if (name.indexOf('\u0000') >= 0 || value.indexOf('\u0000') >= 0) {
        throw new InvalidInput(
            "nul-character",
            name,
            "The parameter "
                + name.replace("\u0000", "\\u0000")
                + " contains the NUL character (U+0000, %00); remove it.");
      }
    });
  }

  private void ready(Context ctx) {
    Map<String, String> checks = features.health().run();
    boolean ok = Health.allOk(checks);
    ctx.status(ok ? 200 : 503).json(Map.of("status", ok ? "ready" : "not ready", "checks", checks));
  }

  private void merge(Context ctx) {
    Body body = Body.parse(ctx, Set.of("survivor", "merged", "reason"));
    UUID survivor = body.uuid("survivor");
    UUID merged = body.uuid("merged");
    if (survivor == null || merged == null) {
      throw new InvalidInput(
          "missing-contact",
          survivor == null ? "survivor" : "merged",
          "Give both contacts: survivor (kept) and merged (absorbed into it).");
    }
    String reason = Optional.ofNullable(body.string("reason")).orElse("merged by hand (API)");
    var merge = features.contacts().merge(survivor, merged, false, reason);
    ctx.json(Map.of("merge", merge, "contact", contactJson(features.contacts().get(survivor))));
  }

  private void createContact(Context ctx) {
    Body body =
        Body.parse(ctx, Set.of("phone", "email", "name", "externalId", "timeZone", "locale"));
    Contact contact =
        features
            .contacts()
            .create(
                new NewContact(
                    body.string("phone"),
                    body.string("email"),
                    body.string("name"),
                    body.string("externalId"),
                    body.string("timeZone"),
                    body.string("locale")));
    ctx.status(201).header("Location", "/v1/contacts/" + contact.id()).json(contactJson(contact));
  }

  /** The template a send names, with its data; null when it gives its content instead. */
  private static dev.tandem.template.TemplateRequest templateRequest(Body body) {
    var root = body.root();
    String key = body.string("template");
    if (key == null) {
      for (String field : List.of("data", "locale", "templateVersion")) {
        if (root.has(field)) {
          throw new InvalidInput(
              "template-field-without-template",
              field,
              field + " goes with a template: name one with \"template\": \"order-shipped\".");
        }
      }
      return null;
    }
    Integer version = null;
    var v = root.get("templateVersion");
    if (v != null && !v.isNull()) {
      if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
        throw new InvalidInput(
            "invalid-template-version",
            "templateVersion",
            "templateVersion is "
                + v
                + "; give a version number (1, 2, …) or leave it out for the"
                + " current one.");
      }
      version = v.asInt();
    }
    return new dev.tandem.template.TemplateRequest(
        key,
        version,
        body.string("locale"),
        dev.tandem.template.TemplateJson.object(root.get("data"), "data"));
  }

  /** A PATCH: the fields named are set (null clears one), the others are left as they are. */
  private void updateContact(Context ctx) {
    Body body = Body.parse(ctx, Set.of("name", "timeZone", "locale"));
    var root = body.root();
    java.util.function.Function<String, Optional<String>> field =
        name ->
            root.has(name)
                ? Optional.ofNullable(root.get(name).isNull() ? null : body.string(name))
                : null;
    ctx.json(
        contactJson(
            features
                .contacts()
                .update(
                    uuidParam(ctx, "id"),
                    new dev.tandem.contact.Contacts.Profile(
                        field.apply("name"), field.apply("timeZone"), field.apply("locale")))));
  }

  /**
   * {@code GET /v1/contacts}: every contact newest first, a page at a time; or, with {@code phone}
   * or {@code email}, the one contact that has it (the same envelope).
   */
  private void findContacts(Context ctx) {
    String phone = ctx.queryParam("phone");
    String email = ctx.queryParam("email");
    if (phone != null && email != null) {
      throw new InvalidInput(
          "two-lookups",
          "email",
          "Look a contact up by one address: /v1/contacts?phone=… or /v1/contacts?email=…, or"
              + " list them all with neither.");
    }
    if (phone == null && email == null) {
      var request = PageRequest.of(ctx.queryParam("limit"), ctx.queryParam("after"), 1);
      ctx.json(pageJson(features.contacts().page(request), this::contactJson));
      return;
    }
    Optional<Contact> found =
        phone != null
            ? features.contacts().findByPhone(phone)
            : features.contacts().findByEmail(email);
    ctx.json(pageJson(new Page<>(found.stream().toList(), null), this::contactJson));
  }

  /** {@code GET /v1/contacts/{id}/timeline}: newest first, a page at a time. */
  private void timeline(Context ctx) {
    UUID id = uuidParam(ctx, "id");
    features.contacts().get(id);
    var request = PageRequest.of(ctx.queryParam("limit"), ctx.queryParam("after"), 2);
    var out = new LinkedHashMap<String, Object>();
    out.put("contactId", id);
    out.putAll(pageJson(features.timeline().page(id, request), ApiServer::eventJson));
    ctx.json(out);
  }

  /** {@code GET /v1/messages}: newest first, narrowed by any of the filters. */
  private void listMessages(Context ctx) {
    var filter =
        new Messages.Filter(
            optionalUuid(ctx, "contactId"),
            Optional.ofNullable(ctx.queryParam("topic")).map(String::strip),
            optionalChannel(ctx),
            Optional.ofNullable(ctx.queryParam("status"))
                .map(value -> {
                  try {
                    return DeliveryStatus.of(value.strip());
                  } catch (IllegalArgumentException e) {
                    throw new InvalidInput(
                        "invalid-status",
                        "status",
                        "'"
                            + value
                            + "' is not a delivery status. Use one of "
                            + java.util.Arrays.stream(DeliveryStatus.values())
                                .map(DeliveryStatus::key)
                                .toList()
                            + ".");
                  }
                }),
            optionalInstant(ctx, "since"),
            optionalInstant(ctx, "until"));
    var request = PageRequest.of(ctx.queryParam("limit"), ctx.queryParam("after"), 1);
    String base = ctx.scheme() + "://" + ctx.host();
    ctx.json(pageJson(features.messages().page(filter, request), view -> messageJson(view, base)));
  }

  /**
   * {@code GET /v1/inbound}: what people sent (SMS and email: replies, bounces, complaints), newest
   * first across both channels.
   */
  private void listInbound(Context ctx) {
    Optional<Channel> channel = optionalChannel(ctx);
    Optional<UUID> contactId = optionalUuid(ctx, "contactId");
    var request = PageRequest.of(ctx.queryParam("limit"), ctx.queryParam("after"), 1);
    UUID before = request.isFirst() ? Ids.HIGHEST : request.uuid(0);
    int n = request.limit() + 1;
    List<Map<String, Object>> rows = new ArrayList<>();
    if (channel.isEmpty() || channel.get() == Channel.SMS) {
      features.inboundSms().before(before, contactId, n).forEach(m -> rows.add(inboundJson(m)));
    }
    if (channel.isEmpty() || channel.get() == Channel.EMAIL) {
      features.inboundEmails().before(before, contactId, n).forEach(m -> rows.add(inboundJson(m)));
    }
    // both are newest first by id; merged, the first n are the page (and tell if there is more)
    rows.sort(
        java.util.Comparator.comparing((Map<String, Object> r) -> (UUID) r.get("id"), Ids.ORDER)
            .reversed());
    ctx.json(
        pageJson(
            request.page(
                rows.subList(0, Math.min(n, rows.size())), r -> List.of(r.get("id").toString())),
            r -> r));
  }

  private static Map<String, Object> inboundJson(InboundMessages.StoredSms m) {
    var out = new LinkedHashMap<String, Object>();
    out.put("id", m.id());
    out.put("channel", "sms");
    out.put("kind", "sms");
    out.put("contactId", m.contactId().orElse(null));
    out.put("from", m.from());
    out.put("to", m.to());
    out.put("text", m.text());
    out.put("receivedAt", m.receivedAt());
    return out;
  }

  private static Map<String, Object> inboundJson(dev.tandem.email.InboundEmails.StoredEmail m) {
    var out = new LinkedHashMap<String, Object>();
    out.put("id", m.id());
    out.put("channel", "email");
    out.put("kind", m.kind());
    out.put("contactId", m.contactId().orElse(null));
    out.put("from", m.from());
    out.put("subject", m.subject());
    out.put("text", m.text());
    out.put("deliveryId", m.deliveryId().orElse(null));
    out.put("status", m.status().orElse(null));
    out.put("unmatched", m.unmatched().orElse(null));
    out.put("receivedAt", m.receivedAt());
    return out;
  }

  /** The one envelope of every list: {@code items}, and {@code next} (null on the last page). */
  static <T> Map<String, Object> pageJson(
      Page<T> page, java.util.function.Function<? super T, ?> item) {
    var out = new LinkedHashMap<String, Object>();
    out.put("items", page.items().stream().map(item).toList());
    out.put("next", page.next());
    return out;
  }

  static Optional<UUID> optionalUuid(Context ctx, String name) {
    String value = ctx.queryParam(name);
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(UUID.fromString(value.strip()));
    } catch (IllegalArgumentException e) {
      throw new InvalidInput(
          "invalid-id", name, "'" + value + "' is not an id Tandem issued (ids are UUIDs).");
    }
  }

  static Optional<Channel> optionalChannel(Context ctx) {
    String value = ctx.queryParam("channel");
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(
        Channel.parse(value.strip())
            .orElseThrow(() ->
                new InvalidInput(
                    "invalid-channel", "channel", "'" + value + "' is not sms or email.")));
  }

  static Optional<Instant> optionalInstant(Context ctx, String name) {
    String value = ctx.queryParam(name);
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(java.time.OffsetDateTime.parse(value.strip()).toInstant());
    } catch (java.time.format.DateTimeParseException e) {
      throw new InvalidInput(
          "invalid-time",
          name,
          "'"
              + value
              + "' is not a time. Write it in ISO-8601 with its offset, such as"
              + " 2026-12-01T09:00:00Z or 2026-12-01T10:00:00+01:00.");
    }
  }

  /** The fields of a message request, alone or as an item of a batch. */
  private static final Set<String> MESSAGE_FIELDS =
      Set.of(
          "contactId",
          "to",
          "channels",
          "topic",
          "sms",
          "email",
          "idempotencyKey",
          "dedupeKey",
          "template",
          "templateVersion",
          "locale",
          "data",
          "sendAt",
          "statusCallback");

  private void sendMessage(Context ctx) {
    Body body = Body.parse(ctx, MESSAGE_FIELDS);
    MessageRequest request = messageRequest(body, ctx.header("Idempotency-Key"));
    if (dryRun(ctx)) {
      ctx.status(200).json(messageJson(features.messages().plan(request), baseUrl(ctx)));
      return;
    }
    MessageView view = features.messages().accept(request);
    if (view.replayed()) {
      ctx.header("Idempotent-Replayed", "true");
    }
    ctx.status(view.replayed() ? 200 : 202)
        .header("Location", "/v1/messages/" + view.id())
        .json(messageJson(view, baseUrl(ctx)));
  }

  private static boolean dryRun(Context ctx) {
    String dryRun = ctx.queryParam("dryRun");
    if (dryRun != null && !dryRun.equals("true") && !dryRun.equals("false")) {
      throw new InvalidInput(
          "invalid-dry-run",
          "dryRun",
          "dryRun is '" + dryRun + "'; use true (plan only, nothing written) or false.");
    }
    return "true".equals(dryRun);
  }

  /** The most messages one batch may hold. */
  static final int MAX_BATCH = 1000;

  /** Items of one batch being accepted at once (they share group commits). */
  private static final int BATCH_PARALLELISM = 128;

  /**
   * Up to {@value #MAX_BATCH} messages in one request, each accepted or refused on its own: the
   * answer is 200 with one result per item, in order, with the status a single POST would have had
   * (202 accepted, 200 replayed, 4xx with its problem). Items are accepted concurrently, so they
   * share commits; each is durable when the answer is sent.
   */
  private void sendMessages(Context ctx) {
    Body body = Body.parse(ctx, Set.of("messages"));
    if (ctx.header("Idempotency-Key") != null) {
      throw new InvalidInput(
          "idempotency-key-on-batch",
          "Idempotency-Key",
          "A batch has no Idempotency-Key of its own: give each message its idempotencyKey.");
    }
    boolean dryRun = dryRun(ctx);
    var messages = body.root().get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw new InvalidInput(
          "missing-messages",
          "messages",
          "messages must be an array of 1 to "
              + MAX_BATCH
              + " message requests, each as POST /v1/messages takes it.");
    }
    if (messages.size() > MAX_BATCH) {
      throw new InvalidInput(
          "batch-too-large",
          "messages",
          "messages holds "
              + messages.size()
              + " requests; send at most "
              + MAX_BATCH
              + " per batch (split it into several).");
    }
    String base = baseUrl(ctx);
    int n = messages.size();
    var results = new java.util.ArrayList<Map<String, Object>>(n);
    var futures = new java.util.ArrayList<java.util.concurrent.Future<Map<String, Object>>>(n);
    var permits = new java.util.concurrent.Semaphore(BATCH_PARALLELISM);
    try (var items = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < n; i++) {
        int index = i;
        var item = messages.get(i);
        permits.acquireUninterruptibly();
        futures.add(
            items.submit(() -> {
              try {
                return batchItem(index, item, dryRun, base);
              } finally {
                permits.release();
              }
            }));
      }
      for (var future : futures) {
        results.add(future.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while accepting a batch", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
    int ok = 0;
    int accepted = 0;
    for (var result : results) {
      int status = (Integer) result.get("status");
      ok += status < 300 ? 1 : 0;
      accepted += status == 202 ? 1 : 0;
    }
    var answer = new java.util.LinkedHashMap<String, Object>();
    if (dryRun) {
      answer.put("planned", ok);
    } else {
      answer.put("accepted", accepted);
      answer.put("replayed", ok - accepted);
    }
    answer.put("refused", n - ok);
    answer.put("results", results);
    ctx.status(200).json(answer);
  }

  /** One item of a batch: its result as a single POST would have answered it. */
  private Map<String, Object> batchItem(
      int index, com.fasterxml.jackson.databind.JsonNode item, boolean dryRun, String base) {
    String prefix = "messages[" + index + "].";
    var result = new java.util.LinkedHashMap<String, Object>();
    result.put("index", index);
    try {
      Body body = Body.item(item, prefix);
      body.allowOnly(MESSAGE_FIELDS);
      MessageRequest request = messageRequest(body, null);
      MessageView view =
          dryRun ? features.messages().plan(request) : features.messages().accept(request);
      result.put("status", dryRun || view.replayed() ? 200 : 202);
      result.put("message", messageJson(view, base));
    } catch (TandemException e) {
      itemProblem(result, toProblem(e), prefix);
    } catch (BadRequest e) {
      itemProblem(
          result,
          new Problem(400, "malformed-request", "Malformed request", e.getMessage(), e.field()),
          prefix);
    } catch (RuntimeException e) {
      String ref = UUID.randomUUID().toString().substring(0, 8);
      log.error("batch item {} failed (ref {})", index, ref, e);
      itemProblem(
          result,
          new Problem(
              500,
              "internal-error",
              "Internal error",
              "Tandem could not accept this message; the server log has the details under ref "
                  + ref
                  + ".",
              null),
          prefix);
    }
    return result;
  }

  private void itemProblem(Map<String, Object> result, Problem problem, String prefix) {
    Map<String, Object> json = new java.util.LinkedHashMap<>(problem.toJson(publicUrl));
    Object field = json.get("field");
    if (field instanceof String f && !f.startsWith(prefix.substring(0, prefix.length() - 1))) {
      json.put("field", prefix + f);
    }
    result.put("status", problem.status());
    result.put("problem", json);
  }

  private MessageRequest messageRequest(Body body, String headerKey) {
    Body to = body.object("to", Set.of("phone", "email"));
    Body sms = body.object("sms", Set.of("text", "substitution", "from"));
    Body email =
        body.object(
            "email",
            Set.of(
                "subject",
                "html",
                "text",
                "tracking",
                "unsubscribe",
                "attachments",
                "from",
                "replyTo"));
    var attachments =
        email
            .objects("attachments", Set.of("filename", "contentType", "content", "contentId"))
            .stream()
            .map(a ->
                new MessageRequest.Attachment(
                    a.string("filename"),
                    a.string("contentType"),
                    a.string("content"),
                    a.string("contentId")))
            .toList();
    String statusCallback = body.string("statusCallback");
    String key = body.string("idempotencyKey");
    if (key == null) {
      key = headerKey;
    } else if (headerKey != null && !headerKey.equals(key)) {
      throw new InvalidInput(
          "idempotency-key-mismatch",
          "idempotencyKey",
          "The Idempotency-Key header and the idempotencyKey field differ; send one of them.");
    }
    return new MessageRequest(
        body.uuid("contactId"),
        to.string("phone"),
        to.string("email"),
        body.strings("channels"),
        body.string("topic"),
        sms.string("text"),
        onOff(sms, "substitution"),
        email.string("subject"),
        email.string("html"),
        email.string("text"),
        onOff(email, "email", "tracking"),
        onOff(email, "email", "unsubscribe"),
        key,
        attachments,
        body.string("dedupeKey"),
        templateRequest(body),
        sendAt(body),
        sms.string("from"),
        email.string("from"),
        email.string("replyTo"),
        statusCallback == null ? null : features.webhooks().statusCallback(statusCallback));
  }

  /** When to send at the earliest: ISO-8601 with an offset, at most a year ahead. */
  private Instant sendAt(Body body) {
    String value = body.string("sendAt");
    if (value == null) {
      return null;
    }
    Instant at;
    try {
      at = java.time.OffsetDateTime.parse(value.strip()).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      throw new InvalidInput(
          "invalid-time",
          "sendAt",
          "sendAt '"
              + value
              + "' is not a time: write ISO-8601 with its offset, e.g. 2026-12-24T09:00:00+01:00.");
    }
    if (at.isAfter(features.clock().instant().plus(java.time.Duration.ofDays(366)))) {
      throw new InvalidInput(
          "too-far",
          "sendAt",
          "sendAt " + value + " is more than a year ahead; schedule it nearer the time.");
    }
    return at;
  }

  private void inspectSms(Context ctx) {
    Body body = Body.parse(ctx, Set.of("text", "substitution"));
    String text = body.string("text");
    if (text == null) {
      throw new InvalidInput("missing-text", "text", "text is required.");
    }
    String substitution = body.string("substitution");
    if (substitution != null && !substitution.equals("on") && !substitution.equals("off")) {
      throw new InvalidInput(
          "invalid-substitution",
          "substitution",
          "substitution must be \"on\" (default) or \"off\".");
    }
    ctx.json(SmsText.of(text, !"off".equals(substitution)).toJson());
  }

  private static Boolean onOff(Body body, String field) {
    return onOff(body, "sms", field);
  }

  private static Boolean onOff(Body body, String object, String field) {
    String value = body.string(field);
    if (value == null) {
      return null;
    }
    return switch (value) {
      case "on" -> true;
      case "off" -> false;
      default ->
          throw new InvalidInput(
              "invalid-" + field,
              object + "." + field,
              object + "." + field + " must be \"on\" or \"off\", not '" + value + "'.");
    };
  }

  /**
   * A provider webhook: verified by its X-Twilio-Signature over the URL the provider called (the
   * configured public URL, or the URL as this server saw it) and the form parameters.
   */
  private void twilioWebhook(
      Context ctx, java.util.function.BiConsumer<TwilioGateway, Map<String, String>> handler) {
    TwilioGateway twilio =
        features
            .twilio()
            .orElseThrow(() ->
                new NotFound(
                    "no-http-provider",
                    null,
                    "No Twilio-compatible SMS provider is configured (sms.provider = twilio)."));
    Map<String, String> params = new java.util.TreeMap<>();
    ctx.formParamMap()
        .forEach((name, values) -> params.put(name, values.isEmpty() ? "" : values.get(0)));
    String url = (publicUrl.isEmpty() ? ctx.scheme() + "://" + ctx.host() : publicUrl) + ctx.path();
    if (!TwilioSignature.valid(twilio.authToken(), url, params, ctx.header("X-Twilio-Signature"))) {
      throw new Forbidden(
          "The X-Twilio-Signature does not match this request; it was not sent by the configured provider.");
    }
    handler.accept(twilio, params);
  }

  private static final byte[] PIXEL =
      java.util.Base64.getDecoder()
          .decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

  /** The signed links in emails: open pixel, click redirect, one-click unsubscribe, hosted copy. */
  private void registerEmailLinks() {
    LinkSigner links = features.links();
    app.get(
        "/t/o/{token}",
        ctx -> {
          links
              .verify(ctx.pathParam("token").replaceFirst("\\.gif$", ""), LinkSigner.Purpose.OPEN)
              .ifPresent(features.engagement()::opened);
          ctx.header("Cache-Control", "no-store").contentType("image/gif").result(PIXEL);
        });
    app.get(
        "/t/c/{token}",
        ctx -> {
          String url = ctx.queryParam("u");
          var delivery =
              links
                  .verify(ctx.pathParam("token"), LinkSigner.Purpose.CLICK)
                  .filter(id -> url != null && links.validUrl(id, url, ctx.queryParam("s")));
          if (delivery.isEmpty()) {
            throw new InvalidInput(
                "invalid-link",
                "u",
                "This link is not valid: it was changed or not made by Tandem.");
          }
          features.engagement().clicked(delivery.get(), url);
          ctx.redirect(url, io.javalin.http.HttpStatus.FOUND);
        });
    app.get(
        "/u/{token}",
        ctx -> {
          UUID delivery = unsubscribeToken(ctx);
          ctx.contentType("text/html; charset=utf-8")
              .result(
                  PreferencePages.page(
                      "Unsubscribe",
                      "<form method=\"post\"><p>Stop emails about "
                          + PreferencePages.esc(about(delivery))
                          + "?</p><button type=\"submit\">Unsubscribe</button></form>"
                          + preferencesLink(delivery)));
        });
    app.post(
        "/u/{token}",
        ctx -> {
          // RFC 8058: the mail provider's one-click POST carries List-Unsubscribe=One-Click
          boolean oneClick = "One-Click".equals(ctx.formParam("List-Unsubscribe"));
          var evidence = new LinkedHashMap<String, Object>();
          evidence.put("method", oneClick ? "one-click" : "page");
          evidence.put("ip", ctx.ip());
          evidence.put("userAgent", Optional.ofNullable(ctx.userAgent()).orElse(""));
          UUID delivery = unsubscribeToken(ctx);
          features.engagement().unsubscribed(delivery, evidence);
          ctx.contentType("text/html; charset=utf-8")
              .result(
                  PreferencePages.page(
                      "Unsubscribed",
                      "<p role=\"status\">You will get no more emails about "
                          + PreferencePages.esc(about(delivery))
                          + ".</p>"
                          + preferencesLink(delivery)));
        });
    app.get(
        "/v/{token}",
        ctx -> {
          UUID delivery =
              links
                  .verify(ctx.pathParam("token"), LinkSigner.Purpose.VIEW)
                  .orElseThrow(
                      () -> new NotFound("invalid-link", "token", "This link is not valid."));
          String html =
              features
                  .engagement()
                  .view(delivery)
                  .orElseThrow(() ->
                      new NotFound(
                          "message-not-found", "token", "This email is no longer available."));
          String base = baseUrl(ctx);
          html =
              html.replace(
                      "tandem:unsubscribe",
                      base + "/u/" + links.token(delivery, LinkSigner.Purpose.UNSUBSCRIBE))
                  .replace("tandem:view", base + "/v/" + ctx.pathParam("token"));
          PageSecurity.hostedEmail(ctx);
          ctx.header("X-Robots-Tag", "noindex")
              .contentType("text/html; charset=utf-8")
              .result(html);
        });
  }

  /** What an email was about, in the words shown to recipients. */
  private String about(UUID delivery) {
    return features
        .engagement()
        .recipient(delivery)
        .map(EmailEngagement.Recipient::topic)
        .flatMap(topic -> features.consent().topics().find(topic))
        .map(dev.tandem.topic.Topic::description)
        .orElse("this");
  }

  /** A link from the unsubscribe page to the person's preference center. */
  private String preferencesLink(UUID delivery) {
    return features
        .engagement()
        .recipient(delivery)
        .map(r -> {
          var expires =
              features.clock().instant().plus(features.consent().config().preferenceLinkTtl());
          String token =
              features
                  .doubleOptIn()
                  .links()
                  .token(
                      r.contactId(), dev.tandem.consent.SignedLinks.Purpose.PREFERENCES, expires);
          return "<p><a href=\"/p/"
              + token
              + "\">Choose what else we may send you, and how</a></p>";
        })
        .orElse("");
  }

  private UUID unsubscribeToken(Context ctx) {
    return features
        .links()
        .verify(ctx.pathParam("token"), LinkSigner.Purpose.UNSUBSCRIBE)
        .orElseThrow(
            () -> new NotFound("invalid-link", "token", "This unsubscribe link is not valid."));
  }

  private void injectInbound(Context ctx, SmscSimulator smsc) {
    Body body = Body.parse(ctx, Set.of("from", "to", "text"));
    String from = body.string("from");
    String to = Optional.ofNullable(body.string("to")).orElse("Tandem");
    String text = body.string("text");
    if (from == null || from.isBlank()) {
      throw new InvalidInput(
          "missing-from", "from", "from (the sender's phone number) is required.");
    }
    if (text == null) {
      throw new InvalidInput("missing-text", "text", "text is required.");
    }
    if (!smsc.injectMo(from, to, text)) {
      throw new Conflict(
          "smsc-not-bound",
          null,
          "No SMPP client is bound to the sandbox SMSC yet; try again in a moment.");
    }
    ctx.status(202).json(Map.of("status", "delivered to Tandem's SMPP client"));
  }

  static UUID uuidParam(Context ctx, String name) {
    String value = ctx.pathParam(name);
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw new NotFound(
          "not-found", name, "'" + value + "' is not an id Tandem issued (ids are UUIDs).");
    }
  }

  private Map<String, Object> contactJson(Contact c) {
    var out = new LinkedHashMap<String, Object>();
    out.put("id", c.id());
    out.put("externalId", c.externalId().orElse(null));
    out.put("name", c.name().orElse(null));
    out.put("phone", c.phone().orElse(null));
    out.put("email", c.email().orElse(null));
    out.put("phones", c.phones());
    out.put(
        "phoneDetails",
        c.phones().stream()
            .map(p -> Map.of("phone", p, "valid", PhoneNumbers.isKnownValid(p)))
            .toList());
    out.put("emails", c.emails());
    out.put("timeZone", c.timeZone().orElse(null));
    out.put("locale", c.locale().orElse(null));
    // where quiet hours place the person: the explicit zone, else the number's, else the default
    dev.tandem.routing.Zones zones =
        dev.tandem.routing.Zones.of(c.timeZone(), c.phone(), features.defaultZone());
    var zone = new LinkedHashMap<String, Object>();
    zone.put("candidates", zones.candidates().stream().map(java.time.ZoneId::getId).toList());
    zone.put("source", zones.source());
    zone.put("regions", zones.regions().stream().sorted().toList());
    out.put("zone", zone);
    out.put("createdAt", c.createdAt());
    out.put(
        "warnings",
        c.phones().stream()
            .filter(p -> !PhoneNumbers.isKnownValid(p))
            .map(p ->
                Map.of(
                    "code",
                    "phone-not-valid",
                    "field",
                    "phones",
                    "detail",
                    PhoneNumbers.notKnownValidWarning(p)))
            .toList());
    return out;
  }

  /** Where recipients reach this server: http.publicUrl, or the address this request came to. */
  private String baseUrl(Context ctx) {
    return publicUrl.isEmpty() ? ctx.scheme() + "://" + ctx.host() : publicUrl;
  }

  private Map<String, Object> messageJson(MessageView m, String baseUrl) {
    var out = new LinkedHashMap<String, Object>();
    out.put("id", m.id());
    out.put("contactId", m.contactId());
    out.put("topic", m.topic());
    m.template()
        .ifPresent(t -> {
          var template = new LinkedHashMap<String, Object>();
          template.put("key", t.key());
          template.put("version", t.version());
          template.put("locale", t.locale());
          out.put("template", template);
        });
    out.put("createdAt", m.createdAt());
    out.put(
        "deliveries",
        m.deliveries().stream()
            .map(d -> {
              var delivery = new LinkedHashMap<String, Object>();
              delivery.put("id", d.id());
              delivery.put("channel", d.channel().key());
              delivery.put("address", d.address());
              delivery.put("status", d.status().key());
              delivery.put("attempts", d.attempts());
              delivery.put("providerId", d.providerId());
              delivery.put("lastError", d.lastError());
              if (d.segments() != null) {
                delivery.put("segments", d.segments());
                delivery.put("encoding", d.encoding());
              }
              if (d.segments() != null || d.cost() != null) {
                delivery.put(
                    "cost",
                    d.cost() == null ? null : d.cost().stripTrailingZeros().toPlainString());
                delivery.put("currency", d.currency());
              }
              if (d.channel() == dev.tandem.channel.Channel.EMAIL) {
                delivery.put(
                    "viewUrl",
                    baseUrl + "/v/" + features.links().token(d.id(), LinkSigner.Purpose.VIEW));
              }
              delivery.put("updatedAt", d.updatedAt());
              delivery.put("step", d.step().kind());
              d.step().follows().ifPresent(f -> delivery.put("follows", f));
              if (!d.step().triggers().isEmpty()) {
                delivery.put("triggers", d.step().triggers());
              }
              d.step().after().ifPresent(a -> delivery.put("after", a.toString()));
              d.step().dueAt().ifPresent(at -> delivery.put("dueAt", at));
              d.step().variant().ifPresent(v -> delivery.put("variant", v));
              return delivery;
            })
            .toList());
    if (!m.sender().isEmpty()) {
      var sender = new LinkedHashMap<String, Object>();
      m.sender().sms().ifPresent(from -> sender.put("sms", from));
      if (m.sender().emailFrom().isPresent() || m.sender().replyTo().isPresent()) {
        var email = new LinkedHashMap<String, Object>();
        m.sender().emailFrom().ifPresent(from -> email.put("from", from));
        m.sender().replyTo().ifPresent(replyTo -> email.put("replyTo", replyTo));
        sender.put("email", email);
      }
      out.put("sender", sender);
    }
    m.plan().ifPresent(plan -> out.put("plan", plan));
    if (m.dryRun()) {
      out.put("dryRun", true);
    }
    return out;
  }

  private static Map<String, Object> eventJson(TimelineEvent e) {
    var out = new LinkedHashMap<String, Object>();
    out.put("at", e.at());
    out.put("type", e.type());
    out.put("channel", e.channel());
    out.put("messageId", e.messageId());
    out.put("deliveryId", e.deliveryId());
    out.put("detail", e.detail());
    return out;
  }

  private static Problem noSuchRoute(Context ctx) {
    return new Problem(
        404,
        "no-such-route",
        "Not found",
        "There is no route " + ctx.method() + " " + ctx.path() + ". See /openapi.json.",
        null);
  }

  /** Javalin's own refusals (405, 413, …) as problem+json instead of its plain text. */
  private static Problem httpProblem(HttpResponseException e, Context ctx) {
    return switch (e.getStatus()) {
      case 404 -> noSuchRoute(ctx);
      case 405 ->
          new Problem(
              405,
              "method-not-allowed",
              "Method not allowed",
              ctx.method() + " is not allowed on " + ctx.path() + ". See /openapi.json.",
              null);
      case 413 ->
          new Problem(
              413,
              "body-too-large",
              "Request body too large",
              "The request body is larger than this route accepts; send less per request.",
              null);
      default ->
          new Problem(
              e.getStatus(),
              "http-" + e.getStatus(),
              HttpStatus.forStatus(e.getStatus()).getMessage(),
              e.getMessage(),
              null);
    };
  }

  private static Problem toProblem(TandemException e) {
    return switch (e) {
      case InvalidInput i ->
          new Problem(422, i.code(), "Invalid input", i.getMessage(), i.field(), i.findings());
      case NotFound n -> new Problem(404, n.code(), "Not found", n.getMessage(), n.field());
      case Conflict c -> new Problem(409, c.code(), "Conflict", c.getMessage(), c.field());
    };
  }

  private void problem(Context ctx, Problem problem) {
    ctx.attribute("problem", problem.code());
    try {
      ctx.status(problem.status())
          .contentType(PROBLEM_JSON)
          .result(json.writeValueAsBytes(problem.toJson(publicUrl)));
    } catch (IOException e) {
      ctx.status(500).result("{\"title\":\"Internal error\"}");
    }
  }

  static String openApiDocument() {
    try (InputStream in = ApiServer.class.getResourceAsStream("openapi.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("openapi.json is missing from the jar", e);
    }
  }

  @Override
  public void close() {
    app.stop();
  }
}
