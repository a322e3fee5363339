package dev.tandem;

import dev.tandem.cli.ApiKeyCommand;
import dev.tandem.cli.BackupCommand;
import dev.tandem.cli.ContactsCommand;
import dev.tandem.cli.DemoCommand;
import dev.tandem.cli.DoctorCommand;
import dev.tandem.cli.RestoreCommand;
import dev.tandem.cli.RouteCommand;
import dev.tandem.cli.ServeCommand;
import dev.tandem.cli.SmsCommand;
import dev.tandem.cli.TemplatesCommand;
import dev.tandem.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The entry point: gathers the commands of {@code dev.tandem.cli} under {@code tandem}. */
@Command(
    name = "tandem",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Keeps an organization's SMS and email channels in sync.",
    subcommands = {
      ServeCommand.class,
      DemoCommand.class,
      SmsCommand.class,
      ContactsCommand.class,
      RouteCommand.class,
      TemplatesCommand.class,
      DoctorCommand.class,
      ApiKeyCommand.class,
      BackupCommand.class,
      RestoreCommand.class
    })
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    var cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof ConfigException || e instanceof IllegalArgumentException) {
        commandLine.getErr().println("tandem: " + e.getMessage());
        return 2;
      }
      commandLine.getErr().println("tandem: " + e.getMessage());
      if (e.getCause() != null) {
        commandLine.getErr().println("  caused by: " + e.getCause().getMessage());
      }
      return 1;
    });
    return cli.execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /**
   * The version the release jar's manifest carries ({@code Implementation-Version}, from the pom),
   * so that it cannot drift from the build; classes run outside the jar (tests, an IDE) say so.
   */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"Tandem " + current()};
    }

    static String current() {
      String version = Main.class.getPackage().getImplementationVersion();
      return version == null ? "(development build, not run from target/tandem.jar)" : version;
    }
  }
}
