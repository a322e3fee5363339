package dev.tandem.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.contact.Locales;
import dev.tandem.error.InvalidInput;
import dev.tandem.template.TemplateDocument.EmailVariant;
import dev.tandem.template.TemplateDocument.SmsVariant;
import dev.tandem.template.TemplateDocument.Variant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Rendering: the variant by locale, escaping per channel, missing variables, snippets, links. */
class TemplateRendererTest {
  final TemplateRenderer renderer = new TemplateRenderer();
  final Snippets snippets =
      new Snippets(
          Map.of(
              "sig", new Snippets.Snippet("sig", "Ana & Co\nSupport: 0800 123", Optional.empty())));
  final List<String> shortened = new ArrayList<>();
  final TemplateRenderer.Options options =
      new TemplateRenderer.Options(
          2,
          true,
          url -> {
            shortened.add(url);
            return "https://t.example/s/AAAAAAA" + shortened.size() + "xx";
          });

  static Variant both(String subject, String html, String sms) {
    return new Variant(
        Optional.of(new EmailVariant(subject, Optional.of(html), Optional.of(subject))),
        sms == null ? Optional.empty() : Optional.of(new SmsVariant(sms, true)));
  }

  TemplateDocument template() {
    var variants = new LinkedHashMap<String, Variant>();
    variants.put("default", both("Hello {{name}}", "<p>Hello {{name}}</p>", "Hello {{name}}"));
    variants.put("pt", both("Olá {{name}}", "<p>Olá {{name}}</p>", "Olá {{name}}"));
    variants.put("pt-BR", both("Oi {{name}}", "<p>Oi {{name}}, tudo bem?</p>", null));
    variants.put("de", both("Hallo {{name}}", "<p>Hallo {{name}}</p>", "Hallo {{name}}"));
    variants.put("zh-Hant", both("你好 {{name}}", "<p>你好 {{name}}</p>", "你好 {{name}}"));
    return new TemplateDocument("greet", "", Optional.empty(), Map.of(), variants, List.of());
  }

  TemplateRenderer.Rendered render(String locale, Map<String, Object> data) {
    return renderer.render(
        template(), locale, data, snippets, options, TemplateRenderer.EmailOptions.NONE);
  }

  @Test
  void the_locale_chain_goes_from_specific_to_default() {
    assertThat(Locales.chain("pt-BR")).containsExactly("pt-BR", "pt", "default");
    assertThat(Locales.chain("zh-Hant-TW"))
        .containsExactly("zh-Hant-TW", "zh-Hant", "zh", "default");
    assertThat(Locales.chain(null)).containsExactly("default");
    assertThat(Locales.normalize("locale", "pt_br")).isEqualTo("pt-BR");
    assertThatThrownBy(() -> Locales.normalize("locale", "not a locale!"))
        .isInstanceOf(InvalidInput.class)
        .hasMessageContaining("locale is 'not a locale!'");
  }

  @Test
  void every_locale_renders_its_own_variant_and_unknown_ones_fall_back() {
    Map<String, Object> data = Map.of("name", "Ana");
    assertThat(render("de", data).email().orElseThrow().subject()).isEqualTo("Hallo Ana");
    assertThat(render("de-AT", data).email().orElseThrow().subject()).isEqualTo("Hallo Ana");
    assertThat(render("pt", data).sms().orElseThrow().text()).isEqualTo("Olá Ana");
    assertThat(render("pt-PT", data).email().orElseThrow().subject()).isEqualTo("Olá Ana");
    assertThat(render("zh-Hant-TW", data).sms().orElseThrow().text()).isEqualTo("你好 Ana");
    assertThat(render("fr", data).email().orElseThrow().subject()).isEqualTo("Hello Ana");
    assertThat(render(null, data).locale()).isEqualTo("default");
  }

  @Test
  void a_locale_without_an_sms_gets_one_derived_from_its_own_email_not_a_less_specific_sms() {
    var rendered = render("pt-BR", Map.of("name", "Ana"));
    assertThat(rendered.locale()).isEqualTo("pt-BR");
    assertThat(rendered.smsSource()).isEqualTo(TemplateRenderer.SmsSource.DERIVED);
    assertThat(rendered.sms().orElseThrow().text()).startsWith("Oi Ana");
  }

  @Test
  void html_is_escaped_in_the_email_html_only() {
    var rendered = render("default", Map.of("name", "<b>Ana</b> & \"Bo\""));
    assertThat(rendered.email().orElseThrow().html().orElseThrow())
        .isEqualTo("<p>Hello &lt;b&gt;Ana&lt;/b&gt; &amp; &quot;Bo&quot;</p>");
    assertThat(rendered.email().orElseThrow().subject()).isEqualTo("Hello <b>Ana</b> & \"Bo\"");
    assertThat(rendered.sms().orElseThrow().text()).isEqualTo("Hello <b>Ana</b> & \"Bo\"");
  }

  @Test
  void a_missing_variable_is_an_error_naming_it_and_where_it_is_used() {
    assertThatThrownBy(() -> render("de", Map.of()))
        .isInstanceOf(InvalidInput.class)
        .satisfies(e -> {
          var invalid = (InvalidInput) e;
          assertThat(invalid.code()).isEqualTo("template-variable-missing");
          assertThat(invalid.field()).isEqualTo("data.name");
          assertThat(invalid.getMessage())
              .contains("variants.de.email.subject")
              .contains("{{name}}");
        });
  }

  @Test
  void a_template_reads_the_data_it_is_given_and_never_a_java_method() {
    var t =
        new TemplateDocument(
            "x",
            "",
            Optional.empty(),
            Map.of(),
            Map.of(
                "default",
                new Variant(Optional.empty(), Optional.of(new SmsVariant("{{name.class}}", true)))),
            List.of());
    assertThatThrownBy(() ->
            renderer.render(
                t,
                null,
                Map.of("name", "Ana"),
                snippets,
                options,
                TemplateRenderer.EmailOptions.NONE))
        .isInstanceOf(InvalidInput.class)
        .hasFieldOrPropertyWithValue("field", "data.name.class");
  }

  @Test
  void a_snippet_is_text_in_sms_and_escaped_with_its_line_breaks_in_html() {
    var t =
        new TemplateDocument(
            "x",
            "",
            Optional.empty(),
            Map.of(),
            Map.of("default", both("Hi", "<p>Hi</p>{{> sig}}", "Hi {{> sig}}")),
            List.of());
    var rendered =
        renderer.render(t, null, Map.of(), snippets, options, TemplateRenderer.EmailOptions.NONE);
    assertThat(rendered.email().orElseThrow().html().orElseThrow())
        .isEqualTo("<p>Hi</p>Ana &amp; Co<br>\nSupport: 0800 123");
    assertThat(rendered.sms().orElseThrow().text()).isEqualTo("Hi Ana & Co\nSupport: 0800 123");
  }

  @Test
  void links_in_an_sms_become_short_links_and_a_sentences_last_dot_stays_outside() {
    var t =
        new TemplateDocument(
            "x",
            "",
            Optional.empty(),
            Map.of(),
            Map.of(
                "default",
                new Variant(
                    Optional.empty(),
                    Optional.of(
                        new SmsVariant(
                            "Track: {{url}}. Help: https://help.example/faq?q=1", true)))),
            List.of());
    var rendered =
        renderer.render(
            t,
            null,
            Map.of("url", "https://shop.example/t/1?a=b&c=d"),
            snippets,
            options,
            TemplateRenderer.EmailOptions.NONE);
    assertThat(shortened)
        .containsExactly("https://shop.example/t/1?a=b&c=d", "https://help.example/faq?q=1");
    assertThat(rendered.sms().orElseThrow().text())
        .isEqualTo("Track: https://t.example/s/AAAAAAA1xx. Help: https://t.example/s/AAAAAAA2xx");
    assertThat(rendered.links()).hasSize(2);
  }
}
