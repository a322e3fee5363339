package dev.tandem.template;

import com.samskivert.mustache.BasicCollector;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;
import dev.tandem.contact.Locales;
import dev.tandem.content.EmailContent;
import dev.tandem.content.SmsContent;
import dev.tandem.error.InvalidInput;
import dev.tandem.sms.SmsText;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a template for one person: picks the variant by locale ({@code pt-BR → pt → default}),
 * renders Mustache with HTML escaping in the email's HTML and none anywhere else, and gives the SMS
 * from the template's SMS variant or, when the locale has none, derived from the email ({@link
 * DerivedSms}). A variable the data lacks is an error naming it, never an empty string sent. Links
 * in the SMS become tracked short links through the {@code shortLink} the caller gives. Pure; the
 * compiled sources are cached.
 */
public final class TemplateRenderer {
  /** What the email's HTML and text may link to; the dispatcher puts each delivery's link in. */
  public static final Map<String, Object> EMAIL_LINKS =
      Map.of("unsubscribe", "tandem:unsubscribe", "view", "tandem:view");

  private static final Pattern URL = Pattern.compile("https?://[^\\s<>\"]+");
  private static final int CACHE_LIMIT = 4_096;

  /** The most one source may render to: an email body's limit. */
  static final int MAX_OUTPUT_CHARS = dev.tandem.content.EmailContent.MAX_BODY_CHARS;

  /**
   * The most section iterations one source may take: nested sections over the caller's lists would
   * otherwise multiply (three levels over 1,000 items is a billion).
   */
  static final int MAX_ITERATIONS = 100_000;

  private static final ThreadLocal<int[]> ITERATIONS = ThreadLocal.withInitial(() -> new int[1]);

  private final Map<CacheKey, Template> compiled = new ConcurrentHashMap<>();

  /** How a source is rendered: escaped for HTML or as it is. */
  enum Mode {
    HTML,
    TEXT
  }

  /**
   * What the topic allows the SMS.
   *
   * @param shortLink maps a link in the SMS to the tracked short link it is sent as
   */
  public record Options(
      int smsSegmentBudget, boolean substitution, UnaryOperator<String> shortLink) {}

  /** Where the SMS came from. */
  public enum SmsSource {
    TEMPLATE,
    DERIVED,
    NONE
  }

  /** A link of the SMS and the short link it is sent as. */
  public record Link(String url, String shortUrl) {}

  /**
   * A template rendered for one person.
   *
   * @param locale the variant the email (else the SMS) came from
   * @param sms what the SMS says, with its encoding and segments
   */
  public record Rendered(
      String locale,
      Optional<EmailContent> email,
      Optional<SmsContent> sms,
      Optional<SmsText> smsText,
      SmsSource smsSource,
      List<Link> links) {}

  /**
   * Renders {@code template} in {@code locale} (null: the default variant) with {@code data}.
   *
   * @param email the email's delivery options (tracking, unsubscribe header)
   */
  public Rendered render(
      TemplateDocument template,
      String locale,
      Map<String, Object> data,
      Snippets snippets,
      Options options,
      EmailOptions email) {
    List<String> chain = Locales.chain(locale);
    String emailLocale = first(template, chain, true);
    String smsLocale = first(template, chain, false);
    var links = new ArrayList<Link>();
    UnaryOperator<String> shorten =
        url -> {
          String s = options.shortLink().apply(url);
          links.add(new Link(url, s));
          return s;
        };

    Optional<EmailContent> emailContent = Optional.empty();
    if (emailLocale != null) {
      TemplateDocument.EmailVariant v = template.variants().get(emailLocale).email().orElseThrow();
      String at = "variants." + emailLocale + ".email.";
      var withLinks = new LinkedHashMap<>(data);
      withLinks.putIfAbsent("links", EMAIL_LINKS);
      String subject =
          render(v.subject(), Mode.TEXT, withLinks, snippets, at + "subject")
              .replaceAll("\\s+", " ")
              .strip();
      Optional<String> html =
          v.html().map(h -> render(h, Mode.HTML, withLinks, snippets, at + "html"));
      Optional<String> text =
          v.text().map(t -> render(t, Mode.TEXT, withLinks, snippets, at + "text"));
      var attachments = new ArrayList<EmailContent.Attachment>();
      for (int i = 0; i < template.attachments().size(); i++) {
        TemplateDocument.Attachment a = template.attachments().get(i);
        attachments.add(
            EmailContent.Attachment.of(
                i, a.filename(), a.contentType(), a.contentBase64(), a.contentId().orElse(null)));
      }
      try {
        emailContent =
            Optional.of(
                new EmailContent(
                    subject, html, text, email.tracking(), email.unsubscribe(), attachments));
      } catch (InvalidInput e) {
        throw rendered(e, at + e.field().substring(e.field().indexOf('.') + 1));
      }
    }

    Optional<SmsContent> sms = Optional.empty();
    Optional<SmsText> smsText = Optional.empty();
    SmsSource source = SmsSource.NONE;
    // A person reading pt-BR gets an SMS derived from the pt-BR email rather than the default's
    // SMS.
    boolean derive =
        emailContent.isPresent()
            && (smsLocale == null || chain.indexOf(emailLocale) < chain.indexOf(smsLocale));
    if (!derive && smsLocale != null) {
      TemplateDocument.SmsVariant v = template.variants().get(smsLocale).sms().orElseThrow();
      String text =
          render(v.text(), Mode.TEXT, data, snippets, "variants." + smsLocale + ".sms.text")
              .strip();
      if (v.trackLinks()) {
        text = shortenLinks(text, shorten);
      }
      try {
        sms = Optional.of(new SmsContent(text, options.substitution()));
      } catch (InvalidInput e) {
        throw rendered(e, "variants." + smsLocale + ".sms.text");
      }
      smsText = Optional.of(SmsText.of(text, options.substitution()));
      source = SmsSource.TEMPLATE;
    } else if (derive) {
      EmailContent e = emailContent.get();
      DerivedSms.Result derived =
          DerivedSms.derive(
              e.subject(),
              e.html().map(TemplateRenderer::withoutEmailLinks).orElse(null),
              e.text().orElse(null),
              shorten,
              Math.max(1, options.smsSegmentBudget()),
              options.substitution());
      if (!derived.text().isBlank()) {
        sms = Optional.of(new SmsContent(derived.text(), options.substitution()));
        smsText = Optional.of(derived.sms());
        source = SmsSource.DERIVED;
      }
    }
    return new Rendered(
        emailLocale != null ? emailLocale : smsLocale,
        emailContent,
        sms,
        smsText,
        source,
        List.copyOf(links));
  }

  /** What the rendered content broke, named where it came from. */
  private static InvalidInput rendered(InvalidInput e, String field) {
    return new InvalidInput(
        e.code(), field, field + ", rendered with this data: " + e.getMessage());
  }

  /** Whether the email carries open and click tracking and the List-Unsubscribe header. */
  public record EmailOptions(boolean tracking, boolean unsubscribe) {
    public static final EmailOptions NONE = new EmailOptions(false, false);
  }

  /** The unsubscribe and view links point at a delivery: never the SMS's main link. */
  private static String withoutEmailLinks(String html) {
    return html.replace("href=\"tandem:", "data-tandem=\"");
  }

  private static String first(TemplateDocument template, List<String> chain, boolean email) {
    for (String tag : chain) {
      TemplateDocument.Variant v = template.variants().get(tag);
      if (v != null && (email ? v.email().isPresent() : v.sms().isPresent())) {
        return tag;
      }
    }
    return null;
  }

  /**
   * Each http(s) link in an SMS as its short link; a sentence's last dot stays outside the link.
   */
  static String shortenLinks(String text, UnaryOperator<String> shorten) {
    Matcher m = URL.matcher(text);
    var out = new StringBuilder();
    while (m.find()) {
      String url = m.group();
      int end = url.length();
      while (end > 0 && ".,;:!?)'".indexOf(url.charAt(end - 1)) >= 0) {
        end--;
      }
      m.appendReplacement(
          out, Matcher.quoteReplacement(shorten.apply(url.substring(0, end)) + url.substring(end)));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The http(s) links in a text, as written. */
  static List<String> links(String text) {
    var found = new ArrayList<String>();
    shortenLinks(
        text,
        url -> {
          found.add(url);
          return url;
        });
    return found;
  }

  /** Renders one source; {@code field} names it in errors ({@code variants.pt-BR.email.html}). */
  String render(
      String source, Mode mode, Map<String, Object> data, Snippets snippets, String field) {
    Template template = compile(source, mode, snippets, field);
    var out = new LimitedWriter(MAX_OUTPUT_CHARS);
    ITERATIONS.get()[0] = MAX_ITERATIONS;
    try {
      template.execute(data, out);
      return out.toString();
    } catch (MustacheException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof TooLarge large) {
          throw tooLarge(large, field);
        }
      }
      throw problem(e, field);
    } catch (TooLarge e) {
      throw tooLarge(e, field);
    } catch (StackOverflowError e) {
      throw new InvalidInput(
          "snippet-include-cycle",
          field,
          field + " includes snippets that include each other without end; break the cycle.");
    }
  }

  private static InvalidInput tooLarge(TooLarge e, String field) {
    {
      return new InvalidInput(
          "rendered-too-large",
          field,
          field
              + " renders to more than "
              + (e.iterations
                  ? MAX_ITERATIONS + " section iterations"
                  : MAX_OUTPUT_CHARS + " characters")
              + " with this data; nested sections over long lists multiply. Send less data or"
              + " simplify the template.");
    }
  }

  /** Thrown when a render passes a limit; turned into a 422 naming the field. */
  private static final class TooLarge extends RuntimeException {
    final boolean iterations;

    TooLarge(boolean iterations) {
      super(null, null, false, false);
      this.iterations = iterations;
    }
  }

  /** A writer that refuses to grow past its limit. */
  private static final class LimitedWriter extends java.io.Writer {
    private final StringBuilder out = new StringBuilder();
    private final int limit;

    LimitedWriter(int limit) {
      this.limit = limit;
    }

    @Override
    public void write(char[] buffer, int offset, int length) {
      if (out.length() + length > limit) {
        throw new TooLarge(false);
      }
      out.append(buffer, offset, length);
    }

    @Override
    public void write(String text, int offset, int length) {
      if (out.length() + length > limit) {
        throw new TooLarge(false);
      }
      out.append(text, offset, offset + length);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}

    @Override
    public String toString() {
      return out.toString();
    }
  }

  /** Compiles one source (cached), or throws {@link InvalidInput} naming the field. */
  Template compile(String source, Mode mode, Snippets snippets, String field) {
    var key = new CacheKey(source, mode, snippets);
    Template template = compiled.get(key);
    if (template != null) {
      return template;
    }
    try {
      template = compiler(mode, snippets).compile(source);
    } catch (MustacheException e) {
      throw problem(e, field);
    }
    if (compiled.size() >= CACHE_LIMIT) {
      compiled.clear();
    }
    compiled.put(key, template);
    return template;
  }

  private record CacheKey(String source, Mode mode, Snippets snippets) {}

  private static Mustache.Compiler compiler(Mode mode, Snippets snippets) {
    return Mustache.compiler()
        .escapeHTML(mode == Mode.HTML)
        .emptyStringIsFalse(true)
        .withCollector(new DataOnly())
        .withLoader(name -> {
          Snippets.Snippet snippet = snippets.byKey().get(name);
          if (snippet == null) {
            throw new MissingSnippet(name);
          }
          return new StringReader(
              mode == Mode.HTML
                  ? snippet.html().orElseGet(() -> asHtml(snippet.text()))
                  : snippet.text());
        });
  }

  /** A text snippet in HTML: escaped (its variables are escaped when rendered), breaks kept. */
  private static String asHtml(String text) {
    return org.jsoup.nodes.Entities.escape(text).replace("\n", "<br>\n");
  }

  private static InvalidInput problem(MustacheException e, String field) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MissingSnippet missing) {
        return new InvalidInput(
            "snippet-missing",
            field,
            field
                + " includes the snippet {{> "
                + missing.name
                + "}}, which does not exist; create it with PUT /v1/snippets/"
                + missing.name
                + " or remove the include.");
      }
    }
    if (e instanceof MustacheException.Context c && c.getMessage().startsWith("No ")) {
      return new InvalidInput(
          "template-variable-missing",
          "data." + c.key,
          field
              + " line "
              + c.lineNo
              + " uses {{"
              + c.key
              + "}}, but the data has no '"
              + c.key
              + "'. Add it to data (a missing variable is never sent as an empty string).");
    }
    return new InvalidInput(
        "template-syntax", field, field + " is not a valid template: " + e.getMessage());
  }

  private static final class MissingSnippet extends RuntimeException {
    final String name;

    MissingSnippet(String name) {
      super(name, null, false, false);
      this.name = name;
    }
  }

  /**
   * Looks into maps and lists only: a template can read the data it is given, never call a method
   * of a Java object ({@code {{name.class}}} is missing, not {@code java.lang.String}).
   */
  private static final class DataOnly extends BasicCollector {
    @Override
    public Mustache.VariableFetcher createFetcher(Object ctx, String name) {
      if (ctx instanceof Map<?, ?> || ctx instanceof List<?>) {
        return super.createFetcher(ctx, name);
      }
      return null;
    }

    @Override
    public <K, V> Map<K, V> createFetcherCache() {
      return new ConcurrentHashMap<>();
    }

    @Override
    public java.util.Iterator<?> toIterator(Object value) {
      java.util.Iterator<?> it = super.toIterator(value);
      if (it == null) {
        return null;
      }
      int[] budget = ITERATIONS.get();
      return new java.util.Iterator<Object>() {
        @Override
        public boolean hasNext() {
          return it.hasNext();
        }

        @Override
        public Object next() {
          if (--budget[0] < 0) {
            throw new TooLarge(true);
          }
          return it.next();
        }
      };
    }
  }
}
