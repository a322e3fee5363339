package dev.tandem.sms.http;

import dev.tandem.config.TandemConfig.VonageSignatureMethod;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code sig} parameter of a signed Vonage SMS webhook. The signed text is every parameter but
 * {@code sig} with a value, sorted by name, each written {@code &name=value} with {@code &} and
 * {@code =} inside names and values replaced by {@code _}. {@code md5hash} is the MD5 of that text
 * followed by the signature secret; the HMAC methods key the text with the secret. Hex, compared
 * without regard to case. The {@code timestamp} parameter (Unix seconds) must be within five
 * minutes of now, so a captured webhook cannot be played again later.
 */
public final class VonageSignature {
  /** How far the signed timestamp may be from our clock, either way. */
  public static final Duration TOLERANCE = Duration.ofMinutes(5);

  private VonageSignature() {}

  public static String sign(
      VonageSignatureMethod method, String secret, Map<String, String> params) {
    String text = signedText(params);
    try {
      byte[] digest =
          switch (method) {
            case MD5HASH ->
                MessageDigest.getInstance("MD5")
                    .digest((text + secret).getBytes(StandardCharsets.UTF_8));
            case MD5 -> hmac("HmacMD5", secret, text);
            case SHA1 -> hmac("HmacSHA1", secret, text);
            case SHA256 -> hmac("HmacSHA256", secret, text);
            case SHA512 -> hmac("HmacSHA512", secret, text);
          };
      return HexFormat.of().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(method + " is not available", e);
    }
  }

  /** The parameters as signed, with {@code timestamp} and {@code sig} added. */
  public static Map<String, String> signed(
      VonageSignatureMethod method, String secret, Map<String, String> params, Instant now) {
    var all = new TreeMap<>(params);
    all.put("timestamp", Long.toString(now.getEpochSecond()));
    all.put("sig", sign(method, secret, all));
    return all;
  }

  /**
   * Whether {@code params} carry a valid {@code sig} and a {@code timestamp} close to {@code now}.
   */
  public static boolean valid(
      VonageSignatureMethod method, String secret, Map<String, String> params, Instant now) {
    String sig = params.get("sig");
    if (sig == null || sig.isEmpty() || !recent(params.get("timestamp"), now)) {
      return false;
    }
    byte[] expected = sign(method, secret, params).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(
        expected, sig.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
  }

  private static boolean recent(String timestamp, Instant now) {
    if (timestamp == null || !timestamp.matches("[0-9]{1,12}")) {
      return false;
    }
    long skew = Math.abs(now.getEpochSecond() - Long.parseLong(timestamp));
    return skew <= TOLERANCE.toSeconds();
  }

  static String signedText(Map<String, String> params) {
    var text = new StringBuilder();
    new TreeMap<>(params)
        .forEach((name, value) -> {
          // as the provider's libraries: trim() (ASCII and controls), not isBlank() (Unicode)
          if (!name.equals("sig") && value != null && !value.trim().isEmpty()) {
            text.append('&').append(clean(name)).append('=').append(clean(value));
          }
        });
    return text.toString();
  }

  private static String clean(String text) {
    return text.replace('&', '_').replace('=', '_');
  }

  private static byte[] hmac(String algorithm, String secret, String text)
      throws GeneralSecurityException {
    Mac mac = Mac.getInstance(algorithm);
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm));
    return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
  }
}
