package dev.tandem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem route}: what the router would do with a message to a contact on a topic, asked of a
 * running Tandem ({@code POST /v1/messages?dryRun=true}), printed as the plan with a reason for
 * every channel chosen or skipped. Nothing is sent or written.
 */
@Command(
    name = "route",
    mixinStandardHelpOptions = true,
    description = {
      "Show the routing plan for a message to a contact on a topic, without sending anything.",
      "Asks a running Tandem (a dry run of POST /v1/messages). Without --sms/--email-subject the"
          + " message is assumed to have content for both channels.",
      "Exit status: 0 planned, 1 refused or unreachable, 2 bad options."
    })
public final class RouteCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--contact", required = true, paramLabel = "ID", description = "Contact id.")
  String contact;

  @Option(names = "--topic", paramLabel = "KEY", description = "Topic (default: the default).")
  String topic;

  @Option(names = "--sms", paramLabel = "TEXT", description = "The SMS text.")
  String sms;

  @Option(names = "--email-subject", paramLabel = "TEXT", description = "The email's subject.")
  String emailSubject;

  @Option(
      names = "--channels",
      split = ",",
      paramLabel = "CH",
      description = "Name channels (sms,email) instead of letting the topic decide.")
  java.util.List<String> channels;

  @Option(
      names = "--url",
      paramLabel = "URL",
      defaultValue = "${env:TANDEM_URL:-http://127.0.0.1:8080}",
      description = "Where Tandem listens (env TANDEM_URL; default ${DEFAULT-VALUE}).")
  String url;

  @Option(
      names = "--api-key",
      paramLabel = "KEY",
      defaultValue = "${env:TANDEM_API_KEY}",
      description = "An API key (env TANDEM_API_KEY).")
  String apiKey;

  @Option(names = "--json", description = "Print the plan as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (apiKey == null || apiKey.isBlank()) {
      System.err.println(
          "tandem: route needs an API key: --api-key KEY or TANDEM_API_KEY (tandem apikey create).");
      return 2;
    }
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("contactId", contact);
    if (topic != null) {
      request.put("topic", topic);
    }
    if (channels != null) {
      request.put("channels", channels);
    }
    boolean given = sms != null || emailSubject != null;
    if (sms != null || !given) {
      request.put("sms", Map.of("text", sms != null ? sms : "(route preview)"));
    }
    if (emailSubject != null || !given) {
      request.put(
          "email",
          Map.of(
              "subject",
              emailSubject != null ? emailSubject : "(route preview)",
              "text",
              "(route preview)"));
    }
    HttpResponse<String> response;
    try {
      response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(url.replaceAll("/+$", "") + "/v1/messages?dryRun=true"))
                      .timeout(Duration.ofSeconds(30))
                      .header("Authorization", "Bearer " + apiKey)
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException | IllegalArgumentException e) {
      System.err.println("tandem: cannot reach Tandem at " + url + ": " + e.getMessage());
      return 1;
    }
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (Exception e) {
      System.err.println("tandem: " + url + " answered " + response.statusCode() + ", not JSON");
      return 1;
    }
    if (response.statusCode() != 200) {
      System.err.println(
          "tandem: " + body.path("title").asText("refused") + ": " + body.path("detail").asText());
      return 1;
    }
    if (json) {
      System.out.println(
          JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body.get("plan")));
      return 0;
    }
    JsonNode plan = body.path("plan");
    System.out.println(
        "Topic " + body.path("topic").asText() + ": " + plan.path("summary").asText());
    for (JsonNode step : plan.path("steps")) {
      System.out.printf(
          "  %-8s %-5s %-22s %s%n",
          step.path("kind").asText(),
          step.path("channel").asText(),
          step.path("code").asText(),
          step.path("reason").asText()
              + (step.hasNonNull("notBefore")
                  ? " (at " + step.get("notBefore").asText() + ")"
                  : ""));
    }
    for (JsonNode skip : plan.path("skipped")) {
      System.out.printf(
          "  %-8s %-5s %-22s %s%n",
          "skipped",
          skip.path("channel").asText(),
          skip.path("code").asText(),
          skip.path("reason").asText());
    }
    if (plan.hasNonNull("cost")) {
      System.out.println("  estimated cost: " + plan.get("cost"));
    }
    return 0;
  }
}
