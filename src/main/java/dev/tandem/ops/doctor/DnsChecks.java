package dev.tandem.ops.doctor;

import dev.tandem.config.TandemConfig;
import dev.tandem.email.smtp.SmtpGateway;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * DNS for sending and receiving mail, through {@code doctor.resolver} (or the system's): SPF of the
 * envelope domain lists the relay, the DKIM selector's key matches {@code email.dkimPrivateKey},
 * DMARC exists for the From domain, and the bounce domain has an MX.
 */
final class DnsChecks implements Check {
  /** RFC 7208 §4.6.4: at most 10 DNS-querying mechanisms per SPF evaluation. */
  private static final int SPF_LOOKUPS = 10;

  private final TandemConfig config;
  private final Resolver resolver;
  private final String resolverName;

  DnsChecks(TandemConfig config, Duration timeout) {
    this.config = config;
    Optional<String> configured = config.doctor().resolver();
    if (configured.isPresent()) {
      String value = configured.get();
      int colon = value.lastIndexOf(':');
      String host = value.substring(0, colon).replaceAll("^\\[|\\]$", "");
      this.resolver =
          new SimpleResolver(
              new InetSocketAddress(host, Integer.parseInt(value.substring(colon + 1))));
      this.resolverName = value;
    } else {
      this.resolver = new ExtendedResolver();
      this.resolverName = "the system resolver";
    }
    resolver.setTimeout(timeout);
    // answers with a 2048-bit DKIM key do not fit the 512 bytes of plain DNS over UDP
    resolver.setEDNS(0, 4096, 0, List.of());
  }

  @Override
  public String name() {
    return "dns";
  }

  /** A lookup that did not get an answer (timeout, SERVFAIL): not the same as "no record". */
  private static final class LookupFailed extends Exception {
    LookupFailed(String message) {
      super(message, null, false, false);
    }
  }

  @Override
  public List<Finding> run() {
    if (config.sandboxEnabled() || config.smtp().host().isEmpty()) {
      return List.of(
          Finding.info(
              "dns-skipped-sandbox",
              name(),
              "Email goes to the sandbox: the sending domain’s DNS is not checked.",
              "Set smtp.host to a real relay to check SPF, DKIM, DMARC and the bounce MX."));
    }
    var findings = new ArrayList<Finding>();
    String fromDomain = ConfigChecks.domainOf(config.email().from());
    String envelopeDomain = config.email().bounceDomain().orElse(fromDomain);
    step(findings, () -> spf(envelopeDomain));
    config.email().dkim().ifPresent(dkim -> step(findings, () -> dkim(dkim)));
    step(findings, () -> dmarc(fromDomain));
    config.email().bounceDomain().ifPresent(bounce -> step(findings, () -> bounceMx(bounce)));
    return findings;
  }

  private interface Step {
    Finding run() throws LookupFailed;
  }

  private void step(List<Finding> findings, Step step) {
    try {
      findings.add(step.run());
    } catch (LookupFailed e) {
      findings.add(
          Finding.error(
              "dns-lookup-failed",
              name(),
              e.getMessage(),
              "Without answers the doctor cannot tell whether receivers will accept your mail;"
                  + " receivers that get the same failure treat the mail as unauthenticated.",
              "Check doctor.resolver (host:port of a DNS server this host may ask), or the"
                  + " domain’s name servers."));
    }
  }

  private Finding spf(String domain) throws LookupFailed {
    List<String> records =
        txt(domain).stream().filter(t -> t.toLowerCase(Locale.ROOT).startsWith("v=spf1")).toList();
    if (records.isEmpty()) {
      return Finding.error(
          "dns-spf-missing",
          name(),
          "No SPF record (TXT v=spf1) at " + domain + ", the envelope sender’s domain.",
          "Receivers cannot tell the relay may send for "
              + domain
              + "; Gmail and Yahoo reject"
              + " or spam-folder unauthenticated bulk mail.",
          "Publish TXT at "
              + domain
              + ": \"v=spf1 include:<your relay’s SPF domain> -all\" (your relay documents"
              + " which include it needs).");
    }
    if (records.size() > 1) {
      return Finding.error(
          "dns-spf-multiple",
          name(),
          records.size() + " SPF records at " + domain + ".",
          "Two v=spf1 records make SPF fail outright (RFC 7208 permerror).",
          "Merge them into one TXT record at " + domain + ".");
    }
    String relay = config.smtp().host().orElseThrow().toLowerCase(Locale.ROOT);
    Set<InetAddress> relayAddresses = addresses(relay);
    var seen = new SpfWalk(relay, relayAddresses);
    if (seen.covers(domain, records.getFirst(), 0)) {
      return Finding.ok(
          "dns-spf-ok",
          name(),
          "SPF at " + domain + " lists the relay " + relay + " (" + seen.how + ").");
    }
    return Finding.warning(
        "dns-spf-relay-not-listed",
        name(),
        "SPF at "
            + domain
            + " (\""
            + records.getFirst()
            + "\") lists neither "
            + relay
            + " nor its addresses "
            + relayAddresses.stream().map(InetAddress::getHostAddress).toList()
            + ".",
        "If the relay sends from an address SPF does not list, receivers see an SPF fail for your"
            + " domain. (Large providers send from other addresses than their submission host:"
            + " then their documented include is enough, and this warning is wrong.)",
        "Add the include the relay documents (e.g. include:_spf.relay.example) or"
            + " ip4:/ip6: of its outbound addresses to the TXT record at "
            + domain
            + ".");
  }

  /** Follows include/redirect/a/mx of an SPF record, bounded, looking for the relay. */
  private final class SpfWalk {
    private final String relay;
    private final Set<InetAddress> relayAddresses;
    private int lookups;
    String how = "";

    SpfWalk(String relay, Set<InetAddress> relayAddresses) {
      this.relay = relay;
      this.relayAddresses = relayAddresses;
    }

    boolean covers(String domain, String record, int depth) throws LookupFailed {
      for (String term : record.split("\\s+")) {
        String t = term.toLowerCase(Locale.ROOT).replaceFirst("^[+?~-]", "");
        if (t.startsWith("ip4:") || t.startsWith("ip6:")) {
          for (InetAddress address : relayAddresses) {
            if (inRange(address, t.substring(4))) {
              how = term;
              return true;
            }
          }
        } else if (t.startsWith("include:") || t.startsWith("redirect=")) {
          String target = t.substring(t.indexOf(t.startsWith("include:") ? ':' : '=') + 1);
          if (relay.equals(target) || relay.endsWith("." + target) || sameOrganization(target)) {
            how = term;
            return true;
          }
          if (depth < 3 && ++lookups <= SPF_LOOKUPS) {
            for (String nested : txt(target)) {
              if (nested.toLowerCase(Locale.ROOT).startsWith("v=spf1")
                  && covers(target, nested, depth + 1)) {
                how = term + " → " + how;
                return true;
              }
            }
          }
        } else if (t.equals("a") || t.startsWith("a:") || t.startsWith("a/")) {
          String target = t.startsWith("a:") ? t.substring(2).replaceAll("/.*", "") : domain;
          if (relay.equals(target) || (++lookups <= SPF_LOOKUPS && intersects(addresses(target)))) {
            how = term;
            return true;
          }
        } else if (t.equals("mx") || t.startsWith("mx:") || t.startsWith("mx/")) {
          String target = t.startsWith("mx:") ? t.substring(3).replaceAll("/.*", "") : domain;
          if (++lookups <= SPF_LOOKUPS) {
            for (String exchanger : mx(target)) {
              if (relay.equals(exchanger) || intersects(addresses(exchanger))) {
                how = term;
                return true;
              }
            }
          }
        }
      }
      return false;
    }

    private boolean intersects(Set<InetAddress> addresses) {
      return addresses.stream().anyMatch(relayAddresses::contains);
    }

    /** smtp.relay.example and _spf.relay.example share relay.example: the relay's own SPF. */
    private boolean sameOrganization(String target) {
      return organization(relay).equals(organization(target.replaceFirst("^_[^.]*\\.", "")));
    }
  }

  private static String organization(String host) {
    String[] labels = host.split("\\.");
    return labels.length < 2 ? host : labels[labels.length - 2] + "." + labels[labels.length - 1];
  }

  private static boolean inRange(InetAddress address, String cidr) {
    try {
      String[] parts = cidr.split("/");
      byte[] network = org.xbill.DNS.Address.getByAddress(parts[0]).getAddress();
      byte[] candidate = address.getAddress();
      if (network.length != candidate.length) {
        return false;
      }
      int bits = parts.length > 1 ? Integer.parseInt(parts[1]) : network.length * 8;
      return new BigInteger(1, network)
          .shiftRight(network.length * 8 - bits)
          .equals(new BigInteger(1, candidate).shiftRight(candidate.length * 8 - bits));
    } catch (IllegalArgumentException | UnknownHostException e) {
      return false;
    }
  }

  private Finding dkim(TandemConfig.Dkim dkim) throws LookupFailed {
    String name = dkim.selector() + "._domainkey." + dkim.domain();
    RSAPublicKey configured;
    try {
      var key = SmtpGateway.readKey(dkim.privateKey());
      if (!(key instanceof RSAPrivateCrtKey crt)) {
        return Finding.warning(
            "dns-dkim-unchecked",
            name(),
            "email.dkimPrivateKey holds no public exponent; the DNS key cannot be compared.",
            "",
            "Use a PKCS#8 key as openssl genpkey writes it.");
      }
      configured =
          (RSAPublicKey)
              KeyFactory.getInstance("RSA")
                  .generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
    } catch (Exception e) {
      return Finding.error(
          "dns-dkim-key-unreadable",
          name(),
          "email.dkimPrivateKey " + dkim.privateKey() + " cannot be read: " + e.getMessage(),
          "Tandem cannot sign; serve refuses to start.",
          "Give an RSA private key in PKCS#8 (PEM or DER).");
    }
    String expected =
        "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(configured.getEncoded());
    String publish = "Publish TXT at " + name + ": \"" + expected + "\".";
    List<String> records = txt(name);
    Optional<String> published =
        records.stream().filter(r -> r.replace(" ", "").contains("p=")).findFirst();
    if (published.isEmpty()) {
      return Finding.error(
          "dns-dkim-missing",
          name(),
          "No DKIM key (TXT with p=) at " + name + ".",
          "Receivers cannot verify Tandem’s signatures: DKIM fails, and with it DMARC alignment.",
          publish);
    }
    String p = tag(published.get(), "p");
    if (p.isEmpty()) {
      return Finding.error(
          "dns-dkim-revoked",
          name(),
          "The DKIM key at " + name + " is revoked (empty p=).",
          "Every signature with selector " + dkim.selector() + " fails.",
          publish + " Or set email.dkimSelector to the selector of a current key.");
    }
    try {
      var inDns =
          (RSAPublicKey)
              KeyFactory.getInstance("RSA")
                  .generatePublic(new X509EncodedKeySpec(Base64.getMimeDecoder().decode(p)));
      if (inDns.getModulus().equals(configured.getModulus())
          && inDns.getPublicExponent().equals(configured.getPublicExponent())) {
        return Finding.ok(
            "dns-dkim-ok",
            name(),
            "The key at "
                + name
                + " matches email.dkimPrivateKey ("
                + configured.getModulus().bitLength()
                + " bits).");
      }
    } catch (Exception e) {
      return Finding.error(
          "dns-dkim-mismatch",
          name(),
          "The p= at " + name + " is not an RSA public key: " + e.getMessage(),
          "Every signature fails verification.",
          publish);
    }
    return Finding.error(
        "dns-dkim-mismatch",
        name(),
        "The key at " + name + " does not match email.dkimPrivateKey.",
        "Every signature Tandem makes fails verification: receivers treat the mail as"
            + " unsigned (or forged, under a strict DMARC policy).",
        publish + " If DNS holds the right key, set email.dkimPrivateKey to its private half.");
  }

  private Finding dmarc(String fromDomain) throws LookupFailed {
    // receivers fall back to the organizational domain (RFC 7489 §6.6.3)
    List<String> candidates = new ArrayList<>(List.of(fromDomain));
    String org = organization(fromDomain);
    if (!org.equals(fromDomain)) {
      candidates.add(org);
    }
    for (String domain : candidates) {
      Optional<String> policy =
          txt("_dmarc." + domain).stream()
              .filter(t -> t.toUpperCase(Locale.ROOT).replace(" ", "").startsWith("V=DMARC1"))
              .findFirst();
      if (policy.isPresent()) {
        String p = tag(policy.get(), "p");
        return Finding.ok(
            "dns-dmarc-ok",
            name(),
            "DMARC policy at _dmarc." + domain + ": p=" + (p.isEmpty() ? "(none given)" : p) + ".");
      }
    }
    return Finding.warning(
        "dns-dmarc-missing",
        name(),
        "No DMARC policy (TXT v=DMARC1) at _dmarc."
            + fromDomain
            + (candidates.size() > 1 ? " or _dmarc." + org : "")
            + ".",
        "Gmail, Yahoo and Outlook require DMARC from bulk senders (p=none is enough to start);"
            + " without it mail is rejected or spam-foldered.",
        "Publish TXT at _dmarc."
            + org
            + ": \"v=DMARC1; p=none; rua=mailto:dmarc@"
            + org
            + "\", and tighten p once reports look right.");
  }

  private Finding bounceMx(String bounceDomain) throws LookupFailed {
    List<String> exchangers = mx(bounceDomain);
    String fix =
        "Publish MX at "
            + bounceDomain
            + " pointing at the host that receives for Tandem (inbound.smtpPort, port 25 from"
            + " outside), with an A/AAAA record.";
    if (exchangers.isEmpty()) {
      return Finding.error(
          "dns-bounce-mx-missing",
          name(),
          "No MX at " + bounceDomain + " (email.bounceDomain).",
          "Bounces are addressed to bounces+…@"
              + bounceDomain
              + ": without an MX they are"
              + " lost, and bad addresses are never suppressed.",
          fix);
    }
    for (String exchanger : exchangers) {
      if (!addresses(exchanger).isEmpty()) {
        return Finding.ok(
            "dns-bounce-mx-ok", name(), "MX of " + bounceDomain + ": " + exchangers + ".");
      }
    }
    return Finding.error(
        "dns-bounce-mx-unresolvable",
        name(),
        "The MX of " + bounceDomain + " (" + exchangers + ") has no A or AAAA record.",
        "Senders cannot deliver bounces to a name without an address.",
        fix);
  }

  /** The value of a {@code tag=value;} list's tag, or "". */
  private static String tag(String record, String tag) {
    for (String part : record.split(";")) {
      String[] kv = part.strip().split("=", 2);
      if (kv.length == 2 && kv[0].strip().equalsIgnoreCase(tag)) {
        return kv[1].replaceAll("\\s", "");
      }
    }
    return "";
  }

  private List<String> txt(String name) throws LookupFailed {
    var out = new ArrayList<String>();
    for (Record r : query(name, Type.TXT)) {
      // a long TXT is split into strings of at most 255 bytes; they join without a separator
      out.add(String.join("", ((TXTRecord) r).getStrings()));
    }
    return out;
  }

  private List<String> mx(String name) throws LookupFailed {
    return query(name, Type.MX).stream()
        .map(r -> (MXRecord) r)
        .sorted(java.util.Comparator.comparingInt(MXRecord::getPriority))
        .map(r -> r.getTarget().toString(true).toLowerCase(Locale.ROOT))
        .toList();
  }

  private Set<InetAddress> addresses(String host) throws LookupFailed {
    var out = new LinkedHashSet<InetAddress>();
    try {
      out.add(org.xbill.DNS.Address.getByAddress(host));
      return out;
    } catch (UnknownHostException notALiteral) {
      // a name: ask DNS
    }
    for (Record r : query(host, Type.A)) {
      out.add(((ARecord) r).getAddress());
    }
    for (Record r : query(host, Type.AAAA)) {
      out.add(((AAAARecord) r).getAddress());
    }
    return out;
  }

  private List<Record> query(String name, int type) throws LookupFailed {
    Name qname;
    try {
      qname = Name.fromString(name.endsWith(".") ? name : name + ".");
    } catch (TextParseException e) {
      return List.of();
    }
    Message response;
    try {
      response = resolver.send(Message.newQuery(Record.newRecord(qname, type, DClass.IN)));
    } catch (IOException e) {
      throw new LookupFailed(
          "No answer from "
              + resolverName
              + " for "
              + Type.string(type)
              + " "
              + name
              + ": "
              + SmsProviderChecks.message(e)
              + ".");
    }
    int rcode = response.getRcode();
    if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
      throw new LookupFailed(
          resolverName
              + " answered "
              + Rcode.string(rcode)
              + " for "
              + Type.string(type)
              + " "
              + name
              + ".");
    }
    return response.getSection(Section.ANSWER).stream().filter(r -> r.getType() == type).toList();
  }
}
