package dev.tandem.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code Tandem-Signature} header of a webhook delivery: {@code t=<unix seconds>,v1=<hex>},
 * where the hex is HMAC-SHA-256, keyed with the subscription's secret, of the timestamp, a full
 * stop and the exact body bytes. The timestamp inside the signed text lets a receiver refuse an old
 * delivery replayed by someone who recorded it (docs/webhooks.md has verifiers in four languages).
 */
public final class WebhookSignature {
  public static final String HEADER = "Tandem-Signature";

  private WebhookSignature() {}

  public static String header(String secret, long unixSeconds, byte[] body) {
    return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(mac(secret, unixSeconds, body));
  }

  /**
   * Whether {@code header} signs {@code body} with {@code secret}, made at most {@code toleranceS}
   * seconds from {@code nowUnixSeconds}. What a receiver in Java does.
   */
  public static boolean verify(
      String secret, String header, byte[] body, long nowUnixSeconds, long toleranceS) {
    if (header == null) {
      return false;
    }
    long t = -1;
    String v1 = null;
    for (String part : header.split(",")) {
      String[] kv = part.strip().split("=", 2);
      if (kv.length == 2 && kv[0].equals("t")) {
        try {
          t = Long.parseLong(kv[1]);
        } catch (NumberFormatException e) {
          return false;
        }
      } else if (kv.length == 2 && kv[0].equals("v1")) {
        v1 = kv[1];
      }
    }
    if (t < 0 || v1 == null || Math.abs(nowUnixSeconds - t) > toleranceS) {
      return false;
    }
    byte[] given;
    try {
      given = HexFormat.of().parseHex(v1);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(given, mac(secret, t, body));
  }

  private static byte[] mac(String secret, long unixSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
