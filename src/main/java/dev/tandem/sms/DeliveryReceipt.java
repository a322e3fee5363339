package dev.tandem.sms;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A delivery receipt in the de-facto text format of SMPP v3.4 Appendix B: {@code id:IIII sub:SSS
 * dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E text:...}. Keys are
 * matched without regard to case; dates may carry seconds.
 */
public record DeliveryReceipt(
    String id,
    String sub,
    String dlvrd,
    Optional<LocalDateTime> submitDate,
    Optional<LocalDateTime> doneDate,
    String stat,
    String err,
    String text) {

  /** What a receipt's {@code stat} means for the delivery. */
  public enum Outcome {
    DELIVERED,
    FAILED,
    ACCEPTED,
    ENROUTE,
    UNKNOWN
  }

  private static final Pattern FIELD =
      Pattern.compile(
          "(?i)\\b(id|sub|dlvrd|submit date|done date|stat|err|text)\\s*:\\s*(.*?)(?=\\s+(?:id|sub|dlvrd|submit date|done date|stat|err|text)\\s*:|$)",
          Pattern.DOTALL);

  /** Parses a receipt; empty when the text has no {@code id} or no {@code stat}. */
  public static Optional<DeliveryReceipt> parse(String receipt) {
    if (receipt == null) {
      return Optional.empty();
    }
    String id = null,
        sub = "",
        dlvrd = "",
        submit = "",
        done = "",
        stat = null,
        err = "",
        text = "";
    Matcher m = FIELD.matcher(receipt.strip());
    while (m.find()) {
      String value = m.group(2).strip();
      switch (m.group(1).toLowerCase(Locale.ROOT)) {
        case "id" -> id = id == null ? value : id;
        case "sub" -> sub = value;
        case "dlvrd" -> dlvrd = value;
        case "submit date" -> submit = value;
        case "done date" -> done = value;
        case "stat" -> stat = value.toUpperCase(Locale.ROOT);
        case "err" -> err = value;
        default -> text = value;
      }
    }
    if (id == null || id.isEmpty() || stat == null || stat.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new DeliveryReceipt(id, sub, dlvrd, parseDate(submit), parseDate(done), stat, err, text));
  }

  private static final DateTimeFormatter ISO_SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
  private static final DateTimeFormatter MINUTES = DateTimeFormatter.ofPattern("yyMMddHHmm");
  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyMMddHHmmss");

  static Optional<LocalDateTime> parseDate(String value) {
    try {
      return switch (value.length()) {
        case 10 -> Optional.of(LocalDateTime.parse(value, MINUTES));
        case 12 -> Optional.of(LocalDateTime.parse(value, SECONDS));
        default -> Optional.empty();
      };
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  public Outcome outcome() {
    return outcomeOf(stat);
  }

  /** {@code delivered}, {@code failed}, {@code accepted}, {@code enroute} or {@code unknown}. */
  public String normalizedStatus() {
    return outcome().name().toLowerCase(Locale.ROOT);
  }

  /** False only for intermediate states (ENROUTE, SCHEDULED): another receipt will follow. */
  public boolean isFinal() {
    return outcome() != Outcome.ENROUTE;
  }

  /** The fields as the columns of STANDARDS' receipt vectors, for {@code sms receipt --json}. */
  public java.util.Map<String, Object> toJson() {
    var json = new java.util.LinkedHashMap<String, Object>();
    json.put("id", id);
    json.put("sub", sub);
    json.put("dlvrd", dlvrd);
    json.put("submit_date", submitDate.map(ISO_SECONDS::format).orElse(null));
    json.put("done_date", doneDate.map(ISO_SECONDS::format).orElse(null));
    json.put("stat", stat);
    json.put("err", err);
    json.put("text", text);
    json.put("normalized_status", normalizedStatus());
    json.put("is_final", isFinal());
    return json;
  }

  /** Maps a {@code stat} value (SMPP v3.4 §5.2.28 message states) to an outcome. */
  public static Outcome outcomeOf(String stat) {
    return switch (stat.toUpperCase(Locale.ROOT)) {
      case "DELIVRD", "DELIVERED" -> Outcome.DELIVERED;
      case "EXPIRED", "DELETED", "UNDELIV", "UNDELIVERABLE", "REJECTD", "REJECTED" ->
          Outcome.FAILED;
      case "ACCEPTD", "ACCEPTED" -> Outcome.ACCEPTED;
      case "ENROUTE", "SCHEDULED" -> Outcome.ENROUTE;
      default -> Outcome.UNKNOWN;
    };
  }

  /** Formats a receipt the way SMSCs do; used by the sandbox SMSC. */
  public static String format(
      String id,
      LocalDateTime submitted,
      LocalDateTime done,
      String stat,
      String err,
      String text) {
    boolean delivered = outcomeOf(stat) == Outcome.DELIVERED;
    String excerpt = text.length() > 20 ? text.substring(0, 20) : text;
    return "id:%s sub:001 dlvrd:%s submit date:%s done date:%s stat:%s err:%s text:%s"
        .formatted(
            id,
            delivered ? "001" : "000",
            MINUTES.format(submitted),
            MINUTES.format(done),
            stat,
            err,
            excerpt);
  }
}
