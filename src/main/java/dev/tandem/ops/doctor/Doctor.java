package dev.tandem.ops.doctor;

import dev.tandem.config.TandemConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jdbi.v3.core.Jdbi;

/**
 * Runs the check families side by side, each bounded: a family that has not answered after three
 * times {@code doctor.timeout} (a relay that takes every step to the limit) is reported as an
 * error, so a run against unreachable hosts ends in about that time.
 */
public final class Doctor {
  private final List<Check> checks;
  private final Duration bound;
  private final Clock clock;

  Doctor(List<Check> checks, Duration timeout, Clock clock) {
    this.checks = List.copyOf(checks);
    this.bound = timeout.multipliedBy(3).plusSeconds(1);
    this.clock = clock;
  }

  /**
   * Where the relay and the SMSC are: from the config, or (inside {@code tandem serve}) the ports
   * of its sandbox; empty when the sandbox runs in another process.
   */
  public record Endpoints(Optional<Endpoint> smtp, Optional<Endpoint> smpp) {
    public static Endpoints of(TandemConfig config) {
      if (config.sandboxEnabled()) {
        return new Endpoints(Optional.empty(), Optional.empty());
      }
      return new Endpoints(
          config.smtp().host().map(host -> new Endpoint(host, config.smtp().port())),
          config.smpp().host().map(host -> new Endpoint(host, config.smpp().port())));
    }
  }

  /**
   * Every check, wired here for the CLI and the API alike.
   *
   * @param database the database, or why it could not be opened
   */
  public static Doctor standard(
      TandemConfig config, Database database, Clock clock, Endpoints endpoints) {
    Duration timeout = config.doctor().timeout();
    var checks = new ArrayList<Check>();
    checks.add(new ConfigChecks(config));
    checks.add(new SmtpChecks(config.smtp(), endpoints.smtp(), timeout));
    checks.add(new SmppChecks(config, endpoints.smpp(), timeout));
    checks.add(new SmsProviderChecks(config, timeout));
    checks.add(new DnsChecks(config, timeout));
    checks.add(new PublicUrlChecks(config.http().publicUrl(), timeout));
    switch (database) {
      case Database.Open open -> {
        checks.add(new ClockChecks(open.jdbi(), clock));
        checks.add(new QueueChecks(open.jdbi(), clock));
        checks.add(new ConsistencyChecks(open.jdbi()));
        checks.add(new ReputationChecks(open.jdbi()));
      }
      case Database.Unavailable unavailable -> checks.add(new DatabaseUnavailable(unavailable));
    }
    return new Doctor(checks, timeout, clock);
  }

  /** The database the checks of clock, queue and data read. */
  public sealed interface Database {
    record Open(Jdbi jdbi) implements Database {}

    record Unavailable(String problem) implements Database {}
  }

  private record DatabaseUnavailable(Database.Unavailable unavailable) implements Check {
    @Override
    public String name() {
      return "database";
    }

    @Override
    public List<Finding> run() {
      return List.of(
          Finding.error(
              "database-unreachable",
              name(),
              "Cannot open the database: " + unavailable.problem(),
              "Nothing is accepted or sent; the clock, queue and data checks did not run.",
              "Check db.url, db.user and db.password (TANDEM_DB_URL, …), or that the data"
                  + " directory (--data) is the one tandem serve uses."));
    }
  }

  public Report run() {
    Instant started = clock.instant();
    long t0 = System.nanoTime();
    var findings = new ArrayList<Finding>();
    // not closed with try-with-resources: close() would wait for a check stuck past its bound
    var executor = Executors.newVirtualThreadPerTaskExecutor();
    try {
      var futures = new ArrayList<Future<List<Finding>>>();
      for (Check check : checks) {
        futures.add(executor.submit(check::run));
      }
      long deadline = System.nanoTime() + bound.toNanos();
      for (int i = 0; i < checks.size(); i++) {
        Check check = checks.get(i);
        try {
          findings.addAll(
              futures.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
          futures.get(i).cancel(true);
          findings.add(
              Finding.error(
                  "check-timed-out",
                  check.name(),
                  "The "
                      + check.name()
                      + " checks gave no answer within "
                      + bound.toSeconds()
                      + " s.",
                  "Something it connects to accepts connections but does not answer.",
                  "See which host the "
                      + check.name()
                      + " checks talk to; raise doctor.timeout"
                      + " only if that host is known to be slow."));
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          findings.add(
              Finding.error(
                  "check-failed",
                  check.name(),
                  "The "
                      + check.name()
                      + " checks failed: "
                      + (cause.getMessage() == null ? cause.toString() : cause.getMessage()),
                  "The doctor could not look at this part.",
                  "Run again; if it persists, report it with this message."));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    } finally {
      executor.shutdownNow();
    }
    findings.sort(Comparator.comparing(Finding::severity));
    return new Report(started, Duration.ofNanos(System.nanoTime() - t0), findings);
  }
}
