package dev.tandem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.error.InvalidInput;
import dev.tandem.sms.SmsText;
import dev.tandem.template.Snippets;
import dev.tandem.template.TemplateDocument;
import dev.tandem.template.TemplateFolder;
import dev.tandem.template.TemplateJson;
import dev.tandem.template.TemplateLint;
import dev.tandem.template.TemplateRenderer;
import dev.tandem.topic.TopicClass;
import dev.tandem.topic.TopicPolicy;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tandem templates push|pull|check|render}: templates kept as a folder of files ({@link
 * TemplateFolder}), so they can live in git, and a running Tandem's templates kept in step with it.
 * {@code check --offline} and {@code render --offline} need no server (lint in CI).
 */
@Command(
    name = "templates",
    mixinStandardHelpOptions = true,
    description = {
      "Keep templates in a folder (./templates: KEY/LOCALE/subject.txt, email.html, email.txt,"
          + " sms.txt; snippets/NAME.txt) and in step with a running Tandem.",
      "Exit status: 0 done, 1 refused (lint errors, a 4xx) or Tandem unreachable, 2 bad options"
          + " or an unusable file."
    },
    subcommands = {
      TemplatesCommand.Push.class,
      TemplatesCommand.Pull.class,
      TemplatesCommand.Check.class,
      TemplatesCommand.Render.class
    })
public final class TemplatesCommand implements Runnable {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** Where the folder is and which Tandem to talk to. */
  static final class Target {
    @Option(
        names = "--dir",
        paramLabel = "DIR",
        defaultValue = "templates",
        description = "The templates folder (default: ${DEFAULT-VALUE}).")
    Path dir;

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

    PrintStream out = System.out;
    PrintStream err = System.err;

    /** Calls Tandem; a 2xx or 4xx answer is returned, anything else is {@link Unreachable}. */
    JsonNode call(String method, String path, Object body) throws Unreachable {
      if (apiKey == null || apiKey.isBlank()) {
        throw new Unreachable(
            "this needs an API key: --api-key KEY or TANDEM_API_KEY (tandem apikey create)");
      }
      HttpResponse<String> response;
      try {
        response =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + path))
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + apiKey)
                        .header("Content-Type", "application/json")
                        .method(
                            method,
                            body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(
                                    JSON.writeValueAsString(body)))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
      } catch (IOException | IllegalArgumentException e) {
        throw new Unreachable("cannot reach Tandem at " + url + ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Unreachable("interrupted");
      }
      if (response.statusCode() >= 500 || response.statusCode() == 401) {
        throw new Unreachable(
            url + " answered " + response.statusCode() + ": " + firstLine(response.body()));
      }
      try {
        ObjectNode node =
            response.body().isEmpty()
                ? JSON.createObjectNode()
                : (ObjectNode) JSON.readTree(response.body());
        node.put("_status", response.statusCode());
        return node;
      } catch (IOException | ClassCastException e) {
        throw new Unreachable(url + " answered " + response.statusCode() + ", not JSON");
      }
    }

    Optional<TemplateFolder.Contents> read(List<String> keys) {
      try {
        return Optional.of(TemplateFolder.read(dir, keys));
      } catch (TemplateFolder.Problem e) {
        err.println("tandem: " + e.getMessage());
        return Optional.empty();
      }
    }
  }

  /** Tandem cannot be asked (down, no key, a 5xx). */
  static final class Unreachable extends Exception {
    Unreachable(String message) {
      super(message);
    }
  }

  private static String firstLine(String text) {
    return text.lines().findFirst().orElse("").strip();
  }

  static void printFindings(PrintStream out, JsonNode findings) {
    for (JsonNode f : findings) {
      out.printf(
          "  %-7s %-32s %s: %s%n",
          f.path("severity").asText(),
          f.path("code").asText(),
          f.path("field").asText(),
          f.path("message").asText());
    }
  }

  static boolean anyError(JsonNode findings) {
    for (JsonNode f : findings) {
      if (f.path("severity").asText().equals("error")) {
        return true;
      }
    }
    return false;
  }

  @Command(
      name = "push",
      mixinStandardHelpOptions = true,
      description = {
        "Save the folder's snippets, then its templates, in Tandem: a changed template is a new"
            + " version; lint errors refuse it.",
        "Exit status: 0 all saved, 1 something refused or Tandem unreachable, 2 an unusable file."
      })
  static final class Push implements Callable<Integer> {
    @Mixin Target target = new Target();

    @Parameters(paramLabel = "KEY", description = "Templates to push (default: all).")
    List<String> keys = new ArrayList<>();

    @Override
    public Integer call() {
      Optional<TemplateFolder.Contents> contents = target.read(keys);
      if (contents.isEmpty()) {
        return 2;
      }
      boolean refused = false;
      try {
        for (var s : contents.get().snippets().entrySet()) {
          JsonNode answer = target.call("PUT", "/v1/snippets/" + s.getKey(), s.getValue());
          int status = answer.path("_status").asInt();
          if (status >= 400) {
            refused = true;
            target.out.println(
                "snippet " + s.getKey() + ": refused: " + answer.path("detail").asText());
          } else {
            target.out.println("snippet " + s.getKey() + ": saved");
          }
        }
        for (var t : contents.get().templates().entrySet()) {
          JsonNode answer = target.call("PUT", "/v1/templates/" + t.getKey(), t.getValue());
          int status = answer.path("_status").asInt();
          if (status >= 400) {
            refused = true;
            target.out.println(t.getKey() + ": refused: " + answer.path("detail").asText());
            printFindings(target.out, answer.path("findings"));
            continue;
          }
          target.out.println(
              t.getKey()
                  + ": version "
                  + answer.path("version").asInt()
                  + (status == 201
                      ? " (created)"
                      : answer.path("changed").asBoolean() ? " (changed)" : " (unchanged)"));
          printFindings(target.out, answer.path("findings"));
        }
      } catch (Unreachable e) {
        target.err.println("tandem: " + e.getMessage());
        return 1;
      }
      return refused ? 1 : 0;
    }
  }

  @Command(
      name = "pull",
      mixinStandardHelpOptions = true,
      description = {
        "Write Tandem's snippets and templates (current versions) into the folder. Files it does"
            + " not write are left alone.",
        "Exit status: 0 written, 1 Tandem unreachable or a template missing, 2 the folder cannot"
            + " be written."
      })
  static final class Pull implements Callable<Integer> {
    @Mixin Target target = new Target();

    @Parameters(paramLabel = "KEY", description = "Templates to pull (default: all).")
    List<String> keys = new ArrayList<>();

    @Override
    public Integer call() {
      var templates = new LinkedHashMap<String, JsonNode>();
      var snippets = new LinkedHashMap<String, JsonNode>();
      try {
        for (JsonNode s : target.call("GET", "/v1/snippets", null).path("items")) {
          snippets.put(s.path("key").asText(), s);
        }
        List<String> wanted = keys;
        if (wanted.isEmpty()) {
          wanted = new ArrayList<>();
          for (JsonNode t : target.call("GET", "/v1/templates", null).path("items")) {
            wanted.add(t.path("key").asText());
          }
        }
        for (String key : wanted) {
          JsonNode template =
              target.call(
                  "GET", "/v1/templates/" + URLEncoder.encode(key, StandardCharsets.UTF_8), null);
          if (template.path("_status").asInt() >= 400) {
            target.err.println("tandem: " + key + ": " + template.path("detail").asText());
            return 1;
          }
          templates.put(key, template);
        }
      } catch (Unreachable e) {
        target.err.println("tandem: " + e.getMessage());
        return 1;
      }
      try {
        List<Path> written = TemplateFolder.write(target.dir, templates, snippets);
        target.out.println(
            "wrote "
                + templates.size()
                + " templates and "
                + snippets.size()
                + " snippets ("
                + written.size()
                + " files) to "
                + target.dir);
      } catch (TemplateFolder.Problem e) {
        target.err.println("tandem: " + e.getMessage());
        return 2;
      }
      return 0;
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Lint the folder's templates: asks Tandem (its topics and snippets), or with --offline"
            + " runs the same lint here with the folder's snippets.",
        "Exit status: 0 no errors (warnings are printed), 1 errors or Tandem unreachable, 2 an"
            + " unusable file."
      })
  static final class Check implements Callable<Integer> {
    @Mixin Target target = new Target();

    @Parameters(paramLabel = "KEY", description = "Templates to check (default: all).")
    List<String> keys = new ArrayList<>();

    @Option(names = "--offline", description = "Lint here, without a running Tandem.")
    boolean offline;

    @Option(
        names = "--budget",
        paramLabel = "N",
        description = "Offline: the SMS segment budget (default: a transactional topic's).")
    Integer budget;

    @Option(names = "--marketing", description = "Offline: lint as a marketing topic.")
    boolean marketing;

    @Override
    public Integer call() {
      Optional<TemplateFolder.Contents> contents = target.read(keys);
      if (contents.isEmpty()) {
        return 2;
      }
      boolean errors = false;
      for (var t : contents.get().templates().entrySet()) {
        JsonNode findings;
        if (offline) {
          try {
            TemplateDocument document = TemplateJson.read(t.getKey(), t.getValue());
            var lint =
                TemplateLint.check(
                    document,
                    snippets(contents.get()),
                    new TemplateLint.Context(
                        marketing,
                        budget != null
                            ? budget
                            : TopicPolicy.defaults(TopicClass.TRANSACTIONAL).smsSegmentBudget(),
                        true),
                    new TemplateRenderer());
            findings = JSON.valueToTree(lint.stream().map(TemplateLint.Finding::toJson).toList());
          } catch (InvalidInput e) {
            findings =
                JSON.valueToTree(
                    List.of(
                        new TemplateLint.Finding(
                                TemplateLint.Severity.ERROR, e.code(), e.field(), e.getMessage())
                            .toJson()));
          }
        } else {
          try {
            JsonNode answer =
                target.call("POST", "/v1/templates/" + t.getKey() + "/check", t.getValue());
            if (answer.path("_status").asInt() >= 400) {
              findings =
                  JSON.valueToTree(
                      List.of(
                          Map.of(
                              "severity", "error",
                              "code", answer.path("code").asText(),
                              "field", answer.path("field").asText(),
                              "message", answer.path("detail").asText())));
            } else {
              findings = answer.path("findings");
            }
          } catch (Unreachable e) {
            target.err.println("tandem: " + e.getMessage());
            return 1;
          }
        }
        boolean bad = anyError(findings);
        errors |= bad;
        target.out.println(
            t.getKey() + ": " + (bad ? "errors" : findings.isEmpty() ? "ok" : "ok, with warnings"));
        printFindings(target.out, findings);
      }
      return errors ? 1 : 0;
    }
  }

  static Snippets snippets(TemplateFolder.Contents contents) {
    var map = new LinkedHashMap<String, Snippets.Snippet>();
    contents
        .snippets()
        .forEach((key, node) ->
            map.put(
                key,
                new Snippets.Snippet(
                    key,
                    node.path("text").asText(),
                    Optional.ofNullable(
                        node.hasNonNull("html") ? node.get("html").asText() : null))));
    return new Snippets(map);
  }

  @Command(
      name = "render",
      mixinStandardHelpOptions = true,
      description = {
        "Show what a template sends: the email's subject and text, the SMS with its segments and"
            + " encoding, the pointer SMS. Asks Tandem's preview (with --contact, a dry run of the"
            + " send with its routing plan); --offline renders the folder's copy here.",
        "Exit status: 0 rendered, 1 refused or Tandem unreachable, 2 bad options or files."
      })
  static final class Render implements Callable<Integer> {
    @Mixin Target target = new Target();

    @Parameters(paramLabel = "KEY", description = "The template.")
    String key;

    @Option(names = "--locale", paramLabel = "TAG", description = "The variant to render.")
    String locale;

    @Option(
        names = "--data",
        paramLabel = "FILE",
        description = "A JSON file with the data (default: the template's sampleData).")
    Path data;

    @Option(names = "--contact", paramLabel = "ID", description = "Render for this contact.")
    String contact;

    @Option(names = "--offline", description = "Render the folder's copy here.")
    boolean offline;

    @Option(names = "--json", description = "Print the preview as JSON.")
    boolean json;

    @Override
    public Integer call() throws IOException {
      Map<String, Object> values = null;
      if (data != null) {
        try {
          values = TemplateJson.object(JSON.readTree(Files.readString(data)), "data");
        } catch (IOException | InvalidInput e) {
          target.err.println(
              "tandem: " + data + ": not a JSON object of variables: " + e.getMessage());
          return 2;
        }
      }
      JsonNode preview;
      if (offline) {
        Optional<TemplateFolder.Contents> contents = target.read(List.of(key));
        if (contents.isEmpty()) {
          return 2;
        }
        try {
          TemplateDocument document = TemplateJson.read(key, contents.get().templates().get(key));
          var rendered =
              new TemplateRenderer()
                  .render(
                      document,
                      locale,
                      withContact(values != null ? values : document.sampleData()),
                      snippets(contents.get()),
                      new TemplateRenderer.Options(
                          TopicPolicy.defaults(TopicClass.TRANSACTIONAL).smsSegmentBudget(),
                          true,
                          url -> "https://tandem.example/s/PREVIEW000"),
                      TemplateRenderer.EmailOptions.NONE);
          preview = offlineJson(rendered);
        } catch (InvalidInput e) {
          target.err.println("tandem: " + e.field() + ": " + e.getMessage());
          return 1;
        }
      } else {
        var body = new LinkedHashMap<String, Object>();
        if (contact != null) {
          body.put("contactId", contact);
        }
        if (values != null) {
          body.put("data", values);
        }
        if (locale != null) {
          body.put("locale", locale);
        }
        try {
          preview = target.call("POST", "/v1/templates/" + key + "/preview", body);
        } catch (Unreachable e) {
          target.err.println("tandem: " + e.getMessage());
          return 1;
        }
        if (preview.path("_status").asInt() >= 400) {
          target.err.println(
              "tandem: " + preview.path("field").asText() + ": " + preview.path("detail").asText());
          return 1;
        }
      }
      ((ObjectNode) preview).remove("_status");
      if (json) {
        target.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(preview));
        return 0;
      }
      target.out.println("locale:  " + preview.path("locale").asText());
      JsonNode email = preview.path("email");
      if (!email.isMissingNode()) {
        target.out.println("subject: " + email.path("subject").asText());
        String text =
            email.hasNonNull("text")
                ? email.get("text").asText()
                : org.jsoup.Jsoup.parse(email.path("html").asText("")).text();
        target.out.println("email:");
        text.lines().forEach(l -> target.out.println("  " + l));
      }
      JsonNode sms = preview.path("sms");
      if (!sms.isMissingNode()) {
        target.out.printf(
            "sms (%d segment%s, %s, %s):%n  %s%n",
            sms.path("segments").asInt(),
            sms.path("segments").asInt() == 1 ? "" : "s",
            sms.path("encoding").asText(),
            sms.path("source").asText(),
            sms.path("text").asText());
      }
      JsonNode pointer = preview.path("pointerSms");
      if (!pointer.isMissingNode()) {
        target.out.println("pointer sms:\n  " + pointer.path("text").asText());
      }
      JsonNode plan = preview.path("message").path("plan");
      if (!plan.isMissingNode()) {
        target.out.println("plan:    " + plan.path("summary").asText());
      }
      return 0;
    }

    private static Map<String, Object> withContact(Map<String, Object> data) {
      if (data.containsKey("contact")) {
        return data;
      }
      var out = new LinkedHashMap<>(data);
      out.put("contact", Map.of("name", "Sample Person", "firstName", "Sample"));
      return out;
    }

    private static JsonNode offlineJson(TemplateRenderer.Rendered rendered) {
      ObjectNode out = JSON.createObjectNode().put("locale", rendered.locale());
      rendered
          .email()
          .ifPresent(e -> {
            ObjectNode email = out.putObject("email").put("subject", e.subject());
            e.html().ifPresent(h -> email.put("html", h));
            e.text().ifPresent(t -> email.put("text", t));
          });
      rendered
          .sms()
          .ifPresent(s -> {
            SmsText measured = rendered.smsText().orElseThrow();
            out.putObject("sms")
                .put("source", rendered.smsSource().name().toLowerCase(java.util.Locale.ROOT))
                .put("text", s.text())
                .put("segments", measured.segments())
                .put("encoding", measured.encoding().name())
                .put("units", measured.units());
          });
      return out;
    }
  }
}
