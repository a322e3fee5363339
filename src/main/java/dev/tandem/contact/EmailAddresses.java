package dev.tandem.contact;

import dev.tandem.error.InvalidInput;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Email addresses as Tandem matches them: trimmed and lower-cased. Only the plain {@code
 * local@domain} form of RFC 5321 is accepted; display names and comments are not addresses.
 */
public final class EmailAddresses {
  private static final Pattern ADDRESS =
      Pattern.compile(
          "[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*"
              + "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

  private EmailAddresses() {}

  public static String normalize(String field, String raw) {
    String value = raw == null ? "" : raw.strip().toLowerCase(Locale.ROOT);
    if (value.length() > 254
        || !ADDRESS.matcher(value).matches()
        || value.startsWith(".")
        || value.contains("..")
        || value.contains(".@")) {
      throw new InvalidInput(
          "invalid-email",
          field,
          "'" + raw + "' is not a valid email address. Write it as name@example.com.");
    }
    return value;
  }
}
