package dev.tandem.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Requests Jetty refuses before Javalin sees them (431 oversized headers, 400 unparseable request
 * line, …) answered as problem+json like every other error, instead of Jetty's HTML.
 */
final class BadMessageProblems extends ErrorHandler {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final String base;

  /**
   * @param base http.publicUrl without a trailing slash, or ""
   */
  BadMessageProblems(String base) {
    this.base = base;
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    String title = HttpStatus.getMessage(status);
    String detail =
        status == HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431
            ? "The request headers are too large; send fewer or shorter headers."
            : "The HTTP request could not be read" + (reason == null ? "." : ": " + reason + ".");
    var problem = new Problem(status, "http-" + status, title, detail, null);
    fields.put(HttpHeader.CONTENT_TYPE, ApiServer.PROBLEM_JSON);
    try {
      return ByteBuffer.wrap(
          JSON.writeValueAsString(problem.toJson(base)).getBytes(StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
