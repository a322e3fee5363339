package dev.tandem.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.email.provider.ProviderEvents;
import dev.tandem.error.NotFound;
import dev.tandem.sms.http.VonageGateway;
import dev.tandem.sms.http.VonageSignature;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Webhooks from the providers Tandem sends through (docs/providers.md): Vonage delivery receipts
 * and inbound SMS, Mailgun and SendGrid email events. None takes an API key; each is verified by
 * its provider's signature, and a request that does not verify is a 403 that changes nothing.
 */
final class ProviderRoutes {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Optional<VonageGateway> vonage;
  private final ProviderEvents emailEvents;
  private final Clock clock;

  ProviderRoutes(Optional<VonageGateway> vonage, ProviderEvents emailEvents, Clock clock) {
    this.vonage = vonage;
    this.emailEvents = emailEvents;
    this.clock = clock;
  }

  void register(Javalin app) {
    // Vonage sends GET by default, POST (form or JSON) when the account says so
    for (String path : new String[] {VonageGateway.RECEIPT_PATH, VonageGateway.INBOUND_PATH}) {
      BiConsumer<VonageGateway, Map<String, String>> handler =
          path.equals(VonageGateway.RECEIPT_PATH)
              ? VonageGateway::onReceipt
              : VonageGateway::onInbound;
      app.get(path, ctx -> vonage(ctx, handler));
      app.post(path, ctx -> vonage(ctx, handler));
    }
    app.post(ProviderEvents.MAILGUN_PATH, this::mailgun);
    app.post(ProviderEvents.SENDGRID_PATH, this::sendgrid);
  }

  private void vonage(Context ctx, BiConsumer<VonageGateway, Map<String, String>> handler) {
    VonageGateway gateway =
        vonage.orElseThrow(() ->
            new NotFound(
                "no-http-provider",
                null,
                "No Vonage SMS provider is configured (sms.provider = vonage)."));
    Map<String, String> params = new TreeMap<>();
    ctx.queryParamMap().forEach((name, values) -> params.put(name, first(values)));
    if (isJson(ctx)) {
      JsonNode body = json(ctx);
      if (!body.isObject()) {
        throw new BadRequest(null, "A JSON webhook body must be an object of parameters.");
      }
      body.properties()
          .forEach(field ->
              params.put(
                  field.getKey(),
                  field.getValue().isValueNode()
                      ? field.getValue().asText()
                      : field.getValue().toString()));
    } else if (ctx.method() == io.javalin.http.HandlerType.POST) {
      ctx.formParamMap().forEach((name, values) -> params.put(name, first(values)));
    }
    if (!VonageSignature.valid(
        gateway.signatureMethod(), gateway.signatureSecret(), params, clock.instant())) {
      throw new Forbidden(
          "The sig parameter does not match this request under the configured"
              + " vonage.signatureSecret and vonage.signatureMethod, or its timestamp is more than"
              + " 5 minutes away.");
    }
    handler.accept(gateway, params);
    ctx.status(204);
  }

  private void mailgun(Context ctx) {
    if (!emailEvents.mailgunEnabled()) {
      throw notConfigured("Mailgun", "emailEvents.mailgunSigningKey");
    }
    byte[] body = ctx.bodyAsBytes();
    JsonNode event = json(body);
    if (!event.isObject()) {
      throw new BadRequest(null, "A Mailgun event webhook body is a JSON object.");
    }
    ctx.json(taken(signed(() -> emailEvents.mailgun(event, body.length))));
  }

  private void sendgrid(Context ctx) {
    if (!emailEvents.sendgridEnabled()) {
      throw notConfigured("SendGrid", "emailEvents.sendgridVerificationKey");
    }
    byte[] body = ctx.bodyAsBytes();
    JsonNode events = json(body);
    if (!events.isArray()) {
      throw new BadRequest(null, "A SendGrid event webhook body is a JSON array of events.");
    }
    ctx.json(
        taken(
            signed(() ->
                emailEvents.sendgrid(
                    body,
                    events,
                    ctx.header("X-Twilio-Email-Event-Webhook-Signature"),
                    ctx.header("X-Twilio-Email-Event-Webhook-Timestamp")))));
  }

  private static ProviderEvents.Taken signed(
      java.util.function.Supplier<ProviderEvents.Taken> take) {
    try {
      return take.get();
    } catch (ProviderEvents.NotSigned e) {
      throw new Forbidden(e.getMessage());
    }
  }

  private static Map<String, Object> taken(ProviderEvents.Taken taken) {
    return Map.of(
        "recorded", taken.recorded(), "seenBefore", taken.seenBefore(), "ignored", taken.ignored());
  }

  private static NotFound notConfigured(String provider, String key) {
    return new NotFound(
        "no-email-provider",
        null,
        provider + " event webhooks are off: set " + key + " to take them.");
  }

  private static boolean isJson(Context ctx) {
    String type = ctx.contentType();
    return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json");
  }

  private static JsonNode json(Context ctx) {
    return json(ctx.bodyAsBytes());
  }

  private static JsonNode json(byte[] body) {
    try {
      JsonNode node = JSON.readTree(body);
      if (node == null) {
        throw new BadRequest(null, "The body is empty; the provider sends JSON.");
      }
      return node;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new BadRequest(null, "The body is not JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new BadRequest(null, "The body could not be read: " + e.getMessage());
    }
  }

  private static String first(java.util.List<String> values) {
    return values.isEmpty() ? "" : values.get(0);
  }
}
