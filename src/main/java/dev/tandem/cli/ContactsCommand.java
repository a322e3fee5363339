package dev.tandem.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tandem.App;
import dev.tandem.config.TandemConfig;
import dev.tandem.consent.ConsentLedger;
import dev.tandem.consent.ErasedAddresses;
import dev.tandem.contact.PhoneNumbers;
import dev.tandem.error.TandemException;
import dev.tandem.event.Changes;
import dev.tandem.event.Timeline;
import dev.tandem.imports.ImportReport;
import dev.tandem.imports.Importer;
import dev.tandem.privacy.ErasureKeyFile;
import dev.tandem.store.Database;
import dev.tandem.topic.TopicJson;
import dev.tandem.topic.Topics;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tandem contacts import}: contact lists into the database, with a report. */
@Command(
    name = "contacts",
    mixinStandardHelpOptions = true,
    description = "Contact tools.",
    subcommands = ContactsCommand.Import.class)
public final class ContactsCommand implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      description = {
        "Import an SMS, email or mixed contact list from CSV, with per-channel consent.",
        "Columns named phone, email, name, external_id, time_zone, topic, sms_consent,"
            + " sms_consent_date, sms_consent_source, sms_consent_wording and the same for email"
            + " are recognized; map others with --map. Importing the same file twice changes"
            + " nothing.",
        "Exit status: 0 imported, 1 failed (nothing imported), 2 bad options."
      })
  static final class Import implements Callable<Integer> {
    @CommandLine.Mixin ConfigOptions options = new ConfigOptions();

    @Parameters(index = "0", paramLabel = "FILE.csv", description = "The list (- for stdin).")
    String file;

    @Option(
        names = "--map",
        paramLabel = "FIELD=COLUMN",
        description = "Which column holds a field, e.g. --map phone='Mobile number'.")
    Map<String, String> mapping = new LinkedHashMap<>();

    @Option(
        names = "--topic",
        paramLabel = "TOPIC",
        description = "The topic the consent columns are about (or * for every topic).")
    String topic;

    @Option(names = "--dry-run", description = "Report what would change; write nothing.")
    boolean dryRun;

    @Option(
        names = "--encoding",
        paramLabel = "CHARSET",
        description = "The file's encoding (default UTF-8), e.g. windows-1252.")
    Charset encoding;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      TandemConfig config = options.load(Map.of());
      long size = file.equals("-") ? -1 : Files.size(Path.of(file));
      Clock clock = Clock.systemUTC();
      try (Database db = Database.open(config.db(), config.dataDir());
          InputStream in =
              file.equals("-")
                  ? System.in
                  : new BufferedInputStream(Files.newInputStream(Path.of(file)), 1 << 16)) {
        var jdbi = db.jdbi();
        var timeline = new Timeline(jdbi);
        var changes = new Changes(jdbi);
        var erased = new ErasedAddresses(ErasureKeyFile.load(config, jdbi));
        var contacts = // with every feature's merge hook: an import can merge contacts
            App.contacts(
                jdbi,
                clock,
                new PhoneNumbers(
                    config.contacts().defaultRegion(), config.contacts().phoneValidation()),
                timeline,
                changes,
                erased);
        var topics = new Topics(jdbi, clock, config.consent().defaultTopic());
        topics.seed(TopicJson.configured(config.consent().topics()));
        var ledger = new ConsentLedger(jdbi, clock, timeline, changes, config.consent(), topics);
        var importer = new Importer(jdbi, clock, contacts, ledger, changes, erased);
        long started = System.nanoTime();
        ImportReport report;
        try {
          report =
              importer.run(
                  in,
                  new Importer.Options(
                      mapping,
                      topic,
                      dryRun,
                      encoding,
                      file.equals("-") ? "stdin" : Path.of(file).getFileName().toString()),
                  progress(size, started));
        } catch (TandemException e) {
          clearLine();
          System.err.println("tandem: " + e.getMessage());
          return 1;
        }
        clearLine();
        if (json) {
          System.out.println(
              new ObjectMapper()
                  .enable(SerializationFeature.INDENT_OUTPUT)
                  .writeValueAsString(report));
        } else {
          System.out.print(report.summary());
          System.out.printf("Took %.1f s.%n", (System.nanoTime() - started) / 1e9);
        }
        return 0;
      }
    }

    /** A progress line on a terminal; nothing when the output is a pipe or a file. */
    private static Importer.Progress progress(long size, long started) {
      if (!terminal()) {
        return Importer.Progress.NONE;
      }
      PrintStream err = System.err;
      return (bytes, rows) -> {
        double seconds = Math.max(0.001, (System.nanoTime() - started) / 1e9);
        String bar = "";
        if (size > 0) {
          int filled = (int) Math.min(30, 30 * bytes / size);
          bar =
              "["
                  + "#".repeat(filled)
                  + " ".repeat(30 - filled)
                  + String.format("] %3d%% ", 100 * bytes / size);
        }
        err.printf("\r%s%,d rows, %,.0f rows/s ", bar, rows, rows / seconds);
        err.flush();
      };
    }

    /**
     * Whether stderr is a person's terminal. On JDK 22+ {@code System.console()} exists even for
     * pipes and {@code Console.isTerminal()} tells; Tandem builds for 21, so it asks by name.
     */
    static boolean terminal() {
      var console = System.console();
      if (console == null) {
        return false;
      }
      try {
        return (Boolean) console.getClass().getMethod("isTerminal").invoke(console);
      } catch (ReflectiveOperationException | RuntimeException before22) {
        return true; // JDK 21: a console means a terminal
      }
    }

    private static void clearLine() {
      if (terminal()) {
        System.err.print("\r" + " ".repeat(70) + "\r");
      }
    }
  }
}
