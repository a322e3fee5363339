package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.support.TestApp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tandem templates push|pull|check|render} over a folder, against a running Tandem. */
class TemplatesCommandTest {
  static TestApp tandem;

  @BeforeAll
  static void start() {
    tandem = TestApp.start();
  }

  @AfterAll
  static void stop() {
    tandem.close();
  }

  static RouteCommandTest.Run templates(String... args) {
    String[] all = new String[args.length + 4];
    all[0] = "templates";
    all[1] = args[0];
    all[2] = "--url";
    all[3] = tandem.app.url();
    all[4] = "--api-key=" + TestApp.API_KEY;
    System.arraycopy(args, 1, all, 5, args.length - 1);
    return RouteCommandTest.run(all);
  }

  static void write(Path dir, String file, String text) throws IOException {
    Path path = dir.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, text + "\n", StandardCharsets.UTF_8);
  }

  /** Two templates, two locales, a snippet and an inline image. */
  static Path fixture(Path dir) throws IOException {
    write(dir, "snippets/signature.txt", "The Acme team");
    write(dir, "snippets/signature.html", "<p class=\"sig\">The Acme team</p>");
    write(
        dir,
        "order-shipped/template.json",
        "{\"description\": \"Order left the warehouse\", \"sampleData\": {\"order\": \"1042\","
            + " \"url\": \"https://shop.example/t/1042\"}, \"attachments\": [{\"file\":"
            + " \"files/logo.png\", \"contentType\": \"image/png\", \"contentId\": \"logo\"}]}");
    Files.createDirectories(dir.resolve("order-shipped/files"));
    Files.write(
        dir.resolve("order-shipped/files/logo.png"),
        java.util.Base64.getDecoder()
            .decode(
                "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="));
    write(dir, "order-shipped/default/subject.txt", "Order {{order}} has shipped");
    write(
        dir,
        "order-shipped/default/email.html",
        "<img src=\"cid:logo\" alt=\"Acme\"><p>Hi {{contact.firstName}},</p>\n<p>Order {{order}} is"
            + " on its way to you.</p><p><a class=\"button\" href=\"{{url}}\">Track it</a></p>{{>"
            + " signature}}");
    write(
        dir,
        "order-shipped/default/email.txt",
        "Order {{order}} is on its way: {{url}}\n{{> signature}}");
    write(dir, "order-shipped/default/sms.txt", "Acme: order {{order}} shipped. Track: {{url}}");
    write(dir, "order-shipped/pt-BR/subject.txt", "Pedido {{order}} enviado");
    write(
        dir,
        "order-shipped/pt-BR/email.html",
        "<img src=\"cid:logo\" alt=\"Acme\"><p>O pedido {{order}} está a caminho.</p><p><a"
            + " class=\"button\" href=\"{{url}}\">Rastrear</a></p>{{> signature}}");
    write(dir, "order-shipped/pt-BR/email.txt", "O pedido {{order}} está a caminho: {{url}}");
    write(dir, "code/template.json", "{\"sampleData\": {\"code\": \"123456\"}}");
    write(dir, "code/default/sms.txt", "Your code is {{code}}");
    return dir;
  }

  static Map<String, String> files(Path dir) throws IOException {
    var out = new TreeMap<String, String>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        out.put(
            dir.relativize(p).toString(),
            p.toString().endsWith(".png")
                ? java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(p))
                : Files.readString(p));
      }
    }
    return out;
  }

  @Test
  void push_saves_snippets_and_templates_then_a_second_push_changes_nothing(@TempDir Path dir)
      throws IOException {
    fixture(dir);
    var pushed = templates("push", "--dir", dir.toString());
    assertThat(pushed.status()).as(pushed.out() + pushed.err()).isZero();
    assertThat(pushed.out())
        .contains("snippet signature: saved")
        .contains("order-shipped: version")
        .contains("code: version");
    var saved = tandem.call("GET", "/v1/templates/order-shipped", null).body();
    assertThat(saved.get("variants").fieldNames()).toIterable().containsExactly("default", "pt-BR");
    assertThat(saved.get("attachments").get(0).get("contentId").asText()).isEqualTo("logo");
    assertThat(saved.at("/variants/default/sms/text").asText())
        .as("one trailing newline is the editor's, not the text's")
        .isEqualTo("Acme: order {{order}} shipped. Track: {{url}}");

    var again = templates("push", "--dir", dir.toString());
    assertThat(again.status()).isZero();
    assertThat(again.out())
        .contains("order-shipped: version")
        .contains("(unchanged)")
        .doesNotContain("(changed)");
  }

  @Test
  void pull_writes_the_same_files_and_pushing_them_changes_nothing(
      @TempDir Path source, @TempDir Path pulled) throws IOException {
    fixture(source);
    assertThat(templates("push", "--dir", source.toString()).status()).isZero();

    var pull = templates("pull", "--dir", pulled.toString(), "order-shipped", "code");
    assertThat(pull.status()).as(pull.err()).isZero();
    Map<String, String> before = files(source);
    Map<String, String> after = files(pulled);
    for (String file : before.keySet()) {
      if (!file.endsWith("template.json")) {
        assertThat(after.get(file)).as(file).isEqualTo(before.get(file));
      }
    }
    var push = templates("push", "--dir", pulled.toString());
    assertThat(push.status()).as(push.out()).isZero();
    assertThat(push.out()).doesNotContain("(changed)").doesNotContain("(created)");
  }

  @Test
  void check_finds_lint_errors_here_and_on_the_server_and_push_refuses_them(@TempDir Path dir)
      throws IOException {
    fixture(dir);
    write(
        dir, "code/default/sms.txt", "Your code is {{code}} " + "and some more words ".repeat(12));
    write(dir, "code/default/subject.txt", "Code {{> missing}}");
    write(dir, "code/default/email.txt", "Your code is {{code}}");

    var offline = templates("check", "--dir", dir.toString(), "--offline", "code");
    assertThat(offline.status()).as(offline.out() + offline.err()).isEqualTo(1);
    assertThat(offline.out()).contains("snippet-missing");
    var server = templates("check", "--dir", dir.toString(), "code");
    assertThat(server.status()).isEqualTo(1);
    assertThat(server.out()).contains("error").contains("snippet-missing");
    var push = templates("push", "--dir", dir.toString(), "code");
    assertThat(push.status()).isEqualTo(1);
    assertThat(push.out()).contains("code: refused").contains("snippet-missing");

    write(dir, "code/default/subject.txt", "Code");
    var overBudget =
        templates("check", "--dir", dir.toString(), "--offline", "--budget", "1", "code");
    assertThat(overBudget.status()).isEqualTo(1);
    assertThat(overBudget.out()).contains("sms-over-budget");
    var clean = templates("check", "--dir", dir.toString(), "--offline", "order-shipped");
    assertThat(clean.status()).as(clean.out()).isZero();
  }

  @Test
  void render_shows_both_channels_with_segments_here_and_from_the_server(@TempDir Path dir)
      throws IOException {
    fixture(dir);
    assertThat(templates("push", "--dir", dir.toString()).status()).isZero();
    var local =
        templates(
            "render", "--dir", dir.toString(), "--offline", "--locale", "pt-BR", "order-shipped");
    assertThat(local.status()).as(local.err()).isZero();
    assertThat(local.out())
        .contains("subject: Pedido 1042 enviado")
        .contains("sms (2 segments, UCS2, derived)")
        .contains("O pedido 1042 está a caminho");
    var remote = templates("render", "--locale", "pt-BR", "order-shipped");
    assertThat(remote.status()).as(remote.err()).isZero();
    assertThat(remote.out())
        .contains("Pedido 1042 enviado")
        .contains("derived")
        .contains("pointer sms");
  }

  @Test
  void an_unusable_folder_is_exit_2_naming_the_file(@TempDir Path dir) throws IOException {
    fixture(dir);
    write(dir, "code/template.json", "{not json");
    var broken = templates("push", "--dir", dir.toString());
    assertThat(broken.status()).isEqualTo(2);
    assertThat(broken.err()).contains("template.json").contains("is not JSON");

    write(dir, "code/template.json", "{}");
    Files.createDirectories(dir.resolve("code/xx_YY_bad!"));
    var locale = templates("check", "--dir", dir.toString(), "--offline");
    assertThat(locale.status()).isEqualTo(2);
    assertThat(locale.err()).contains("xx_YY_bad!").contains("is not a locale");

    var missing = templates("push", "--dir", dir.resolve("nope").toString());
    assertThat(missing.status()).isEqualTo(2);
    assertThat(missing.err()).contains("is not a folder");
  }
}
