package dev.tandem;

import dev.tandem.api.ApiKeys;
import dev.tandem.config.ConfigException;
import dev.tandem.config.ConfigLoader;
import dev.tandem.config.TandemConfig;
import dev.tandem.store.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The command line: {@code tandem serve | demo | apikey create|list|revoke}. */
@Command(
    name = "tandem",
    mixinStandardHelpOptions = true,
    version = "Tandem 0.1.0",
    description = "Keeps an organization's SMS and email channels in sync.",
    subcommands = {
      Main.Serve.class,
      Demo.class,
      SmsCommand.class,
      ContactsCommand.class,
      RouteCommand.class,
      Main.ApiKey.class
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

  /** Options every command that reads the configuration shares. */
  static final class ConfigOptions {
    @Option(
        names = "--data",
        paramLabel = "DIR",
        description = "Data directory (default: ./data, or dataDir in the config).")
    Path data;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "YAML config file; see tandem.example.yaml.")
    Path config;

    TandemConfig load(Map<String, String> overrides) {
      var all = new HashMap<>(overrides);
      if (data != null) {
        all.put("dataDir", data.toString());
      }
      return ConfigLoader.load(config, System.getenv(), all);
    }
  }

  @Command(
      name = "serve",
      mixinStandardHelpOptions = true,
      description = "Run Tandem: the API, the dispatcher and (without real providers) the sandbox.")
  static final class Serve implements Callable<Integer> {
    @CommandLine.Mixin ConfigOptions options = new ConfigOptions();

    @Option(
        names = "--port",
        paramLabel = "N",
        description = "HTTP port (default 8080, 0 = any free port).")
    Integer port;

    @Override
    public Integer call() throws InterruptedException {
      var overrides = new HashMap<String, String>();
      if (port != null) {
        overrides.put("http.port", Integer.toString(port));
      }
      TandemConfig config = options.load(overrides);
      long started = System.nanoTime();
      App app =
          App.start(
              config,
              App.Options.production(
                  Optional.ofNullable(System.getenv("TANDEM_BOOTSTRAP_API_KEY"))));
      var stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(() -> {
                app.close();
                stopped.countDown();
              }));
      System.out.printf(
          "Tandem is ready at %s (data in %s, started in %.1f s)%n",
          app.url(), config.dataDir().toAbsolutePath(), (System.nanoTime() - started) / 1e9);
      if (config.sandboxEnabled()) {
        System.out.printf(
            "Sandbox: SMTP on 127.0.0.1:%d, SMSC on 127.0.0.1:%d%n",
            app.sandboxSmtp.orElseThrow().port(), app.sandboxSmsc.orElseThrow().port());
      }
      stopped.await();
      return 0;
    }
  }

  @Command(
      name = "apikey",
      mixinStandardHelpOptions = true,
      description = "Manage API keys.",
      subcommands = {ApiKey.Create.class, ApiKey.ListKeys.class, ApiKey.Revoke.class})
  static final class ApiKey implements Runnable {
    @Override
    public void run() {
      new CommandLine(this).usage(System.out);
    }

    @Command(
        name = "create",
        mixinStandardHelpOptions = true,
        description = "Create an API key and print it once.")
    static final class Create implements Callable<Integer> {
      @CommandLine.Mixin ConfigOptions options = new ConfigOptions();

      @Option(
          names = "--name",
          required = true,
          paramLabel = "NAME",
          description = "Who uses the key, e.g. billing-service.")
      String name;

      @Option(
          names = "--scope",
          paramLabel = "SCOPE",
          description =
              "What the key may do: api (every /v1 route but key management) and/or keys:manage;"
                  + " repeat for both. Default: both.")
      Set<String> scopes = ApiKeys.SCOPES;

      @Option(
          names = "--expires-at",
          paramLabel = "INSTANT",
          description = "When the key stops working, e.g. 2027-01-31T00:00:00Z. Default: never.")
      Instant expiresAt;

      @Override
      public Integer call() {
        TandemConfig config = options.load(Map.of());
        try (Database db = Database.open(config.db(), config.dataDir())) {
          String key =
              new ApiKeys(db.jdbi(), Clock.systemUTC()).create(name, scopes, expiresAt).key();
          System.out.println(key);
          System.err.println(
              "Store it now: Tandem keeps only its hash. Use it as 'Authorization: Bearer "
                  + key.substring(0, 8)
                  + "…'.");
        }
        return 0;
      }
    }

    @Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = "List API keys: id, name, prefix, scopes, created, last used, expiry, state.")
    static final class ListKeys implements Callable<Integer> {
      @CommandLine.Mixin ConfigOptions options = new ConfigOptions();

      @Override
      public Integer call() {
        TandemConfig config = options.load(Map.of());
        try (Database db = Database.open(config.db(), config.dataDir())) {
          System.out.printf(
              "%-36s  %-20s  %-8s  %-15s  %-20s  %-20s  %-20s  %s%n",
              "ID", "NAME", "PREFIX", "SCOPES", "CREATED", "LAST USED", "EXPIRES", "STATE");
          for (ApiKeys.ApiKey key : new ApiKeys(db.jdbi(), Clock.systemUTC()).list()) {
            System.out.printf(
                "%-36s  %-20s  %-8s  %-15s  %-20s  %-20s  %-20s  %s%n",
                key.id(),
                key.name(),
                key.prefix(),
                String.join(",", key.scopes()),
                seconds(key.createdAt()),
                seconds(key.lastUsedAt()),
                seconds(key.expiresAt()),
                key.revokedAt() != null ? "revoked " + seconds(key.revokedAt()) : "active");
          }
        }
        return 0;
      }

      private static String seconds(Instant at) {
        return at == null ? "-" : at.truncatedTo(ChronoUnit.SECONDS).toString();
      }
    }

    @Command(
        name = "revoke",
        mixinStandardHelpOptions = true,
        description = "Revoke an API key: every node refuses it within a second.")
    static final class Revoke implements Callable<Integer> {
      @CommandLine.Mixin ConfigOptions options = new ConfigOptions();

      @CommandLine.Parameters(paramLabel = "ID", description = "The key's id, from 'apikey list'.")
      UUID id;

      @Override
      public Integer call() {
        TandemConfig config = options.load(Map.of());
        try (Database db = Database.open(config.db(), config.dataDir())) {
          ApiKeys.ApiKey key = new ApiKeys(db.jdbi(), Clock.systemUTC()).revoke(id);
          System.out.println(
              "API key " + key.name() + " (" + key.prefix() + "…) revoked at " + key.revokedAt());
        }
        return 0;
      }
    }
  }
}
