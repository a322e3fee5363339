package dev.tandem.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides secrets in what Tandem prints: the values of keys named like a password, secret or token,
 * and the password of a URL (in its user info, or a {@code password=} parameter).
 */
public final class Redact {
  static final String HIDDEN = "***";
  private static final Pattern SECRET_KEY =
      Pattern.compile(".*(password|secret|token|apikey|signingkey).*", Pattern.CASE_INSENSITIVE);

  /** {@code scheme://user:PASSWORD@host}: the password runs to the last '@' (it may hold '/'). */
  private static final Pattern USER_INFO_PASSWORD = Pattern.compile("(://[^/:@\\s]*):(.+)@");

  /** Any parameter named like a secret: password, sslpassword, pwd, secret, token, api_key, … */
  private static final Pattern PASSWORD_PARAMETER =
      Pattern.compile(
          "([?&;][^=&;?\\s]*(?:password|pass|pwd|secret|token|apikey|api_key)[^=&;?\\s]*=)([^&;\\s]*)",
          Pattern.CASE_INSENSITIVE);

  private Redact() {}

  /** True when the key's last part names a secret (smpp.password, twilio.authToken, …). */
  public static boolean secretKey(String key) {
    String name = key.substring(key.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
    return SECRET_KEY.matcher(name).matches();
  }

  /** The value as it may be printed next to its key. */
  public static String value(String key, String value) {
    if (value == null || value.isEmpty()) {
      return value;
    }
    return secretKey(key) ? HIDDEN : url(value);
  }

  /** The text with every URL password in it replaced by {@value #HIDDEN}. */
  public static String url(String text) {
    return without(text, passwordsIn(text));
  }

  /** The passwords written in the URLs of {@code text}. */
  public static List<String> passwordsIn(String text) {
    var found = new ArrayList<String>();
    for (Pattern pattern : List.of(USER_INFO_PASSWORD, PASSWORD_PARAMETER)) {
      Matcher m = pattern.matcher(text);
      while (m.find()) {
        if (!m.group(2).isEmpty()) {
          found.add(m.group(2));
        }
      }
    }
    return found;
  }

  /** The text with each of these secrets replaced by {@value #HIDDEN} wherever it appears. */
  public static String without(String text, List<String> secrets) {
    if (text == null) {
      return null;
    }
    String out = text;
    for (String secret : secrets) {
      out = out.replace(secret, HIDDEN);
    }
    return out;
  }
}
