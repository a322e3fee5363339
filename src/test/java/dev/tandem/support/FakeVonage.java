package dev.tandem.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tandem.config.TandemConfig.VonageSignatureMethod;
import dev.tandem.sms.http.VonageSignature;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A small server of our own that follows the published contract of the Vonage SMS API: a form POST
 * to /sms/json with api_key and api_secret, answered 200 with one entry per part (its own
 * message-id and status "0"), or one entry with a non-zero status and error-text; then, per part, a
 * delivery receipt to the callback URL as a GET with signed query parameters.
 */
public final class FakeVonage implements AutoCloseable {
  public static final String KEY = "abcd1234";
  public static final String SECRET = "api-secret-0123";
  public static final String SIGNATURE_SECRET = "signature-secret-0123456789";

  /** A message as the provider received it, with the ids it gave its parts. */
  public record Sent(
      String to, String from, String text, String type, String clientRef, List<String> ids) {}

  private final HttpServer server;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<Sent> sent = new CopyOnWriteArrayList<>();
  private final AtomicInteger counter = new AtomicInteger(0x0A000000);
  private final Supplier<Instant> clock;
  private volatile String finalStatus = "delivered";
  private volatile String nextStatus = "0";

  public FakeVonage(Supplier<Instant> clock) throws IOException {
    this.clock = clock;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/sms/json", this::sms);
    server.start();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public List<Sent> sent() {
    return List.copyOf(sent);
  }

  /** Forgets what was sent; receipts say delivered and the next answer is a success again. */
  public void reset() {
    sent.clear();
    finalStatus = "delivered";
    nextStatus = "0";
  }

  /** The status of the receipts: delivered, failed, expired, rejected… */
  public void finalStatus(String status) {
    this.finalStatus = status;
  }

  /** The next request is answered with this status code (1 throttled, 4 bad credentials, …). */
  public void answerNextWith(String status) {
    this.nextStatus = status;
  }

  private void sms(HttpExchange exchange) throws IOException {
    Map<String, String> form =
        parse(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    String status = nextStatus;
    nextStatus = "0";
    if (!KEY.equals(form.get("api_key")) || !SECRET.equals(form.get("api_secret"))) {
      status = "4";
    }
    if (!form.getOrDefault("to", "").matches("[0-9]{6,15}")) {
      status = "3";
    }
    if (!status.equals("0")) {
      String text =
          switch (status) {
            case "1" -> "Throughput Rate Exceeded - please wait [ 1000 ] and retry";
            case "3" -> "Invalid to address";
            case "4" -> "Bad Credentials";
            case "7" -> "Number barred";
            default -> "Error " + status;
          };
      respond(
          exchange,
          "{\"message-count\":\"1\",\"messages\":[{\"status\":\""
              + status
              + "\",\"error-text\":\""
              + text
              + "\"}]}");
      return;
    }
    String text = form.getOrDefault("text", "");
    boolean unicode = "unicode".equals(form.get("type"));
    int single = unicode ? 70 : 160, part = unicode ? 67 : 153;
    int parts = text.length() <= single ? 1 : (text.length() + part - 1) / part;
    var ids = new ArrayList<String>();
    var entries = new StringBuilder();
    for (int i = 0; i < parts; i++) {
      String id = Integer.toHexString(counter.incrementAndGet()).toUpperCase() + "0000000";
      ids.add(id);
      entries
          .append(i == 0 ? "" : ",")
          .append("{\"to\":\"")
          .append(form.get("to"))
          .append("\",\"message-id\":\"")
          .append(id)
          .append("\",\"status\":\"0\",\"remaining-balance\":\"3.14\",")
          .append("\"message-price\":\"0.0333\",\"network\":\"310004\"}");
    }
    var message =
        new Sent(
            form.get("to"),
            form.get("from"),
            text,
            form.get("type"),
            form.get("client-ref"),
            List.copyOf(ids));
    sent.add(message);
    respond(exchange, "{\"message-count\":\"" + parts + "\",\"messages\":[" + entries + "]}");
    String callback = form.get("callback");
    if (callback != null) {
      Thread.ofVirtual()
          .start(() -> {
            for (String id : ids) {
              receipt(callback, message, id, finalStatus);
            }
          });
    }
  }

  /** Sends a signed delivery receipt for one part; returns the HTTP status Tandem answered. */
  public int receipt(String url, Sent message, String id, String status) {
    var params = new TreeMap<String, String>();
    params.put("msisdn", message.to());
    params.put("to", message.from());
    params.put("network-code", "310004");
    params.put("messageId", id);
    params.put("price", "0.0333");
    params.put("status", status);
    params.put("scts", "2611271000");
    params.put("err-code", status.equals("delivered") ? "0" : "6");
    params.put("api-key", KEY);
    params.put("client-ref", message.clientRef());
    params.put("message-timestamp", "2026-11-27 10:00:00");
    return get(url, signed(params));
  }

  /** The parameters with timestamp and sig, as the provider signs them (SHA-256 HMAC). */
  public Map<String, String> signed(Map<String, String> params) {
    return VonageSignature.signed(
        VonageSignatureMethod.SHA256, SIGNATURE_SECRET, params, clock.get());
  }

  /** A GET with these query parameters; returns the HTTP status. */
  public int get(String url, Map<String, String> params) {
    return send(HttpRequest.newBuilder(URI.create(url + "?" + form(params))).GET().build());
  }

  /** A POST with these parameters as a form; returns the HTTP status. */
  public int postForm(String url, Map<String, String> params) {
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form(params)))
            .build());
  }

  /** A POST with these parameters as a JSON object; returns the HTTP status. */
  public int postJson(String url, Map<String, String> params) {
    try {
      return send(
          HttpRequest.newBuilder(URI.create(url))
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(params)))
              .build());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private int send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String form(Map<String, String> params) {
    var body = new StringBuilder();
    params.forEach((k, v) ->
        body.append(body.isEmpty() ? "" : "&")
            .append(URLEncoder.encode(k, StandardCharsets.UTF_8))
            .append('=')
            .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return body.toString();
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

  private static void respond(HttpExchange exchange, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
