package dev.tandem.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tandem.sms.http.TwilioSignature;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small server of our own that follows the published contract of the Twilio Messages API: basic
 * auth, a form POST to /2010-04-01/Accounts/{sid}/Messages.json answered with 201 and a JSON
 * message (or an error with its code), then signed status callbacks to the StatusCallback URL.
 */
public final class FakeTwilio implements AutoCloseable {
  public static final String SID = "AC00000000000000000000000000000001";
  public static final String TOKEN = "test-auth-token-0123456789";

  /** A message as the provider received it. */
  public record Sent(String sid, String to, String from, String body, String statusCallback) {}

  private final HttpServer server;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<Sent> sent = new CopyOnWriteArrayList<>();
  private final AtomicInteger counter = new AtomicInteger();
  private volatile String finalStatus = "delivered";
  private volatile int failNextWith;

  public FakeTwilio() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/2010-04-01/Accounts/", this::messages);
    server.start();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public List<Sent> sent() {
    return List.copyOf(sent);
  }

  /** The status the callbacks end with: delivered, undelivered or failed. */
  public void finalStatus(String status) {
    this.finalStatus = status;
  }

  /** The next request is answered with this HTTP status (400 → code 21211, 429 → 20429). */
  public void failNextWith(int status) {
    this.failNextWith = status;
  }

  private void messages(HttpExchange exchange) throws IOException {
    String expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((SID + ":" + TOKEN).getBytes(StandardCharsets.UTF_8));
    if (!exchange.getRequestURI().getPath().equals("/2010-04-01/Accounts/" + SID + "/Messages.json")
        || !"POST".equals(exchange.getRequestMethod())) {
      respond(
          exchange, 404, "{\"code\":20404,\"message\":\"The requested resource was not found\"}");
      return;
    }
    if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
      respond(exchange, 401, "{\"code\":20003,\"message\":\"Authenticate\"}");
      return;
    }
    Map<String, String> form =
        parse(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    int fail = failNextWith;
    failNextWith = 0;
    if (fail == 429) {
      respond(exchange, 429, "{\"code\":20429,\"message\":\"Too Many Requests\"}");
      return;
    }
    if (fail == 400 || !form.getOrDefault("To", "").startsWith("+")) {
      respond(
          exchange,
          400,
          "{\"code\":21211,\"message\":\"The 'To' number "
              + form.get("To")
              + " is not a valid phone number.\"}");
      return;
    }
    String sid = "SM" + HexFormat.of().toHexDigits(counter.incrementAndGet()) + "0".repeat(24);
    var message =
        new Sent(
            sid, form.get("To"), form.get("From"), form.get("Body"), form.get("StatusCallback"));
    sent.add(message);
    respond(
        exchange,
        201,
        "{\"sid\":\"" + sid + "\",\"status\":\"queued\",\"to\":\"" + message.to() + "\"}");
    if (message.statusCallback() != null) {
      Thread.ofVirtual()
          .start(() -> {
            callback(
                message.statusCallback(),
                Map.of("MessageSid", sid, "MessageStatus", "sent", "AccountSid", SID));
            callback(
                message.statusCallback(),
                Map.of(
                    "MessageSid",
                    sid,
                    "MessageStatus",
                    finalStatus,
                    "AccountSid",
                    SID,
                    "ErrorCode",
                    finalStatus.equals("delivered") ? "" : "30003"));
          });
    }
  }

  /** Posts a signed webhook, as the provider does; returns the HTTP status Tandem answered. */
  public int callback(String url, Map<String, String> params) {
    return post(url, params, TwilioSignature.sign(TOKEN, url, params));
  }

  /** Posts a webhook with a signature made with the wrong token. */
  public int forged(String url, Map<String, String> params) {
    return post(url, params, TwilioSignature.sign("not-the-token", url, params));
  }

  private int post(String url, Map<String, String> params, String signature) {
    var body = new StringBuilder();
    new TreeMap<>(params)
        .forEach((k, v) ->
            body.append(body.isEmpty() ? "" : "&")
                .append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create(url))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .header("X-Twilio-Signature", signature)
                  .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> parse(String form) {
    var params = new TreeMap<String, String>();
    for (String pair : form.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        params.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return params;
  }

  private static void respond(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
