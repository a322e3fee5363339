package dev.tandem.api;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * What protects the pages behind links in messages (preference center, confirmation, unsubscribe,
 * hosted copy): response headers that forbid framing, sniffing and leaking the link, and a check
 * that a form was posted from this site. A browser names the page a form came from in {@code
 * Origin}; a mail provider's RFC 8058 one-click POST sends none and is let through.
 */
final class PageSecurity {
  /** Tandem's own pages: no script at all, only their one inline style sheet. */
  static final String PAGE_POLICY =
      "default-src 'none'; style-src '"
          + sha256(PreferencePages.STYLE)
          + "'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

  /**
   * The hosted copy of an email, written by whoever sent it: sandboxed (a unique origin, no
   * scripts, no forms), with its images and styles from anywhere. Its links may open new tabs.
   */
  static final String HOSTED_EMAIL_POLICY =
      "sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; img-src * data:;"
          + " style-src * 'unsafe-inline'; font-src * data:; form-action 'none'; base-uri 'none';"
          + " frame-ancestors 'none'";

  private final String publicUrl;

  PageSecurity(String publicUrl) {
    this.publicUrl = publicUrl;
  }

  /** On every response: harmless for JSON, required for every HTML page (errors included). */
  static void headers(Context ctx) {
    ctx.header("Content-Security-Policy", PAGE_POLICY)
        .header("X-Content-Type-Options", "nosniff")
        .header("Referrer-Policy", "same-origin");
  }

  static void hostedEmail(Context ctx) {
    ctx.header("Content-Security-Policy", HOSTED_EMAIL_POLICY);
  }

  /** Refuses (403) a POST that a browser sent from a page on another site. */
  void requireSameOrigin(Context ctx) {
    if (ctx.method() != HandlerType.POST) {
      return;
    }
    String origin = ctx.header("Origin");
    if (origin == null) {
      return; // not sent from a web page: a mail provider's one-click POST, or curl
    }
    if (authority(origin)
        .filter(a -> a.equals(hostAuthority(ctx)) || a.equals(publicAuthority()))
        .isEmpty()) {
      throw new Forbidden(
          "This form was sent from "
              + origin
              + ", not from this page; open the link in the message and use the form there.");
    }
  }

  private String hostAuthority(Context ctx) {
    String host = ctx.header("Host");
    return host == null ? "" : withoutDefaultPort(host.toLowerCase(Locale.ROOT));
  }

  private String publicAuthority() {
    return publicUrl.isEmpty() ? "" : authority(publicUrl).orElse("");
  }

  private static java.util.Optional<String> authority(String url) {
    try {
      URI uri = new URI(url);
      if (uri.getScheme() == null || uri.getRawAuthority() == null) {
        return java.util.Optional.empty();
      }
      return java.util.Optional.of(
          withoutDefaultPort(uri.getRawAuthority().toLowerCase(Locale.ROOT)));
    } catch (URISyntaxException e) {
      return java.util.Optional.empty();
    }
  }

  private static String withoutDefaultPort(String authority) {
    return authority.replaceFirst(":(80|443)$", "");
  }

  private static String sha256(String text) {
    try {
      return "sha256-"
          + Base64.getEncoder()
              .encodeToString(
                  MessageDigest.getInstance("SHA-256")
                      .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
