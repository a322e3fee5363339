package dev.tandem.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The whole configuration, typed and validated. Built by {@link ConfigLoader} from defaults, an
 * optional YAML file and {@code TANDEM_*} environment variables, in that order.
 */
public record TandemConfig(
    Path dataDir,
    Http http,
    Db db,
    Contacts contacts,
    Sms sms,
    Sandbox sandbox,
    Smtp smtp,
    Email email,
    Smpp smpp,
    Twilio twilio,
    Vonage vonage,
    EmailEvents emailEvents,
    Inbound inbound,
    Dispatch dispatch,
    Consent consent,
    Privacy privacy,
    Routing routing,
    Webhooks webhooks,
    Log log,
    Reputation reputation,
    Doctor doctor) {

  /**
   * The reputation guard (docs/reputation.md): rates over {@code window}, judged once {@code
   * minimumSends} went out, checked every {@code checkEvery}; rates are fractions (0.003 = 0.3%).
   */
  public record Reputation(
      boolean enabled,
      Duration window,
      int minimumSends,
      double complaintRate,
      double bounceRate,
      double optOutRate,
      Duration checkEvery) {}

  /**
   * What Tandem logs (docs/observability.md): {@code level} for Tandem's own loggers (libraries log
   * warnings and errors), as plain lines or one JSON object per line.
   */
  public record Log(LogLevel level, LogFormat format) {}

  public enum LogLevel {
    TRACE,
    DEBUG,
    INFO,
    WARN,
    ERROR
  }

  public enum LogFormat {
    TEXT,
    JSON
  }

  public record Http(String host, int port, String publicUrl) {}

  /** {@code url} empty means: run the embedded PostgreSQL in {@code dataDir/postgres}. */
  /**
   * @param statementStats load pg_stat_statements into the embedded PostgreSQL (schema {@code
   *     stats}), for measuring: off by default
   */
  public record Db(
      Optional<String> url, String user, String password, int poolSize, boolean statementStats) {
    public boolean embedded() {
      return url.isEmpty();
    }
  }

  public record Contacts(String defaultRegion, PhoneValidation phoneValidation) {}

  /**
   * Which phone numbers are accepted: {@code POSSIBLE} (a length possible for the country; numbers
   * libphonenumber does not know to be valid are kept, marked not valid) or {@code STRICT}.
   */
  public enum PhoneValidation {
    POSSIBLE,
    STRICT
  }

  /**
   * @param substitution replace smart quotes, dashes, … to stay in GSM-7 (per message override)
   * @param priceTable YAML price table; none means costs are not computed
   * @param senders the sender ids a message may name ({@code sms.from}), as written; the first is
   *     the default. Empty: only the provider's own ({@code smpp.sourceAddress} or {@code
   *     twilio.from}). Checked by {@code dev.tandem.sms.SmsSenders} at start.
   */
  public record Sms(
      boolean substitution,
      Optional<Path> priceTable,
      SmsProvider provider,
      java.util.List<String> senders) {}

  /** How an SMS longer than one part goes to the SMSC. */
  public enum LongMessages {
    /** One submit_sm per part, with a concatenation UDH (esm_class 0x40): the default. */
    UDH,
    /** One submit_sm per part, with the sar_* TLVs. */
    SAR,
    /** One submit_sm with the whole text in message_payload; the SMSC splits it. */
    PAYLOAD
  }

  /** What data_coding 0 means to the SMSC. */
  public enum DefaultAlphabet {
    /** GSM 03.38 septets, one per octet (SMPP's "SMSC default alphabet"). */
    GSM7,
    /** The SMSC reads 0 as Latin-1: send GSM-7 text as ISO-8859-1 with data_coding 0x03. */
    LATIN1
  }

  public enum SandboxMode {
    AUTO,
    ON,
    OFF
  }

  public record Sandbox(
      SandboxMode mode, int smtpPort, int smppPort, Duration receiptDelay, String receiptStatus) {}

  public enum StartTls {
    REQUIRED,
    OPTIONAL,
    OFF
  }

  public record Smtp(
      Optional<String> host,
      int port,
      Optional<String> username,
      Optional<String> password,
      StartTls startTls,
      int poolSize,
      Duration timeout,
      boolean implicitTls,
      java.util.List<String> fallbackRelays,
      String sslTrust) {}

  /**
   * @param bounceDomain when set, each email's envelope sender is {@code
   *     bounces+<delivery>@bounceDomain} (VERP), so a bounce names its delivery
   * @param dkim signing settings, when a key is configured
   * @param identities the From addresses a message may name ({@code email.from}), as written; the
   *     first is the default. Empty: only {@code from}. Checked by {@code
   *     dev.tandem.email.EmailIdentities} at start.
   */
  public record Email(
      String from,
      String messageIdDomain,
      Optional<String> bounceDomain,
      Optional<Dkim> dkim,
      java.util.List<Identity> identities) {}

  /**
   * One configured sender identity: {@code from} as written ({@code news@shop.example} or {@code
   * Shop <news@shop.example>}) and the Reply-To its email carries, if any.
   */
  public record Identity(String from, Optional<String> replyTo) {}

  /** DKIM signing (RFC 6376): the signing domain, the selector and the RSA private key file. */
  public record Dkim(String domain, String selector, Path privateKey) {}

  /** How the id in a delivery receipt relates to the id in {@code submit_sm_resp}. */
  public enum ReceiptIds {
    SAME,
    HEX_TO_DECIMAL,
    DECIMAL_TO_HEX
  }

  public record Smpp(
      Optional<String> host,
      int port,
      String systemId,
      String password,
      String systemType,
      String sourceAddress,
      int window,
      Duration enquireLinkInterval,
      Duration responseTimeout,
      ReceiptIds receiptIds,
      LongMessages longMessages,
      DefaultAlphabet defaultAlphabet,
      Optional<Duration> validityPeriod,
      int binds,
      int maxPerSecond,
      Optional<Path> routesFile,
      BindMode bindMode) {}

  /** One transceiver session per bind, or a transmitter and a receiver. */
  public enum BindMode {
    TRANSCEIVER,
    TRANSMITTER_RECEIVER
  }

  /** Which gateway carries SMS. */
  public enum SmsProvider {
    SMPP,
    TWILIO,
    VONAGE
  }

  /** A Twilio-compatible HTTP provider; {@code baseUrl} is the API's scheme and host. */
  public record Twilio(String baseUrl, String accountSid, String authToken, String from) {}

  /**
   * The Vonage SMS API ({@code POST /sms/json}); {@code baseUrl} is the API's scheme and host.
   * Delivery receipts and inbound SMS come back signed with {@code signatureSecret} by {@code
   * signatureMethod}.
   */
  public record Vonage(
      String baseUrl,
      String apiKey,
      String apiSecret,
      String signatureSecret,
      VonageSignatureMethod signatureMethod,
      String from) {}

  /** The signature methods the Vonage dashboard offers for signed webhooks. */
  public enum VonageSignatureMethod {
    MD5HASH,
    MD5,
    SHA1,
    SHA256,
    SHA512
  }

  /**
   * Event webhooks of email service providers that relay Tandem's mail (docs/providers.md): each is
   * on when its key is set.
   *
   * @param mailgunSigningKey Mailgun's HTTP webhook signing key (HMAC-SHA-256)
   * @param sendgridVerificationKey SendGrid's signed event webhook verification key: the base64
   *     public key (ECDSA P-256) its settings page shows
   */
  public record EmailEvents(
      Optional<String> mailgunSigningKey, Optional<String> sendgridVerificationKey) {}

  /**
   * Receiving mail: an SMTP server on {@code smtpHost:smtpPort} (empty port = off, 0 = any free
   * port), taking at most {@code maxConnections} connections, {@code maxConnectionsPerAddress} from
   * one address, each closed after {@code idleTimeout} without a command; and/or a mailbox polled
   * every {@code pollInterval}.
   */
  public record Inbound(
      Optional<Integer> smtpPort,
      String smtpHost,
      Optional<String> mailboxUrl,
      Duration pollInterval,
      UnknownSenders unknownSenders,
      int maxConnections,
      int maxConnectionsPerAddress,
      Duration idleTimeout) {}

  /** What becomes of mail that answers nothing Tandem sent, from an address no contact has. */
  public enum UnknownSenders {
    /** Stored as unmatched, listed by the API; no contact is made (unsolicited mail is common). */
    STORE,
    /** Stored as unmatched, and its sender becomes a contact. */
    CREATE_CONTACT
  }

  public record Dispatch(
      int batchSize,
      Duration pollInterval,
      int maxAttempts,
      Duration retryBase,
      Duration retryMax,
      Duration lease,
      Optional<String> nodeId) {}

  /** Whether a revocation on one channel revokes the other channels too. */
  public enum RevocationScope {
    CHANNEL,
    ALL
  }

  /**
   * Consent: the topics, the policy switches, and the wording of the compliance replies ({@code
   * {sender}} is replaced by {@code senderName}, {@code {topic}} by a topic's description).
   */
  public record Consent(
      java.util.List<TopicSeed> topics,
      String defaultTopic,
      RevocationScope revocationScope,
      String senderName,
      String stopReply,
      String startReply,
      String helpReply,
      String confirmRequest,
      String confirmedReply,
      java.util.List<String> optOutKeywords,
      java.util.List<String> optInKeywords,
      java.util.List<String> helpKeywords,
      java.util.List<KeywordLanguage> keywordLanguages,
      Duration doubleOptInExpiry,
      Duration preferenceLinkTtl) {

    public Optional<TopicSeed> topic(String key) {
      return topics.stream().filter(t -> t.key().equals(key)).findFirst();
    }
  }

  /**
   * A topic as configured; {@code dev.tandem.topic.TopicJson.configured} reads it into a topic with
   * its policy at start (config knows no topic types: the topic package depends on the store).
   *
   * @param origin the config key it came from, for errors: {@code consent.topics} or {@code
   *     topics.KEY}
   * @param settings the topic as a JSON object: {@code class}, {@code description} and the policy
   *     keys of docs/topics.md
   */
  public record TopicSeed(String key, String origin, String settings) {}

  /**
   * @param erasureKeyFile the key of erased-address hashes; none means {@code dataDir/erasure.key},
   *     created on first start
   */
  public record Privacy(Optional<Path> erasureKeyFile) {}

  /**
   * Routing.
   *
   * @param defaultZone where a person is when neither their contact nor their number says
   * @param quietHoursFile quiet-hour rules replacing the built-in ones (tab-separated: region,
   *     days, from, until, source)
   * @param emailCost what one email costs, recorded on each email delivery and used by the plan
   * @param emailCurrency the currency of {@code emailCost}
   */
  public record Routing(
      java.time.ZoneId defaultZone,
      Optional<Path> quietHoursFile,
      Optional<java.math.BigDecimal> emailCost,
      String emailCurrency) {}

  /**
   * Outbound webhooks (docs/webhooks.md).
   *
   * @param retryFor how long a delivery is retried before it is given up
   * @param disableAfter a subscription whose every delivery failed for this long is disabled
   * @param timeout connect and answer time allowed to a receiver
   * @param allowPrivateNetworks whether receivers may be on loopback or private addresses
   *     (link-local addresses, where cloud metadata lives, are refused always)
   * @param callbackSecret what per-message status callbacks are signed with; none: messages cannot
   *     name a {@code statusCallback}
   */
  public record Webhooks(
      Duration retryFor,
      Duration disableAfter,
      Duration timeout,
      boolean allowPrivateNetworks,
      Optional<String> callbackSecret) {}

  /**
   * {@code tandem doctor} and {@code GET /v1/doctor} (docs/doctor.md).
   *
   * @param resolver the DNS server the DNS checks ask, as host:port; none: the system's resolvers
   * @param timeout how long each check may take (each connect, each answer)
   */
  public record Doctor(Optional<String> resolver, Duration timeout) {}

  /** True when messages go to real people: a relay, an SMSC or an SMS provider, not the sandbox. */
  public boolean realProvider() {
    return !sandboxEnabled() || sms.provider() != SmsProvider.SMPP;
  }

  /** True when the sandbox peers run and Tandem's clients point at them. */
  public boolean sandboxEnabled() {
    return switch (sandbox.mode()) {
      case ON -> true;
      case OFF -> false;
      case AUTO ->
          smtp.host().isEmpty() && smpp.host().isEmpty() && sms.provider() == SmsProvider.SMPP;
    };
  }

  /** Languages whose built-in SMS keyword lists are added to the English ones. */
  public enum KeywordLanguage {
    FR,
    ES,
    DE,
    PT
  }
}
