package dev.tandem.bench;

import dev.tandem.content.EmailContent;
import dev.tandem.content.SmsContent;
import dev.tandem.sms.SmsText;
import dev.tandem.template.Snippets;
import dev.tandem.template.TemplateDocument;
import dev.tandem.template.TemplateDocument.EmailVariant;
import dev.tandem.template.TemplateDocument.SmsVariant;
import dev.tandem.template.TemplateDocument.Variant;
import dev.tandem.template.TemplateRenderer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Renders per second. Baseline: the content a caller writes inline (an SMS measured for segments,
 * an email validated), which every send does anyway. Then a realistic order-shipped template
 * (a table-based HTML email of ~5 KB with line items, a button, a footer snippet and a preheader)
 * rendered for one person with its SMS variant, and the same with the SMS derived from the email.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TemplateBench {
  TemplateRenderer renderer;
  TemplateDocument withSms;
  TemplateDocument emailOnly;
  Snippets snippets;
  Map<String, Object> data;
  TemplateRenderer.Options options;
  String inlineSms;
  String inlineHtml;

  static final String HTML =
      """
      <!DOCTYPE html><html><head><meta charset="utf-8"><style>.button{background:#0a7}</style></head>
      <body style="margin:0;background:#f4f4f4">
      <span style="display:none;max-height:0;overflow:hidden">Order {{order}} is on its way</span>
      <table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
      <table role="presentation" width="600" style="background:#fff;font-family:Arial,sans-serif">
        <tr><td style="padding:24px"><img src="https://shop.example/logo.png" alt="Acme" width="120"></td></tr>
        <tr><td style="padding:0 24px"><h1 style="font-size:22px">Your order is on its way</h1>
          <p>Hi {{contact.firstName}},</p>
          <p>Good news: order {{order}} left our warehouse today and should arrive {{eta}}.
             You can follow the parcel at every step.</p>
          <p><a class="button" href="{{trackUrl}}" style="background:#0a7;color:#fff;padding:12px 20px">Track your parcel</a></p>
        </td></tr>
        <tr><td style="padding:24px"><table width="100%">
          <tr><th align="left">Item</th><th>Qty</th><th align="right">Price</th></tr>
          {{#items}}<tr><td>{{name}}</td><td align="center">{{qty}}</td><td align="right">{{price}}</td></tr>{{/items}}
          <tr><td colspan="2"><b>Total</b></td><td align="right"><b>{{total}}</b></td></tr>
        </table></td></tr>
        <tr><td style="padding:24px;color:#666;font-size:12px">
          <p>Questions? Reply to this email or call us.</p>{{> footer}}
          <p><a href="{{links.unsubscribe}}">Unsubscribe</a> · <a href="https://shop.example/privacy">Privacy</a></p>
        </td></tr>
      </table></td></tr></table></body></html>
      """;

  @Setup
  public void setup() {
    renderer = new TemplateRenderer();
    snippets =
        new Snippets(
            Map.of(
                "footer",
                new Snippets.Snippet(
                    "footer", "Acme Inc., 1 Main St, Springfield", Optional.empty())));
    var email =
        new EmailVariant(
            "Order {{order}} has shipped",
            Optional.of(HTML),
            Optional.of(
                "Hi {{contact.firstName}}, order {{order}} arrives {{eta}}. Track: {{trackUrl}}\n"
                    + "{{#items}}{{name}} x{{qty}} {{price}}\n{{/items}}Total {{total}}\n{{> footer}}"));
    withSms =
        new TemplateDocument(
            "order-shipped",
            "",
            Optional.empty(),
            Map.of(),
            Map.of(
                "default",
                new Variant(
                    Optional.of(email),
                    Optional.of(
                        new SmsVariant(
                            "Acme: order {{order}} ships today, arrives {{eta}}. Track: {{trackUrl}}",
                            true)))),
            List.of());
    emailOnly =
        new TemplateDocument(
            "order-shipped",
            "",
            Optional.empty(),
            Map.of(),
            Map.of("default", new Variant(Optional.of(email), Optional.empty())),
            List.of());
    data =
        Map.of(
            "order", "1042",
            "eta", "Thursday",
            "trackUrl", "https://shop.example/track/1042",
            "total", "$61.50",
            "contact", Map.of("firstName", "Ada", "name", "Ada Lovelace"),
            "items",
                List.of(
                    Map.of("name", "Blue kettle", "qty", "1", "price", "$39.00"),
                    Map.of("name", "Tea towels (set of 3)", "qty", "2", "price", "$22.50")));
    options =
        new TemplateRenderer.Options(1, true, url -> "https://tandem.example/s/AbCdEfG123");
    inlineSms = "Acme: order 1042 ships today, arrives Thursday. Track: https://tandem.example/s/AbCdEfG123";
    inlineHtml = HTML;
  }

  @Benchmark
  public Object baselineInlineContent() {
    var sms = new SmsContent(inlineSms, true);
    return List.of(
        SmsText.of(sms.text(), true),
        new EmailContent(
            "Order 1042 has shipped",
            Optional.of(inlineHtml),
            Optional.of("Hi Ada"),
            false,
            false,
            List.of()));
  }

  @Benchmark
  public Object templateWithSmsVariant() {
    return renderer.render(
        withSms, "en-GB", data, snippets, options, TemplateRenderer.EmailOptions.NONE);
  }

  @Benchmark
  public Object templateWithDerivedSms() {
    return renderer.render(
        emailOnly, "en-GB", data, snippets, options, TemplateRenderer.EmailOptions.NONE);
  }
}
