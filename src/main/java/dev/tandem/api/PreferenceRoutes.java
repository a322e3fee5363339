package dev.tandem.api;

import dev.tandem.channel.Channel;
import dev.tandem.error.InvalidInput;
import dev.tandem.preference.Preferences;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /v1/contacts/{id}/preferences}: a person's preferred channel per topic (not consent; see
 * docs/consent.md).
 */
final class PreferenceRoutes {
  private static final String PATH = "/v1/contacts/{id}/preferences";

  private final Preferences preferences;

  PreferenceRoutes(Preferences preferences) {
    this.preferences = preferences;
  }

  void register(Javalin app) {
    app.get(PATH, this::list);
    app.put(PATH + "/{topic}", this::set);
    app.delete(
        PATH + "/{topic}",
        ctx -> {
          preferences.clear(ApiServer.uuidParam(ctx, "id"), ctx.pathParam("topic"), "api");
          ctx.status(204);
        });
  }

  private void list(Context ctx) {
    UUID id = ApiServer.uuidParam(ctx, "id");
    ctx.json(Map.of("items", preferences.list(id).stream().map(PreferenceRoutes::json).toList()));
  }

  private void set(Context ctx) {
    UUID id = ApiServer.uuidParam(ctx, "id");
    Body body = Body.parse(ctx, Set.of("channel"));
    String value = body.string("channel");
    if (value == null) {
      throw new InvalidInput("missing-channel", "channel", "channel is required: sms or email.");
    }
    Channel channel =
        Channel.parse(value)
            .orElseThrow(() ->
                new InvalidInput(
                    "invalid-channel", "channel", "'" + value + "' is not sms or email."));
    ctx.json(json(preferences.set(id, ctx.pathParam("topic"), channel, "api")));
  }

  private static Map<String, Object> json(Preferences.Preference p) {
    var out = new LinkedHashMap<String, Object>();
    out.put("topic", p.topic());
    out.put("channel", p.channel().key());
    out.put("source", p.source());
    out.put("updatedAt", p.updatedAt());
    return out;
  }
}
