package dev.tandem.template;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.template.TemplateDocument.EmailVariant;
import dev.tandem.template.TemplateDocument.SmsVariant;
import dev.tandem.template.TemplateDocument.Variant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Lint catches each class of mistake on a template made to have it, and passes a clean one. */
class TemplateLintTest {
  static final TemplateRenderer RENDERER = new TemplateRenderer();
  static final Snippets SNIPPETS =
      new Snippets(
          Map.of(
              "postal-address",
              new Snippets.Snippet(
                  "postal-address", "Acme Inc., 1 Main St, Springfield", Optional.empty()),
              "footer",
              new Snippets.Snippet(
                  "footer",
                  "{{> postal-address}}\nUnsubscribe: {{links.unsubscribe}}",
                  Optional.of(
                      "<p>{{> postal-address}}</p><p><a href=\"{{links.unsubscribe}}\">Unsubscribe</a></p>"))));
  static final TemplateLint.Context TRANSACTIONAL = new TemplateLint.Context(false, 1, true);
  static final TemplateLint.Context MARKETING = new TemplateLint.Context(true, 1, true);

  /** A clean template: every check passes. Each test breaks one thing. */
  static final class Builder {
    Map<String, Object> sample =
        new LinkedHashMap<>(
            Map.of("order", "1042", "eta", "Thursday", "url", "https://shop.example/t/1042"));
    Map<String, Variant> variants = new LinkedHashMap<>();

    Builder() {
      variants.put(
          "default",
          variant("Order {{order}} shipped", "Order {{order}} arrives {{eta}}: {{url}}"));
      variants.put(
          "de",
          variant("Bestellung {{order}} versandt", "Bestellung {{order}} kommt {{eta}}: {{url}}"));
    }

    static Variant variant(String subject, String sms) {
      return new Variant(
          Optional.of(
              new EmailVariant(
                  subject,
                  Optional.of(
                      "<p>Order {{order}} arrives {{eta}}.</p><a href=\"{{url}}\">Track</a>{{> footer}}"),
                  Optional.of("Order {{order}} arrives {{eta}}: {{url}}\n{{> footer}}"))),
          Optional.of(new SmsVariant(sms, true)));
    }

    TemplateDocument build() {
      return new TemplateDocument("t", "", Optional.empty(), sample, variants, List.of());
    }
  }

  static List<TemplateLint.Finding> lint(TemplateDocument t, TemplateLint.Context context) {
    return TemplateLint.check(t, SNIPPETS, context, RENDERER);
  }

  static List<String> codes(List<TemplateLint.Finding> findings) {
    return findings.stream().map(TemplateLint.Finding::code).toList();
  }

  @Test
  void a_clean_template_has_no_finding_even_as_marketing() {
    assertThat(lint(new Builder().build(), TRANSACTIONAL)).isEmpty();
    assertThat(lint(new Builder().build(), MARKETING)).isEmpty();
  }

  @Test
  void a_variable_the_sample_data_lacks_is_an_error_naming_each_one() {
    var b = new Builder();
    b.sample.remove("eta");
    b.sample.remove("order");
    var findings = lint(b.build(), TRANSACTIONAL);
    assertThat(findings)
        .filteredOn(f -> f.code().equals("sample-data-missing"))
        .extracting(TemplateLint.Finding::field)
        .containsExactlyInAnyOrder("sampleData.eta", "sampleData.order");
    assertThat(findings)
        .allMatch(f ->
            f.severity() == TemplateLint.Severity.ERROR || !f.code().equals("sample-data-missing"));
  }

  @Test
  void a_section_the_sample_data_lacks_is_a_warning_naming_it() {
    var b = new Builder();
    b.variants.put(
        "default",
        new Variant(
            Optional.of(
                new EmailVariant(
                    "Order {{order}}",
                    Optional.of(
                        "<p>{{order}} {{eta}} {{url}}</p>{{#coupon}}<p>{{code}}</p>{{/coupon}}{{> footer}}"),
                    Optional.of("{{order}} {{eta}} {{url}} {{> footer}}"))),
            Builder.variant("x", "Order {{order}} arrives {{eta}}: {{url}}").sms()));
    var findings = lint(b.build(), TRANSACTIONAL);
    assertThat(findings)
        .filteredOn(f -> f.code().equals("sample-data-missing-section"))
        .extracting(TemplateLint.Finding::field)
        .containsExactly("sampleData.coupon");
  }

  @Test
  void a_variable_used_in_one_variant_and_not_its_sibling_is_a_warning() {
    var b = new Builder();
    b.variants.put(
        "de", Builder.variant("Bestellung {{order}}", "Bestellung {{order}} {{url}} {{coupon}}"));
    b.sample.put("coupon", "SAVE10");
    var findings = lint(b.build(), TRANSACTIONAL);
    assertThat(findings)
        .filteredOn(f -> f.code().equals("variable-not-in-sibling"))
        .extracting(TemplateLint.Finding::message)
        .anyMatch(m -> m.contains("{{coupon}}"))
        .anyMatch(m -> m.contains("{{eta}}"));
  }

  @Test
  void an_sms_over_the_topics_budget_for_the_sample_data_is_an_error() {
    var b = new Builder();
    b.sample.put(
        "eta",
        "on Thursday between nine in the morning and six in the evening, weather permitting, at"
            + " the latest, unless the roads are closed");
    var findings = lint(b.build(), TRANSACTIONAL);
    assertThat(findings)
        .filteredOn(f -> f.code().equals("sms-over-budget"))
        .extracting(TemplateLint.Finding::field)
        .contains("variants.default.sms.text");
    assertThat(lint(b.build(), new TemplateLint.Context(false, 2, true)))
        .extracting(TemplateLint.Finding::code)
        .doesNotContain("sms-over-budget");
  }

  @Test
  void characters_that_force_ucs2_are_named_with_the_substitution_that_would_fix_them() {
    var b = new Builder();
    b.variants.put(
        "default",
        Builder.variant("Order {{order}}", "Order {{order}} \u201carrives\u201d {{eta}} {{url}}"));
    var off = lint(b.build(), new TemplateLint.Context(false, 3, false));
    assertThat(off)
        .filteredOn(f -> f.code().equals("sms-forces-ucs2"))
        .extracting(TemplateLint.Finding::message)
        .singleElement()
        .satisfies(
            m -> assertThat(m).contains("\u201c").contains("substitution would keep it GSM-7"));
    var emoji = new Builder();
    emoji.variants.put(
        "default",
        Builder.variant("Order {{order}}", "Order {{order}} \uD83D\uDE9A {{eta}} {{url}}"));
    assertThat(lint(emoji.build(), new TemplateLint.Context(false, 3, true)))
        .filteredOn(f -> f.code().equals("sms-forces-ucs2"))
        .extracting(TemplateLint.Finding::message)
        .singleElement()
        .satisfies(m -> assertThat(m).contains("No substitution replaces"));
  }

  @Test
  void a_link_in_an_sms_that_is_not_tracked_is_a_warning() {
    var b = new Builder();
    b.variants.put(
        "default",
        new Variant(
            Builder.variant("Order {{order}} shipped", "x").email(),
            Optional.of(
                new SmsVariant("Order {{order}} arrives {{eta}}: https://shop.example/t", false))));
    assertThat(codes(lint(b.build(), TRANSACTIONAL))).contains("sms-link-untracked");
  }

  @Test
  void marketing_email_without_an_unsubscribe_link_or_postal_address_is_an_error() {
    var b = new Builder();
    for (String locale : List.of("default", "de")) {
      b.variants.put(
          locale,
          new Variant(
              Optional.of(
                  new EmailVariant(
                      "Sale on order {{order}}",
                      Optional.of("<p>{{order}} {{eta}} <a href=\"{{url}}\">x</a></p>"),
                      Optional.of("{{order}} {{eta}} {{url}}"))),
              Optional.of(new SmsVariant("Order {{order}} arrives {{eta}}: {{url}}", true))));
    }
    var findings = lint(b.build(), MARKETING);
    assertThat(codes(findings))
        .contains("marketing-without-unsubscribe", "marketing-without-postal-address");
    assertThat(codes(lint(b.build(), TRANSACTIONAL)))
        .doesNotContain("marketing-without-unsubscribe", "marketing-without-postal-address");
  }

  @Test
  void an_email_without_a_text_part_and_a_subject_over_78_characters_are_warnings() {
    var b = new Builder();
    b.variants.put(
        "default",
        new Variant(
            Optional.of(
                new EmailVariant(
                    "Your order {{order}} has shipped and will arrive {{eta}} at the address you gave us when ordering",
                    Optional.of("<p>{{order}} {{eta}} <a href=\"{{url}}\">x</a></p>{{> footer}}"),
                    Optional.empty())),
            Builder.variant("x", "Order {{order}} arrives {{eta}}: {{url}}").sms()));
    var findings = lint(b.build(), TRANSACTIONAL);
    assertThat(codes(findings)).contains("email-without-text", "subject-too-long");
    assertThat(findings)
        .filteredOn(f -> f.code().equals("subject-too-long"))
        .allMatch(f -> f.severity() == TemplateLint.Severity.WARNING);
  }

  @Test
  void a_locale_missing_a_channel_another_locale_has_is_a_warning() {
    var b = new Builder();
    b.variants.put(
        "de", new Variant(Builder.variant("Bestellung {{order}}", "x").email(), Optional.empty()));
    var findings = lint(b.build(), TRANSACTIONAL);
    assertThat(findings)
        .filteredOn(f -> f.code().equals("locale-missing-variant"))
        .extracting(TemplateLint.Finding::field)
        .containsExactly("variants.de.sms");
  }

  @Test
  void a_missing_snippet_and_a_broken_section_are_errors_that_name_the_field() {
    var b = new Builder();
    b.variants.put(
        "de",
        new Variant(
            Optional.of(
                new EmailVariant(
                    "Bestellung {{order}}",
                    Optional.of("<p>{{#items}}{{name}}</p>{{> nope}}"),
                    Optional.of("{{order}} {{> nope}}"))),
            Optional.of(new SmsVariant("{{order}} {{eta}} {{url}}", true))));
    var findings = lint(b.build(), TRANSACTIONAL);
    assertThat(findings)
        .filteredOn(f -> f.severity() == TemplateLint.Severity.ERROR)
        .extracting(TemplateLint.Finding::code)
        .contains("template-syntax", "snippet-missing");
    assertThat(TemplateLint.refusal("t", findings)).isPresent();
  }
}
