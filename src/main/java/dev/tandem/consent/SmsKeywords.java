package dev.tandem.consent;

import dev.tandem.config.TandemConfig;
import dev.tandem.sms.InboundMessages;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Acts on keywords in inbound SMS (STANDARDS §3): an opt-out revokes SMS for every topic at once
 * and is confirmed by exactly one reply; an opt-in lifts it (or confirms a waiting double opt-in);
 * HELP is answered. Text that is none of these but sounds like a revocation is flagged for review.
 */
public final class SmsKeywords {
  private final KeywordClassifier classifier;
  private final ConsentLedger ledger;
  private final DoubleOptIn doubleOptIn;
  private final ContactFlags flags;
  private final Outbound outbound;
  private final Suppressions suppressions;
  private final TandemConfig.Consent config;

  public SmsKeywords(
      ConsentLedger ledger,
      DoubleOptIn doubleOptIn,
      ContactFlags flags,
      Outbound outbound,
      Suppressions suppressions) {
    this.ledger = ledger;
    this.suppressions = suppressions;
    this.doubleOptIn = doubleOptIn;
    this.flags = flags;
    this.outbound = outbound;
    this.config = ledger.config();
    this.classifier = new KeywordClassifier(keywords(config));
  }

  /** The default keyword lists, those of the configured languages, and the configured words. */
  public static KeywordClassifier.Keywords keywords(TandemConfig.Consent config) {
    var defaults =
        KeywordClassifier.Keywords.defaults()
            .with(
                config.keywordLanguages().stream()
                    .map(l -> l.name().toLowerCase(java.util.Locale.ROOT))
                    .toList());
    return new KeywordClassifier.Keywords(
        union(defaults.optOut(), config.optOutKeywords()),
        union(defaults.optIn(), config.optInKeywords()),
        union(defaults.help(), config.helpKeywords()),
        defaults.filler(),
        defaults.phrases(),
        defaults.negations());
  }

  private static Set<String> union(Set<String> base, List<String> more) {
    var all = new HashSet<>(base);
    more.forEach(w -> all.add(KeywordClassifier.normalize(w)));
    return Set.copyOf(all);
  }

  public KeywordClassifier classifier() {
    return classifier;
  }

  /** Handles one stored inbound SMS (subscribed to {@code sms.received}). */
  public void onSms(InboundMessages.ReceivedSms sms) {
    KeywordClassifier.Kind kind = classifier.classify(sms.text());
    if (sms.contactId() == null) {
      onSmsFromNonNumber(sms, kind);
      return;
    }
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("inboundSmsId", sms.id().toString());
    evidence.put("keyword", KeywordClassifier.normalize(sms.text()));
    evidence.put("to", sms.to());
    switch (kind) {
      case OPT_OUT -> {
        ledger.record(
            List.of(change(sms, ConsentChange.Action.REVOKED, evidence, "Replied: " + sms.text())));
        outbound.sms(sms.contactId(), sms.from(), text(config.stopReply()), sms.to());
      }
      case OPT_IN -> {
        if (doubleOptIn.confirmSms(sms.contactId(), sms.from(), sms.id(), sms.text()).isEmpty()) {
          ledger.record(
              List.of(
                  change(sms, ConsentChange.Action.GRANTED, evidence, "Replied: " + sms.text())));
          outbound.sms(sms.contactId(), sms.from(), text(config.startReply()), sms.to());
        }
      }
      case HELP -> outbound.sms(sms.contactId(), sms.from(), text(config.helpReply()), sms.to());
      case NONE -> {
        if (classifier.mayRevoke(sms.text())) {
          flags.flag(sms.contactId(), "possible-revocation", "sms", sms.text(), sms.id());
        }
      }
    }
  }

  /**
   * A sender that is not a phone number has no contact and cannot be answered; its STOP still
   * counts, kept as a suppression of that sender.
   */
  private void onSmsFromNonNumber(InboundMessages.ReceivedSms sms, KeywordClassifier.Kind kind) {
    switch (kind) {
      case OPT_OUT ->
          suppressions.optOutSender(
              sms.from(), "inbound SMS " + sms.id() + " '" + sms.text() + "'", sms.at());
      case OPT_IN -> suppressions.optInSender(sms.from());
      case HELP, NONE -> {}
    }
  }

  /**
   * An email reply that reads like a withdrawal ("please stop emailing me", "unsubscribe") is
   * flagged for review like an SMS one: there is no keyword protocol on email, but the law still
   * counts it.
   */
  public void onEmailReply(java.util.UUID contactId, java.util.UUID inboundId, String text) {
    String head = text.length() > 500 ? text.substring(0, 500) : text;
    if (classifier.mayRevoke(head)) {
      flags.flag(contactId, "possible-revocation", "email", head, inboundId);
    }
  }

  private static ConsentChange change(
      InboundMessages.ReceivedSms sms,
      ConsentChange.Action action,
      Map<String, Object> evidence,
      String wording) {
    return new ConsentChange(
        sms.contactId(),
        "sms",
        ConsentChange.ALL_TOPICS,
        action,
        ConsentChange.Source.SMS_KEYWORD,
        wording,
        evidence,
        sms.at(),
        "sms-keyword:" + sms.id());
  }

  private String text(String template) {
    return template.replace("{sender}", config.senderName());
  }
}
