package dev.tandem.ops.doctor;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code http.publicUrl} reaches a Tandem ({@code GET /health/live}) and is https. */
final class PublicUrlChecks implements Check {
  private final String publicUrl;
  private final Duration timeout;

  PublicUrlChecks(String publicUrl, Duration timeout) {
    this.publicUrl = publicUrl.replaceAll("/+$", "");
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "public-url";
  }

  @Override
  public List<Finding> run() {
    if (publicUrl.isEmpty()) {
      return List.of(
          Finding.info(
              "public-url-unset",
              name(),
              "http.publicUrl is not set: links point at this server’s local address.",
              "Fine with the sandbox; real providers need it (see config-public-url-missing)."));
    }
    var findings = new ArrayList<Finding>();
    if (!publicUrl.startsWith("https://")) {
      findings.add(
          Finding.warning(
              "public-url-not-https",
              name(),
              "http.publicUrl " + publicUrl + " is not https.",
              "Mail clients offer one-click unsubscribe (RFC 8058) only over https, and links"
                  + " and callbacks travel in the clear.",
              "Put Tandem behind a TLS-terminating proxy and set http.publicUrl to its https URL."));
    }
    String url = publicUrl + "/health/live";
    try (var http = HttpClient.newBuilder().connectTimeout(timeout).build()) {
      int status =
          http.send(
                  HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode();
      if (status == 200) {
        findings.add(Finding.ok("public-url-ok", name(), "GET " + url + " answered 200."));
      } else {
        findings.add(
            Finding.error(
                "public-url-unreachable",
                name(),
                "GET " + url + " answered HTTP " + status + ", not 200.",
                "Unsubscribe and preference links, tracking and provider callbacks land on"
                    + " something that is not this Tandem.",
                "Route http.publicUrl to Tandem’s http.port (check the proxy’s upstream and path)."));
      }
    } catch (IOException | IllegalArgumentException e) {
      findings.add(
          Finding.error(
              "public-url-unreachable",
              name(),
              "GET " + url + " failed: " + SmsProviderChecks.message(e) + ".",
              "People’s unsubscribe and preference links and the providers’ callbacks fail.",
              "Check DNS and the proxy in front of Tandem, or correct http.publicUrl. (A host that"
                  + " cannot reach its own public address through NAT fails here too: try from"
                  + " outside.)"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return findings;
  }
}
