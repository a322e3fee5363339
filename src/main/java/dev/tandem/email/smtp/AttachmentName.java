package dev.tandem.email.smtp;

import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.ParameterList;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;

/**
 * An attachment's name in its headers. A name beyond ASCII goes in Content-Disposition as an RFC
 * 2231 parameter ({@code filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf}), never as an RFC 2047 encoded
 * word inside quotes, which RFC 2047 section 5 forbids and parsers flag. A plain {@code filename=}
 * next to it would be a duplicate parameter, which Python's parser, for one, resolves to the plain
 * one; so the ASCII fallback ({@code Rechnung Marz.pdf}) goes only in Content-Type's {@code name},
 * which clients that know no RFC 2231 read instead.
 */
final class AttachmentName {
  private AttachmentName() {}

  static void set(MimeBodyPart part, String filename, String contentType)
      throws MessagingException {
    set(part, filename, contentType, Part.ATTACHMENT);
  }

  /** {@code disposition} is {@code attachment} or {@code inline} (an image the HTML shows). */
  static void set(MimeBodyPart part, String filename, String contentType, String kind)
      throws MessagingException {
    String disposition = kind;
    if (isAscii(filename)) {
      disposition += "; filename=" + quoted(filename);
    } else {
      var encoded = new ParameterList();
      encoded.set("filename", filename, "UTF-8");
      disposition += encoded.toString("Content-Disposition: ".length() + disposition.length());
    }
    part.setHeader("Content-Disposition", disposition);
    part.setHeader("Content-Type", contentType + "; name=" + quoted(asciiFallback(filename)));
  }

  private static boolean isAscii(String text) {
    return StandardCharsets.US_ASCII.newEncoder().canEncode(text);
  }

  private static String quoted(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /**
   * Letters without their accents, dashes as {@code -}, anything else beyond ASCII as {@code _}.
   */
  static String asciiFallback(String filename) {
    String stripped =
        Normalizer.normalize(filename, Normalizer.Form.NFKD).replaceAll("\\p{M}+", "");
    var out = new StringBuilder(stripped.length());
    stripped
        .codePoints()
        .forEach(c -> {
          if (c >= 0x20 && c < 0x7f) {
            out.append((char) c);
          } else if (Character.getType(c) == Character.DASH_PUNCTUATION) {
            out.append('-');
          } else {
            out.append('_');
          }
        });
    return out.toString();
  }
}
