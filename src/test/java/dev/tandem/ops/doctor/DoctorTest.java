package dev.tandem.ops.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.tandem.config.ConfigLoader;
import dev.tandem.config.TandemConfig;
import dev.tandem.sandbox.SandboxSmtpServer;
import dev.tandem.sandbox.SmscSimulator;
import dev.tandem.support.TestDns;
import dev.tandem.support.TestTls;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The doctor against real peers on 127.0.0.1: an SMTP relay with STARTTLS and AUTH, an SMSC that
 * checks credentials, a DNS server serving the shop's zone and a public URL; then one fault at a
 * time.
 */
class DoctorTest {
  static final String USER = "relay-user";
  static final String PASSWORD = "relay-password";
  static final String SMPP_PASSWORD = "s3cret";

  @TempDir static Path dir;
  static SSLContext tls;
  static SandboxSmtpServer relay;
  static SmscSimulator smsc;
  static TestDns dns;
  static HttpServer publicSite;
  static KeyPair dkimKey;
  static Path dkimKeyFile;

  @BeforeAll
  static void peers() throws Exception {
    tls = TestTls.serverContext(dir);
    relay = SandboxSmtpServer.startWithAuth(0, Clock.systemUTC(), tls, USER, PASSWORD);
    smsc = SmscSimulator.start(0, Clock.systemUTC(), Duration.ZERO, "DELIVRD");
    smsc.requireCredentials("tandem", SMPP_PASSWORD);
    var generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    dkimKey = generator.generateKeyPair();
    dkimKeyFile = dir.resolve("dkim.pem");
    Files.writeString(
        dkimKeyFile,
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(dkimKey.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
    dns = new TestDns();
    dns.txt("bounces.shop.example", "v=spf1 ip4:127.0.0.0/8 -all")
        .txt("shop.example", "v=spf1 ip4:127.0.0.1 -all")
        .txt("tandem._domainkey.shop.example", dkimRecord(dkimKey))
        .txt("_dmarc.shop.example", "v=DMARC1; p=none; rua=mailto:dmarc@shop.example")
        .mx("bounces.shop.example", 10, "mx.shop.example")
        .a("mx.shop.example", "127.0.0.1");
    publicSite = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    publicSite.createContext(
        "/health/live",
        exchange -> {
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    publicSite.start();
  }

  @AfterAll
  static void stop() {
    relay.close();
    smsc.close();
    dns.close();
    publicSite.stop(0);
  }

  static String dkimRecord(KeyPair key) {
    return "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(key.getPublic().getEncoded());
  }

  /** A production-like configuration pointing at the peers above; {@code changes} win. */
  static TandemConfig config(Map<String, String> changes) {
    var values = new HashMap<String, String>();
    values.put("dataDir", dir.resolve("data").toString());
    values.put("sandbox.mode", "off");
    values.put("smtp.host", "127.0.0.1");
    values.put("smtp.port", Integer.toString(relay.port()));
    values.put("smtp.username", USER);
    values.put("smtp.password", PASSWORD);
    values.put("smtp.startTls", "required");
    values.put("smtp.sslTrust", "127.0.0.1");
    values.put("smpp.host", "127.0.0.1");
    values.put("smpp.port", Integer.toString(smsc.port()));
    values.put("smpp.password", SMPP_PASSWORD);
    values.put("http.publicUrl", "https://tandem.shop.example");
    values.put("email.from", "Shop <news@shop.example>");
    values.put("email.bounceDomain", "bounces.shop.example");
    values.put("email.dkimDomain", "shop.example");
    values.put("email.dkimSelector", "tandem");
    values.put("email.dkimPrivateKey", dkimKeyFile.toString());
    values.put("inbound.smtpPort", "0");
    values.put("doctor.resolver", dns.address());
    values.put("doctor.timeout", "2s");
    values.putAll(changes);
    return ConfigLoader.load(null, Map.of(), values);
  }

  static List<Finding> smtp(TandemConfig config) {
    return new SmtpChecks(
            config.smtp(),
            Optional.of(new Endpoint("127.0.0.1", config.smtp().port())),
            config.doctor().timeout())
        .run();
  }

  static Finding only(List<Finding> findings, String code) {
    assertThat(findings).extracting(Finding::code).contains(code);
    return findings.stream().filter(f -> f.code().equals(code)).findFirst().orElseThrow();
  }

  @Test
  void a_clean_configuration_passes_the_relay_smsc_and_dns_checks() {
    TandemConfig config = config(Map.of());

    var findings = new java.util.ArrayList<Finding>();
    findings.addAll(new ConfigChecks(config).run());
    findings.addAll(smtp(config));
    findings.addAll(
        new SmppChecks(
                config, Optional.of(new Endpoint("127.0.0.1", smsc.port())), Duration.ofSeconds(2))
            .run());
    findings.addAll(new DnsChecks(config, Duration.ofSeconds(2)).run());

    assertThat(findings)
        .as(findings.toString())
        .allMatch(f -> f.severity() == Severity.OK)
        .extracting(Finding::code)
        .containsExactlyInAnyOrder(
            "config-ok",
            "smtp-ok",
            "smpp-ok",
            "dns-spf-ok",
            "dns-dkim-ok",
            "dns-dmarc-ok",
            "dns-bounce-mx-ok");
    assertThat(only(findings, "smtp-ok").found()).contains("over TLS", "AUTH as " + USER);
  }

  @Test
  void a_wrong_smtp_password_is_an_auth_error_with_the_servers_reply() {
    Finding finding =
        only(smtp(config(Map.of("smtp.password", "not-the-password"))), "smtp-auth-failed");

    assertThat(finding.severity()).isEqualTo(Severity.ERROR);
    assertThat(finding.found()).contains("535").doesNotContain("not-the-password");
    assertThat(finding.fix()).contains("smtp.password");
  }

  @Test
  void a_relay_without_starttls_fails_when_starttls_is_required() {
    try (var plain = SandboxSmtpServer.start(0, Clock.systemUTC())) {
      Finding finding =
          only(
              smtp(config(Map.of("smtp.port", Integer.toString(plain.port())))),
              "smtp-starttls-missing");

      assertThat(finding.severity()).isEqualTo(Severity.ERROR);
      assertThat(finding.fix()).contains("smtp.port", "smtp.implicitTls");
      assertThat(plain.receivedCount()).isZero();
    }
  }

  @Test
  void an_unreachable_relay_is_reported_at_connect() throws Exception {
    int closed;
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    Finding finding =
        only(smtp(config(Map.of("smtp.port", Integer.toString(closed)))), "smtp-unreachable");

    assertThat(finding.severity()).isEqualTo(Severity.ERROR);
    assertThat(finding.found()).contains("127.0.0.1:" + closed);
    assertThat(finding.fix()).contains("smtp.host", "smtp.port");
  }

  @Test
  void a_dkim_key_in_dns_that_does_not_match_is_an_error_whose_fix_is_the_record()
      throws Exception {
    var generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    dns.txt("other._domainkey.shop.example", dkimRecord(generator.generateKeyPair()));

    List<Finding> findings =
        new DnsChecks(config(Map.of("email.dkimSelector", "other")), Duration.ofSeconds(2)).run();

    Finding finding = only(findings, "dns-dkim-mismatch");
    assertThat(finding.severity()).isEqualTo(Severity.ERROR);
    assertThat(finding.fix()).contains("other._domainkey.shop.example", dkimRecord(dkimKey));
  }

  @Test
  void missing_dmarc_and_bounce_mx_and_an_spf_without_the_relay_are_found() {
    List<Finding> findings =
        new DnsChecks(
                config(
                    Map.of(
                        "email.from", "News <news@nodmarc.example>",
                        "email.dkimDomain", "shop.example",
                        "email.bounceDomain", "shop.example",
                        "smtp.host", "relay.elsewhere.example")),
                Duration.ofSeconds(2))
            .run();

    assertThat(only(findings, "dns-dmarc-missing").severity()).isEqualTo(Severity.WARNING);
    assertThat(only(findings, "dns-bounce-mx-missing").severity()).isEqualTo(Severity.ERROR);
    assertThat(only(findings, "dns-spf-relay-not-listed").fix()).contains("shop.example");
  }

  @Test
  void a_wrong_smpp_password_names_the_command_status() {
    List<Finding> findings =
        new SmppChecks(
                config(Map.of("smpp.password", "wrong")),
                Optional.of(new Endpoint("127.0.0.1", smsc.port())),
                Duration.ofSeconds(2))
            .run();

    Finding finding = only(findings, "smpp-bind-refused");
    assertThat(finding.severity()).isEqualTo(Severity.ERROR);
    assertThat(finding.found()).contains("ESME_RINVPASWD");
    assertThat(finding.fix()).contains("smpp.password");
  }

  @Test
  void the_public_url_must_answer_health_live() {
    String url = "http://127.0.0.1:" + publicSite.getAddress().getPort();
    List<Finding> reachable = new PublicUrlChecks(url, Duration.ofSeconds(2)).run();
    List<Finding> elsewhere = new PublicUrlChecks(url + "/nothing", Duration.ofSeconds(2)).run();

    assertThat(reachable)
        .extracting(Finding::code)
        .containsExactlyInAnyOrder("public-url-not-https", "public-url-ok");
    assertThat(only(elsewhere, "public-url-unreachable").found()).contains("404");
  }

  @Test
  void a_whole_run_against_unreachable_hosts_reports_each_of_them() throws Exception {
    int closed;
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    TandemConfig config =
        config(
            Map.of(
                "smtp.port",
                Integer.toString(closed),
                "smpp.port",
                Integer.toString(closed),
                "http.publicUrl",
                "https://127.0.0.1:" + closed,
                "doctor.resolver",
                "127.0.0.1:" + closed));

    Report report =
        Doctor.standard(
                config,
                new Doctor.Database.Unavailable("not in this test"),
                Clock.systemUTC(),
                Doctor.Endpoints.of(config))
            .run();

    assertThat(report.hasErrors()).isTrue();
    assertThat(report.findings())
        .extracting(Finding::code)
        .contains(
            "smtp-unreachable", "smpp-unreachable", "public-url-unreachable", "dns-lookup-failed");
    assertThat(report.findings().getFirst().severity()).isEqualTo(Severity.ERROR);
  }
}
