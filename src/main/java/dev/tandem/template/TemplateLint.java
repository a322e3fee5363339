package dev.tandem.template;

import com.samskivert.mustache.Mustache;
import dev.tandem.error.InvalidInput;
import dev.tandem.sms.SmsText;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What is wrong with a template before anything is sent: run by {@code tandem templates check} and
 * on every save, where an error refuses the save (422 with each finding) and a warning is returned
 * with the saved version. Each finding names the field, what is wrong and the fix. Pure: it renders
 * the template with its sample data and reads the compiled sources.
 */
public final class TemplateLint {
  /** Subjects longer than this are cut by mail clients and fold in the header (RFC 5322 §2.1.1). */
  public static final int SUBJECT_CHARS = 78;

  /** The snippet whose text is the postal address marketing email must carry (CAN-SPAM). */
  public static final String POSTAL_ADDRESS = "postal-address";

  private static final String PREVIEW_LINK = "https://tandem.invalid/s/PREVIEW000";

  /** Top-level section names and where each is first used, gathered while a check runs. */
  private static final ThreadLocal<Map<String, String>> SECTIONS =
      ThreadLocal.withInitial(LinkedHashMap::new);

  private TemplateLint() {}

  /** How bad a finding is: an error refuses the save. */
  public enum Severity {
    ERROR,
    WARNING
  }

  /** One thing wrong, in the words the API and the CLI show. */
  public record Finding(Severity severity, String code, String field, String message) {
    public Map<String, Object> toJson() {
      var json = new LinkedHashMap<String, Object>();
      json.put("severity", severity.name().toLowerCase(java.util.Locale.ROOT));
      json.put("code", code);
      json.put("field", field);
      json.put("message", message);
      return json;
    }
  }

  /**
   * What lint checks the template against.
   *
   * @param marketing whether the template's topic is marketing (unsubscribe link, postal address)
   * @param smsSegmentBudget the topic's budget
   * @param substitution whether smart-character substitution is on for its SMS
   * @param shortLink what a tracked short link looks like on this server (its length counts)
   */
  public record Context(
      boolean marketing, int smsSegmentBudget, boolean substitution, String shortLink) {
    public Context(boolean marketing, int smsSegmentBudget, boolean substitution) {
      this(marketing, smsSegmentBudget, substitution, PREVIEW_LINK);
    }
  }

  public static List<Finding> check(
      TemplateDocument template, Snippets snippets, Context context, TemplateRenderer renderer) {
    SECTIONS.get().clear();
    var findings = new ArrayList<Finding>();
    Map<String, Set<String>> used = new LinkedHashMap<>();
    // 1. every source compiles and every snippet it includes exists
    template
        .variants()
        .forEach((locale, v) -> {
          String at = "variants." + locale + ".";
          v.email()
              .ifPresent(e -> {
                used.put(
                    at + "email",
                    variables(
                        renderer,
                        snippets,
                        findings,
                        Map.of(
                            at + "email.subject",
                            e.subject(),
                            at + "email.html",
                            e.html().orElse(""),
                            at + "email.text",
                            e.text().orElse(""))));
              });
          v.sms()
              .ifPresent(s ->
                  used.put(
                      at + "sms",
                      variables(renderer, snippets, findings, Map.of(at + "sms.text", s.text()))));
        });
    if (findings.stream().anyMatch(f -> f.severity() == Severity.ERROR)) {
      return List.copyOf(findings); // nothing renders: the rest would only repeat it
    }

    // 2. variables the sample data lacks: render until none is missing, naming each
    Map<String, Object> sample = new HashMap<>(template.sampleData());
    sample.putIfAbsent("contact", Map.of("name", "Sample Person", "firstName", "Sample"));
    Set<String> missing = new TreeSet<>();
    for (String locale : template.locales()) {
      for (int round = 0; round < 50; round++) {
        try {
          render(template, locale, sample, snippets, context, renderer);
          break;
        } catch (InvalidInput e) {
          if (!e.code().equals("template-variable-missing")) {
            findings.add(new Finding(Severity.ERROR, e.code(), e.field(), e.getMessage()));
            break;
          }
          String name = e.field().substring("data.".length());
          missing.add(name);
          fill(sample, name);
        }
      }
    }
    for (String name : missing) {
      findings.add(
          new Finding(
              Severity.ERROR,
              "sample-data-missing",
              "sampleData." + name,
              "the template uses {{"
                  + name
                  + "}}, which sampleData does not have: add an example value so previews and"
                  + " lint can render it."));
    }

    // a section the sample data lacks renders as nothing: legal, but nobody previews what it holds
    SECTIONS
        .get()
        .forEach((name, field) -> {
          if (!template.sampleData().containsKey(name)
              && !name.equals("contact")
              && !name.equals("links")) {
            findings.add(
                warning(
                    "sample-data-missing-section",
                    "sampleData." + name,
                    field
                        + " has the section {{#"
                        + name
                        + "}} (or {{^"
                        + name
                        + "}}), which sampleData does not have: lint and previews never show what"
                        + " it holds. Add an example value."));
          }
        });
    SECTIONS.get().clear();

    // 3. variables used in one variant but not in its siblings
    consistency(template, used, findings);

    // 4. locales missing a channel another locale has
    boolean anyEmail = template.variants().values().stream().anyMatch(v -> v.email().isPresent());
    boolean anySms = template.variants().values().stream().anyMatch(v -> v.sms().isPresent());
    template
        .variants()
        .forEach((locale, v) -> {
          if (anyEmail && v.email().isEmpty()) {
            findings.add(
                warning(
                    "locale-missing-variant",
                    "variants." + locale + ".email",
                    "locale "
                        + locale
                        + " has no email but another locale has one: these readers get the email"
                        + " of a less specific locale. Add variants."
                        + locale
                        + ".email."));
          }
          if (anySms && v.sms().isEmpty()) {
            findings.add(
                warning(
                    "locale-missing-variant",
                    "variants." + locale + ".sms",
                    "locale "
                        + locale
                        + " has no SMS but another locale has one: its SMS is derived from its"
                        + " email. Add variants."
                        + locale
                        + ".sms to write it yourself."));
          }
        });

    // 5. per variant, rendered with the (now complete) sample data
    for (String locale : template.locales()) {
      TemplateDocument.Variant v = template.variants().get(locale);
      String at = "variants." + locale + ".";
      TemplateRenderer.Rendered r;
      try {
        r = render(template, locale, sample, snippets, context, renderer);
      } catch (InvalidInput e) {
        findings.add(new Finding(Severity.ERROR, e.code(), e.field(), e.getMessage()));
        continue;
      }
      v.email()
          .ifPresent(e -> {
            var email = r.email().orElseThrow();
            if (email.subject().length() > SUBJECT_CHARS) {
              findings.add(
                  warning(
                      "subject-too-long",
                      at + "email.subject",
                      "the subject is "
                          + email.subject().length()
                          + " characters with the sample data; mail clients cut it and the header"
                          + " folds after "
                          + SUBJECT_CHARS
                          + ". Shorten it."));
            }
            if (e.text().isEmpty()) {
              findings.add(
                  warning(
                      "email-without-text",
                      at + "email.text",
                      "the email has no text part: Tandem derives one from the HTML, but spam"
                          + " filters and text-only readers do better with one written. Add"
                          + " email.text."));
            }
            if (context.marketing()) {
              String all = email.html().orElse("") + "\n" + email.text().orElse("");
              if (!all.contains("tandem:unsubscribe")) {
                findings.add(
                    error(
                        "marketing-without-unsubscribe",
                        at + "email",
                        "a marketing email must carry an unsubscribe link in its body (Gmail and"
                            + " Yahoo sender rules, CAN-SPAM): link to {{links.unsubscribe}}."));
              }
              Snippets.Snippet postal = snippets.byKey().get(POSTAL_ADDRESS);
              if (postal == null || !containsPostalAddress(all, postal)) {
                findings.add(
                    error(
                        "marketing-without-postal-address",
                        at + "email",
                        "a marketing email must carry the sender's postal address (CAN-SPAM):"
                            + (postal == null
                                ? " create the snippet "
                                    + POSTAL_ADDRESS
                                    + " (PUT /v1/snippets/"
                                    + POSTAL_ADDRESS
                                    + ") and"
                                : "")
                            + " include {{> "
                            + POSTAL_ADDRESS
                            + "}} in the email (or in a footer snippet it includes)."));
              }
            }
          });
      v.sms()
          .ifPresent(s -> {
            if (!s.trackLinks() && !TemplateRenderer.links(s.text()).isEmpty()) {
              findings.add(
                  warning(
                      "sms-link-untracked",
                      at + "sms.trackLinks",
                      "the SMS has a link that is sent as written (trackLinks is false): clicks"
                          + " are not recorded on the timeline. Remove trackLinks: false to send"
                          + " it as a tracked short link."));
            }
          });
      if (r.smsText().isPresent() && locale.equals(smsLocaleOf(template, locale))) {
        smsFindings(r.smsText().get(), r.smsSource(), at + "sms.text", context, findings);
      } else if (r.smsSource() == TemplateRenderer.SmsSource.DERIVED && r.locale().equals(locale)) {
        smsFindings(r.smsText().orElseThrow(), r.smsSource(), at + "email", context, findings);
      }
    }
    return List.copyOf(findings);
  }

  private static String smsLocaleOf(TemplateDocument template, String locale) {
    return template.variants().get(locale).sms().isPresent() ? locale : null;
  }

  private static void smsFindings(
      SmsText sms,
      TemplateRenderer.SmsSource source,
      String field,
      Context context,
      List<Finding> findings) {
    if (source == TemplateRenderer.SmsSource.TEMPLATE
        && sms.segments() > context.smsSegmentBudget()) {
      findings.add(
          error(
              "sms-over-budget",
              field,
              "the SMS takes "
                  + sms.segments()
                  + " segments ("
                  + sms.encoding()
                  + ", "
                  + sms.units()
                  + " units) with the sample data; the topic allows "
                  + context.smsSegmentBudget()
                  + ". Shorten it"
                  + (sms.encoding() == dev.tandem.sms.SmsEncoding.UCS2
                      ? " or remove the characters that force UCS-2 (70 per segment instead of 160)"
                      : "")
                  + "."));
    }
    if (sms.encoding() == dev.tandem.sms.SmsEncoding.UCS2) {
      SmsText substituted = SmsText.of(sms.original(), true);
      String fix =
          substituted.encoding() == dev.tandem.sms.SmsEncoding.GSM7
              ? " Smart-character substitution would keep it GSM-7"
                  + (context.substitution() ? "" : " (turn sms.substitution on)")
                  + "."
              : " No substitution replaces "
                  + String.join(" ", sms.nonGsmCharacters())
                  + "; if the language needs them, this is expected.";
      findings.add(
          warning(
              "sms-forces-ucs2",
              field,
              "the SMS is sent as UCS-2 (70 characters per segment, not 160) because of "
                  + String.join(" ", nonGsm(sms.original()))
                  + "."
                  + fix));
    }
  }

  private static List<String> nonGsm(String text) {
    return text.codePoints()
        .mapToObj(cp -> new String(Character.toChars(cp)))
        .filter(c -> !dev.tandem.sms.Gsm7.canEncode(c))
        .distinct()
        .limit(10)
        .toList();
  }

  private static boolean containsPostalAddress(String rendered, Snippets.Snippet postal) {
    // the address's first line, as the text or the HTML form renders it
    String first = postal.text().strip().lines().findFirst().orElse("").strip();
    String escaped = org.jsoup.nodes.Entities.escape(first);
    return !first.isEmpty() && (rendered.contains(first) || rendered.contains(escaped));
  }

  private static TemplateRenderer.Rendered render(
      TemplateDocument template,
      String locale,
      Map<String, Object> sample,
      Snippets snippets,
      Context context,
      TemplateRenderer renderer) {
    return renderer.render(
        template,
        locale,
        sample,
        snippets,
        new TemplateRenderer.Options(
            context.smsSegmentBudget(), context.substitution(), url -> context.shortLink()),
        TemplateRenderer.EmailOptions.NONE);
  }

  /** Gives a dotted name a placeholder value in the sample, so rendering can go on past it. */
  @SuppressWarnings("unchecked")
  private static void fill(Map<String, Object> sample, String dotted) {
    String[] parts = dotted.split("\\.");
    Map<String, Object> map = sample;
    for (int i = 0; i < parts.length - 1; i++) {
      Object next = map.get(parts[i]);
      if (!(next instanceof Map<?, ?>)) {
        next = new HashMap<String, Object>();
      } else {
        next = new HashMap<>((Map<String, Object>) next);
      }
      map.put(parts[i], next);
      map = (Map<String, Object>) next;
    }
    map.put(parts[parts.length - 1], "{{" + dotted + "}}");
  }

  /** The top-level variables each source uses; a compile failure becomes an error finding. */
  private static Set<String> variables(
      TemplateRenderer renderer,
      Snippets snippets,
      List<Finding> findings,
      Map<String, String> sources) {
    Set<String> names = new LinkedHashSet<>();
    sources.forEach((field, source) -> {
      if (source.isEmpty()) {
        return;
      }
      try {
        var template =
            renderer.compile(
                source,
                field.endsWith(".html") ? TemplateRenderer.Mode.HTML : TemplateRenderer.Mode.TEXT,
                snippets,
                field);
        var depth = new int[] {0};
        var included = new java.util.HashSet<String>();
        template.visit(
            new Mustache.Visitor() {
              @Override
              public void visitText(String text) {}

              @Override
              public void visitVariable(String name) {
                if (depth[0] == 0) {
                  names.add(root(name));
                }
              }

              @Override
              public boolean visitInclude(String name) {
                if (!included.add(name)) {
                  return false; // each snippet once: a cycle would never end
                }
                if (!snippets.byKey().containsKey(name)) {
                  findings.add(
                      error(
                          "snippet-missing",
                          field,
                          field
                              + " includes {{> "
                              + name
                              + "}}, which does not exist: create it with PUT /v1/snippets/"
                              + name
                              + " or remove the include."));
                  return false;
                }
                return true;
              }

              @Override
              public boolean visitSection(String name) {
                if (depth[0] == 0) {
                  names.add(root(name));
                  SECTIONS.get().putIfAbsent(root(name), field);
                }
                return false;
              }

              @Override
              public boolean visitInvertedSection(String name) {
                if (depth[0] == 0) {
                  SECTIONS.get().putIfAbsent(root(name), field);
                }
                return false;
              }
            });
      } catch (InvalidInput e) {
        findings.add(new Finding(Severity.ERROR, e.code(), e.field(), e.getMessage()));
      } catch (RuntimeException e) {
        findings.add(error("template-syntax", field, field + ": " + e.getMessage()));
      }
    });
    names.remove("links");
    names.remove("contact");
    return names;
  }

  private static String root(String name) {
    int dot = name.indexOf('.');
    return dot < 0 ? name : name.substring(0, dot);
  }

  private static void consistency(
      TemplateDocument template, Map<String, Set<String>> used, List<Finding> findings) {
    // the SMS says what the email says: what it uses, the email of its locale uses too
    template
        .variants()
        .forEach((locale, v) -> {
          Set<String> sms = used.get("variants." + locale + ".sms");
          Set<String> email = used.get("variants." + locale + ".email");
          if (sms != null && email != null) {
            for (String name : sms) {
              if (!email.contains(name)) {
                findings.add(
                    warning(
                        "variable-not-in-sibling",
                        "variants." + locale + ".sms.text",
                        "the SMS uses {{"
                            + name
                            + "}} but the email of the same locale does not: one of them may be"
                            + " saying something the other leaves out."));
              }
            }
          }
        });
    // a translation uses the variables of the default
    for (String channel : List.of("email", "sms")) {
      Set<String> base = used.get("variants.default." + channel);
      if (base == null) {
        continue;
      }
      template
          .variants()
          .keySet()
          .forEach(locale -> {
            Set<String> other = used.get("variants." + locale + "." + channel);
            if (other == null || locale.equals("default")) {
              return;
            }
            Set<String> lacking = new TreeSet<>(base);
            lacking.removeAll(other);
            Set<String> extra = new TreeSet<>(other);
            extra.removeAll(base);
            if (!lacking.isEmpty() || !extra.isEmpty()) {
              findings.add(
                  warning(
                      "variable-not-in-sibling",
                      "variants." + locale + "." + channel,
                      "the "
                          + locale
                          + " "
                          + channel
                          + (lacking.isEmpty() ? "" : " does not use " + braces(lacking))
                          + (!lacking.isEmpty() && !extra.isEmpty() ? " and" : "")
                          + (extra.isEmpty() ? "" : " uses " + braces(extra) + ", which")
                          + (extra.isEmpty() ? ", which the default does" : " the default does not")
                          + ": a translation should say the same thing."));
            }
          });
    }
  }

  private static String braces(Set<String> names) {
    return String.join(", ", names.stream().map(n -> "{{" + n + "}}").toList());
  }

  private static Finding error(String code, String field, String message) {
    return new Finding(Severity.ERROR, code, field, message);
  }

  private static Finding warning(String code, String field, String message) {
    return new Finding(Severity.WARNING, code, field, message);
  }

  /** The errors among the findings, as one refusal naming each. */
  public static Optional<InvalidInput> refusal(String key, List<Finding> findings) {
    List<Finding> errors = findings.stream().filter(f -> f.severity() == Severity.ERROR).toList();
    if (errors.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new InvalidInput(
            "template-lint",
            errors.get(0).field(),
            "template "
                + key
                + " has "
                + errors.size()
                + (errors.size() == 1 ? " error" : " errors")
                + ": "
                + errors.get(0).message()
                + (errors.size() > 1 ? " (see findings for the rest)" : ""),
            findings.stream().map(Finding::toJson).toList()));
  }
}
