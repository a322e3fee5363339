package dev.tandem.api;

import dev.tandem.channel.Channel;
import dev.tandem.consent.ConsentChange;
import dev.tandem.consent.ConsentLedger;
import dev.tandem.consent.ConsentPolicy;
import dev.tandem.consent.DoubleOptIn;
import dev.tandem.consent.SignedLinks;
import dev.tandem.contact.Contact;
import dev.tandem.contact.Contacts;
import dev.tandem.error.TandemException;
import dev.tandem.preference.Preferences;
import dev.tandem.topic.ChannelPolicy;
import dev.tandem.topic.Topic;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The public pages behind signed, expiring links: the preference center ({@code /p/TOKEN}), where a
 * person sees and changes both channels × every topic and, for topics routed by preference, the
 * channel they prefer; and the email double opt-in confirmation ({@code /confirm/TOKEN}). Plain
 * HTML forms: no JavaScript, readable on a phone, labelled for screen readers. Each change is a
 * consent event with the IP and user agent.
 */
final class PreferencePages {
  private static final List<String> CHANNELS = List.of("sms", "email");

  private final Contacts contacts;
  private final ConsentLedger ledger;
  private final DoubleOptIn doubleOptIn;
  private final Preferences preferred;
  private final SignedLinks links;
  private final Clock clock;
  private final String senderName;

  PreferencePages(
      Contacts contacts,
      ConsentLedger ledger,
      DoubleOptIn doubleOptIn,
      Preferences preferred,
      SignedLinks links,
      Clock clock) {
    this.contacts = contacts;
    this.ledger = ledger;
    this.doubleOptIn = doubleOptIn;
    this.preferred = preferred;
    this.links = links;
    this.clock = clock;
    this.senderName = ledger.config().senderName();
  }

  void register(Javalin app, java.util.function.Function<Context, String> baseUrl) {
    app.post(
        "/v1/contacts/{id}/preference-link",
        ctx -> {
          UUID id = contacts.get(ApiServer.uuidParam(ctx, "id")).id();
          Instant expires = clock.instant().plus(ledger.config().preferenceLinkTtl());
          String token = links.token(id, SignedLinks.Purpose.PREFERENCES, expires);
          ctx.status(201)
              .json(Map.of("url", baseUrl.apply(ctx) + "/p/" + token, "expiresAt", expires));
        });
    app.get("/p/{token}", ctx -> preferences(ctx, null));
    app.post("/p/{token}", this::save);
    app.get("/confirm/{token}", this::confirmPage);
    app.post("/confirm/{token}", this::confirm);
  }

  /** The contact a preference link names, or a 403 page saying what to do. */
  private Contact holder(Context ctx) {
    var check =
        links.check(ctx.pathParam("token"), SignedLinks.Purpose.PREFERENCES, clock.instant());
    return switch (check) {
      case SignedLinks.Check.Valid v -> {
        try {
          yield contacts.get(v.id());
        } catch (TandemException gone) {
          throw refused(ctx, "We hold no preferences for you any more.");
        }
      }
      case SignedLinks.Check.Expired e ->
          throw refused(
              ctx,
              "This link expired on "
                  + e.at()
                  + ". Open the preferences link in a more recent message from "
                  + senderName
                  + ", or reply STOP to any text to stop texts at once.");
      case SignedLinks.Check.Invalid i ->
          throw refused(
              ctx,
              "This link is not valid: it may have been cut short when it was copied. Open it"
                  + " again from the message, or reply STOP to any text to stop texts at once.");
    };
  }

  /** Thrown after the response is written, to stop the handler. */
  private static final class Refused extends RuntimeException {
    Refused() {
      super(null, null, false, false);
    }
  }

  static void registerRefusal(Javalin app) {
    app.exception(Refused.class, (e, ctx) -> {});
  }

  private Refused refused(Context ctx, String message) {
    ctx.status(403)
        .contentType("text/html; charset=utf-8")
        .result(page("Link not valid", "<p role=\"alert\">" + esc(message) + "</p>"));
    return new Refused();
  }

  private void preferences(Context ctx, String notice) {
    Contact contact = holder(ctx);
    List<Topic> topics = ledger.topics().all();
    Map<String, Boolean> allowed = effective(contact.id(), topics);
    var body = new StringBuilder();
    body.append("<p>")
        .append(contact.name().map(n -> "Hello " + esc(n) + ". ").orElse(""))
        .append("Choose what ")
        .append(esc(senderName))
        .append(" may send you, on each channel.</p>");
    if (notice != null) {
      body.append("<p role=\"status\" class=\"notice\">").append(esc(notice)).append("</p>");
    }
    body.append("<form method=\"post\">");
    for (String channel : CHANNELS) {
      String address =
          channel.equals("sms")
              ? contact.phone().map(PreferencePages::maskPhone).orElse(null)
              : contact.email().map(PreferencePages::maskEmail).orElse(null);
      body.append("<fieldset><legend>")
          .append(channel.equals("sms") ? "Text messages" : "Email")
          .append(address == null ? "" : " to " + esc(address))
          .append("</legend>");
      if (address == null) {
        body.append("<p>We have no ")
            .append(channel.equals("sms") ? "phone number" : "email address")
            .append(" for you, so we send nothing this way.</p></fieldset>");
        continue;
      }
      for (Topic topic : topics) {
        String cell = channel + ":" + topic.key();
        String id = "c-" + channel + "-" + topic.key();
        body.append("<input type=\"hidden\" name=\"shown\" value=\"")
            .append(cell)
            .append("\">")
            .append("<div class=\"row\"><input type=\"checkbox\" name=\"on\" id=\"")
            .append(id)
            .append("\" value=\"")
            .append(cell)
            .append("\"")
            .append(allowed.get(cell) ? " checked" : "")
            .append("><label for=\"")
            .append(id)
            .append("\">")
            .append(esc(topic.description()))
            .append("</label></div>");
      }
      body.append("</fieldset>");
    }
    channelChoices(contact, topics, body);
    body.append("<button type=\"submit\">Save my choices</button></form>");
    ctx.header("Cache-Control", "no-store")
        .header("X-Robots-Tag", "noindex")
        .contentType("text/html; charset=utf-8")
        .result(page("Your message preferences", body.toString()));
  }

  /**
   * Per topic routed by the person's preference, "send me this by: text / email / no preference".
   * Only for people with both addresses: with one there is nothing to choose. A choice grants
   * nothing; the channel boxes above decide what may be sent at all.
   */
  private void channelChoices(Contact contact, List<Topic> topics, StringBuilder body) {
    List<Topic> choosable = choosable(contact, topics);
    if (choosable.isEmpty()) {
      return;
    }
    Map<String, Channel> current = preferred.of(contact.id());
    body.append("<fieldset><legend>How we send each topic</legend>")
        .append("<p>When a topic may come either way, which do you prefer? This subscribes you to")
        .append(" nothing: the boxes above decide what we may send.</p>");
    for (Topic topic : choosable) {
      String chosen = current.containsKey(topic.key()) ? current.get(topic.key()).key() : "none";
      body.append("<input type=\"hidden\" name=\"preferShown\" value=\"")
          .append(topic.key())
          .append("\"><fieldset><legend>Send me ")
          .append(esc(topic.description()))
          .append(" by</legend>");
      for (var option :
          List.of(
              Map.entry("sms", "Text message"),
              Map.entry("email", "Email"),
              Map.entry("none", "No preference"))) {
        String id = "p-" + topic.key() + "-" + option.getKey();
        body.append("<div class=\"row\"><input type=\"radio\" name=\"prefer:")
            .append(topic.key())
            .append("\" id=\"")
            .append(id)
            .append("\" value=\"")
            .append(option.getKey())
            .append("\"")
            .append(option.getKey().equals(chosen) ? " checked" : "")
            .append("><label for=\"")
            .append(id)
            .append("\">")
            .append(option.getValue())
            .append("</label></div>");
      }
      body.append("</fieldset>");
    }
    body.append("</fieldset>");
  }

  private static List<Topic> choosable(Contact contact, List<Topic> topics) {
    if (contact.phones().isEmpty() || contact.emails().isEmpty()) {
      return List.of();
    }
    return topics.stream().filter(t -> t.policy().channels() == ChannelPolicy.PREFERENCE).toList();
  }

  /** Saves the channel choices that changed; returns how many. */
  private int saveChannelChoices(Context ctx, Contact contact, List<Topic> topics) {
    List<Topic> choosable = choosable(contact, topics);
    Map<String, Channel> current = preferred.of(contact.id());
    int changed = 0;
    for (String key : new java.util.LinkedHashSet<>(ctx.formParams("preferShown"))) {
      if (choosable.stream().noneMatch(t -> t.key().equals(key))) {
        continue; // not a choice this page shows: ignored
      }
      String value = ctx.formParam("prefer:" + key);
      Channel wanted = value == null ? null : Channel.parse(value).orElse(null);
      if (java.util.Objects.equals(wanted, current.get(key))) {
        continue;
      }
      if (wanted == null) {
        preferred.clear(contact.id(), key, "preference-center");
      } else {
        preferred.set(contact.id(), key, wanted, "preference-center");
      }
      changed++;
    }
    return changed;
  }

  private void save(Context ctx) {
    Contact contact = holder(ctx);
    List<Topic> topics = ledger.topics().all();
    Map<String, Boolean> allowed = effective(contact.id(), topics);
    Set<String> on = new HashSet<>(ctx.formParams("on"));
    Instant now = clock.instant();
    List<ConsentChange> changes = new ArrayList<>();
    for (String cell : new java.util.LinkedHashSet<>(ctx.formParams("shown"))) {
      Boolean was = allowed.get(cell);
      if (was == null) {
        continue; // not a cell this page shows: ignored
      }
      boolean wanted = on.contains(cell);
      if (wanted == was) {
        continue;
      }
      String channel = cell.substring(0, cell.indexOf(':'));
      String topicKey = cell.substring(cell.indexOf(':') + 1);
      Topic topic = ledger.topic("topic", topicKey);
      Map<String, Object> evidence = new LinkedHashMap<>();
      evidence.put("ip", ctx.ip());
      evidence.put("userAgent", String.valueOf(ctx.userAgent()));
      evidence.put("page", "preference center");
      changes.add(
          new ConsentChange(
              contact.id(),
              channel,
              topicKey,
              wanted ? ConsentChange.Action.GRANTED : ConsentChange.Action.REVOKED,
              ConsentChange.Source.PREFERENCE_CENTER,
              (wanted ? "Ticked" : "Unticked")
                  + " \""
                  + topic.description()
                  + "\" under "
                  + (channel.equals("sms") ? "Text messages" : "Email")
                  + " and saved",
              evidence,
              now,
              null));
    }
    ledger.record(changes);
    int updated = changes.size() + saveChannelChoices(ctx, contact, topics);
    preferences(
        ctx,
        updated == 0
            ? "Nothing changed."
            : "Saved. " + updated + (updated == 1 ? " choice" : " choices") + " updated.");
  }

  private Map<String, Boolean> effective(UUID contactId, List<Topic> topics) {
    var asks = new ArrayList<ConsentLedger.Ask>();
    for (String channel : CHANNELS) {
      for (Topic topic : topics) {
        asks.add(new ConsentLedger.Ask(contactId, channel, topic.key()));
      }
    }
    List<ConsentPolicy.Decision> decisions = ledger.decide(asks);
    Map<String, Boolean> out = new LinkedHashMap<>();
    for (int i = 0; i < asks.size(); i++) {
      out.put(asks.get(i).channel() + ":" + asks.get(i).topic(), decisions.get(i).allowed());
    }
    return out;
  }

  private UUID pending(Context ctx) {
    var check = links.check(ctx.pathParam("token"), SignedLinks.Purpose.CONFIRM, clock.instant());
    return switch (check) {
      case SignedLinks.Check.Valid v -> v.id();
      case SignedLinks.Check.Expired e ->
          throw refused(
              ctx,
              "This confirmation link expired on "
                  + e.at()
                  + ". Nothing was changed; ask "
                  + senderName
                  + " for a new one.");
      case SignedLinks.Check.Invalid i ->
          throw refused(ctx, "This confirmation link is not valid. Open it again from the email.");
    };
  }

  private void confirmPage(Context ctx) {
    UUID id = pending(ctx);
    var p =
        doubleOptIn
            .find(id)
            .orElseThrow(() -> refused(ctx, "There is no such confirmation any more."));
    ctx.header("Cache-Control", "no-store")
        .contentType("text/html; charset=utf-8")
        .result(
            page(
                "Confirm your subscription",
                "<p>"
                    + esc(p.wording())
                    + "</p><form method=\"post\"><button type=\"submit\">Yes, confirm</button>"
                    + "</form><p>If you did not ask for this, close this page: nothing changes.</p>"));
  }

  private void confirm(Context ctx) {
    var p = doubleOptIn.confirmEmail(pending(ctx), ctx.ip(), String.valueOf(ctx.userAgent()));
    ctx.contentType("text/html; charset=utf-8")
        .result(
            page(
                "Subscription confirmed",
                "<p role=\"status\">Thank you: you are subscribed to "
                    + esc(ledger.topic("topic", p.topic()).description())
                    + " by email.</p>"));
  }

  static String maskPhone(String e164) {
    return e164.length() <= 4 ? e164 : "•••• " + e164.substring(e164.length() - 4);
  }

  static String maskEmail(String email) {
    int at = email.indexOf('@');
    return at <= 1 ? email : email.charAt(0) + "•••" + email.substring(at);
  }

  static String esc(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&#39;");
  }

  /** The pages' one style sheet; the Content-Security-Policy allows it by its hash. */
  static final String STYLE =
      "body{font:17px/1.5 system-ui,sans-serif;max-width:36rem;margin:0 auto;"
          + "padding:1rem;color:#1a1a1a}fieldset{border:1px solid #767676;border-radius:6px;"
          + "margin:0 0 1rem;padding:.5rem 1rem}legend{font-weight:600}.row{display:flex;"
          + "gap:.6rem;align-items:center;min-height:44px}input[type=checkbox]{width:1.4rem;"
          + "height:1.4rem}button{font:inherit;padding:.7rem 1.4rem;border-radius:6px;border:0;"
          + "background:#0b5fff;color:#fff}.notice{background:#e8f5e9;padding:.5rem 1rem;"
          + "border-radius:6px}";

  static String page(String title, String body) {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
        + esc(title)
        + "</title><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<style>"
        + STYLE
        + "</style></head><body><main><h1>"
        + esc(title)
        + "</h1>"
        + body
        + "</main></body></html>";
  }
}
