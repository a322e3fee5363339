package dev.tandem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.App;
import dev.tandem.config.ConfigLoader;
import dev.tandem.config.TandemConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem demo}: starts Tandem with the sandbox in a temporary data directory, creates two
 * contacts through the API, sends each one message on SMS and email, waits for the SMTP server's
 * acceptance and the SMSC's delivery receipt, and prints both timelines.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Show Tandem end to end on the built-in sandbox, then exit.")
public final class DemoCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  @Option(
      names = "--keep-running",
      description = "Leave the server up afterwards and print its URL and an API key.")
  boolean keepRunning;

  @Option(names = "--port", paramLabel = "N", description = "HTTP port (default: any free port).")
  int port;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description = "How long to wait for receipts (default 60).")
  int timeoutSeconds = 60;

  private final HttpClient http = HttpClient.newHttpClient();
  private String base;
  private String apiKey;

  @Override
  public Integer call() throws Exception {
    long started = System.nanoTime();
    if (System.getProperty("tandem.log.level") == null) {
      System.setProperty("tandem.log.level", "WARN"); // keep the demo's output readable
    }
    Path dataDir = Files.createTempDirectory("tandem-demo-");
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    apiKey = "tdm_demo_" + HexFormat.of().formatHex(secret);
    TandemConfig config =
        ConfigLoader.load(
            null,
            Map.of(),
            Map.of(
                "dataDir",
                dataDir.toString(),
                "sandbox.mode",
                "on",
                "http.port",
                Integer.toString(port)));
    System.out.println(
        "Starting Tandem with the sandbox (SMTP server + SMPP SMSC) in " + dataDir + " …");
    App app = App.start(config, App.Options.production(Optional.of(apiKey)));
    try {
      base = app.url();
      System.out.println("Tandem is up at " + base + "\n");
      var people =
          List.of(
              Map.of(
                  "name",
                  "Ada Lovelace",
                  "phone",
                  "+44 7911 123456",
                  "email",
                  "Ada@Example.com",
                  "timeZone",
                  "Europe/London"),
              Map.of(
                  "name",
                  "Grace Hopper",
                  "phone",
                  "(415) 555-2671",
                  "email",
                  "grace@example.org",
                  "timeZone",
                  "America/New_York"));
      var contacts = new ArrayList<JsonNode>();
      var messages = new ArrayList<String>();
      for (Map<String, String> person : people) {
        JsonNode contact = call("POST", "/v1/contacts", person, 201);
        contacts.add(contact);
        System.out.printf(
            "Created contact %s  %s  %s  (%s)%n",
            contact.get("name").asText(),
            contact.get("phone").asText(),
            contact.get("email").asText(),
            contact.get("id").asText());
        String first = person.get("name").split(" ")[0];
        JsonNode message =
            call(
                "POST",
                "/v1/messages",
                Map.of(
                    "contactId", contact.get("id").asText(),
                    "channels", List.of("sms", "email"),
                    "sms",
                        Map.of(
                            "text",
                            "Hi "
                                + first
                                + ", your order #1042 has shipped. Details in your inbox."),
                    "email",
                        Map.of(
                            "subject",
                            "Your order #1042 has shipped",
                            "html",
                            "<h1>On its way</h1><p>Hi "
                                + first
                                + ", order <b>#1042</b> left our warehouse today.</p>"),
                    "idempotencyKey", "demo-order-1042-" + contact.get("id").asText()),
                202);
        messages.add(message.get("id").asText());
      }
      System.out.println(
          "\nSent one message to each on SMS and email; waiting for the SMTP server and the SMSC's receipts …");
      Instant deadline = Instant.now().plusSeconds(timeoutSeconds);
      for (String id : messages) {
        awaitFinal(id, deadline);
      }
      routedStep(app, contacts.get(0), deadline);
      templatedStep(contacts.get(1), deadline);
      consentStep(contacts.get(1), deadline);
      for (JsonNode contact : contacts) {
        printTimeline(contact);
      }
      System.out.printf("%nDemo finished in %.1f s.%n", (System.nanoTime() - started) / 1e9);
      if (keepRunning) {
        System.out.println("\nTandem keeps running at " + base);
        System.out.println("API key: " + apiKey);
        System.out.println(
            "Try:  curl -H 'Authorization: Bearer "
                + apiKey
                + "' "
                + base
                + "/v1/contacts/"
                + contacts.get(0).get("id").asText()
                + "/timeline");
        System.out.println("Press Ctrl-C to stop.");
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(() -> {
                  app.close();
                  deleteTree(dataDir);
                  stopped.countDown();
                }));
        stopped.await();
        return 0;
      }
      return 0;
    } finally {
      if (!keepRunning) {
        app.close();
        deleteTree(dataDir);
      }
    }
  }

  /**
   * Grace opts in to news by email, then texts STOP: the next news goes by email only, and the
   * ledger shows why.
   */
  /**
   * A message without channels: the topic's policy routes it (the default topic is transactional:
   * the preferred channel, email unless the person said otherwise, and SMS if it fails). The
   * sandbox relay refuses this one email, so the plan's fallback fires.
   */
  private void routedStep(App app, JsonNode ada, Instant deadline) throws Exception {
    System.out.println(
        "\nA routed message to Ada: no channels named, the topic's policy decides."
            + " The sandbox relay will refuse the email …");
    app.sandboxSmtp
        .orElseThrow()
        .rejectNext(1, 550, "5.1.1 mailbox unavailable (refused by the demo)");
    JsonNode accepted =
        call(
            "POST",
            "/v1/messages",
            Map.of(
                "contactId", ada.get("id").asText(),
                "sms", Map.of("text", "Your parcel #1042 arrives tomorrow between 9 and 12."),
                "email",
                    Map.of(
                        "subject",
                        "Your parcel arrives tomorrow",
                        "html",
                        "<p>Your parcel <b>#1042</b> arrives tomorrow between 9:00 and 12:00.</p>")),
            202);
    JsonNode plan = accepted.get("plan");
    System.out.println("  plan: " + plan.path("summary").asText());
    for (JsonNode step : plan.path("steps")) {
      System.out.printf(
          "    %-8s %-5s %s%n",
          step.path("kind").asText(), step.path("channel").asText(), step.path("reason").asText());
    }
    for (JsonNode skip : plan.path("skipped")) {
      System.out.printf(
          "    skipped  %-5s %s%n", skip.path("channel").asText(), skip.path("reason").asText());
    }
    String id = accepted.get("id").asText();
    awaitFinal(id, deadline);
    JsonNode message = call("GET", "/v1/messages/" + id, null, 200);
    for (JsonNode d : message.get("deliveries")) {
      System.out.printf(
          "  %-8s %-5s → %s%s%n",
          d.get("step").asText(),
          d.get("channel").asText(),
          d.get("status").asText(),
          d.hasNonNull("lastError") ? " (" + d.get("lastError").asText() + ")" : "");
    }
  }

  /**
   * One template, written once: a rich email and, since the template has no SMS, an SMS derived
   * from it (subject, the first paragraph, the tracking button as a short link) within one segment.
   */
  private void templatedStep(JsonNode grace, Instant deadline) throws Exception {
    System.out.println(
        "\nA template, written once as an email: Tandem renders the email and derives the SMS …");
    call(
        "PUT",
        "/v1/snippets/signature",
        Map.of("text", "The Acme team", "html", "<p style=\"color:#666\">The Acme team</p>"),
        201);
    call(
        "PUT",
        "/v1/templates/order-delivered",
        Map.of(
            "description",
            "Sent when the carrier confirms delivery",
            "sampleData",
            Map.of(
                "order",
                "1042",
                "place",
                "at the front door",
                "url",
                "https://shop.example/o/1042"),
            "variants",
            Map.of(
                "default",
                Map.of(
                    "email",
                    Map.of(
                        "subject",
                        "Order {{order}} was delivered",
                        "html",
                        "<h1>Delivered</h1><p>Hi {{contact.firstName}}, your order {{order}} was"
                            + " left {{place}}.</p><p><a class=\"button\" href=\"{{url}}\">See"
                            + " the photo</a></p>{{> signature}}",
                        "text",
                        "Hi {{contact.firstName}}, your order {{order}} was left {{place}}.\n"
                            + "See the photo: {{url}}\n\n{{> signature}}")))),
        201);
    JsonNode preview =
        call(
            "POST",
            "/v1/templates/order-delivered/preview",
            Map.of("contactId", grace.get("id").asText(), "channels", List.of("sms", "email")),
            200);
    JsonNode accepted =
        call(
            "POST",
            "/v1/messages",
            Map.of(
                "contactId", grace.get("id").asText(),
                "channels", List.of("sms", "email"),
                "template", "order-delivered",
                "data",
                    Map.of(
                        "order",
                        "1042",
                        "place",
                        "with your neighbour at no. 12",
                        "url",
                        "https://shop.example/o/1042")),
            202);
    awaitFinal(accepted.get("id").asText(), deadline);
    JsonNode sms = null;
    String phone = grace.get("phone").asText().replace("+", "");
    for (JsonNode item : call("GET", "/v1/sandbox/sms", null, 200).get("items")) {
      if (item.get("to").asText().replace("+", "").equals(phone)) {
        sms = item; // the newest is last
      }
    }
    System.out.println("  email subject: " + preview.at("/email/subject").asText());
    System.out.printf(
        "  derived SMS (%d segment, %s, previewed before sending):%n    %s%n",
        preview.at("/sms/segments").asInt(),
        preview.at("/sms/encoding").asText(),
        sms == null ? "(none)" : sms.get("text").asText());
  }

  private void consentStep(JsonNode grace, Instant deadline) throws Exception {
    String id = grace.get("id").asText();
    call(
        "POST",
        "/v1/contacts/" + id + "/consents",
        Map.of(
            "channel", "email",
            "topic", "news",
            "action", "grant",
            "wording", "Yes, email me news and offers"),
        201);
    System.out.println("\nGrace opts in to news by email, then texts STOP to the shop …");
    call(
        "POST",
        "/v1/sandbox/sms/inbound",
        Map.of("from", grace.get("phone").asText(), "text", "STOP"),
        202);
    for (int i = 0; ; i++) {
      JsonNode consents = call("GET", "/v1/contacts/" + id + "/consents", null, 200);
      if (consents.get("history").size() >= 2) {
        break;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("the STOP did not reach the ledger: " + consents);
      }
      Thread.sleep(50);
    }
    JsonNode news =
        call(
            "POST",
            "/v1/messages",
            Map.of(
                "contactId", id,
                "channels", List.of("sms", "email"),
                "topic", "news",
                "sms", Map.of("text", "Spring sale: 20% off everything this weekend."),
                "email",
                    Map.of(
                        "subject",
                        "Spring sale",
                        "html",
                        "<p>20% off everything this weekend.</p>",
                        "unsubscribe",
                        "on")),
            202);
    awaitFinal(news.get("id").asText(), deadline);
    JsonNode message = call("GET", "/v1/messages/" + news.get("id").asText(), null, 200);
    for (JsonNode d : message.get("deliveries")) {
      System.out.printf(
          "  news by %-5s → %s%s%n",
          d.get("channel").asText(),
          d.get("status").asText(),
          d.hasNonNull("lastError") ? " (" + d.get("lastError").asText() + ")" : "");
    }
  }

  private void awaitFinal(String messageId, Instant deadline) throws Exception {
    while (true) {
      JsonNode message = call("GET", "/v1/messages/" + messageId, null, 200);
      boolean done = true;
      for (JsonNode d : message.get("deliveries")) {
        String status = d.get("status").asText();
        boolean isFinal =
            d.get("channel").asText().equals("sms")
                ? status.equals("delivered") || status.equals("failed")
                : status.equals("sent") || status.equals("failed");
        isFinal |= status.equals("suppressed") || status.equals("cancelled");
        done &= isFinal;
      }
      if (done) {
        return;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException(
            "message " + messageId + " not final after " + timeoutSeconds + " s: " + message);
      }
      Thread.sleep(50);
    }
  }

  private void printTimeline(JsonNode contact) throws Exception {
    JsonNode timeline =
        call("GET", "/v1/contacts/" + contact.get("id").asText() + "/timeline", null, 200);
    System.out.printf(
        "%nTimeline of %s (%s, %s)%n",
        contact.get("name").asText(), contact.get("phone").asText(), contact.get("email").asText());
    String format = "  %-12s  %-19s  %-7s  %s%n";
    System.out.printf(format, "TIME (UTC)", "EVENT", "CHANNEL", "DETAIL");
    System.out.printf(format, "-".repeat(12), "-".repeat(19), "-".repeat(7), "-".repeat(40));
    var oldestFirst = new ArrayList<JsonNode>();
    timeline.get("items").forEach(e -> oldestFirst.addFirst(e)); // the API lists newest first
    for (JsonNode event : oldestFirst) {
      JsonNode detail = event.get("detail");
      String text =
          switch (event.get("type").asText()) {
            case "message.accepted" ->
                "channels "
                    + String.join(
                        ", ",
                        Stream.of(detail.get("channels"))
                            .flatMap(n -> {
                              var list = new ArrayList<String>();
                              n.forEach(c -> list.add(c.asText()));
                              return list.stream();
                            })
                            .toList())
                    + (detail.has("plan") ? " (" + detail.get("plan").asText() + ")" : "");
            case "delivery.sent" -> "provider id " + detail.path("providerId").asText();
            case "delivery.delivered", "delivery.receipt" ->
                "receipt stat " + detail.path("stat").asText();
            case "delivery.failed" -> detail.path("reason").asText(detail.path("stat").asText());
            case "delivery.suppressed", "delivery.released", "delivery.cancelled" ->
                detail.path("reason").asText();
            case "delivery.held" ->
                detail.path("step").asText()
                    + ", goes on "
                    + (detail.path("triggers").isEmpty()
                        ? "the email's acceptance"
                        : detail.path("triggers").toString());
            case "delivery.deferred" ->
                "until " + detail.path("until").asText() + ": " + detail.path("reason").asText();
            case "consent.granted", "consent.revoked" ->
                "topic "
                    + detail.path("topic").asText()
                    + " ("
                    + detail.path("source").asText()
                    + ")";
            case "sms.received" -> "\"" + detail.path("text").asText() + "\"";
            default -> detail.toString();
          };
      System.out.printf(
          format,
          TIME.format(Instant.parse(event.get("at").asText())),
          event.get("type").asText(),
          event.get("channel").isNull() ? "-" : event.get("channel").asText(),
          text);
    }
  }

  private JsonNode call(String method, String path, Object body, int expected)
      throws IOException, InterruptedException {
    var request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + apiKey)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != expected) {
      throw new IllegalStateException(
          method + " " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return JSON.readTree(response.body());
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory; the OS cleans it eventually
    }
  }
}
