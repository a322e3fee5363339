package dev.tandem.sms;

import java.util.HashMap;
import java.util.Map;

/**
 * The "smart character" substitutions SMS vendors apply to stay in GSM-7 (STANDARDS §1.6): curly
 * quotes, primes, dashes, ellipsis, typographic spaces, zero-width characters. Every target is in
 * the GSM basic table.
 */
final class SmartCharacters {
  private static final Map<Integer, String> TABLE = new HashMap<>();

  static {
    for (int c :
        new int[] {
          0x201C, 0x201D, 0x201E, 0x201F, 0x00AB, 0x00BB, 0x2033, 0x2036, 0x02BA, 0x02EE, 0x275D,
          0x275E, 0x301D, 0x301E, 0xFF02
        }) {
      TABLE.put(c, "\"");
    }
    for (int c :
        new int[] {
          0x2018, 0x2019, 0x201A, 0x201B, 0x2032, 0x2035, 0x02B9, 0x02BB, 0x02BC, 0x02BD, 0x02C8,
          0x02CA, 0x02CB, 0x00B4, 0x0060, 0xFF07
        }) {
      TABLE.put(c, "'");
    }
    for (int c : new int[] {0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212}) {
      TABLE.put(c, "-");
    }
    TABLE.put(0x2026, "...");
    TABLE.put(0x00A0, " ");
    for (int c = 0x2000; c <= 0x200A; c++) {
      TABLE.put(c, " ");
    }
    for (int c : new int[] {0x202F, 0x205F, 0x3000}) {
      TABLE.put(c, " ");
    }
    for (int c : new int[] {0x200B, 0x2060, 0xFEFF}) {
      TABLE.put(c, "");
    }
    TABLE.put(0x2022, "-");
    TABLE.put(0x2039, "<");
    TABLE.put(0x203A, ">");
  }

  private SmartCharacters() {}

  /** The GSM replacement for {@code codePoint}, or null when there is none. */
  static String replacement(int codePoint) {
    return TABLE.get(codePoint);
  }
}
