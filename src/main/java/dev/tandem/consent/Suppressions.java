package dev.tandem.consent;

import dev.tandem.contact.EmailAddresses;
import dev.tandem.contact.PhoneNumbers;
import dev.tandem.error.InvalidInput;
import dev.tandem.error.NotFound;
import dev.tandem.store.NamedSql;
import dev.tandem.store.Page;
import dev.tandem.store.PageRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Addresses Tandem never sends to, whatever consent says. Hard bounces and complaints are added by
 * the inbound mail pipeline, erased people by erasure; operators add and remove manual ones here (a
 * number that belongs to a switchboard, a litigator's address).
 */
public final class Suppressions {
  /** One suppression as stored. */
  public record Suppression(
      String channel, String address, String scope, String reason, Instant createdAt) {}

  static final String MANUAL = "manual: ";
  static final String SENDER_OPT_OUT =
      "opt-out by SMS keyword from a sender that is not a number: ";

  private final Jdbi jdbi;
  private final Clock clock;
  private final PhoneNumbers phones;
  private final String insert;
  private final String page;
  private final String list;
  private final String delete;
  private final String ofAddresses;
  private final String insertReported;

  public Suppressions(Jdbi jdbi, Clock clock, PhoneNumbers phones) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.phones = phones;
    var sql = NamedSql.forClass(Suppressions.class);
    this.insert = sql.get("insert");
    this.page = sql.get("page");
    this.list = sql.get("list");
    this.delete = sql.get("delete");
    this.ofAddresses = sql.get("ofAddresses");
    this.insertReported = sql.get("insertReported");
  }

  /** Suppresses the address on the channel for everything; returns it as stored. */
  public Suppression add(String channel, String address, String reason) {
    String normalized = normalize(channel, address);
    if (reason == null || reason.isBlank() || reason.length() > 500) {
      throw new InvalidInput(
          "missing-reason", "reason", "Say why (1 to 500 characters): it is kept with it.");
    }
    Instant now = clock.instant();
    jdbi.useHandle(h ->
        h.createUpdate(insert)
            .bind("channel", channel)
            .bind("address", normalized)
            .bind("reason", MANUAL + reason.strip())
            .bind("now", now)
            .execute());
    return new Suppression(channel, normalized, "all", MANUAL + reason.strip(), now);
  }

  /**
   * An email address that bounced for good, suppressed for everything in the caller's transaction
   * (the inbound mail that reported it); the first report's reason is kept.
   */
  public void bounced(Handle handle, String address, String reason, Instant now) {
    reported(handle, address, "all", reason, now);
  }

  /** An email address whose owner complained (ARF): suppressed for marketing. */
  public void complained(Handle handle, String address, String reason, Instant now) {
    reported(handle, address, "marketing", reason, now);
  }

  private void reported(Handle handle, String address, String scope, String reason, Instant now) {
    handle
        .createUpdate(insertReported)
        .bind("address", address.toLowerCase(Locale.ROOT))
        .bind("scope", scope)
        .bind("reason", reason)
        .bind("now", now)
        .execute();
  }

  /**
   * A STOP from a sender that is not a phone number (a short code, an alphanumeric name): kept as
   * the sender wrote it, so nothing is ever sent there, with the inbound SMS as evidence.
   */
  public void optOutSender(String sender, String evidence, Instant at) {
    jdbi.useHandle(h ->
        h.createUpdate(insert)
            .bind("channel", "sms")
            .bind("address", sender)
            .bind("reason", SENDER_OPT_OUT + evidence)
            .bind("now", at)
            .execute());
  }

  /** A START from such a sender lifts its STOP. */
  public void optInSender(String sender) {
    jdbi.useHandle(h ->
        h.createUpdate(delete)
            .bind("channel", "sms")
            .bind("address", sender)
            .bind("prefix", SENDER_OPT_OUT + "%")
            .execute());
  }

  /**
   * Every suppression of this address (any written form; on SMS also a sender that is not a number,
   * as written).
   */
  public List<Suppression> of(String channel, String address) {
    String normalized =
        "sms".equals(channel) && address != null && phones.toE164(address).isEmpty()
            ? address.strip()
            : normalize(channel, address);
    return jdbi.withHandle(h ->
        h.createQuery(list)
            .bind("channel", channel)
            .bind("address", normalized)
            .map((rs, ctx) -> suppression(rs))
            .list());
  }

  /** Every suppression (of one channel when given), newest first, a page at a time. */
  public Page<Suppression> page(Optional<String> channel, PageRequest request) {
    List<Suppression> rows =
        jdbi.withHandle(h ->
            h.createQuery(page)
                .bind("channel", channel.orElse(null))
                .bind("at", request.isFirst() ? PageRequest.LATEST : request.instant(0))
                .bind("afterChannel", request.isFirst() ? "" : request.text(1))
                .bind("afterAddress", request.isFirst() ? "" : request.text(2))
                .bind("afterScope", request.isFirst() ? "" : request.text(3))
                .bind("limit", request.limit() + 1)
                .map((rs, ctx) -> suppression(rs))
                .list());
    return request.page(
        rows, x -> List.of(x.createdAt().toString(), x.channel(), x.address(), x.scope()));
  }

  private static Suppression suppression(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Suppression(
        rs.getString("channel"),
        rs.getString("address"),
        rs.getString("scope"),
        rs.getString("reason"),
        rs.getTimestamp("created_at").toInstant());
  }

  /** How strongly an address is suppressed: {@code all} blocks everything, else only marketing. */
  public record Block(boolean all, String reason) {}

  /**
   * The suppressions of these stored addresses (or erased-address hashes) on {@code channel}, for a
   * batch; an {@code all} one wins over a marketing one.
   */
  public java.util.Map<String, Block> blocks(
      org.jdbi.v3.core.Handle handle, String channel, java.util.Collection<String> addresses) {
    var result = new java.util.HashMap<String, Block>();
    if (addresses.isEmpty()) {
      return result;
    }
    handle
        .createQuery(ofAddresses)
        .bind("channel", channel)
        .bind("addresses", addresses.toArray(String[]::new))
        .map((rs, ctx) ->
            Map.entry(
                rs.getString("address"),
                new Block(rs.getString("scope").equals("all"), rs.getString("reason"))))
        .forEach(e -> result.putIfAbsent(e.getKey(), e.getValue()));
    return result;
  }

  /**
   * Lifts a manual suppression. Bounces, complaints and erasures are not lifted by hand: the
   * address failed, the person complained, or asked to be forgotten.
   */
  public void remove(String channel, String address) {
    String normalized = normalize(channel, address);
    int removed =
        jdbi.withHandle(h ->
            h.createUpdate(delete)
                .bind("channel", channel)
                .bind("address", normalized)
                .bind("prefix", MANUAL + "%")
                .execute());
    if (removed == 0) {
      throw new NotFound(
          "suppression-not-found",
          "address",
          "There is no manual suppression of "
              + normalized
              + " on "
              + channel
              + " (bounces, complaints and erasures cannot be lifted by hand).");
    }
  }

  private String normalize(String channel, String address) {
    if (address == null || address.isBlank()) {
      throw new InvalidInput("missing-address", "address", "address is required.");
    }
    return switch (channel == null ? "" : channel) {
      case "sms" -> phones.require("address", address);
      case "email" -> EmailAddresses.normalize("address", address);
      default ->
          throw new InvalidInput(
              "invalid-channel",
              "channel",
              "'" + channel + "' is not a channel. Use sms or email.");
    };
  }
}
