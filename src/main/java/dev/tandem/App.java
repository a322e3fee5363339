package dev.tandem;

import dev.tandem.api.ApiKeys;
import dev.tandem.api.ApiServer;
import dev.tandem.config.ConfigException;
import dev.tandem.config.Redact;
import dev.tandem.config.TandemConfig;
import dev.tandem.consent.ConsentLedger;
import dev.tandem.consent.ConsentRecords;
import dev.tandem.consent.ContactFlags;
import dev.tandem.consent.DoubleOptIn;
import dev.tandem.consent.ErasedAddresses;
import dev.tandem.consent.Outbound;
import dev.tandem.consent.SignedLinks;
import dev.tandem.consent.SmsKeywords;
import dev.tandem.consent.Suppressions;
import dev.tandem.contact.Contact;
import dev.tandem.contact.ContactData;
import dev.tandem.contact.Contacts;
import dev.tandem.contact.PhoneNumbers;
import dev.tandem.delivery.CostReport;
import dev.tandem.delivery.DeliveryRecords;
import dev.tandem.delivery.Dispatcher;
import dev.tandem.delivery.Messages;
import dev.tandem.delivery.NodeId;
import dev.tandem.delivery.QueueMetrics;
import dev.tandem.delivery.RoutingSetup;
import dev.tandem.delivery.SmsPricing;
import dev.tandem.email.EmailEngagement;
import dev.tandem.email.EmailGateway;
import dev.tandem.email.EmailIdentities;
import dev.tandem.email.EmailRecords;
import dev.tandem.email.InboundEmails;
import dev.tandem.email.LinkSigner;
import dev.tandem.email.inbound.InboundSmtpServer;
import dev.tandem.email.inbound.MailboxPoller;
import dev.tandem.email.provider.ProviderEvents;
import dev.tandem.email.smtp.SmtpGateway;
import dev.tandem.event.Changes;
import dev.tandem.event.EventRecords;
import dev.tandem.event.Timeline;
import dev.tandem.imports.Importer;
import dev.tandem.ops.Health;
import dev.tandem.ops.Metrics;
import dev.tandem.ops.doctor.Doctor;
import dev.tandem.ops.doctor.Endpoint;
import dev.tandem.preference.Preferences;
import dev.tandem.privacy.ErasureKeyFile;
import dev.tandem.privacy.Privacy;
import dev.tandem.reputation.ReputationGuard;
import dev.tandem.routing.Money;
import dev.tandem.routing.QuietHours;
import dev.tandem.routing.Router;
import dev.tandem.routing.SendGate;
import dev.tandem.sandbox.SandboxSmtpServer;
import dev.tandem.sandbox.SmscSimulator;
import dev.tandem.sms.DeliveryReceipt;
import dev.tandem.sms.InboundMessages;
import dev.tandem.sms.InboundSms;
import dev.tandem.sms.PriceTable;
import dev.tandem.sms.RoutedSmsGateway;
import dev.tandem.sms.SenderType;
import dev.tandem.sms.SmsGateway;
import dev.tandem.sms.SmsProblems;
import dev.tandem.sms.SmsRecords;
import dev.tandem.sms.SmsSenders;
import dev.tandem.sms.http.TwilioGateway;
import dev.tandem.sms.http.VonageGateway;
import dev.tandem.sms.smpp.SmppGateway;
import dev.tandem.sms.smpp.SmscRoutes;
import dev.tandem.store.Database;
import dev.tandem.store.GroupCommit;
import dev.tandem.store.Secrets;
import dev.tandem.template.ShortLinks;
import dev.tandem.template.TemplateLint;
import dev.tandem.template.TemplateRenderer;
import dev.tandem.template.Templates;
import dev.tandem.topic.TopicClass;
import dev.tandem.topic.TopicJson;
import dev.tandem.topic.Topics;
import dev.tandem.webhook.WebhookSender;
import dev.tandem.webhook.Webhooks;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tandem wired by hand: reading this constructor tells which components run and which config chose
 * them. No container, no scanning.
 */
public final class App implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(App.class);

  /** How to start: tests pass their own clock, keep fsync off and drive the dispatcher by hand. */
  public record Options(
      Clock clock, boolean durableDatabase, int dispatchWorkers, Optional<String> bootstrapApiKey) {
    public static Options production(Optional<String> bootstrapApiKey) {
      return new Options(Clock.systemUTC(), true, 2, bootstrapApiKey);
    }
  }

  public final TandemConfig config;
  public final Database database;
  public final Optional<SandboxSmtpServer> sandboxSmtp;
  public final Optional<SmscSimulator> sandboxSmsc;
  public final SmsGateway sms;
  public final Optional<TwilioGateway> twilio;
  public final Optional<VonageGateway> vonage;
  public final EmailGateway email;
  public final Contacts contacts;
  public final Timeline timeline;
  public final Changes changes;
  public final ConsentLedger consent;
  public final Topics topics;
  public final Preferences preferences;
  public final CostReport costs;
  public final ErasedAddresses erased;
  public final ContactFlags flags;
  public final DoubleOptIn doubleOptIn;
  public final SmsKeywords keywords;
  public final Importer importer;
  public final Privacy privacy;
  public final Suppressions suppressions;
  public final Messages messages;
  public final Templates templates;
  public final ShortLinks shortLinks;
  public final Dispatcher dispatcher;
  public final InboundMessages inbound;
  public final SmsProblems smsProblems;
  public final InboundEmails inboundEmails;
  public final EmailEngagement engagement;
  public final Optional<InboundSmtpServer> inboundSmtp;
  public final Optional<MailboxPoller> mailboxPoller;
  public final ApiKeys apiKeys;
  public final PrometheusMeterRegistry metrics;
  public final Health health;
  public final ReputationGuard reputation;
  public final ApiServer api;
  public final Webhooks webhooks;
  public final WebhookSender webhookSender;
  private final List<AutoCloseable> closeInReverse = new ArrayList<>();

  private App(TandemConfig config, Options options) {
    this.config = config;
    requirePublicUrl(config);
    Clock clock = options.clock();
    // read before anything starts: a bad topic setting stops start-up like any config error
    var configuredTopics = TopicJson.configured(config.consent().topics());
    try {
      this.metrics = remember(new Metrics()).registry();
      this.database =
          remember(Database.open(config.db(), config.dataDir(), options.durableDatabase()));
      var jdbi = database.jdbi();

      boolean sandbox = config.sandboxEnabled();
      this.sandboxSmtp =
          sandbox
              ? Optional.of(remember(SandboxSmtpServer.start(config.sandbox().smtpPort(), clock)))
              : Optional.empty();
      this.sandboxSmsc =
          sandbox
              ? Optional.of(
                  remember(
                      SmscSimulator.start(
                          config.sandbox().smppPort(),
                          clock,
                          config.sandbox().receiptDelay(),
                          config.sandbox().receiptStatus())))
              : Optional.empty();

      this.timeline = new Timeline(jdbi);
      this.changes = new Changes(jdbi);
      this.erased = new ErasedAddresses(ErasureKeyFile.load(config, jdbi));
      this.contacts =
          contacts(
              jdbi,
              clock,
              new PhoneNumbers(
                  config.contacts().defaultRegion(), config.contacts().phoneValidation()),
              timeline,
              changes,
              erased);
      this.webhooks = new Webhooks(jdbi, clock, config.webhooks());
      timeline.sink(webhooks);
      changes.sink(webhooks);
      contacts.register(webhooks);
      this.webhookSender =
          remember(new WebhookSender(jdbi, clock, config.webhooks(), webhooks, metrics));
      var secrets = new Secrets(jdbi);
      this.topics = new Topics(jdbi, clock, config.consent().defaultTopic());
      var seeded = topics.seed(configuredTopics);
      if (!seeded.differing().isEmpty()) {
        log.warn(
            "Topics {} differ from config; the stored rows apply (change them with PUT"
                + " /v1/topics/KEY, see docs/topics.md)",
            seeded.differing());
      }
      this.consent = new ConsentLedger(jdbi, clock, timeline, changes, config.consent(), topics);
      this.preferences = new Preferences(jdbi, clock, contacts, topics, timeline);
      this.flags = new ContactFlags(jdbi, clock);
      this.doubleOptIn =
          new DoubleOptIn(
              jdbi,
              clock,
              consent,
              new Replies(),
              new SignedLinks(secrets.get("consent-links")),
              this::publicUrl);
      this.suppressions = new Suppressions(jdbi, clock, contacts.phoneNumbers());
      var gate =
          new SendGate(
              jdbi,
              consent,
              suppressions,
              erased,
              topic -> topics.find(topic).map(t -> t.topicClass()));
      this.keywords = new SmsKeywords(consent, doubleOptIn, flags, new Replies(), suppressions);
      this.importer = new Importer(jdbi, clock, contacts, consent, changes, erased);
      contacts.register(importer.runs());
      this.privacy = new Privacy(jdbi, clock, contacts, timeline, changes);
      this.smsProblems = new SmsProblems(jdbi, clock);
      this.inbound = new InboundMessages(jdbi, clock, contacts, timeline, smsProblems, metrics);
      inbound.subscribe(keywords::onSms);
      this.apiKeys = new ApiKeys(jdbi, clock);
      var links = new LinkSigner(secrets.get("links"));
      this.engagement = new EmailEngagement(jdbi, clock, timeline, consent);
      // a bounce that releases a fallback wakes the dispatcher, made further down
      var later = new java.util.concurrent.atomic.AtomicReference<Dispatcher>();
      var deliveryRecords =
          new DeliveryRecords(
              jdbi,
              timeline,
              metrics,
              () -> {
                Dispatcher d = later.get();
                if (d != null) {
                  d.wake();
                }
              });
      this.inboundEmails =
          new InboundEmails(
              jdbi,
              clock,
              contacts,
              timeline,
              engagement,
              links,
              config.inbound().unknownSenders(),
              deliveryRecords,
              suppressions,
              metrics);
      inboundEmails.subscribe(r -> keywords.onEmailReply(r.contactId(), r.id(), r.newText()));
      this.inboundSmtp =
          config
              .inbound()
              .smtpPort()
              .map(port ->
                  remember(
                      new InboundSmtpServer(
                          config.inbound(),
                          port,
                          config.dataDir().resolve("inbound-spool"),
                          inboundEmails)));
      this.mailboxPoller =
          config.inbound().mailboxUrl().map(url -> remember(new MailboxPoller(url, inboundEmails)));
      if (options.dispatchWorkers() > 0) {
        mailboxPoller.ifPresent(poller -> poller.start(config.inbound().pollInterval()));
      }

      String smtpHost = sandbox ? "127.0.0.1" : config.smtp().host().orElse(null);
      int smtpPort = sandbox ? sandboxSmtp.orElseThrow().port() : config.smtp().port();
      String smppHost = sandbox ? "127.0.0.1" : config.smpp().host().orElse(null);
      int smppPort = sandbox ? sandboxSmsc.orElseThrow().port() : config.smpp().port();
      var smsProvider = config.sms().provider();
      boolean twilioSms = smsProvider == TandemConfig.SmsProvider.TWILIO;
      boolean httpSms = smsProvider != TandemConfig.SmsProvider.SMPP;
      if (smtpHost == null || (smppHost == null && !httpSms)) {
        throw new IllegalStateException(
            "with sandbox.mode=off, smtp.host and (with sms.provider=smpp) smpp.host must be set (missing: "
                + (smtpHost == null ? "smtp.host " : "")
                + (smppHost == null && !httpSms ? "smpp.host" : "")
                + ")");
      }
      var quiet = quietHours(config.routing());
      String defaultSender =
          switch (smsProvider) {
            case TWILIO -> config.twilio().from();
            case VONAGE -> config.vonage().from();
            case SMPP -> config.smpp().sourceAddress();
          };
      var smsSenders = SmsSenders.of(config.sms().senders(), defaultSender);
      var emailIdentities = EmailIdentities.of(config.email());
      var gatewayListener = new GatewayEvents();
      this.email =
          remember(new SmtpGateway(smtpHost, smtpPort, config.smtp(), config.email(), clock));
      this.twilio =
          twilioSms
              ? Optional.of(
                  new TwilioGateway(
                      config.twilio(), config.http().publicUrl(), gatewayListener, clock))
              : Optional.empty();
      this.vonage =
          smsProvider == TandemConfig.SmsProvider.VONAGE
              ? Optional.of(
                  new VonageGateway(
                      config.vonage(),
                      config.http().publicUrl(),
                      gatewayListener,
                      clock,
                      new dev.tandem.store.OnceOnly(jdbi, clock)))
              : Optional.empty();
      this.sms =
          remember(
              switch (smsProvider) {
                case TWILIO -> twilio.orElseThrow();
                case VONAGE -> vonage.orElseThrow();
                case SMPP -> smppGateway(smppHost, smppPort, config, gatewayListener, clock);
              });
      this.dispatcher =
          remember(
              new Dispatcher(
                  jdbi,
                  timeline,
                  metrics,
                  sms,
                  email,
                  clock,
                  config.dispatch(),
                  config.email(),
                  links,
                  this::publicUrl,
                  consent,
                  gate,
                  quiet,
                  id -> contacts.find(id).flatMap(Contact::timeZone),
                  config.routing().defaultZone(),
                  NodeId.resolve(config.dispatch().nodeId(), config.dataDir()),
                  smsSenders,
                  emailIdentities));
      gatewayListener.dispatcher = dispatcher;
      this.reputation =
          remember(
              new ReputationGuard(
                  jdbi,
                  clock,
                  config.reputation(),
                  topics,
                  webhooks,
                  emailIdentities.choose(null, null).from().orElse(config.email().from()),
                  metrics));
      dispatcher.holdBack(reputation::holdBack);
      reputation.onResume(dispatcher::releaseHeldBack);
      later.set(dispatcher);
      dispatcher.takeBackOwnClaims();
      this.costs = new CostReport(jdbi);
      var pricing =
          new SmsPricing(
              config.sms().priceTable().map(PriceTable::load).orElseGet(PriceTable::none),
              SenderType.of(defaultSender),
              config.sms().substitution());
      this.shortLinks =
          new ShortLinks(jdbi, clock, timeline, secrets.get("short-links"), this::publicUrl);
      this.templates =
          new Templates(
              jdbi,
              clock,
              new TemplateRenderer(),
              topicKey -> {
                String key = topicKey.orElse(topics.defaultTopic());
                // a template's topic is the one its sends take: it must exist when it is saved
                topicKey.ifPresent(t -> topics.get("topic", t));
                TopicClass topicClass =
                    topics.find(key).map(t -> t.topicClass()).orElse(TopicClass.TRANSACTIONAL);
                return new TemplateLint.Context(
                    topicClass == TopicClass.MARKETING,
                    topics.policy(key, topicClass).smsSegmentBudget(),
                    config.sms().substitution(),
                    shortLinks.placeholder());
              });
      this.messages =
          new Messages(
              jdbi,
              remember(
                  new GroupCommit(
                      jdbi,
                      "accept",
                      // each committer holds a connection while its group runs: a third of the pool
                      Math.max(1, Math.min(4, config.db().poolSize() / 3)),
                      500)),
              clock,
              contacts,
              timeline,
              metrics,
              pricing,
              consent,
              gate,
              new RoutingSetup(
                  new Router(quiet),
                  topics::policy,
                  preferences::get,
                  config.routing().defaultZone(),
                  config
                      .routing()
                      .emailCost()
                      .map(amount -> new Money(amount, config.routing().emailCurrency())),
                  (handle, since, topic) -> costs.smsSpent(handle, topic, since)),
              templates,
              shortLinks,
              smsSenders,
              emailIdentities,
              dispatcher::wake);
      sms.start();
      registerGauges(jdbi, clock);

      options.bootstrapApiKey().ifPresent(apiKeys::bootstrap);
      this.health =
          new Health()
              .check("database", () -> database.reachable() ? null : "PostgreSQL does not answer")
              .check(
                  "sms",
                  () ->
                      sms.ready()
                          ? null
                          : httpSms
                              ? vonage
                                  .flatMap(VonageGateway::trouble)
                                  .orElse("the last request to the SMS provider failed")
                              : "SMPP not bound to " + smppHost + ":" + smppPort)
              .check(
                  "email",
                  () ->
                      email.ready()
                          ? null
                          : "last connection to SMTP relay "
                              + smtpHost
                              + ":"
                              + smtpPort
                              + " failed");
      this.api =
          remember(
              ApiServer.start(
                  new ApiServer.Features(
                      contacts,
                      messages,
                      timeline,
                      smsProblems,
                      apiKeys,
                      health,
                      metrics,
                      sandboxSmtp,
                      sandboxSmsc,
                      twilio,
                      vonage,
                      new ProviderEvents(config.emailEvents(), inboundEmails, clock),
                      engagement,
                      links,
                      consent,
                      flags,
                      doubleOptIn,
                      changes,
                      clock,
                      importer,
                      privacy,
                      suppressions,
                      inboundEmails,
                      inbound,
                      preferences,
                      costs,
                      config.routing().defaultZone(),
                      templates,
                      shortLinks,
                      webhooks,
                      reputation,
                      () ->
                          Doctor.standard(
                                  config,
                                  new Doctor.Database.Open(jdbi),
                                  clock,
                                  new Doctor.Endpoints(
                                      Optional.of(new Endpoint(smtpHost, smtpPort)),
                                      httpSms
                                          ? Optional.empty()
                                          : Optional.of(new Endpoint(smppHost, smppPort))))
                              .run()),
                  config.http().host(),
                  config.http().port(),
                  config.http().publicUrl()));
      if (options.dispatchWorkers() > 0) {
        dispatcher.start(options.dispatchWorkers());
        webhookSender.start();
        reputation.start();
      }
      log.info(summary(smtpHost, smtpPort, smppHost, smppPort));
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Contacts whose merge and erasure reach every feature: the one way to make them (the server, the
   * import command and the benchmarks alike; ArchitectureTest holds everyone else to it).
   */
  public static Contacts contacts(
      Jdbi jdbi,
      Clock clock,
      PhoneNumbers phones,
      Timeline timeline,
      Changes changes,
      ErasedAddresses erased) {
    var contacts = new Contacts(jdbi, clock, phones, timeline, changes);
    registerContactData(contacts, erased);
    return contacts;
  }

  /**
   * Every feature's part of a merge and an erasure, registered with {@code contacts}: the one list.
   * A feature that adds a table that refers to a contact adds its hook here;
   * ContactDataCoverageTest fails until it does.
   */
  private static void registerContactData(Contacts contacts, ErasedAddresses erased) {
    contacts.register(new DeliveryRecords());
    contacts.register(new SmsRecords());
    contacts.register(new EmailRecords());
    var events = new EventRecords(); // below contact: registered as functions
    contacts.register(
        ContactData.of(
            EventRecords.TABLES,
            events::merge,
            (handle, erasure) -> events.erase(handle, erasure.contactIds())));
    contacts.register(new ConsentRecords(erased));
    contacts.register(new dev.tandem.preference.PreferenceRecords());
    contacts.register(ShortLinks.records());
  }

  /** The built-in quiet-hour rules, or the operator's file (routing.quietHoursFile). */
  private static QuietHours quietHours(TandemConfig.Routing routing) {
    if (routing.quietHoursFile().isEmpty()) {
      return QuietHours.defaults();
    }
    java.nio.file.Path file = routing.quietHoursFile().get();
    try {
      return QuietHours.parse(java.nio.file.Files.readString(file));
    } catch (java.io.IOException | IllegalArgumentException e) {
      throw new ConfigException(
          "routing.quietHoursFile",
          file.toString(),
          e.getMessage(),
          "give a readable tab-separated file of region, days, from, until, source (see"
              + " docs/routing.md)");
    }
  }

  /** The SMPP gateway: one SMSC, or several routed by destination prefix (smpp.routesFile). */
  private static SmsGateway smppGateway(
      String host, int port, TandemConfig config, SmsGateway.Listener listener, Clock clock) {
    var fallback = new SmppGateway(host, port, config.smpp(), listener, clock);
    return config
        .smpp()
        .routesFile()
        .<SmsGateway>map(file ->
            new RoutedSmsGateway(fallback, SmscRoutes.load(file, config.smpp(), listener, clock)))
        .orElse(fallback);
  }

  public static App start(TandemConfig config, Options options) {
    return new App(config, options);
  }

  /** Receipts go to the dispatcher (which owns deliveries), inbound SMS to the inbound store. */
  private final class GatewayEvents implements SmsGateway.Listener {
    volatile Dispatcher dispatcher;

    @Override
    public void onReceipt(DeliveryReceipt receipt, String receiptKey, String raw) {
      dispatcher.onReceipt(receipt, receiptKey, raw);
    }

    @Override
    public void onInbound(InboundSms sms) {
      inbound.record(sms);
    }

    @Override
    public void onUnusable(String kind, String source, String raw, String reason) {
      smsProblems.record(kind, source, raw, reason);
    }
  }

  /** Compliance replies and double opt-in requests go out as messages. */
  private final class Replies implements Outbound {
    @Override
    public void sms(java.util.UUID contactId, String phone, String text, String answering) {
      messages.reply(contactId, phone, text, answering);
    }

    @Override
    public void email(java.util.UUID contactId, String subject, String text, String html) {
      messages.replyEmail(contactId, subject, text, html);
    }
  }

  /**
   * With real recipients, links in their messages must reach this server from outside: a local
   * fallback would send them to 127.0.0.1. One-click unsubscribe (RFC 8058) needs https.
   */
  private static void requirePublicUrl(TandemConfig config) {
    if (!config.realProvider()) {
      return;
    }
    String publicUrl = config.http().publicUrl();
    if (publicUrl.isEmpty()) {
      int port = config.http().port();
      throw new ConfigException(
          "http.publicUrl is not set: links in email (unsubscribe, click, open) and provider"
              + " callbacks would point at http://"
              + config.http().host()
              + ":"
              + (port == 0 ? "<random port>" : port)
              + ". Fix: set http.publicUrl to the public https URL of this server (e.g."
              + " https://tandem.example.org), or TANDEM_HTTP_PUBLIC_URL");
    }
    if (!publicUrl.startsWith("https://")) {
      log.warn(
          "http.publicUrl {} is not https: mail clients offer one-click unsubscribe (RFC 8058)"
              + " only over https, and links travel in the clear; set it to the https URL of this"
              + " server",
          publicUrl);
    }
  }

  /** The URL people's links point at: http.publicUrl, or the local server. */
  public String publicUrl() {
    return config.http().publicUrl().isEmpty() ? url() : config.http().publicUrl();
  }

  public String url() {
    return "http://" + config.http().host() + ":" + api.port();
  }

  /** What this node runs with, in one line for the log: no secrets, no personal data. */
  private String summary(String smtpHost, int smtpPort, String smppHost, int smppPort) {
    String sms =
        switch (config.sms().provider()) {
          case SMPP ->
              "SMPP "
                  + smppHost
                  + ":"
                  + smppPort
                  + " as "
                  + config.smpp().systemId()
                  + " ("
                  + config.smpp().binds()
                  + " bind(s), window "
                  + config.smpp().window()
                  + ")";
          case TWILIO -> "Twilio-compatible API " + Redact.url(config.twilio().baseUrl());
          case VONAGE -> "Vonage SMS API " + Redact.url(config.vonage().baseUrl());
        };
    return "Tandem started: API on "
        + url()
        + (config.http().publicUrl().isEmpty() ? "" : " (public " + config.http().publicUrl() + ")")
        + "; database "
        + config
            .db()
            .url()
            .map(Redact::url)
            .orElse("embedded in " + config.dataDir().resolve("postgres"))
        + "; SMS via "
        + sms
        + "; email via SMTP "
        + smtpHost
        + ":"
        + smtpPort
        + " (pool "
        + config.smtp().poolSize()
        + ", DKIM "
        + (config.email().dkim().isPresent() ? "on" : "off")
        + ")"
        + inboundSmtp.map(server -> "; inbound SMTP on port " + server.port()).orElse("")
        + (config.sandboxEnabled() ? "; sandbox on (nothing leaves this machine)" : "")
        + "; node "
        + dispatcher.nodeId();
  }

  /** Gauges read at each scrape: the queue from the database, the gateways' sessions and pools. */
  private void registerGauges(org.jdbi.v3.core.Jdbi jdbi, Clock clock) {
    new QueueMetrics(jdbi, clock, metrics);
    // counters at zero from the start, for every channel, outcome and topic known now
    for (var channel : dev.tandem.channel.Channel.values()) {
      DeliveryRecords.accepted(metrics, channel);
      for (var topic : topics.all()) {
        for (String status : List.of("sent", "delivered", "failed", "suppressed")) {
          DeliveryRecords.counter(metrics, channel, status, topic.key());
        }
      }
    }
    if (config.sms().provider() == TandemConfig.SmsProvider.SMPP) {
      Gauge.builder("tandem.smpp.sessions", sms, g -> g.load().sessions())
          .description("SMPP binds configured")
          .register(metrics);
      Gauge.builder("tandem.smpp.sessions.bound", sms, g -> g.load().bound())
          .description("SMPP binds bound now")
          .register(metrics);
      Gauge.builder("tandem.smpp.window.size", sms, g -> g.load().window())
          .description("Submits that may await their response at once, over all binds")
          .register(metrics);
      Gauge.builder("tandem.smpp.window.in.use", sms, g -> g.load().inFlight())
          .description("Submits awaiting their response now")
          .register(metrics);
    }
    if (email instanceof SmtpGateway smtp) {
      Gauge.builder("tandem.smtp.pool.size", smtp, SmtpGateway::poolSize)
          .description("SMTP connections allowed (smtp.poolSize)")
          .register(metrics);
      Gauge.builder("tandem.smtp.connections", smtp, SmtpGateway::connectionsInUse)
          .description("SMTP connections by state")
          .tag("state", "in_use")
          .register(metrics);
      Gauge.builder("tandem.smtp.connections", smtp, SmtpGateway::idleConnections)
          .description("SMTP connections by state")
          .tag("state", "idle")
          .register(metrics);
    }
    Gauge.builder("tandem.sms.ready", sms, g -> g.ready() ? 1 : 0)
        .description("1 when SMS can be sent now (bound, or the provider answered)")
        .register(metrics);
    Gauge.builder("tandem.email.ready", email, g -> g.ready() ? 1 : 0)
        .description("1 when the last connection to the SMTP relay worked")
        .register(metrics);
  }

  private <T extends AutoCloseable> T remember(T resource) {
    closeInReverse.add(resource);
    return resource;
  }

  @Override
  public void close() {
    for (int i = closeInReverse.size() - 1; i >= 0; i--) {
      try {
        closeInReverse.get(i).close();
      } catch (Exception e) {
        log.warn(
            "closing {} failed: {}",
            closeInReverse.get(i).getClass().getSimpleName(),
            e.getMessage());
      }
    }
    closeInReverse.clear();
  }
}
