package dev.tandem.consent;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed links that expire, for pages a person opens from a message: the preference center and the
 * email double opt-in. A token is {@code base64url(id, expiry).purpose.HMAC}; a changed character
 * anywhere makes it invalid, and after its expiry it names its subject but no longer works. Pure.
 */
public final class SignedLinks {
  /** What a link opens. */
  public enum Purpose {
    PREFERENCES('p'),
    CONFIRM('d');

    final char code;

    Purpose(char code) {
      this.code = code;
    }
  }

  /** What a presented token turned out to be. */
  public sealed interface Check {
    record Valid(UUID id) implements Check {}

    record Expired(UUID id, Instant at) implements Check {}

    record Invalid() implements Check {}
  }

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final byte[] key;

  public SignedLinks(byte[] key) {
    this.key = key.clone();
  }

  public String token(UUID id, Purpose purpose, Instant expires) {
    byte[] body =
        ByteBuffer.allocate(24)
            .putLong(id.getMostSignificantBits())
            .putLong(id.getLeastSignificantBits())
            .putLong(expires.getEpochSecond())
            .array();
    String text = B64.encodeToString(body) + "." + purpose.code;
    return text + "." + mac(text);
  }

  public Check check(String token, Purpose purpose, Instant now) {
    if (token == null || token.length() > 100) {
      return new Check.Invalid();
    }
    int last = token.lastIndexOf('.');
    if (last < 0) {
      return new Check.Invalid();
    }
    String text = token.substring(0, last);
    if (!MessageDigest.isEqual(
            mac(text).getBytes(StandardCharsets.US_ASCII),
            token.substring(last + 1).getBytes(StandardCharsets.US_ASCII))
        || !text.endsWith("." + purpose.code)) {
      return new Check.Invalid();
    }
    try {
      ByteBuffer body = ByteBuffer.wrap(B64D.decode(text.substring(0, text.length() - 2)));
      UUID id = new UUID(body.getLong(), body.getLong());
      Instant expires = Instant.ofEpochSecond(body.getLong());
      return now.isAfter(expires) ? new Check.Expired(id, expires) : new Check.Valid(id);
    } catch (RuntimeException e) {
      return new Check.Invalid();
    }
  }

  private String mac(String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return B64.encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)))
          .substring(0, 22);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
