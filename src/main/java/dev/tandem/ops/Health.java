package dev.tandem.ops;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Readiness checks by name: the database and each gateway. Each check answers null when fine. */
public final class Health {
  private final Map<String, Supplier<String>> checks = new LinkedHashMap<>();

  /**
   * @param problem returns null when healthy, or what is wrong in words
   */
  public Health check(String name, Supplier<String> problem) {
    checks.put(name, problem);
    return this;
  }

  /** name → "ok" or the problem. */
  public Map<String, String> run() {
    var results = new LinkedHashMap<String, String>();
    checks.forEach((name, check) -> {
      String problem;
      try {
        problem = check.get();
      } catch (RuntimeException e) {
        problem = e.getMessage();
      }
      results.put(name, problem == null ? "ok" : problem);
    });
    return results;
  }

  public static boolean allOk(Map<String, String> results) {
    return results.values().stream().allMatch("ok"::equals);
  }
}
