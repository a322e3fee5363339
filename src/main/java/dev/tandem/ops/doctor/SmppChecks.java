package dev.tandem.ops.doctor;

import dev.tandem.config.TandemConfig;
import dev.tandem.sms.smpp.BindProbe;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The SMSC: bind with the configured credentials, enquire_link, unbind; no SMS is sent. */
final class SmppChecks implements Check {
  private final TandemConfig config;
  private final Optional<Endpoint> smsc;
  private final Duration timeout;

  SmppChecks(TandemConfig config, Optional<Endpoint> smsc, Duration timeout) {
    this.config = config;
    this.smsc = smsc;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "smpp";
  }

  @Override
  public List<Finding> run() {
    if (config.sms().provider() != TandemConfig.SmsProvider.SMPP) {
      return List.of();
    }
    if (smsc.isEmpty()) {
      return List.of(
          Finding.info(
              "smpp-sandbox",
              name(),
              "SMS go to the built-in sandbox SMSC of tandem serve; no SMSC to check.",
              "Set smpp.host to check a real SMSC."));
    }
    Endpoint endpoint = smsc.get();
    var result = new BindProbe(config.smpp(), timeout).probe(endpoint.host(), endpoint.port());
    if (result.failedAt().isEmpty()) {
      return List.of(
          Finding.ok(
              "smpp-ok",
              name(),
              "SMSC "
                  + endpoint
                  + " accepted a bind as "
                  + config.smpp().systemId()
                  + " and answered enquire_link"
                  + result.systemId().map(id -> " (system_id " + id + ")").orElse("")
                  + "."));
    }
    String why = "No SMS leaves: deliveries wait in the queue and retry until they give up.";
    return List.of(
        switch (result.failedAt().get()) {
          case CONNECT ->
              Finding.error(
                  "smpp-unreachable",
                  name(),
                  "Cannot connect to SMSC " + endpoint + ": " + result.detail() + ".",
                  why,
                  "Check smpp.host and smpp.port (2775 is common), that the SMSC allows this"
                      + " host’s address, and any VPN the provider requires.");
          case BIND ->
              Finding.error(
                  "smpp-bind-refused",
                  name(),
                  "SMSC " + endpoint + " refused the bind: " + result.detail() + ".",
                  why,
                  bindFix(result.commandStatus().orElse("")));
          case ENQUIRE_LINK ->
              Finding.error(
                  "smpp-enquire-link-failed",
                  name(),
                  "SMSC " + endpoint + " bound but " + result.detail() + ".",
                  "A session that does not answer enquire_link is dropped and rebound over and"
                      + " over; submits time out.",
                  "Ask the provider whether the bind is healthy; raise doctor.timeout if the SMSC"
                      + " is slow.");
        });
  }

  private static String bindFix(String status) {
    return switch (status) {
      case "ESME_RINVPASWD" ->
          "Check smpp.password (TANDEM_SMPP_PASSWORD): at most 8 characters, as the provider gave"
              + " it.";
      case "ESME_RINVSYSID" -> "Check smpp.systemId: the account name the provider gave you.";
      case "ESME_RINVSYSTYP" -> "Check smpp.systemType: many SMSCs want it empty.";
      case "ESME_RALYBND" ->
          "The account is bound elsewhere already; lower smpp.binds or ask the provider how many"
              + " binds it allows.";
      default ->
          "Check smpp.systemId, smpp.password and smpp.systemType with the provider, and that the"
              + " account may bind from this address.";
    };
  }
}
