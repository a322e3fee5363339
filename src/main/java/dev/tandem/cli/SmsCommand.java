package dev.tandem.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tandem.sms.DeliveryReceipt;
import dev.tandem.sms.SmsText;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tandem sms inspect|receipt}: SMS tools for operators, no server needed. */
@Command(
    name = "sms",
    mixinStandardHelpOptions = true,
    description =
        "SMS tools: how a text is encoded and split, what a receipt says, what a reply asks.",
    subcommands = {SmsCommand.Inspect.class, SmsCommand.Receipt.class, SmsCommand.Keyword.class})
public final class SmsCommand implements Runnable {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  @Command(
      name = "inspect",
      mixinStandardHelpOptions = true,
      description = "Show the encoding, length, parts, substitutions and UCS-2 characters of TEXT.")
  static final class Inspect implements Callable<Integer> {
    @Option(
        names = "--json",
        description =
            "Print JSON: encoding, units, segments, parts, substitutions, nonGsmCharacters.")
    boolean json;

    @Option(
        names = "--no-substitution",
        description = "Do not replace smart quotes, dashes, … to stay in GSM-7.")
    boolean noSubstitution;

    @Parameters(index = "0", paramLabel = "TEXT", description = "The SMS text (quote it).")
    String text;

    @Override
    public Integer call() throws Exception {
      SmsText sms = SmsText.of(text, !noSubstitution);
      if (json) {
        System.out.println(JSON.writeValueAsString(sms.toJson()));
        return 0;
      }
      System.out.printf("encoding  %s%n", sms.encoding());
      System.out.printf(
          "units     %d %s%n",
          sms.units(), sms.encoding().name().equals("GSM7") ? "septets" : "UTF-16 code units");
      System.out.printf(
          "segments  %d (limit %d in one SMS, %d per part)%n",
          sms.segments(), sms.encoding().singleLimit, sms.encoding().partLimit);
      for (int i = 0; i < sms.parts().size(); i++) {
        System.out.printf("part %d    %s%n", i + 1, sms.parts().get(i).replace("\n", "\\n"));
      }
      for (SmsText.Substitution s : sms.substitutions()) {
        System.out.printf(
            "replaced  %s (U+%04X) with '%s', %d×%n",
            s.from(), s.from().codePointAt(0), s.to(), s.count());
      }
      for (String c : sms.nonGsmCharacters()) {
        System.out.printf("UCS-2 because of %s (U+%04X)%n", c, c.codePointAt(0));
      }
      return 0;
    }
  }

  @Command(
      name = "receipt",
      mixinStandardHelpOptions = true,
      description = "Parse an SMPP delivery receipt text (id:… sub:… dlvrd:… stat:… err:… text:…).")
  static final class Receipt implements Callable<Integer> {
    @Option(
        names = "--json",
        description =
            "Print JSON with the fields id, sub, dlvrd, submit_date, done_date, stat, err, text, normalized_status, is_final.")
    boolean json;

    @Parameters(
        index = "0",
        paramLabel = "TEXT",
        description = "The receipt's short_message text (quote it).")
    String text;

    @Override
    public Integer call() throws Exception {
      var parsed = DeliveryReceipt.parse(text);
      if (parsed.isEmpty()) {
        System.err.println(
            "tandem: not a delivery receipt: it needs at least 'id:' and 'stat:' fields, e.g. 'id:123 sub:001 dlvrd:001 submit date:2511271030 done date:2511271031 stat:DELIVRD err:000 text:'");
        return 2;
      }
      var receipt = parsed.get().toJson();
      if (json) {
        System.out.println(JSON.writeValueAsString(receipt));
      } else {
        receipt.forEach((k, v) -> System.out.printf("%-17s %s%n", k, v == null ? "" : v));
      }
      return 0;
    }
  }

  @Command(
      name = "keyword",
      mixinStandardHelpOptions = true,
      description = "Classify an inbound SMS as opt-out, opt-in, help or none, as Tandem will.")
  static final class Keyword implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON: class and the normalized text.")
    boolean json;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "YAML config whose consent.*Keywords lists to add to the defaults.")
    java.nio.file.Path config;

    @Parameters(index = "0", paramLabel = "TEXT", description = "The inbound text (quote it).")
    String text;

    @Override
    public Integer call() throws Exception {
      var consent =
          dev.tandem.config.ConfigLoader.load(config, System.getenv(), java.util.Map.of())
              .consent();
      var kind =
          new dev.tandem.consent.KeywordClassifier(dev.tandem.consent.SmsKeywords.keywords(consent))
              .classify(text);
      String normalized = dev.tandem.consent.KeywordClassifier.normalize(text);
      if (json) {
        System.out.println(
            JSON.writeValueAsString(
                java.util.Map.of("class", kind.label, "normalized", normalized)));
      } else {
        System.out.println(kind.label + "   (read as \"" + normalized + "\")");
      }
      return 0;
    }
  }
}
