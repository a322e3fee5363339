package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.channel.Channel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every problem code the main sources can answer has a page in {@link ProblemTypes}, with the
 * status it is answered with; every page is for a code something answers. The codes are read from
 * the sources: the first argument of {@code new InvalidInput/NotFound/Conflict(…)}
 * (dev.tandem.error) and the second of {@code new Problem(…)} in the api package. A code built at
 * run time must be listed in {@link #COMPUTED} with the values it takes, so a new one fails here
 * until it is.
 */
class ProblemTypesTest {
  private static final Path MAIN = Path.of("src/main/java");

  /** Codes built from a variable, by file and expression: the codes they can be. */
  private static final Map<String, Function<Map<String, String>, Set<String>>> COMPUTED =
      new LinkedHashMap<>();

  static {
    // an exception caught and answered or rethrown keeps the code it was thrown with
    for (String passThrough :
        List.of("ApiServer i.code()", "ApiServer n.code()", "ApiServer c.code()")) {
      COMPUTED.put(passThrough, sources -> Set.of());
    }
    COMPUTED.put("TemplateRenderer e.code()", sources -> Set.of());
    // the HTTP layer's own statuses: ProblemTypes.find answers every http-NNN
    COMPUTED.put("BadMessageProblems \"http-\" + status", sources -> Set.of());
    COMPUTED.put("ApiServer \"http-\" + e.getStatus()", sources -> Set.of());
    COMPUTED.put(
        "ConsentRoutes \"missing-\" + field",
        sources ->
            calls(sources.get("ConsentRoutes"), "required\\(body, \"(\\w+)\"\\)", "missing-"));
    COMPUTED.put(
        "ReportRoutes \"missing-\" + name",
        sources -> calls(sources.get("ReportRoutes"), "instant\\(ctx, \"(\\w+)\"\\)", "missing-"));
    COMPUTED.put(
        "ReportRoutes \"invalid-\" + name",
        sources -> calls(sources.get("ReportRoutes"), "instant\\(ctx, \"(\\w+)\"\\)", "invalid-"));
    COMPUTED.put(
        "ApiServer \"invalid-\" + field",
        sources ->
            calls(
                sources.get("ApiServer"),
                "onOff\\(\\w+, (?:\"\\w+\", )?\"(\\w+)\"\\)",
                "invalid-"));
    COMPUTED.put("Contacts kind + \"-taken\"", sources -> Set.of("phone-taken", "email-taken"));
    COMPUTED.put(
        "Messages \"no-\" + channel.key() + \"-address\"",
        sources ->
            new TreeSet<>(
                Arrays.stream(Channel.values()).map(c -> "no-" + c.key() + "-address").toList()));
  }

  private static final Pattern CONSTRUCTION =
      Pattern.compile(
          "new (?:dev\\.tandem\\.error\\.)?(InvalidInput|NotFound|Conflict|Problem)\\(");

  record Answered(String code, Integer status, String where) {}

  @Test
  void every_code_the_api_can_answer_has_a_page_with_its_status() throws IOException {
    List<Answered> answered = answeredCodes();
    assertThat(answered).as("codes found in the sources").hasSizeGreaterThan(150);
    var missing = new ArrayList<String>();
    for (Answered a : answered) {
      var type = ProblemTypes.find(a.code());
      if (type.isEmpty()) {
        missing.add(a.where() + ": " + a.code() + " has no entry in ProblemTypes");
      } else if (a.status() != null && !type.get().statuses().contains(a.status())) {
        missing.add(
            a.where()
                + ": "
                + a.code()
                + " is answered with "
                + a.status()
                + ", ProblemTypes says "
                + type.get().statuses());
      }
    }
    assertThat(missing).isEmpty();
  }

  @Test
  void every_page_is_for_a_code_something_answers() throws IOException {
    Set<String> codes = new TreeSet<>();
    answeredCodes().forEach(a -> codes.add(a.code()));
    var stale = new ArrayList<String>();
    for (var type : ProblemTypes.all()) {
      // http-NNN pages stand for the HTTP server's own refusals, built from the status
      if (!codes.contains(type.code()) && !type.code().matches("http-\\d{3}")) {
        stale.add(type.code());
      }
    }
    assertThat(stale).as("pages for codes nothing answers").isEmpty();
  }

  @Test
  void every_page_says_what_went_wrong_and_how_to_fix_it() {
    for (var type : ProblemTypes.all()) {
      assertThat(type.code()).matches("[a-z0-9]+(-[a-z0-9]+)*");
      assertThat(type.statuses()).isNotEmpty().allMatch(s -> s >= 400 && s < 600);
      assertThat(List.of(type.title(), type.meaning(), type.fix()))
          .as(type.code())
          .allMatch(text -> !text.isBlank());
    }
    assertThat(ProblemTypes.find("http-418")).isPresent();
    assertThat(ProblemTypes.find("http-999")).isEmpty();
    assertThat(ProblemTypes.find("no-such-code")).isEmpty();
  }

  /** A code built at run time that this test does not know is a failure, not a skip. */
  private static List<Answered> answeredCodes() throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(MAIN)) {
      files = walk.filter(f -> f.toString().endsWith(".java")).sorted().toList();
    }
    Map<String, String> sources = new LinkedHashMap<>(); // by simple name, for COMPUTED
    for (Path file : files) {
      sources.put(file.getFileName().toString().replace(".java", ""), Files.readString(file));
    }
    var answered = new ArrayList<Answered>();
    var unknown = new ArrayList<String>();
    for (Path file : files) {
      String name = file.getFileName().toString().replace(".java", "");
      String source = Files.readString(file);
      boolean apiPackage = file.startsWith(MAIN.resolve("dev/tandem/api"));
      var matcher = CONSTRUCTION.matcher(source);
      while (matcher.find()) {
        String kind = matcher.group(1);
        boolean qualified = matcher.group().contains("dev.tandem.error.");
        boolean ours =
            kind.equals("Problem")
                ? apiPackage
                : qualified || source.contains("import dev.tandem.error." + kind + ";");
        if (!ours) {
          continue; // another record of the same name (ImportReport.Conflict, TemplateFolder…)
        }
        List<String> args = arguments(source, matcher.end());
        String code = kind.equals("Problem") ? args.get(1) : args.get(0);
        Integer status =
            switch (kind) {
              case "InvalidInput" -> 422;
              case "NotFound" -> 404;
              case "Conflict" -> 409;
              default -> args.get(0).matches("\\d{3}") ? Integer.valueOf(args.get(0)) : null;
            };
        String where = name + ".java:" + (source.substring(0, matcher.start()).lines().count());
        if (code.matches("\"[^\"]*\"")) {
          answered.add(new Answered(code.substring(1, code.length() - 1), status, where));
          continue;
        }
        var expansion = COMPUTED.get(name + " " + code);
        if (expansion == null) {
          unknown.add(
              where
                  + ": the code is built at run time ("
                  + code
                  + "); list the values it takes in ProblemTypesTest.COMPUTED and give each a"
                  + " page in ProblemTypes");
          continue;
        }
        Set<String> codes = expansion.apply(sources);
        if (code.contains("+ field") || code.contains("+ name")) {
          assertThat(codes).as(where + " " + code + " expands to something").isNotEmpty();
        }
        codes.forEach(c -> answered.add(new Answered(c, status, where)));
      }
    }
    assertThat(unknown).isEmpty();
    return answered;
  }

  private static Set<String> calls(String source, String call, String prefix) {
    var out = new TreeSet<String>();
    var m = Pattern.compile(call).matcher(source);
    while (m.find()) {
      out.add(prefix + m.group(1));
    }
    return out;
  }

  /** The top-level arguments of a call whose '(' ends at {@code from}, whitespace collapsed. */
  private static List<String> arguments(String source, int from) {
    var args = new ArrayList<String>();
    var current = new StringBuilder();
    int depth = 0;
    for (int i = from; i < source.length(); i++) {
      char c = source.charAt(i);
      if (c == '"' || c == '\'') {
        int end = i + 1;
        while (source.charAt(end) != c) {
          end += source.charAt(end) == '\\' ? 2 : 1;
        }
        current.append(source, i, end + 1);
        i = end;
      } else if (c == '(' || c == '[' || c == '{') {
        depth++;
        current.append(c);
      } else if (c == ')' || c == ']' || c == '}') {
        if (depth == 0) {
          args.add(current.toString().strip().replaceAll("\\s+", " "));
          return args;
        }
        depth--;
        current.append(c);
      } else if (c == ',' && depth == 0) {
        args.add(current.toString().strip().replaceAll("\\s+", " "));
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    throw new IllegalStateException("unclosed call at " + from);
  }
}
