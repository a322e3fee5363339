package dev.tandem.api;

import dev.tandem.error.NotFound;
import dev.tandem.store.PageRequest;
import dev.tandem.webhook.Webhooks;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code /v1/webhooks}: subscriptions, their delivery log and replay (docs/webhooks.md). */
final class WebhookRoutes {
  static final String PATH = "/v1/webhooks";
  private static final Set<String> FIELDS = Set.of("url", "events", "secret", "description");
  private static final Set<String> PATCH_FIELDS =
      Set.of("url", "events", "secret", "description", "enabled");

  private final Webhooks webhooks;

  WebhookRoutes(Webhooks webhooks) {
    this.webhooks = webhooks;
  }

  void register(Javalin app) {
    app.post(PATH, this::create);
    app.get(
        PATH,
        ctx ->
            ctx.json(
                ApiServer.pageJson(
                    new dev.tandem.store.Page<>(webhooks.all(), null), WebhookRoutes::json)));
    app.get(PATH + "/{id}", ctx -> ctx.json(json(webhooks.get(ApiServer.uuidParam(ctx, "id")))));
    app.patch(PATH + "/{id}", this::update);
    app.delete(
        PATH + "/{id}",
        ctx -> {
          webhooks.delete(ApiServer.uuidParam(ctx, "id"));
          ctx.status(204);
        });
    app.get(PATH + "/{id}/deliveries", this::deliveries);
    app.post(PATH + "/{id}/deliveries/{deliveryId}/replay", this::replay);
  }

  private void create(Context ctx) {
    Body body = Body.parse(ctx, FIELDS);
    Webhooks.Created created =
        webhooks.create(
            body.string("url"),
            body.strings("events"),
            body.string("secret"),
            body.string("description"));
    Map<String, Object> out = json(created.webhook());
    created.generatedSecret().ifPresent(secret -> out.put("secret", secret));
    ctx.status(201);
    ctx.header("Location", PATH + "/" + created.webhook().id());
    ctx.json(out);
  }

  private void update(Context ctx) {
    var id = ApiServer.uuidParam(ctx, "id");
    Body body = Body.parse(ctx, PATCH_FIELDS);
    var enabled = body.root().get("enabled");
    if (enabled != null && !enabled.isNull() && !enabled.isBoolean()) {
      throw new BadRequest("enabled", "enabled must be true or false.");
    }
    ctx.json(
        json(
            webhooks.update(
                id,
                body.string("url"),
                body.strings("events"),
                body.string("secret"),
                body.string("description"),
                enabled == null || enabled.isNull() ? null : enabled.asBoolean())));
  }

  private void deliveries(Context ctx) {
    var id = ApiServer.uuidParam(ctx, "id");
    var request = PageRequest.of(ctx.queryParam("limit"), ctx.queryParam("after"), 1);
    ctx.json(
        ApiServer.pageJson(
            webhooks.deliveries(
                id, Optional.ofNullable(ctx.queryParam("status")).map(String::strip), request),
            WebhookRoutes::json));
  }

  private void replay(Context ctx) {
    var id = ApiServer.uuidParam(ctx, "id");
    String raw = ctx.pathParam("deliveryId");
    long deliveryId;
    try {
      deliveryId = Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw new NotFound(
          "delivery-not-found", "deliveryId", "'" + raw + "' is not a delivery of a webhook.");
    }
    ctx.status(202);
    ctx.json(json(webhooks.replay(id, deliveryId)));
  }

  static Map<String, Object> json(Webhooks.Webhook w) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", w.id());
    out.put("url", w.url());
    out.put("events", w.events());
    out.put("description", w.description().orElse(null));
    out.put("enabled", w.enabled());
    out.put("createdAt", w.createdAt());
    out.put("updatedAt", w.updatedAt());
    out.put("failingSince", w.failingSince().orElse(null));
    out.put("disabledAt", w.disabledAt().orElse(null));
    out.put("disabledReason", w.disabledReason().orElse(null));
    return out;
  }

  static Map<String, Object> json(Webhooks.Delivery d) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", d.id());
    out.put("eventId", d.eventId());
    out.put("type", d.type());
    out.put("contactId", d.contactId().orElse(null));
    out.put("status", d.status());
    out.put("attempts", d.attempts());
    out.put("createdAt", d.createdAt());
    out.put("nextAttemptAt", d.nextAttemptAt().orElse(null));
    out.put("lastAttemptAt", d.lastAttemptAt().orElse(null));
    out.put("lastStatus", d.lastStatus().orElse(null));
    out.put("lastResponse", d.lastResponse().orElse(null));
    out.put("deliveredAt", d.deliveredAt().orElse(null));
    out.put("payload", d.payload());
    return out;
  }
}
