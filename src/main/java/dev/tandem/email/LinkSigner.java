package dev.tandem.email;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed tokens for the links in an email: {@code <delivery id>.<purpose>.<HMAC>}, and signatures
 * over a click's target URL, so that nobody can forge an unsubscribe for someone else or use the
 * click redirect to send people anywhere. Pure.
 */
public final class LinkSigner {
  /** What a link does. */
  public enum Purpose {
    UNSUBSCRIBE('u'),
    OPEN('o'),
    CLICK('c'),
    VIEW('v');

    final char code;

    Purpose(char code) {
      this.code = code;
    }
  }

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final byte[] key;

  public LinkSigner(byte[] key) {
    this.key = key.clone();
  }

  public String token(UUID deliveryId, Purpose purpose) {
    String body = B64.encodeToString(bytes(deliveryId)) + "." + purpose.code;
    return body + "." + B64.encodeToString(mac(body)).substring(0, 22);
  }

  /** The delivery a token names, when its signature and purpose are right. */
  public Optional<UUID> verify(String token, Purpose purpose) {
    if (token == null || token.length() > 100) {
      return Optional.empty();
    }
    int last = token.lastIndexOf('.');
    if (last < 0) {
      return Optional.empty();
    }
    String body = token.substring(0, last);
    String expected = B64.encodeToString(mac(body)).substring(0, 22);
    if (!MessageDigest.isEqual(
            expected.getBytes(StandardCharsets.US_ASCII),
            token.substring(last + 1).getBytes(StandardCharsets.US_ASCII))
        || !body.endsWith("." + purpose.code)) {
      return Optional.empty();
    }
    try {
      ByteBuffer buffer = ByteBuffer.wrap(B64D.decode(body.substring(0, body.length() - 2)));
      return Optional.of(new UUID(buffer.getLong(), buffer.getLong()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** A signature binding a click's target to its delivery. */
  public String signUrl(UUID deliveryId, String url) {
    return B64.encodeToString(mac(deliveryId + " " + url)).substring(0, 22);
  }

  public boolean validUrl(UUID deliveryId, String url, String signature) {
    return signature != null
        && MessageDigest.isEqual(
            signUrl(deliveryId, url).getBytes(StandardCharsets.US_ASCII),
            signature.getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] bytes(UUID id) {
    return ByteBuffer.allocate(16)
        .putLong(id.getMostSignificantBits())
        .putLong(id.getLeastSignificantBits())
        .array();
  }

  private byte[] mac(String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }
}
