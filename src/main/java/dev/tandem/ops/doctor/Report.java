package dev.tandem.ops.doctor;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** What one run of the doctor found, errors first. */
public record Report(Instant at, Duration took, List<Finding> findings) {
  public Report {
    findings = List.copyOf(findings);
  }

  public boolean hasErrors() {
    return findings.stream().anyMatch(f -> f.severity() == Severity.ERROR);
  }

  /** The report as the API and {@code tandem doctor --json} give it. */
  public java.util.Map<String, Object> asJson() {
    var out = new java.util.LinkedHashMap<String, Object>();
    out.put("ok", !hasErrors());
    out.put("at", at.toString());
    out.put("tookMillis", took.toMillis());
    var counts = new java.util.LinkedHashMap<String, Long>();
    for (Severity severity : Severity.values()) {
      counts.put(severity.label(), count(severity));
    }
    out.put("counts", counts);
    out.put(
        "findings",
        findings.stream()
            .map(f -> {
              var item = new java.util.LinkedHashMap<String, Object>();
              item.put("severity", f.severity().label());
              item.put("code", f.code());
              item.put("check", f.check());
              item.put("found", f.found());
              item.put("why", f.why());
              item.put("fix", f.fix());
              return item;
            })
            .toList());
    return out;
  }

  public long count(Severity severity) {
    return findings.stream().filter(f -> f.severity() == severity).count();
  }
}
