package dev.tandem.sms.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.config.TandemConfig;
import dev.tandem.sms.DeliveryReceipt;
import dev.tandem.sms.InboundSms;
import dev.tandem.sms.OutboundSms;
import dev.tandem.sms.ReceiptKeys;
import dev.tandem.sms.SmsGateway;
import dev.tandem.sms.SmsSubmitResult;
import dev.tandem.sms.SmsText;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * SMS through an HTTP provider that speaks the Twilio Messages API: a form POST to {@code
 * /2010-04-01/Accounts/{AccountSid}/Messages.json} with basic auth; delivery states come back as
 * status callbacks and replies as inbound webhooks, both signed ({@link TwilioSignature}). The
 * provider splits long texts itself; Tandem sends the text with smart characters replaced when that
 * keeps it in GSM-7, as it would over SMPP.
 */
public final class TwilioGateway implements SmsGateway {
  private final TandemConfig.Twilio config;
  private final Listener listener;
  private final Clock clock;
  private final String statusCallbackUrl;
  private final HttpClient http;
  private final AtomicBoolean reachable = new AtomicBoolean(true);

  public TwilioGateway(
      TandemConfig.Twilio config, String publicUrl, Listener listener, Clock clock) {
    this.config = config;
    this.listener = listener;
    this.clock = clock;
    this.statusCallbackUrl = publicUrl.isEmpty() ? "" : publicUrl + STATUS_PATH;
    this.http = ProviderHttp.client();
  }

  /** Where the provider posts status callbacks and inbound SMS, relative to http.publicUrl. */
  public static final String STATUS_PATH = "/webhooks/twilio/status";

  public static final String INBOUND_PATH = "/webhooks/twilio/inbound";

  @Override
  public void start() {}

  @Override
  public boolean ready() {
    return reachable.get();
  }

  @Override
  public CompletableFuture<SmsSubmitResult> submit(OutboundSms sms) {
    var form = new LinkedHashMap<String, String>();
    form.put("To", sms.to());
    form.put("From", sms.from().orElse(config.from()));
    form.put("Body", SmsText.of(sms.text(), sms.substitute()).transmitted());
    if (!statusCallbackUrl.isEmpty()) {
      form.put("StatusCallback", statusCallbackUrl);
    }
    String credentials = config.accountSid() + ":" + config.authToken();
    var request =
        HttpRequest.newBuilder(
                URI.create(
                    config.baseUrl()
                        + "/2010-04-01/Accounts/"
                        + config.accountSid()
                        + "/Messages.json"))
            .timeout(Duration.ofSeconds(30))
            .header(
                "Authorization",
                "Basic "
                    + Base64.getEncoder()
                        .encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(ProviderHttp.form(form)))
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(this::result)
        .exceptionally(e -> {
          reachable.set(false);
          return new SmsSubmitResult.RetryLater(
              "SMS provider unreachable: " + ProviderHttp.rootMessage(e));
        });
  }

  private SmsSubmitResult result(HttpResponse<String> response) {
    reachable.set(true);
    int status = response.statusCode();
    Optional<JsonNode> body = ProviderHttp.json(response.body());
    if (status == 200 || status == 201) {
      String sid = body.map(b -> b.path("sid").asText("")).orElse("");
      if (sid.isEmpty()) {
        return new SmsSubmitResult.RetryLater(
            "SMS provider answered " + status + " without a message sid");
      }
      return new SmsSubmitResult.Accepted(
          List.of(new SmsSubmitResult.Part(1, sid, ReceiptKeys.ofReceipt(sid))));
    }
    String reason =
        "SMS provider answered HTTP "
            + status
            + body.map(b ->
                    (b.has("code") ? " (code " + b.path("code").asText() + ")" : "")
                        + ": "
                        + b.path("message").asText(""))
                .orElse("");
    if (status == 429 || status >= 500) {
      return new SmsSubmitResult.RetryLater(reason);
    }
    return new SmsSubmitResult.Rejected(reason);
  }

  /** A status callback, already verified: turns it into a receipt for the delivery. */
  public void onStatusCallback(Map<String, String> params) {
    String sid = params.getOrDefault("MessageSid", params.getOrDefault("SmsSid", ""));
    String status =
        params
            .getOrDefault("MessageStatus", params.getOrDefault("SmsStatus", ""))
            .toLowerCase(Locale.ROOT);
    if (sid.isEmpty() || status.isEmpty()) {
      listener.onUnusable(
          "receipt",
          "twilio",
          params.toString(),
          "status callback without MessageSid or MessageStatus");
      return;
    }
    String stat =
        switch (status) {
          case "delivered" -> "DELIVRD";
          case "undelivered" -> "UNDELIV";
          case "failed" -> "REJECTD";
          case "sent" -> "ACCEPTD";
          default -> "ENROUTE"; // queued, sending, accepted, scheduled: more will follow
        };
    var receipt =
        new DeliveryReceipt(
            sid,
            "",
            "",
            Optional.empty(),
            Optional.empty(),
            stat,
            params.getOrDefault("ErrorCode", ""),
            "");
    listener.onReceipt(receipt, ReceiptKeys.ofReceipt(sid), params.toString());
  }

  /** An inbound webhook, already verified. */
  public void onInbound(Map<String, String> params) {
    listener.onInbound(
        new InboundSms(
            params.getOrDefault("From", ""),
            params.getOrDefault("To", ""),
            params.getOrDefault("Body", ""),
            8,
            clock.instant()));
  }

  public String authToken() {
    return config.authToken();
  }

  @Override
  public void close() {
    http.close();
  }
}
