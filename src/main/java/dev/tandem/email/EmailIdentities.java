package dev.tandem.email;

import dev.tandem.config.ConfigException;
import dev.tandem.config.TandemConfig;
import dev.tandem.contact.EmailAddresses;
import dev.tandem.error.InvalidInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The From addresses an email may go out from: {@code email.identities} when listed (the first is
 * the default), else only {@code email.from}. Each may carry a display name and a Reply-To.
 */
public final class EmailIdentities {
  /** {@code Name <address>} or {@code "Name" <address>}. */
  private static final Pattern NAMED = Pattern.compile("(.*?)\\s*<([^<>]+)>");

  /**
   * One identity: the address (lower-cased, as matched), the display name, the Reply-To.
   *
   * @param header the From header as sent: {@code "Name" <address>} or the bare address
   */
  public record Identity(
      String address, Optional<String> name, Optional<String> replyTo, String header) {}

  /** The sender stored with a message: the From header and the Reply-To, if any. */
  public record Chosen(Optional<String> from, Optional<String> replyTo) {}

  private final List<Identity> identities;
  private final boolean listed;

  private EmailIdentities(List<Identity> identities, boolean listed) {
    this.identities = identities;
    this.listed = listed;
  }

  /** Checks {@code email.identities} (a bad one stops start-up). */
  public static EmailIdentities of(TandemConfig.Email config) {
    if (config.identities().isEmpty()) {
      List<Identity> single;
      try {
        single =
            List.of(
                parse("email.from", new TandemConfig.Identity(config.from(), Optional.empty())));
      } catch (ConfigException unusual) {
        single = List.of(); // email.from is sent as written; only a message cannot name it
      }
      return new EmailIdentities(single, false);
    }
    var out = new ArrayList<Identity>();
    for (TandemConfig.Identity given : config.identities()) {
      Identity identity = parse("email.identities", given);
      if (out.stream().anyMatch(i -> i.address().equals(identity.address()))) {
        throw new ConfigException(
            "email.identities",
            given.from(),
            "the address " + identity.address() + " is listed twice",
            "list each From address once");
      }
      out.add(identity);
    }
    return new EmailIdentities(List.copyOf(out), true);
  }

  private static Identity parse(String key, TandemConfig.Identity given) {
    String raw = given.from().strip();
    Matcher named = NAMED.matcher(raw);
    String name = null;
    String address = raw;
    if (named.matches()) {
      name = named.group(1).strip();
      if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
        name = name.substring(1, name.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
      }
      address = named.group(2).strip();
    }
    try {
      address = EmailAddresses.normalize(key, address);
      Optional<String> replyTo =
          given.replyTo().map(r -> EmailAddresses.normalize(key + ".replyTo", r));
      if (name != null && (name.isEmpty() || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f))) {
        throw new InvalidInput("invalid-name", key, "the display name is empty or has controls");
      }
      Optional<String> display = Optional.ofNullable(name);
      return new Identity(address, display, replyTo, header(display, address));
    } catch (InvalidInput e) {
      throw new ConfigException(
          key,
          given.from() + given.replyTo().map(r -> " (replyTo " + r + ")").orElse(""),
          e.getMessage(),
          "write an address, optionally with a display name: Shop <news@shop.example>");
    }
  }

  /** The From header: the name quoted (RFC 5322 quoted-string) unless it is plain words. */
  private static String header(Optional<String> name, String address) {
    if (name.isEmpty()) {
      return address;
    }
    String n = name.get();
    boolean plain = n.matches("[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+");
    return (plain ? n : "\"" + n.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
        + " <"
        + address
        + ">";
  }

  /**
   * The sender to store with a message: the identity it names in {@code email.from} (matched by
   * address), else the listed default, else none ({@code email.from}); the Reply-To it names, else
   * the identity's.
   *
   * @throws InvalidInput naming {@code email.from} or {@code email.replyTo}
   */
  public Chosen choose(String from, String replyTo) {
    Optional<String> reply =
        Optional.ofNullable(replyTo).map(r -> EmailAddresses.normalize("email.replyTo", r));
    if (from == null) {
      if (!listed) {
        return new Chosen(Optional.empty(), reply);
      }
      Identity first = identities.get(0);
      return new Chosen(Optional.of(first.header()), reply.or(first::replyTo));
    }
    String address = from.strip().toLowerCase(java.util.Locale.ROOT);
    Identity identity =
        identities.stream()
            .filter(i -> i.address().equals(address))
            .findFirst()
            .orElseThrow(() ->
                new InvalidInput(
                    "unknown-sender",
                    "email.from",
                    "email.from '"
                        + from
                        + "' is not a configured sender identity. Use one of "
                        + identities.stream().map(Identity::address).toList()
                        + ", or add it to email.identities in the configuration (and let its"
                        + " domain's SPF and DKIM cover it)."));
    return new Chosen(Optional.of(identity.header()), reply.or(identity::replyTo));
  }

  /** The From of an email that names none (a compliance reply), and its Reply-To. */
  public Chosen fallback() {
    return choose(null, null);
  }

  public List<Identity> identities() {
    return identities;
  }
}
