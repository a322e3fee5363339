package dev.tandem.api;

import dev.tandem.delivery.CostReport;
import dev.tandem.error.InvalidInput;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code GET /v1/reports/cost}: what messages cost over a range, by topic, channel or country. */
final class ReportRoutes {
  static final String COST = "/v1/reports/cost";

  private final CostReport costs;

  ReportRoutes(CostReport costs) {
    this.costs = costs;
  }

  void register(Javalin app) {
    app.get(COST, this::cost);
  }

  private void cost(Context ctx) {
    Instant from = instant(ctx, "from");
    Instant to = instant(ctx, "to");
    String group = ctx.queryParam("groupBy");
    CostReport.GroupBy groupBy =
        group == null ? CostReport.GroupBy.CHANNEL : CostReport.GroupBy.parse(group);
    List<CostReport.Row> rows = costs.report(from, to, groupBy);
    var items = new ArrayList<Map<String, Object>>();
    Map<String, BigDecimal> totals = new TreeMap<>();
    long deliveries = 0;
    for (CostReport.Row row : rows) {
      var item = new LinkedHashMap<String, Object>();
      item.put("key", row.key());
      item.put("currency", row.currency());
      item.put("deliveries", row.deliveries());
      item.put("segments", row.segments());
      item.put("cost", row.cost().stripTrailingZeros().toPlainString());
      items.add(item);
      deliveries += row.deliveries();
      if (row.currency() != null) {
        totals.merge(row.currency(), row.cost(), BigDecimal::add);
      }
    }
    var out = new LinkedHashMap<String, Object>();
    out.put("from", from);
    out.put("to", to);
    out.put("groupBy", groupBy.name().toLowerCase(java.util.Locale.ROOT));
    out.put("items", items);
    var total = new LinkedHashMap<String, Object>();
    total.put("deliveries", deliveries);
    var byCurrency = new LinkedHashMap<String, String>();
    totals.forEach((c, v) -> byCurrency.put(c, v.stripTrailingZeros().toPlainString()));
    total.put("cost", byCurrency);
    out.put("total", total);
    ctx.json(out);
  }

  private static Instant instant(Context ctx, String name) {
    String value = ctx.queryParam(name);
    if (value == null || value.isBlank()) {
      throw new InvalidInput(
          "missing-" + name, name, name + " is required: an instant such as 2026-12-01T00:00:00Z.");
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new InvalidInput(
          "invalid-" + name,
          name,
          name + " is '" + value + "'; use an ISO-8601 instant such as 2026-12-01T00:00:00Z.");
    }
  }
}
