package dev.tandem.sms;

import java.io.ByteArrayOutputStream;

/**
 * The GSM 03.38 default alphabet and its extension table (3GPP TS 23.038), as unpacked septets: one
 * byte per septet, extension characters as ESC (0x1B) + code. Pure code, no I/O.
 */
public final class Gsm7 {
  private static final int ESC = 0x1B;

  /** Septet value → character; 0x1B is the escape, not a character. */
  private static final String BASIC =
      "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
          + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

  private static final char[] EXTENSION_CHARS = {
    '\f', '^', '{', '}', '\\', '[', '~', ']', '|', '€'
  };
  private static final int[] EXTENSION_CODES = {
    0x0A, 0x14, 0x28, 0x29, 0x2F, 0x3C, 0x3D, 0x3E, 0x40, 0x65
  };

  private static final int[] BASIC_INDEX = new int[0x10000];
  private static final int[] EXTENSION_INDEX = new int[0x10000];

  static {
    if (BASIC.length() != 128) {
      throw new AssertionError("GSM basic table must have 128 entries, has " + BASIC.length());
    }
    java.util.Arrays.fill(BASIC_INDEX, -1);
    java.util.Arrays.fill(EXTENSION_INDEX, -1);
    for (int septet = 0; septet < 128; septet++) {
      if (septet != ESC) {
        BASIC_INDEX[BASIC.charAt(septet)] = septet;
      }
    }
    for (int i = 0; i < EXTENSION_CHARS.length; i++) {
      EXTENSION_INDEX[EXTENSION_CHARS[i]] = EXTENSION_CODES[i];
    }
  }

  private Gsm7() {}

  /** True when every character is in the basic or the extension table. */
  public static boolean canEncode(CharSequence text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (BASIC_INDEX[c] < 0 && EXTENSION_INDEX[c] < 0) {
        return false;
      }
    }
    return true;
  }

  /** Septets needed: 1 per basic character, 2 per extension character. */
  public static int septets(CharSequence text) {
    int n = 0;
    for (int i = 0; i < text.length(); i++) {
      n += BASIC_INDEX[text.charAt(i)] >= 0 ? 1 : 2;
    }
    return n;
  }

  /** Unpacked septets; throws if a character has no GSM encoding (check {@link #canEncode}). */
  public static byte[] encode(CharSequence text) {
    var out = new ByteArrayOutputStream(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int basic = BASIC_INDEX[c];
      if (basic >= 0) {
        out.write(basic);
      } else if (EXTENSION_INDEX[c] >= 0) {
        out.write(ESC);
        out.write(EXTENSION_INDEX[c]);
      } else {
        throw new IllegalArgumentException(
            "character U+" + Integer.toHexString(c).toUpperCase() + " has no GSM 03.38 encoding");
      }
    }
    return out.toByteArray();
  }

  /**
   * Decodes unpacked septets. An escape followed by a code with no extension entry shows the basic
   * character for that code, as handsets do; a trailing escape shows as a space.
   */
  public static String decode(byte[] septets) {
    var text = new StringBuilder(septets.length);
    for (int i = 0; i < septets.length; i++) {
      int septet = septets[i] & 0x7F;
      if (septet == ESC) {
        if (i + 1 == septets.length) {
          text.append(' ');
          break;
        }
        int code = septets[++i] & 0x7F;
        char extension = extension(code);
        text.append(extension != 0 ? extension : code == ESC ? ' ' : BASIC.charAt(code));
      } else {
        text.append(BASIC.charAt(septet));
      }
    }
    return text.toString();
  }

  private static char extension(int code) {
    for (int i = 0; i < EXTENSION_CODES.length; i++) {
      if (EXTENSION_CODES[i] == code) {
        return EXTENSION_CHARS[i];
      }
    }
    return 0;
  }
}
