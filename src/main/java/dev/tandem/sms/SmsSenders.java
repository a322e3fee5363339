package dev.tandem.sms;

import dev.tandem.config.ConfigException;
import dev.tandem.error.InvalidInput;
import java.util.List;
import java.util.Optional;

/**
 * The sender ids an SMS may go out from: {@code sms.senders} when listed (the first is the
 * default), else only the provider's own ({@code smpp.sourceAddress} or {@code twilio.from}), which
 * then stays the gateway's business (a routes file may give each SMSC its own).
 */
public final class SmsSenders {
  /** At most 11 GSM-7 characters: what fits the alphanumeric originator of an SMS (TP-OA). */
  static final int MAX_ALPHANUMERIC = 11;

  private final List<String> allowed;
  private final boolean listed;

  private SmsSenders(List<String> allowed, boolean listed) {
    this.allowed = allowed;
    this.listed = listed;
  }

  /**
   * @param listed {@code sms.senders} as configured (checked here; a bad one stops start-up)
   * @param providerDefault the provider's own sender, allowed when nothing is listed
   */
  public static SmsSenders of(List<String> listed, String providerDefault) {
    if (listed.isEmpty()) {
      return new SmsSenders(List.of(providerDefault), false);
    }
    for (String sender : listed) {
      check(sender);
    }
    if (listed.stream().distinct().count() < listed.size()) {
      throw new ConfigException(
          "sms.senders", String.join(",", listed), "a sender is listed twice", "list each once");
    }
    return new SmsSenders(List.copyOf(listed), true);
  }

  private static void check(String sender) {
    String problem =
        switch (SenderType.of(sender)) {
          case NUMBER ->
              sender.matches("\\+[1-9][0-9]{6,14}")
                  ? null
                  : "a number must be E.164: + and 7 to 15 digits";
          case SHORTCODE -> sender.length() >= 3 ? null : "a short code has 3 to 8 digits";
          case ALPHANUMERIC ->
              !Gsm7.canEncode(sender) || Gsm7.septets(sender) > MAX_ALPHANUMERIC
                  ? "an alphanumeric sender is at most "
                      + MAX_ALPHANUMERIC
                      + " GSM-7 characters (€ and ^{}[]~|\\ count twice)"
                  : sender.startsWith("+") ? "a number must be E.164: + and digits only" : null;
        };
    if (problem != null) {
      throw new ConfigException(
          "sms.senders",
          sender,
          problem,
          "write E.164 numbers (+14155550100), short codes (12345) or names of up to 11 letters"
              + " (Shop)");
    }
  }

  /**
   * The sender to store with a message: the one it names, if allowed; else the listed default; else
   * none (the gateway's own).
   *
   * @throws InvalidInput naming {@code sms.from} when the sender is not configured
   */
  public Optional<String> choose(String requested) {
    if (requested == null) {
      return listed ? Optional.of(allowed.get(0)) : Optional.empty();
    }
    if (!allowed.contains(requested)) {
      throw new InvalidInput(
          "unknown-sender",
          "sms.from",
          "sms.from '"
              + requested
              + "' is not a configured SMS sender. Use one of "
              + allowed
              + ", or add it to sms.senders in the configuration (carriers must know it too).");
    }
    return Optional.of(requested);
  }

  /**
   * The configured sender an inbound SMS was written to ({@code +14155550100} matches {@code
   * 14155550100} as SMSCs write it), so the answer comes from the same number; empty when it is not
   * one (or only the provider's default is configured).
   */
  public Optional<String> answering(String to) {
    if (to == null || !listed) {
      return Optional.empty();
    }
    String wanted = to.strip().replaceFirst("^\\+", "");
    return allowed.stream()
        .filter(s -> s.replaceFirst("^\\+", "").equalsIgnoreCase(wanted))
        .findFirst();
  }

  /** The sender of an SMS that names none (a compliance reply): the listed default, or none. */
  public Optional<String> fallback() {
    return listed ? Optional.of(allowed.get(0)) : Optional.empty();
  }

  public List<String> allowed() {
    return allowed;
  }
}
