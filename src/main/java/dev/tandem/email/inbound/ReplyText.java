package dev.tandem.email.inbound;

import java.util.List;
import java.util.regex.Pattern;

/** Cuts a reply down to what the person wrote: no quoted history, no signature. Pure. */
final class ReplyText {
  private static final List<Pattern> HISTORY_STARTS =
      List.of(
          Pattern.compile("^On .{4,200}wrote:\\s*$", Pattern.DOTALL),
          Pattern.compile("^Le .{4,200}a écrit\\s*:\\s*$", Pattern.DOTALL),
          Pattern.compile("^Am .{4,200}schrieb .{1,200}:\\s*$", Pattern.DOTALL),
          Pattern.compile("^-{2,}\\s*Original Message\\s*-{2,}\\s*$", Pattern.CASE_INSENSITIVE),
          Pattern.compile("^_{10,}\\s*$"),
          Pattern.compile("^From: .+$"),
          Pattern.compile("^Sent from my .+$", Pattern.CASE_INSENSITIVE),
          Pattern.compile("^Get Outlook for .+$", Pattern.CASE_INSENSITIVE));

  private ReplyText() {}

  static String newText(String text) {
    String[] lines = text.replace("\r\n", "\n").split("\n", -1);
    var kept = new StringBuilder();
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      String stripped = line.strip();
      if (line.equals("-- ") || line.equals("--")) {
        break; // signature separator (RFC 3676 §4.3)
      }
      if (stripped.startsWith(">")) {
        break;
      }
      // "On Tue, 3 Mar 2026 at 09:40, Shop <x@y> wrote:" is often wrapped over two lines
      String joined = i + 1 < lines.length ? stripped + " " + lines[i + 1].strip() : stripped;
      if (HISTORY_STARTS.stream().anyMatch(p -> p.matcher(stripped).matches())
          || (stripped.startsWith("On ") && HISTORY_STARTS.get(0).matcher(joined).matches())) {
        break;
      }
      kept.append(line).append('\n');
    }
    return kept.toString().strip();
  }
}
