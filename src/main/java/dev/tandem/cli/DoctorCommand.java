package dev.tandem.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tandem.config.TandemConfig;
import dev.tandem.ops.doctor.Doctor;
import dev.tandem.ops.doctor.Finding;
import dev.tandem.ops.doctor.Report;
import dev.tandem.ops.doctor.Severity;
import dev.tandem.store.Database;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tandem doctor}: why is this not syncing? Exits 1 when any finding is an error. */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description = {
      "Check the configuration, the SMTP relay, the SMSC or SMS provider, DNS (SPF, DKIM, DMARC,"
          + " bounce MX), http.publicUrl, the clocks, the queue and the data; print what is"
          + " wrong, why it matters and the fix (docs/doctor.md).",
      "Exit status: 0 no errors (warnings allowed), 1 at least one error, 2 bad options or"
          + " config."
    })
public final class DoctorCommand implements Callable<Integer> {
  @CommandLine.Mixin ConfigOptions options = new ConfigOptions();

  @Option(names = "--json", description = "Print the findings as JSON.")
  boolean json;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    TandemConfig config = options.load(Map.of());
    Clock clock = Clock.systemUTC();
    Report report;
    Database database = null;
    try {
      Doctor.Database access;
      try {
        database = Database.open(config.db(), config.dataDir());
        access = new Doctor.Database.Open(database.jdbi());
      } catch (RuntimeException e) {
        access = new Doctor.Database.Unavailable(e.getMessage());
      }
      report = Doctor.standard(config, access, clock, Doctor.Endpoints.of(config)).run();
    } finally {
      if (database != null) {
        database.close();
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(
          new ObjectMapper()
              .enable(SerializationFeature.INDENT_OUTPUT)
              .writeValueAsString(report.asJson()));
    } else {
      print(report, out);
    }
    out.flush();
    return report.hasErrors() ? 1 : 0;
  }

  private static void print(Report report, PrintWriter out) {
    for (Finding finding : report.findings()) {
      out.printf(
          "%-7s %-12s %s%n",
          finding.severity().label().toUpperCase(Locale.ROOT), finding.check(), finding.found());
      if (finding.severity() == Severity.ERROR || finding.severity() == Severity.WARNING) {
        out.printf("        code: %s%n", finding.code());
        out.printf("        why:  %s%n", finding.why());
        out.printf("        fix:  %s%n", finding.fix());
      } else if (!finding.why().isEmpty()) {
        out.printf("        %s%n", finding.why());
      }
    }
    out.printf(
        "%d errors, %d warnings, %d ok (%.1f s)%n",
        report.count(Severity.ERROR),
        report.count(Severity.WARNING),
        report.count(Severity.OK),
        report.took().toMillis() / 1000.0);
  }
}
