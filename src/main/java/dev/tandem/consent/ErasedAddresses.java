package dev.tandem.consent;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The one-way form in which an erased address is kept as a suppression: {@code erased:} and an
 * HMAC-SHA-256 of {@code channel:address} under a key of this installation. A plain hash of a phone
 * number can be reversed by trying every number; the key (kept outside the database, see {@code
 * privacy.ErasureKeyFile}) makes that impossible without it, while the same address still maps to
 * the same value, so an erased person is never re-imported or sent to. Pure.
 */
public final class ErasedAddresses {
  private final byte[] key;

  public ErasedAddresses(byte[] key) {
    this.key = key.clone();
  }

  public String hash(String channel, String normalizedAddress) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] digest =
          mac.doFinal((channel + ":" + normalizedAddress).getBytes(StandardCharsets.UTF_8));
      return "erased:" + HexFormat.of().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
