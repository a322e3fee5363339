package dev.tandem.ops.doctor;

import dev.tandem.config.TandemConfig;
import dev.tandem.email.smtp.RelayProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The SMTP relay, and each fallback relay: connect, EHLO, STARTTLS, AUTH; no mail is sent. */
final class SmtpChecks implements Check {
  private final TandemConfig.Smtp config;
  private final Optional<Endpoint> relay;
  private final Duration timeout;

  /**
   * @param relay where the relay is; empty when the sandbox relay inside {@code tandem serve} is
   *     used and this process does not know its port
   */
  SmtpChecks(TandemConfig.Smtp config, Optional<Endpoint> relay, Duration timeout) {
    this.config = config;
    this.relay = relay;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "smtp";
  }

  @Override
  public List<Finding> run() {
    if (relay.isEmpty()) {
      return List.of(
          Finding.info(
              "smtp-sandbox",
              name(),
              "Email goes to the built-in sandbox relay of tandem serve; no relay to check.",
              "Set smtp.host to check a real relay."));
    }
    var relays = new ArrayList<Endpoint>();
    relays.add(relay.get());
    for (String fallback : config.fallbackRelays()) {
      int colon = fallback.lastIndexOf(':');
      relays.add(
          new Endpoint(
              fallback.substring(0, colon), Integer.parseInt(fallback.substring(colon + 1))));
    }
    var findings = new ArrayList<Finding>();
    var probe = new RelayProbe(config, timeout);
    for (Endpoint endpoint : relays) {
      var result = probe.probe(endpoint.host(), endpoint.port());
      findings.add(finding(endpoint, result));
      if (result.failedAt().isEmpty()
          && !result.tls()
          && config.startTls() == TandemConfig.StartTls.OPTIONAL) {
        findings.add(
            Finding.warning(
                "smtp-no-tls",
                name(),
                "Relay " + endpoint + " offers no STARTTLS: mail and password travel unencrypted.",
                "Anyone on the path can read the messages (and the SMTP password).",
                "Use the relay’s TLS port (587 with STARTTLS, or 465 with smtp.implicitTls: on),"
                    + " then set smtp.startTls to required."));
      }
    }
    return findings;
  }

  private Finding finding(Endpoint endpoint, RelayProbe.Result result) {
    if (result.failedAt().isEmpty()) {
      return Finding.ok(
          "smtp-ok",
          name(),
          "Relay "
              + endpoint
              + " answered EHLO"
              + (result.tls() ? " over TLS" : "")
              + (result.authenticated()
                  ? " and accepted AUTH as " + config.username().orElseThrow()
                  : "")
              + ".");
    }
    String detail = result.detail();
    return switch (result.failedAt().get()) {
      case CONNECT ->
          Finding.error(
              "smtp-unreachable",
              name(),
              "Cannot connect to relay " + endpoint + ": " + detail + ".",
              "No email leaves: deliveries wait in the queue and retry until they give up.",
              "Check smtp.host and smtp.port (587 for submission, 465 with smtp.implicitTls: on),"
                  + " and that a firewall lets this host reach the relay.");
      case GREETING, EHLO ->
          Finding.error(
              "smtp-refused",
              name(),
              "Relay " + endpoint + " refused the session at " + step(result) + ": " + detail,
              "No email leaves while the relay refuses this host.",
              "Ask the relay’s operator to allow this host’s address; check smtp.host is a relay"
                  + " that accepts mail from you.");
      case STARTTLS ->
          detail.startsWith("the relay does not offer STARTTLS")
              ? Finding.error(
                  "smtp-starttls-missing",
                  name(),
                  "Relay " + endpoint + " " + detail.substring("the relay ".length()) + ".",
                  "smtp.startTls is required, so Tandem sends nothing over this relay rather than"
                      + " send in the clear.",
                  "Point smtp.port at the relay’s submission port that offers STARTTLS (587), or"
                      + " its TLS port with smtp.implicitTls: on (465). Only on a trusted network:"
                      + " smtp.startTls: optional.")
              : Finding.error(
                  "smtp-tls-failed",
                  name(),
                  "TLS with relay " + endpoint + " failed: " + detail,
                  "No email leaves over this relay.",
                  "If the relay uses its own certificate, list its host in smtp.sslTrust; if the"
                      + " name does not match the certificate, set smtp.host to the name it"
                      + " carries.");
      case AUTH ->
          Finding.error(
              "smtp-auth-failed",
              name(),
              "Relay "
                  + endpoint
                  + " refused AUTH as "
                  + config.username().orElse("(no username)")
                  + ": "
                  + detail,
              "The relay takes no mail from Tandem: every email stays queued and then fails.",
              "Check smtp.username and smtp.password (TANDEM_SMTP_PASSWORD); many providers want"
                  + " an app password or API key here, not the account password.");
    };
  }

  private static String step(RelayProbe.Result result) {
    return result.failedAt().orElseThrow().name();
  }
}
