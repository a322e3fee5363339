package dev.tandem.email.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small readings shared by the providers' event formats. */
final class ReportText {
  private static final Pattern ENHANCED_STATUS =
      Pattern.compile("\\b([245]\\.\\d{1,3}\\.\\d{1,3})\\b");
  private static final int MAX_STORED = 100_000;

  private ReportText() {}

  /** A Message-ID as Tandem stores it: without angle brackets or surrounding space. */
  static Optional<String> messageId(String value) {
    String id = value == null ? "" : value.strip();
    if (id.startsWith("<") && id.endsWith(">")) {
      id = id.substring(1, id.length() - 1).strip();
    }
    return id.isEmpty() || id.length() > 998 ? Optional.empty() : Optional.of(id);
  }

  /**
   * The enhanced status code (RFC 3463) in {@code given} or {@code diagnostic}, else the class of
   * the SMTP reply code ({@code 550} → {@code 5.0.0}), else {@code fallback}.
   */
  static String status(String given, String diagnostic, int smtpCode, String fallback) {
    for (String text : new String[] {given, diagnostic}) {
      Matcher m = ENHANCED_STATUS.matcher(text == null ? "" : text);
      if (m.find()) {
        return m.group(1);
      }
    }
    if (smtpCode >= 200 && smtpCode < 600) {
      return smtpCode / 100 + ".0.0";
    }
    return fallback;
  }

  /** The event as stored with the report, bounded. */
  static String stored(JsonNode event) {
    String text = event.toString();
    return text.length() <= MAX_STORED ? text : text.substring(0, MAX_STORED);
  }

  static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isValueNode() ? value.asText("") : "";
  }
}
