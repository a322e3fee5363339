package dev.tandem.api;

import dev.tandem.error.InvalidInput;
import dev.tandem.imports.ImportRuns;
import dev.tandem.imports.Importer;
import dev.tandem.store.PageRequest;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /v1/imports}: a CSV body, streamed into the importer (never held in memory), with the
 * column mapping, topic and dry-run flag as query parameters; answers with the report.
 */
final class ImportRoutes {
  private final Importer importer;
  private final io.micrometer.core.instrument.MeterRegistry metrics;

  ImportRoutes(Importer importer, io.micrometer.core.instrument.MeterRegistry metrics) {
    this.metrics = metrics;
    for (String outcome : java.util.List.of("done", "dry_run", "refused")) {
      runs(outcome);
    }
    for (String result :
        java.util.List.of("created", "updated", "merged", "unchanged", "rejected")) {
      rows(result);
    }
    this.importer = importer;
  }

  private io.micrometer.core.instrument.Counter runs(String outcome) {
    return io.micrometer.core.instrument.Counter.builder("tandem.imports")
        .description("CSV imports through the API, by outcome")
        .tag("outcome", outcome)
        .register(metrics);
  }

  private io.micrometer.core.instrument.Counter rows(String result) {
    return io.micrometer.core.instrument.Counter.builder("tandem.import.rows")
        .description("Rows of CSV imports through the API (not dry runs), by what became of them")
        .tag("result", result)
        .register(metrics);
  }

  void register(Javalin app) {
    app.post("/v1/imports", this::importCsv);
    app.get(
        "/v1/imports",
        ctx ->
            ctx.json(
                ApiServer.pageJson(
                    importer
                        .runs()
                        .page(PageRequest.of(ctx.queryParam("limit"), ctx.queryParam("after"), 1)),
                    ImportRoutes::json)));
    app.get(
        "/v1/imports/{id}",
        ctx -> ctx.json(json(importer.runs().get(ApiServer.uuidParam(ctx, "id")))));
  }

  private static Map<String, Object> json(ImportRuns.Run run) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", run.id());
    out.put("name", run.name());
    out.put("dryRun", run.dryRun());
    out.put("status", run.status());
    run.report().ifPresent(r -> out.put("report", r));
    out.put("error", run.error().orElse(null));
    out.put("startedAt", run.startedAt());
    out.put("finishedAt", run.finishedAt());
    return out;
  }

  private void importCsv(Context ctx) throws Exception {
    Map<String, String> mapping = new LinkedHashMap<>();
    for (String pair : ctx.queryParams("map")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new InvalidInput(
            "invalid-mapping",
            "map",
            "'" + pair + "' is not field=Column, e.g. map=phone=Mobile%20number.");
      }
      mapping.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    String dryRun = ctx.queryParam("dryRun");
    if (dryRun != null && !dryRun.equals("true") && !dryRun.equals("false")) {
      throw new InvalidInput("invalid-dry-run", "dryRun", "dryRun is true or false.");
    }
    Charset charset = charset(ctx.contentType());
    boolean dry = "true".equals(dryRun);
    dev.tandem.imports.ImportReport report;
    try {
      report =
          importer.run(
              ctx.bodyInputStream(),
              new Importer.Options(
                  mapping,
                  ctx.queryParam("topic"),
                  "true".equals(dryRun),
                  charset,
                  ctx.queryParam("name") == null ? "api upload" : ctx.queryParam("name")),
              Importer.Progress.NONE);
    } catch (RuntimeException e) {
      runs("refused").increment();
      throw e;
    }
    runs(dry ? "dry_run" : "done").increment();
    if (!dry) {
      rows("created").increment(report.created);
      rows("updated").increment(report.updated);
      rows("merged").increment(report.merged);
      rows("unchanged").increment(report.unchanged);
      rows("rejected").increment(report.rejected);
    }
    ctx.json(report);
  }

  private static Charset charset(String contentType) {
    if (contentType == null) {
      return null;
    }
    for (String part : contentType.split(";")) {
      String p = part.strip();
      if (p.regionMatches(true, 0, "charset=", 0, 8)) {
        String name = p.substring(8).replace("\"", "");
        try {
          return Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
          throw new InvalidInput(
              "unknown-charset",
              "Content-Type",
              "'"
                  + name
                  + "' is not a character set Tandem knows; send UTF-8 or e.g. windows-1252.");
        }
      }
    }
    return null;
  }
}
