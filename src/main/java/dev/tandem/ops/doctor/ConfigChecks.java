package dev.tandem.ops.doctor;

import dev.tandem.config.TandemConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The configuration is complete for what it turns on: no network, no database. */
final class ConfigChecks implements Check {
  /** Values people leave in from samples and tutorials. */
  private static final Set<String> PLACEHOLDERS =
      Set.of("changeme", "change-me", "change_me", "secret", "password", "test", "example", "xxx");

  private final TandemConfig config;

  ConfigChecks(TandemConfig config) {
    this.config = config;
  }

  @Override
  public String name() {
    return "config";
  }

  @Override
  public List<Finding> run() {
    var findings = new ArrayList<Finding>();
    boolean realEmail = !config.sandboxEnabled() && config.smtp().host().isPresent();
    boolean realSmpp =
        !config.sandboxEnabled()
            && config.sms().provider() == TandemConfig.SmsProvider.SMPP
            && config.smpp().host().isPresent();
    if (config.realProvider() && config.http().publicUrl().isEmpty()) {
      findings.add(
          Finding.error(
              "config-public-url-missing",
              name(),
              "http.publicUrl is not set while real providers are configured.",
              "Unsubscribe, click and open links and provider callbacks would point at this"
                  + " machine’s local address; tandem serve refuses to start.",
              "Set http.publicUrl (TANDEM_HTTP_PUBLIC_URL) to the public https URL of this server,"
                  + " e.g. https://tandem.example.org."));
    }
    if (config.sandbox().mode() == TandemConfig.SandboxMode.ON
        && (config.smtp().host().isPresent() || config.smpp().host().isPresent())) {
      findings.add(
          Finding.warning(
              "config-sandbox-overrides-providers",
              name(),
              "sandbox.mode is on while smtp.host or smpp.host is set.",
              "Every message goes to the built-in sandbox, not to the relay or SMSC you"
                  + " configured: nobody receives anything.",
              "Set sandbox.mode to auto (or off) to send through smtp.host and smpp.host."));
    }
    if (realEmail) {
      if (config.email().dkim().isEmpty()) {
        findings.add(
            Finding.warning(
                "config-dkim-missing",
                name(),
                "Email goes to a real relay unsigned: email.dkimDomain, email.dkimSelector and"
                    + " email.dkimPrivateKey are empty.",
                "Gmail and Yahoo require DKIM (with SPF and DMARC) from bulk senders; unsigned mail"
                    + " is more often rejected or filed as spam.",
                "Generate an RSA-2048 key, set email.dkimDomain, email.dkimSelector and"
                    + " email.dkimPrivateKey, and publish the public key (docs/doctor.md#dns)."
                    + " Skip this only if your relay signs for your domain."));
      } else {
        String fromDomain = domainOf(config.email().from());
        String dkimDomain = config.email().dkim().get().domain().toLowerCase(Locale.ROOT);
        if (!fromDomain.equals(dkimDomain) && !fromDomain.endsWith("." + dkimDomain)) {
          findings.add(
              Finding.warning(
                  "config-dkim-not-aligned",
                  name(),
                  "email.dkimDomain "
                      + dkimDomain
                      + " is not the domain of email.from ("
                      + fromDomain
                      + ") nor a parent of it.",
                  "DMARC passes on DKIM only when the signing domain aligns with the From domain.",
                  "Set email.dkimDomain to " + fromDomain + " (or its organizational domain)."));
        }
      }
      if (config.email().bounceDomain().isEmpty()) {
        findings.add(
            Finding.warning(
                "config-bounce-domain-missing",
                name(),
                "email.bounceDomain is not set: bounces go to the From address.",
                "Without a bounce domain Tandem cannot tie a bounce to its delivery (VERP), so"
                    + " hard bounces do not become suppressions and the list decays.",
                "Set email.bounceDomain to a subdomain of your sending domain (e.g."
                    + " bounces.shop.example), give it an MX to this server, and set"
                    + " inbound.smtpPort (docs/doctor.md#dns)."));
      } else if (config.inbound().smtpPort().isEmpty() && config.inbound().mailboxUrl().isEmpty()) {
        findings.add(
            Finding.warning(
                "config-bounces-not-received",
                name(),
                "email.bounceDomain is set, but neither inbound.smtpPort nor inbound.mailboxUrl is:"
                    + " nothing receives the bounces.",
                "Bounces and complaints are lost, so bad addresses keep being mailed.",
                "Set inbound.smtpPort (and the bounce domain’s MX to this server), or"
                    + " inbound.mailboxUrl to the mailbox the bounces land in."));
      }
      if (config.smtp().username().isPresent()
          && config.smtp().startTls() != TandemConfig.StartTls.REQUIRED
          && !config.smtp().implicitTls()
          && !loopback(config.smtp().host().get())) {
        findings.add(
            Finding.warning(
                "config-smtp-auth-cleartext",
                name(),
                "smtp.startTls is "
                    + config.smtp().startTls().name().toLowerCase(Locale.ROOT)
                    + " and smtp.implicitTls is off while smtp.username is set.",
                "A relay that stops offering STARTTLS (or someone in between who strips it) gets"
                    + " the password in the clear.",
                "Set smtp.startTls to required (port 587) or smtp.implicitTls to on (port 465)."));
      }
    }
    if (realSmpp && config.smpp().password().isEmpty()) {
      findings.add(
          Finding.warning(
              "config-smpp-password-empty",
              name(),
              "smpp.password is empty.",
              "Most SMSCs refuse a bind without a password; one that accepts it lets anyone who"
                  + " knows the system_id send as you.",
              "Set smpp.password (TANDEM_SMPP_PASSWORD) to the password your SMSC gave you."));
    }
    if (!config.db().embedded() && config.db().password().isEmpty()) {
      findings.add(
          Finding.warning(
              "config-db-password-empty",
              name(),
              "db.url names an external PostgreSQL and db.password is empty.",
              "A database that accepts connections without a password holds every contact and"
                  + " consent record.",
              "Give the database user a password and set db.password (TANDEM_DB_PASSWORD)."));
    }
    placeholders()
        .forEach((key, value) ->
            findings.add(
                Finding.error(
                    "config-secret-placeholder",
                    name(),
                    key + " is still a placeholder value.",
                    "A secret anyone can guess is no secret: callbacks can be forged and accounts"
                        + " used by others.",
                    "Set "
                        + key
                        + " to the real value (e.g. openssl rand -hex 32 for secrets Tandem"
                        + " makes up itself).")));
    if (findings.isEmpty()) {
      findings.add(Finding.ok("config-ok", name(), "The configuration covers what it turns on."));
    }
    return findings;
  }

  private Map<String, String> placeholders() {
    var secrets = new LinkedHashMap<String, String>();
    config.smtp().password().ifPresent(v -> secrets.put("smtp.password", v));
    secrets.put("smpp.password", config.smpp().password());
    secrets.put("db.password", config.db().password());
    secrets.put("twilio.authToken", config.twilio().authToken());
    secrets.put("vonage.apiSecret", config.vonage().apiSecret());
    secrets.put("vonage.signatureSecret", config.vonage().signatureSecret());
    config.webhooks().callbackSecret().ifPresent(v -> secrets.put("webhooks.callbackSecret", v));
    config
        .emailEvents()
        .mailgunSigningKey()
        .ifPresent(v -> secrets.put("emailEvents.mailgunSigningKey", v));
    secrets.values().removeIf(v -> !PLACEHOLDERS.contains(v.strip().toLowerCase(Locale.ROOT)));
    return secrets;
  }

  /** The domain of {@code news@shop.example} or {@code Shop <news@shop.example>}. */
  static String domainOf(String address) {
    String bare = address.replaceAll(".*<([^>]*)>.*", "$1").strip();
    return bare.substring(bare.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
  }

  private static boolean loopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }
}
