package dev.tandem.template;

import dev.tandem.sms.SmsText;

/**
 * The SMS of the routing brain's pointer mode: "SUBJECT - details in your inbox: LINK", built from
 * the email and linking to its hosted copy. It aims at one segment: the subject is shortened at a
 * word boundary, never the link. Pure; the dispatcher and the preview both use it.
 */
public final class PointerSms {
  static final String JOIN = " - details in your inbox: ";

  private PointerSms() {}

  public static String text(String subject, String link, boolean substitution) {
    String tail = JOIN + link;
    String head = subject.strip().replaceAll("\\s+", " ");
    String text = head + tail;
    if (SmsText.of(text, substitution).segments() <= 1) {
      return text;
    }
    // shorten the subject word by word; keep at least its first word
    String shortened = head;
    while (true) {
      int cut = shortened.lastIndexOf(' ');
      if (cut <= 0) {
        break;
      }
      shortened = shortened.substring(0, cut).strip();
      String candidate = shortened + "..." + tail;
      if (SmsText.of(candidate, substitution).segments() <= 1) {
        return candidate;
      }
    }
    return (shortened.equals(head) ? head : shortened + "...") + tail;
  }
}
