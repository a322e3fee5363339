package dev.tandem.sms.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.config.TandemConfig;
import dev.tandem.sms.DeliveryReceipt;
import dev.tandem.sms.InboundSms;
import dev.tandem.sms.OutboundSms;
import dev.tandem.sms.ReceiptKeys;
import dev.tandem.sms.SmsEncoding;
import dev.tandem.sms.SmsGateway;
import dev.tandem.sms.SmsSubmitResult;
import dev.tandem.sms.SmsText;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * SMS through the Vonage SMS API: a form POST to {@code /sms/json} with the API key and secret,
 * answered with one entry per part the provider split the text into, each with its own message id
 * and status. Delivery receipts (one per part) and inbound SMS come back as webhooks signed with
 * the signature secret ({@link VonageSignature}); numbers travel without the leading {@code +}.
 *
 * <p>A status the provider gives for the account (bad credentials, no balance, throttled, its own
 * failure) keeps the SMS queued and marks the gateway not ready; a status about the message itself
 * (barred number, invalid text, unreachable destination) fails it.
 */
public final class VonageGateway implements SmsGateway {
  /** Where the provider sends delivery receipts and inbound SMS, relative to http.publicUrl. */
  public static final String RECEIPT_PATH = "/webhooks/vonage/receipt";

  public static final String INBOUND_PATH = "/webhooks/vonage/inbound";

  /** Statuses about the account or the provider, not the message: sending again can help. */
  private static final Set<String> ACCOUNT_STATUSES =
      Set.of("1", "4", "5", "8", "9", "10", "11", "13", "14", "32");

  private final TandemConfig.Vonage config;
  private final Listener listener;
  private final Clock clock;
  private final String receiptUrl;
  private final HttpClient http;
  private final AtomicReference<String> trouble = new AtomicReference<>();
  private final dev.tandem.store.OnceOnly once;

  public VonageGateway(
      TandemConfig.Vonage config,
      String publicUrl,
      Listener listener,
      Clock clock,
      dev.tandem.store.OnceOnly once) {
    this.once = once;
    this.config = config;
    this.listener = listener;
    this.clock = clock;
    this.receiptUrl = publicUrl.isEmpty() ? "" : publicUrl + RECEIPT_PATH;
    this.http = ProviderHttp.client();
  }

  @Override
  public void start() {}

  @Override
  public boolean ready() {
    return trouble.get() == null;
  }

  /** Why the last request could not send, while that lasts: for the health check. */
  public Optional<String> trouble() {
    return Optional.ofNullable(trouble.get());
  }

  @Override
  public CompletableFuture<SmsSubmitResult> submit(OutboundSms sms) {
    SmsText text = SmsText.of(sms.text(), sms.substitute());
    var form = new LinkedHashMap<String, String>();
    form.put("api_key", config.apiKey());
    form.put("api_secret", config.apiSecret());
    form.put("from", withoutPlus(sms.from().orElse(config.from())));
    form.put("to", withoutPlus(sms.to()));
    form.put("text", text.transmitted());
    form.put("type", text.encoding() == SmsEncoding.UCS2 ? "unicode" : "text");
    form.put("client-ref", sms.deliveryId().toString());
    if (!receiptUrl.isEmpty()) {
      form.put("status-report-req", "1");
      form.put("callback", receiptUrl);
    }
    var request =
        HttpRequest.newBuilder(URI.create(config.baseUrl() + "/sms/json"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(ProviderHttp.form(form)))
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(this::result)
        .exceptionally(e -> {
          String reason = "SMS provider unreachable: " + ProviderHttp.rootMessage(e);
          trouble.set(reason);
          return new SmsSubmitResult.RetryLater(reason);
        });
  }

  private SmsSubmitResult result(HttpResponse<String> response) {
    int status = response.statusCode();
    Optional<JsonNode> body = ProviderHttp.json(response.body());
    JsonNode messages = body.map(b -> b.path("messages")).orElse(null);
    if (status != 200 || messages == null || !messages.isArray() || messages.isEmpty()) {
      String reason = "SMS provider answered HTTP " + status + " without a list of messages";
      if (status == 429 || status >= 500 || status == 200) {
        return new SmsSubmitResult.RetryLater(reason, status == 429);
      }
      trouble.set(reason);
      return new SmsSubmitResult.RetryLater(reason);
    }
    var parts = new ArrayList<SmsSubmitResult.Part>();
    JsonNode refused = null;
    for (JsonNode message : messages) {
      String id = message.path("message-id").asText("");
      if (message.path("status").asText("").equals("0") && !id.isEmpty()) {
        parts.add(new SmsSubmitResult.Part(parts.size() + 1, id, ReceiptKeys.ofReceipt(id)));
      } else if (refused == null) {
        refused = message;
      }
    }
    if (!parts.isEmpty()) {
      // a part refused after others went out cannot be taken back: the sent parts are tracked
      trouble.set(null);
      return new SmsSubmitResult.Accepted(parts);
    }
    String code = refused.path("status").asText("");
    String reason =
        "SMS provider refused it (status "
            + code
            + "): "
            + refused.path("error-text").asText("no error text");
    if (ACCOUNT_STATUSES.contains(code)) {
      boolean throttled = code.equals("1");
      if (!throttled) {
        trouble.set(reason);
      }
      return new SmsSubmitResult.RetryLater(reason, throttled);
    }
    trouble.set(null);
    return new SmsSubmitResult.Rejected(reason);
  }

  /** A delivery receipt, already verified: one per part, matched by the part's message id. */
  public void onReceipt(Map<String, String> params) {
    String id = params.getOrDefault("messageId", "");
    String status = params.getOrDefault("status", "").toLowerCase(Locale.ROOT);
    if (id.isEmpty() || status.isEmpty()) {
      listener.onUnusable(
          "receipt", "vonage", params.toString(), "delivery receipt without messageId or status");
      return;
    }
    String stat =
        switch (status) {
          case "delivered" -> "DELIVRD";
          case "expired" -> "EXPIRED";
          case "failed" -> "UNDELIV";
          case "rejected" -> "REJECTD";
          case "accepted" -> "ACCEPTD";
          case "buffered" -> "ENROUTE";
          default -> "UNKNOWN";
        };
    var receipt =
        new DeliveryReceipt(
            id,
            "",
            "",
            Optional.empty(),
            Optional.empty(),
            stat,
            params.getOrDefault("err-code", ""),
            "");
    onceOnly(
        "receipt:" + id + ":" + status + ":" + params.getOrDefault("err-code", ""),
        () -> listener.onReceipt(receipt, ReceiptKeys.ofReceipt(id), params.toString()));
  }

  /**
   * Acts once per {@code key}: a signed webhook played again within its 5 minutes (a replayed START
   * after a STOP, a HELP that costs a reply) or retried by the provider changes nothing. When
   * acting fails, the key is taken back so the provider's retry is taken.
   */
  private void onceOnly(String key, Runnable action) {
    if (!once.firstTime("vonage", key)) {
      return;
    }
    try {
      action.run();
    } catch (RuntimeException e) {
      once.forget("vonage", key);
      throw e;
    }
  }

  /**
   * An inbound SMS, already verified. A long one arrives in parts ({@code concat-ref}, {@code
   * concat-total}, {@code concat-part}), joined like SMPP parts.
   */
  public void onInbound(Map<String, String> params) {
    String from = params.getOrDefault("msisdn", "");
    String text = params.getOrDefault("text", "");
    if (from.isEmpty()) {
      listener.onUnusable("inbound", "vonage", params.toString(), "inbound SMS without msisdn");
      return;
    }
    Optional<InboundSms.Part> part = Optional.empty();
    if ("true".equals(params.get("concat"))) {
      try {
        part =
            Optional.of(
                new InboundSms.Part(
                    Integer.parseInt(params.getOrDefault("concat-ref", "")),
                    Integer.parseInt(params.getOrDefault("concat-total", "")),
                    Integer.parseInt(params.getOrDefault("concat-part", ""))));
      } catch (NumberFormatException e) {
        listener.onUnusable(
            "inbound",
            "vonage",
            params.toString(),
            "concat-ref, concat-total or concat-part is not a number");
        return;
      }
    }
    var sms =
        new InboundSms(
            withPlus(from),
            withPlus(params.getOrDefault("to", "")),
            text,
            8,
            clock.instant(),
            part,
            0,
            "");
    String messageId = params.getOrDefault("messageId", "");
    if (messageId.isEmpty()) {
      listener.onInbound(sms);
    } else {
      onceOnly("inbound:" + messageId, () -> listener.onInbound(sms));
    }
  }

  public TandemConfig.VonageSignatureMethod signatureMethod() {
    return config.signatureMethod();
  }

  public String signatureSecret() {
    return config.signatureSecret();
  }

  /** The provider writes international numbers without {@code +}. */
  static String withoutPlus(String number) {
    return number.startsWith("+") ? number.substring(1) : number;
  }

  /** A number the provider wrote as digits only, in international form; a short code as is. */
  static String withPlus(String number) {
    return number.matches("[0-9]{8,15}") ? "+" + number : number;
  }

  @Override
  public void close() {
    http.close();
  }
}
