package dev.tandem.content;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.channel.Channel;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a message says, per channel: stored as JSON with the message ({@link #toJson}, {@link
 * #fromJson}). Content that was erased reads back as neither.
 */
public record MessageContent(Optional<SmsContent> sms, Optional<EmailContent> email) {
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final MessageContent NONE = new MessageContent(Optional.empty(), Optional.empty());

  public static MessageContent sms(SmsContent sms) {
    return new MessageContent(Optional.of(sms), Optional.empty());
  }

  public static MessageContent email(EmailContent email) {
    return new MessageContent(Optional.empty(), Optional.of(email));
  }

  /** The channels this content has something to say on. */
  public Set<Channel> channels() {
    var channels = EnumSet.noneOf(Channel.class);
    sms.ifPresent(s -> channels.add(Channel.SMS));
    email.ifPresent(e -> channels.add(Channel.EMAIL));
    return channels;
  }

  /** Keeps only the given channels' content. */
  public MessageContent only(Set<Channel> channels) {
    return new MessageContent(
        channels.contains(Channel.SMS) ? sms : Optional.empty(),
        channels.contains(Channel.EMAIL) ? email : Optional.empty());
  }

  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    sms.ifPresent(
        s -> root.putObject("sms").put("text", s.text()).put("substitution", s.substitution()));
    email.ifPresent(e -> {
      ObjectNode node =
          root.putObject("email")
              .put("subject", e.subject())
              .put("tracking", e.tracking())
              .put("unsubscribe", e.unsubscribe());
      if (!e.attachments().isEmpty()) {
        var array = node.putArray("attachments");
        for (EmailContent.Attachment a : e.attachments()) {
          ObjectNode file =
              array
                  .addObject()
                  .put("filename", a.filename())
                  .put("contentType", a.contentType())
                  .put("content", Base64.getEncoder().encodeToString(a.content()));
          a.contentId().ifPresent(id -> file.put("contentId", id));
        }
      }
      e.html().ifPresent(h -> node.put("html", h));
      e.text().ifPresent(t -> node.put("text", t));
    });
    return root.toString();
  }

  /**
   * Reads what {@link #toJson} wrote. Stored content is trusted only as far as its own checks: what
   * no longer passes them (erased content, a row edited by hand) reads as absent on that channel.
   */
  public static MessageContent fromJson(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (Exception e) {
      return NONE;
    }
    return new MessageContent(smsOf(root.get("sms")), emailOf(root.get("email")));
  }

  private static Optional<SmsContent> smsOf(JsonNode node) {
    if (node == null || !node.isObject()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new SmsContent(node.path("text").asText(""), node.path("substitution").asBoolean(true)));
    } catch (RuntimeException invalid) {
      return Optional.empty();
    }
  }

  private static Optional<EmailContent> emailOf(JsonNode node) {
    if (node == null || !node.isObject()) {
      return Optional.empty();
    }
    try {
      List<EmailContent.Attachment> attachments = new ArrayList<>();
      for (JsonNode a : node.path("attachments")) {
        attachments.add(
            new EmailContent.Attachment(
                a.path("filename").asText(),
                a.path("contentType").asText(),
                Base64.getDecoder().decode(a.path("content").asText("")),
                a.hasNonNull("contentId")
                    ? Optional.of(a.get("contentId").asText())
                    : Optional.empty()));
      }
      return Optional.of(
          new EmailContent(
              node.path("subject").asText(""),
              text(node, "html"),
              text(node, "text"),
              node.path("tracking").asBoolean(false),
              node.path("unsubscribe").asBoolean(false),
              attachments));
    } catch (RuntimeException invalid) {
      return Optional.empty();
    }
  }

  private static Optional<String> text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
  }
}
