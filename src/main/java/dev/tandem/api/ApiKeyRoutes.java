package dev.tandem.api;

import dev.tandem.error.InvalidInput;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /v1/apikeys}: list, create and revoke keys, for keys with the {@code keys:manage} scope.
 */
final class ApiKeyRoutes {
  static final String PATH = "/v1/apikeys";

  private final ApiKeys keys;

  ApiKeyRoutes(ApiKeys keys) {
    this.keys = keys;
  }

  void register(Javalin app) {
    app.get(
        PATH,
        ctx -> ctx.json(Map.of("items", keys.list().stream().map(ApiKeyRoutes::json).toList())));
    app.post(PATH, this::create);
    app.delete(PATH + "/{id}", ctx -> ctx.json(json(keys.revoke(ApiServer.uuidParam(ctx, "id")))));
  }

  private void create(Context ctx) {
    Body body = Body.parse(ctx, Set.of("name", "scopes", "expiresAt"));
    List<String> scopes = body.strings("scopes");
    var created =
        keys.create(
            body.string("name"),
            scopes == null ? Set.of(ApiKeys.API) : Set.copyOf(scopes),
            instant(body.string("expiresAt")));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("key", created.key());
    out.putAll(json(created.stored()));
    ctx.status(201).header("Location", PATH + "/" + created.stored().id()).json(out);
  }

  private static Instant instant(String value) {
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new InvalidInput(
          "invalid-expiry",
          "expiresAt",
          "expiresAt '" + value + "' is not an ISO-8601 instant such as 2027-01-31T00:00:00Z.");
    }
  }

  private static Map<String, Object> json(ApiKeys.ApiKey key) {
    var out = new LinkedHashMap<String, Object>();
    out.put("id", key.id());
    out.put("name", key.name());
    out.put("prefix", key.prefix());
    out.put("scopes", key.scopes());
    out.put("createdAt", key.createdAt());
    out.put("expiresAt", key.expiresAt());
    out.put("lastUsedAt", key.lastUsedAt());
    out.put("revokedAt", key.revokedAt());
    return out;
  }
}
