package dev.tandem.ops.doctor;

import dev.tandem.config.TandemConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * The HTTP SMS provider's credentials, through a request that changes nothing: Twilio's account
 * resource ({@code GET /2010-04-01/Accounts/{sid}.json}), Vonage's balance ({@code GET
 * /account/get-balance}).
 */
final class SmsProviderChecks implements Check {
  private final TandemConfig config;
  private final Duration timeout;

  SmsProviderChecks(TandemConfig config, Duration timeout) {
    this.config = config;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "sms-provider";
  }

  @Override
  public List<Finding> run() {
    return switch (config.sms().provider()) {
      case SMPP -> List.of();
      case TWILIO ->
          List.of(
              check(
                  "twilio",
                  HttpRequest.newBuilder(
                          URI.create(
                              config.twilio().baseUrl()
                                  + "/2010-04-01/Accounts/"
                                  + encode(config.twilio().accountSid())
                                  + ".json"))
                      .header(
                          "Authorization",
                          "Basic "
                              + Base64.getEncoder()
                                  .encodeToString(
                                      (config.twilio().accountSid()
                                              + ":"
                                              + config.twilio().authToken())
                                          .getBytes(StandardCharsets.UTF_8))),
                  "twilio.accountSid and twilio.authToken"));
      case VONAGE ->
          List.of(
              check(
                  "vonage",
                  HttpRequest.newBuilder(
                      URI.create(
                          config.vonage().baseUrl()
                              + "/account/get-balance?api_key="
                              + encode(config.vonage().apiKey())
                              + "&api_secret="
                              + encode(config.vonage().apiSecret()))),
                  "vonage.apiKey and vonage.apiSecret"));
    };
  }

  private Finding check(String provider, HttpRequest.Builder request, String keys) {
    String base = provider.equals("twilio") ? config.twilio().baseUrl() : config.vonage().baseUrl();
    try (var http = HttpClient.newBuilder().connectTimeout(timeout).build()) {
      HttpResponse<Void> response =
          http.send(request.timeout(timeout).GET().build(), HttpResponse.BodyHandlers.discarding());
      int status = response.statusCode();
      if (status == 200) {
        return Finding.ok(
            "sms-provider-ok",
            name(),
            "The " + provider + " API at " + base + " accepted " + keys + ".");
      }
      if (status == 401 || status == 403) {
        return Finding.error(
            "sms-provider-auth-failed",
            name(),
            "The " + provider + " API at " + base + " refused " + keys + " (HTTP " + status + ").",
            "Every SMS is refused by the provider.",
            "Set "
                + keys
                + " to the values the dashboard of the provider shows (environment variables"
                + " win over the config file).");
      }
      return Finding.warning(
          "sms-provider-unexpected-answer",
          name(),
          "The " + provider + " API at " + base + " answered HTTP " + status + ".",
          "Tandem could not tell whether the credentials work.",
          "Check " + provider + ".baseUrl: it is the API’s scheme and host only.");
    } catch (IOException e) {
      return Finding.error(
          "sms-provider-unreachable",
          name(),
          "Cannot reach the " + provider + " API at " + base + ": " + message(e) + ".",
          "No SMS leaves while the provider cannot be reached.",
          "Check " + provider + ".baseUrl and that this host may make outbound https requests.");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Finding.info("sms-provider-interrupted", name(), "The check was interrupted.", "");
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  static String message(Throwable e) {
    while (e.getCause() != null && e.getCause() != e) {
      e = e.getCause();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
