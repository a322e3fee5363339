package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.support.TestApp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What reaches the API byte for byte, over a raw socket: every malformed request is a 4xx
 * problem+json, never a 500 and never accepted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestParsingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  TestApp tandem;

  @BeforeAll
  void start() {
    tandem = TestApp.start();
  }

  @AfterAll
  void stop() {
    tandem.close();
  }

  record Raw(int status, Map<String, String> headers, String body) {
    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }
  }

  private Raw send(String method, String path, Map<String, String> headers, byte[] body)
      throws IOException {
    try (Socket socket = new Socket("127.0.0.1", tandem.app.api.port())) {
      socket.setSoTimeout(20_000);
      var head = new StringBuilder();
      head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
      head.append("Host: 127.0.0.1:").append(tandem.app.api.port()).append("\r\n");
      head.append("Connection: close\r\n");
      head.append("Authorization: Bearer ").append(TestApp.API_KEY).append("\r\n");
      headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
      if (body != null) {
        head.append("Content-Length: ").append(body.length).append("\r\n");
      }
      head.append("\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        try {
          out.write(body);
        } catch (IOException refusedEarly) {
          // the server may answer (413) and close before it has read the whole body
        }
      }
      out.flush();
      return parse(socket.getInputStream());
    }
  }

  private static Raw parse(InputStream in) throws IOException {
    var bytes = new ByteArrayOutputStream();
    try {
      in.transferTo(bytes);
    } catch (IOException reset) {
      // a server that closes after answering may reset the connection: keep what arrived
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    int end = text.indexOf("\r\n\r\n");
    String[] lines = text.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    var headers = new LinkedHashMap<String, String>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(
          lines[i].substring(0, colon).toLowerCase(), lines[i].substring(colon + 1).strip());
    }
    String body = text.substring(end + 4);
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = dechunk(body);
    }
    return new Raw(status, headers, body);
  }

  private static String dechunk(String chunked) {
    var out = new StringBuilder();
    int at = 0;
    while (true) {
      int lineEnd = chunked.indexOf("\r\n", at);
      int size = Integer.parseInt(chunked.substring(at, lineEnd).strip(), 16);
      if (size == 0) {
        return out.toString();
      }
      out.append(chunked, lineEnd + 2, lineEnd + 2 + size);
      at = lineEnd + 2 + size + 2;
    }
  }

  private Raw postContact(String contentType, byte[] body) throws IOException {
    return send("POST", "/v1/contacts", Map.of("Content-Type", contentType), body);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static void assertProblem(Raw response, int status, String code) throws IOException {
    assertThat(response.status()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().get("content-type")).startsWith("application/problem+json");
    assertThat(response.json().get("status").asInt()).isEqualTo(status);
    if (code != null) {
      assertThat(response.json().get("code").asText()).as(response.body()).isEqualTo(code);
    }
    assertThat(response.json().get("detail").asText()).isNotBlank();
  }

  @Test
  void deeply_nested_json_is_400() throws IOException {
    String deep = "{\"name\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
    assertProblem(postContact("application/json", utf8(deep)), 400, "malformed-request");
  }

  @Test
  void trailing_garbage_after_the_object_is_400() throws IOException {
    Raw response = postContact("application/json", utf8("{\"name\":\"Trailing\"} garbage"));
    assertProblem(response, 400, "malformed-request");
  }

  @Test
  void a_duplicate_key_is_400_naming_it() throws IOException {
    Raw response = postContact("application/json", utf8("{\"name\":\"One\",\"name\":\"Two\"}"));
    assertProblem(response, 400, "malformed-request");
    assertThat(response.json().get("detail").asText()).contains("name");
  }

  @Test
  void invalid_utf8_is_400() throws IOException {
    byte[] body = {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xC3, '(', '"', '}'};
    assertProblem(postContact("application/json", body), 400, "malformed-request");
    assertProblem(postContact("application/json; charset=utf-8", body), 400, "malformed-request");
  }

  @Test
  void a_lone_surrogate_is_400_naming_the_field() throws IOException {
    Raw response = postContact("application/json", utf8("{\"name\":\"half \\ud800 a pair\"}"));
    assertProblem(response, 400, "malformed-request");
    assertThat(response.json().get("field").asText()).isEqualTo("name");
  }

  @Test
  void an_unknown_or_other_charset_is_415() throws IOException {
    assertProblem(
        postContact("application/json; charset=x-no-such-charset", utf8("{\"name\":\"A\"}")),
        415,
        "unsupported-media-type");
    assertProblem(
        postContact("application/json; charset=iso-8859-1", utf8("{\"name\":\"A\"}")),
        415,
        "unsupported-media-type");
  }

  @Test
  void a_body_that_is_not_declared_json_is_415() throws IOException {
    assertProblem(
        postContact("text/plain", utf8("{\"name\":\"Plain\"}")), 415, "unsupported-media-type");
    assertProblem(
        send("POST", "/v1/contacts", Map.of(), utf8("{\"name\":\"None\"}")),
        415,
        "unsupported-media-type");
  }

  @Test
  void json_with_an_explicit_utf8_charset_is_accepted() throws IOException {
    Raw response =
        postContact("application/json; charset=UTF-8", utf8("{\"name\":\"Zoë Ünicode\"}"));
    assertThat(response.status()).as(response.body()).isEqualTo(201);
    assertThat(response.json().get("name").asText()).isEqualTo("Zoë Ünicode");
  }

  @Test
  void nul_in_a_string_is_422_naming_the_field() throws IOException {
    Raw contact = postContact("application/json", utf8("{\"name\":\"Nul\\u0000Name\"}"));
    assertProblem(contact, 422, "nul-character");
    assertThat(contact.json().get("field").asText()).isEqualTo("name");

    String phone = TestApp.uniquePhone();
    Raw message =
        send(
            "POST",
            "/v1/messages",
            Map.of("Content-Type", "application/json"),
            utf8(
                "{\"to\":{\"phone\":\""
                    + phone
                    + "\"},\"channels\":[\"sms\"],\"sms\":{\"text\":\"hi\\u0000there\"}}"));
    assertProblem(message, 422, "nul-character");
    assertThat(message.json().get("field").asText()).isEqualTo("sms.text");

    Raw lookup = send("GET", "/v1/contacts?email=a%00b%40example.com", Map.of(), null);
    assertProblem(lookup, 422, "nul-character");
    assertThat(lookup.json().get("field").asText()).isEqualTo("email");
  }

  @Test
  void nul_in_a_query_or_path_parameter_is_422_naming_it() throws IOException {
    Raw changes = send("GET", "/v1/changes?after=x%00y", Map.of(), null);
    assertProblem(changes, 422, "nul-character");
    assertThat(changes.json().get("field").asText()).isEqualTo("after");

    Raw imported =
        send(
            "POST",
            "/v1/imports?name=list%00one",
            Map.of("Content-Type", "text/csv"),
            utf8("phone\n+14155550199\n"));
    assertProblem(imported, 422, "nul-character");
    assertThat(imported.json().get("field").asText()).isEqualTo("name");

    // Jetty refuses an encoded NUL in the path itself, before routing
    assertProblem(send("GET", "/v1/contacts/a%00b", Map.of(), null), 400, null);
  }

  @Test
  void an_unknown_route_is_a_404_problem() throws IOException {
    assertProblem(send("GET", "/no/such/route", Map.of(), null), 404, null);
  }

  @Test
  void a_known_route_with_the_wrong_method_is_a_405_problem() throws IOException {
    Raw response =
        send("PUT", "/v1/messages", Map.of("Content-Type", "application/json"), utf8("{}"));
    assertProblem(response, 405, "method-not-allowed");
  }

  @Test
  void a_body_over_the_limit_is_a_413_problem() throws IOException {
    byte[] big = utf8("{\"name\":\"" + "x".repeat(2_000_000) + "\"}");
    assertProblem(postContact("application/json", big), 413, "body-too-large");
  }

  @Test
  void oversized_headers_are_a_431_problem() throws IOException {
    Raw response =
        send("GET", "/v1/contacts?phone=1", Map.of("X-Filler", "y".repeat(64_000)), null);
    assertProblem(response, 431, null);
  }

  @Test
  void a_body_shorter_than_its_content_length_is_a_client_error_as_problem_json() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", tandem.app.api.port())) {
      socket.setSoTimeout(120_000);
      String head =
          "POST /v1/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
              + "Authorization: Bearer "
              + TestApp.API_KEY
              + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\":\"x\"";
      socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      // the server gives up after its idle timeout, then answers
      Raw answer = parse(socket.getInputStream());
      assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
      assertThat(answer.headers().get("content-type")).startsWith("application/problem+json");
      assertThat(answer.json().get("detail").asText()).contains("Content-Length");
    }
  }
}
