package dev.tandem.sms.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;

/** What the HTTP SMS adapters share: their client, form encoding and reading answers. */
final class ProviderHttp {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ProviderHttp() {}

  static HttpClient client() {
    return HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(10))
        .executor(Executors.newVirtualThreadPerTaskExecutor())
        .build();
  }

  static String form(Map<String, String> fields) {
    var out = new StringBuilder();
    fields.forEach((name, value) -> {
      if (!out.isEmpty()) {
        out.append('&');
      }
      out.append(URLEncoder.encode(name, StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    });
    return out.toString();
  }

  /** The answer as JSON; empty when it is not JSON (a proxy's HTML error page, say). */
  static Optional<JsonNode> json(String body) {
    try {
      return Optional.ofNullable(JSON.readTree(body));
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  static String rootMessage(Throwable e) {
    while (e.getCause() != null && e.getCause() != e) {
      e = e.getCause();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
