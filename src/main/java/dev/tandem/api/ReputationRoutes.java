package dev.tandem.api;

import dev.tandem.channel.Channel;
import dev.tandem.error.InvalidInput;
import dev.tandem.reputation.ReputationGuard;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code /v1/reputation}: the rates the guard judges and its open pauses (docs/reputation.md). */
final class ReputationRoutes {
  private final ReputationGuard guard;

  ReputationRoutes(ReputationGuard guard) {
    this.guard = guard;
  }

  void register(Javalin app) {
    app.get("/v1/reputation", this::show);
    app.post(
        "/v1/reputation/check",
        ctx -> {
          guard.check();
          show(ctx);
        });
    app.post("/v1/reputation/resume", this::resume);
  }

  private void show(Context ctx) {
    var rates =
        guard.rates().stream()
            .map(r -> {
              Map<String, Object> out = new LinkedHashMap<>();
              out.put("channel", r.channel().key());
              out.put("scope", r.scope());
              out.put("since", r.since());
              out.put("sent", r.sent());
              if (r.channel() == Channel.EMAIL) {
                out.put("bounces", r.bounces());
                out.put("complaints", r.complaints());
              } else {
                out.put("optOuts", r.optOuts());
              }
              return out;
            })
            .toList();
    ctx.json(
        Map.of(
            "rates",
            rates,
            "pauses",
            guard.pauses().stream().map(ReputationRoutes::json).toList()));
  }

  private void resume(Context ctx) {
    Body body = Body.parse(ctx, Set.of("channel", "scope"));
    String channel = body.string("channel");
    Channel parsed =
        Channel.parse(channel == null ? "" : channel)
            .orElseThrow(() ->
                new InvalidInput(
                    "invalid-channel",
                    "channel",
                    "channel is sms or email"
                        + (channel == null ? "" : ", not '" + channel + "'")
                        + ": the channel whose marketing to resume."));
    String scope = body.string("scope");
    if (parsed == Channel.EMAIL && (scope == null || scope.isBlank())) {
      throw new InvalidInput(
          "missing-scope",
          "scope",
          "scope is the sending domain whose email marketing to resume, e.g. shop.example;"
              + " GET /v1/reputation lists the open pauses.");
    }
    String by = ctx.attribute("apiKeyName") instanceof String name ? name : "api";
    ctx.json(json(guard.resume(parsed, parsed == Channel.EMAIL ? scope : "", by)));
  }

  private static Map<String, Object> json(ReputationGuard.Pause pause) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("channel", pause.channel().key());
    out.put("scope", pause.scope());
    out.put("reason", pause.reason());
    out.put("rates", pause.rates());
    out.put("pausedAt", pause.at());
    return out;
  }
}
