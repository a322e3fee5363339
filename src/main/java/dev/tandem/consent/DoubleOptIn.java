package dev.tandem.consent;

import dev.tandem.config.TandemConfig;
import dev.tandem.error.Conflict;
import dev.tandem.error.InvalidInput;
import dev.tandem.store.Ids;
import dev.tandem.store.NamedSql;
import dev.tandem.topic.Topic;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;

/**
 * Double opt-in: a request waits, with an expiry, until the person confirms: by replying YES to the
 * SMS, or by the signed link in the email (the link opens a page whose button confirms, so a mail
 * scanner that fetches links confirms nothing). The confirmation is the grant, with its evidence.
 */
public final class DoubleOptIn {
  /** A double opt-in request. */
  public record Pending(
      UUID id,
      UUID contactId,
      String channel,
      String topic,
      String wording,
      String status,
      Instant expiresAt) {}

  private final Jdbi jdbi;
  private final Clock clock;
  private final ConsentLedger ledger;
  private final Outbound outbound;
  private final SignedLinks links;
  private final Supplier<String> baseUrl;
  private final TandemConfig.Consent config;
  private final String insert;
  private final String byId;
  private final String latestSms;
  private final String confirm;
  private final String cancel;

  public DoubleOptIn(
      Jdbi jdbi,
      Clock clock,
      ConsentLedger ledger,
      Outbound outbound,
      SignedLinks links,
      Supplier<String> baseUrl) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.ledger = ledger;
    this.outbound = outbound;
    this.links = links;
    this.baseUrl = baseUrl;
    this.config = ledger.config();
    var sql = NamedSql.forClass(DoubleOptIn.class);
    this.insert = sql.get("insert");
    this.byId = sql.get("byId");
    this.latestSms = sql.get("latestSms");
    this.confirm = sql.get("confirm");
    this.cancel = sql.get("cancel");
  }

  /** Starts a double opt-in and sends the request on its channel. */
  public Pending request(UUID contactId, String channel, String topicKey) {
    if (!"sms".equals(channel) && !"email".equals(channel)) {
      throw new InvalidInput(
          "invalid-channel", "channel", "'" + channel + "' is not a channel. Use sms or email.");
    }
    Topic topic = ledger.topic("topic", topicKey);
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    Instant expires = now.plus(config.doubleOptInExpiry());
    String wording =
        channel.equals("sms")
            ? reply(config.confirmRequest(), topic)
            : "Confirm that you want " + topic.description() + " by email from " + sender() + ".";
    UUID id = Ids.next(clock);
    jdbi.useHandle(handle ->
        handle
            .createUpdate(insert)
            .bind("id", id)
            .bind("contactId", contactId)
            .bind("channel", channel)
            .bind("topic", topic.key())
            .bind("wording", wording)
            .bind("expiresAt", expires)
            .bind("now", now)
            .execute());
    try {
      send(id, contactId, channel, topic, wording, expires);
    } catch (RuntimeException e) {
      // nothing went out (no phone or email, say): no request waits for an answer
      jdbi.useHandle(h -> h.createUpdate(cancel).bind("id", id).execute());
      throw e;
    }
    return new Pending(id, contactId, channel, topic.key(), wording, "pending", expires);
  }

  private void send(
      UUID id, UUID contactId, String channel, Topic topic, String wording, Instant expires) {
    if (channel.equals("sms")) {
      outbound.sms(contactId, null, wording);
    } else {
      String link =
          baseUrl.get() + "/confirm/" + links.token(id, SignedLinks.Purpose.CONFIRM, expires);
      String text =
          wording
              + "\n\nConfirm: "
              + link
              + "\n\nIf you did not ask for this, ignore this email: nothing changes.";
      String html =
          "<p>"
              + escape(wording)
              + "</p><p><a href=\""
              + escape(link)
              + "\">Confirm my subscription</a></p><p>If you did not ask for this, ignore this"
              + " email: nothing changes.</p>";
      outbound.email(contactId, "Please confirm: " + topic.description(), text, html);
    }
  }

  public Optional<Pending> find(UUID id) {
    return jdbi.withHandle(
        h -> h.createQuery(byId).bind("id", id).map((rs, c) -> row(rs)).findOne());
  }

  /**
   * Confirms the newest SMS request of this contact still waiting (a YES reply); empty when there
   * is none, so YES is then an ordinary opt-in keyword.
   */
  public Optional<Pending> confirmSms(UUID contactId, String phone, UUID inboundId, String text) {
    Instant now = clock.instant();
    Optional<Pending> pending =
        jdbi.withHandle(h ->
            h.createQuery(latestSms)
                .bind("contactId", contactId)
                .bind("now", now)
                .map((rs, c) -> row(rs))
                .findOne());
    pending.ifPresent(p -> {
      Map<String, Object> evidence = new LinkedHashMap<>();
      evidence.put("pendingId", p.id().toString());
      evidence.put("inboundSmsId", inboundId.toString());
      evidence.put("reply", text);
      grant(p, evidence, now);
      outbound.sms(
          contactId, phone, reply(config.confirmedReply(), ledger.topic("topic", p.topic())));
    });
    return pending;
  }

  /**
   * Confirms an email request from its link's page. Throws {@link Conflict} when it expired or was
   * confirmed already (confirming twice is harmless: it says so).
   */
  public Pending confirmEmail(UUID pendingId, String ip, String userAgent) {
    Pending p =
        find(pendingId)
            .orElseThrow(() ->
                new InvalidInput("unknown-request", "token", "There is no such confirmation."));
    Instant now = clock.instant();
    if (p.status().equals("confirmed")) {
      return p;
    }
    if (now.isAfter(p.expiresAt())) {
      throw new Conflict(
          "confirmation-expired",
          "token",
          "This confirmation expired at " + p.expiresAt() + ". Ask for a new one.");
    }
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("pendingId", p.id().toString());
    evidence.put("ip", ip);
    evidence.put("userAgent", userAgent);
    grant(p, evidence, now);
    return find(pendingId).orElseThrow();
  }

  private void grant(Pending p, Map<String, Object> evidence, Instant now) {
    jdbi.useTransaction(handle -> {
      int updated = handle.createUpdate(confirm).bind("id", p.id()).bind("now", now).execute();
      if (updated == 0) {
        return; // confirmed by a concurrent request
      }
      ledger.record(
          handle,
          List.of(
              new ConsentChange(
                  p.contactId(),
                  p.channel(),
                  p.topic(),
                  ConsentChange.Action.GRANTED,
                  ConsentChange.Source.DOUBLE_OPT_IN,
                  p.wording(),
                  evidence,
                  now,
                  "double-opt-in:" + p.id())));
    });
  }

  public SignedLinks links() {
    return links;
  }

  String reply(String template, Topic topic) {
    return template.replace("{sender}", sender()).replace("{topic}", topic.description());
  }

  private String sender() {
    return config.senderName();
  }

  private static Pending row(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Pending(
        rs.getObject("id", UUID.class),
        rs.getObject("contact_id", UUID.class),
        rs.getString("channel"),
        rs.getString("topic"),
        rs.getString("wording"),
        rs.getString("status"),
        rs.getTimestamp("expires_at").toInstant());
  }

  static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
