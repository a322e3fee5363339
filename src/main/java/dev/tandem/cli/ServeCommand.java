package dev.tandem.cli;

import dev.tandem.App;
import dev.tandem.config.TandemConfig;
import dev.tandem.ops.Health;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Run Tandem: the API, the dispatcher and (without real providers) the sandbox.")
public final class ServeCommand implements Callable<Integer> {
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
                // set but empty (compose's ${VAR:-}, an env file's VAR=) means none
                Optional.ofNullable(System.getenv("TANDEM_BOOTSTRAP_API_KEY"))
                    .filter(key -> !key.isBlank())));
    var stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> {
              app.close();
              stopped.countDown();
            }));
    if (config.sandboxEnabled()) {
      System.out.printf(
          "Sandbox: SMTP on 127.0.0.1:%d, SMSC on 127.0.0.1:%d%n",
          app.sandboxSmtp.orElseThrow().port(), app.sandboxSmsc.orElseThrow().port());
    }
    // "ready" only when /health/ready would say so; until then, what it waits for, every 30 s
    long notReadySince = System.nanoTime();
    long lastTold = notReadySince - 31_000_000_000L; // nanoTime has no fixed origin
    while (true) {
      Map<String, String> checks = app.health.run();
      if (Health.allOk(checks)) {
        System.out.printf(
            "Tandem is ready at %s (data in %s, ready in %.1f s)%n",
            app.url(), config.dataDir().toAbsolutePath(), (System.nanoTime() - started) / 1e9);
        break;
      }
      if (System.nanoTime() - lastTold > 30_000_000_000L
          && System.nanoTime() - notReadySince > 2_000_000_000L) {
        lastTold = System.nanoTime();
        var waiting = new StringBuilder();
        checks.forEach((name, state) -> {
          if (!state.equals("ok")) {
            waiting.append(waiting.isEmpty() ? "" : "; ").append(name).append(": ").append(state);
          }
        });
        System.out.printf(
            "Tandem is up at %s but not ready yet (GET /health/ready answers 503): %s%n",
            app.url(), waiting);
      }
      if (stopped.await(250, java.util.concurrent.TimeUnit.MILLISECONDS)) {
        return 0;
      }
    }
    stopped.await();
    return 0;
  }
}
