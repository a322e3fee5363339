package dev.tandem.content;

import dev.tandem.error.InvalidInput;
import java.util.List;
import java.util.Optional;

/**
 * The email of a message.
 *
 * @param subject one line, at most {@link #MAX_SUBJECT_CHARS}
 * @param html the HTML body, if any
 * @param text the plain-text body, if any (one of the two is required)
 * @param tracking whether opens and clicks are tracked
 * @param unsubscribe whether the email carries List-Unsubscribe (marketing always does)
 * @param attachments at most {@link #MAX_ATTACHMENTS}, {@link #MAX_ATTACHMENT_BYTES} together
 */
public record EmailContent(
    String subject,
    Optional<String> html,
    Optional<String> text,
    boolean tracking,
    boolean unsubscribe,
    List<Attachment> attachments) {
  public static final int MAX_SUBJECT_CHARS = 998;
  public static final int MAX_BODY_CHARS = 1_000_000;
  public static final int MAX_ATTACHMENTS = 10;
  public static final int MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

  public EmailContent {
    if (subject == null || subject.isBlank()) {
      throw new InvalidInput(
          "missing-email-subject",
          "email.subject",
          "email.subject is required when channels include email.");
    }
    if (subject.indexOf('\r') >= 0 || subject.indexOf('\n') >= 0) {
      throw new InvalidInput(
          "header-injection",
          "email.subject",
          "email.subject contains a line break; a subject must be one line.");
    }
    if (subject.length() > MAX_SUBJECT_CHARS) {
      throw new InvalidInput(
          "subject-too-long",
          "email.subject",
          "email.subject is "
              + subject.length()
              + " characters; the limit is "
              + MAX_SUBJECT_CHARS
              + ".");
    }
    html = html.filter(h -> !h.isBlank());
    text = text.filter(t -> !t.isBlank());
    if (html.isEmpty() && text.isEmpty()) {
      throw new InvalidInput(
          "missing-email-body",
          "email.html",
          "email.html or email.text is required when channels include email.");
    }
    limit("email.html", html);
    limit("email.text", text);
    attachments = List.copyOf(attachments);
    if (attachments.size() > MAX_ATTACHMENTS) {
      throw new InvalidInput(
          "too-many-attachments",
          "email.attachments",
          attachments.size() + " attachments; at most " + MAX_ATTACHMENTS + " are allowed.");
    }
    var contentIds = new java.util.HashSet<String>();
    for (int i = 0; i < attachments.size(); i++) {
      Optional<String> id = attachments.get(i).contentId();
      if (id.isPresent() && !contentIds.add(id.get())) {
        throw new InvalidInput(
            "duplicate-content-id",
            "email.attachments[" + i + "].contentId",
            "contentId '" + id.get() + "' is used twice; each inline image needs its own.");
      }
    }
    if (html.isPresent() && html.get().contains("cid:")) {
      for (var img : org.jsoup.Jsoup.parse(html.get()).select("[src^=cid:]")) {
        String id = img.attr("src").substring(4);
        if (!contentIds.contains(id)) {
          throw new InvalidInput(
              "missing-inline-image",
              "email.html",
              "email.html shows cid:"
                  + id
                  + " but no attachment has contentId '"
                  + id
                  + "'; add it to email.attachments with that contentId.");
        }
      }
    }
    long total = 0;
    for (int i = 0; i < attachments.size(); i++) {
      total += attachments.get(i).content().length;
      if (total > MAX_ATTACHMENT_BYTES) {
        throw new InvalidInput(
            "attachments-too-large",
            "email.attachments[" + i + "].content",
            "attachments add up to more than "
                + MAX_ATTACHMENT_BYTES / 1024 / 1024
                + " MB; link to large files instead.");
      }
    }
  }

  private static void limit(String field, Optional<String> body) {
    if (body.isPresent() && body.get().length() > MAX_BODY_CHARS) {
      throw new InvalidInput(
          "email-too-long",
          field,
          field
              + " is "
              + body.get().length()
              + " characters; the limit is "
              + MAX_BODY_CHARS
              + ".");
    }
  }

  /**
   * The HTML as written (inline images as {@code data:} URLs, since {@code cid:} means nothing
   * outside the message), or the text in a {@code pre}: what the hosted view shows.
   */
  public String viewHtml() {
    if (html.isEmpty()) {
      return "<pre>" + org.jsoup.nodes.Entities.escape(text.orElse("")) + "</pre>";
    }
    String view = html.get();
    for (Attachment a : attachments) {
      if (a.contentId().isPresent()) {
        view =
            view.replace(
                "cid:" + a.contentId().get(),
                "data:"
                    + a.contentType()
                    + ";base64,"
                    + java.util.Base64.getEncoder().encodeToString(a.content()));
      }
    }
    return view;
  }

  /**
   * A file attached to the email.
   *
   * @param contentId set for an inline image the HTML shows as {@code <img src="cid:ID">}
   */
  public record Attachment(
      String filename, String contentType, byte[] content, Optional<String> contentId) {
    private static final java.util.regex.Pattern CONTENT_ID =
        java.util.regex.Pattern.compile("[A-Za-z0-9._@-]{1,100}");

    public Attachment(String filename, String contentType, byte[] content) {
      this(filename, contentType, content, Optional.empty());
    }

    public static Attachment of(int index, String filename, String contentType, String base64) {
      return of(index, filename, contentType, base64, null);
    }

    public static Attachment of(
        int index, String filename, String contentType, String base64, String contentId) {
      String field = "email.attachments[" + index + "]";
      if (contentId != null) {
        if (!CONTENT_ID.matcher(contentId).matches()) {
          throw new InvalidInput(
              "invalid-content-id",
              field + ".contentId",
              "contentId '"
                  + contentId
                  + "' is 1-100 letters, digits, '.', '_', '@' or '-' (the HTML shows it as"
                  + " cid:ID).");
        }
        if (contentType == null
            || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("image/")) {
          throw new InvalidInput(
              "invalid-content-id",
              field + ".contentId",
              "contentId is for inline images; '" + contentType + "' is not an image/* type.");
        }
      }
      if (filename == null
          || filename.isBlank()
          || filename.length() > 255
          || filename.chars().anyMatch(c -> c < 32 || c == '/' || c == '\\' || c == '"')) {
        throw new InvalidInput(
            "invalid-attachment",
            field + ".filename",
            "'"
                + filename
                + "' is not a file name: 1-255 characters, no path, quotes or control characters.");
      }
      if (contentType == null
          || !contentType.matches("[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+")) {
        throw new InvalidInput(
            "invalid-attachment",
            field + ".contentType",
            "'" + contentType + "' is not a media type such as application/pdf.");
      }
      try {
        // the MIME decoder would silently skip what is not base64: decode strictly, line breaks
        // allowed
        String content = base64 == null ? "" : base64.replaceAll("\\s", "");
        return new Attachment(
            filename,
            contentType,
            java.util.Base64.getDecoder().decode(content),
            Optional.ofNullable(contentId));
      } catch (IllegalArgumentException e) {
        throw new InvalidInput(
            "invalid-attachment", field + ".content", "content is not base64: " + e.getMessage());
      }
    }
  }
}
