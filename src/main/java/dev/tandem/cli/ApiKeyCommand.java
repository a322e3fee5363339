package dev.tandem.cli;

import dev.tandem.api.ApiKeys;
import dev.tandem.config.TandemConfig;
import dev.tandem.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "apikey",
    mixinStandardHelpOptions = true,
    description = "Manage API keys.",
    subcommands = {
      ApiKeyCommand.Create.class,
      ApiKeyCommand.ListKeys.class,
      ApiKeyCommand.Revoke.class
    })
public final class ApiKeyCommand implements Runnable {
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
