package dev.tandem.routing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * A plan as JSON, as stored with the message and shown by {@code GET /v1/messages/{id}}: stable
 * field names, ISO-8601 instants and durations, amounts as plain decimal strings.
 */
public final class PlanJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PlanJson() {}

  public static ObjectNode write(RoutingPlan plan) {
    ObjectNode root = JSON.createObjectNode();
    root.put("summary", plan.summary());
    var steps = root.putArray("steps");
    for (Step s : plan.steps()) {
      ObjectNode n =
          steps
              .addObject()
              .put("channel", s.channel().key())
              .put("kind", s.kind().name().toLowerCase(Locale.ROOT))
              .put("code", s.reason().code())
              .put("reason", s.reason().text());
      s.notBefore().ifPresent(t -> n.put("notBefore", t.toString()));
      s.follows().ifPresent(f -> n.put("follows", f.key()));
      if (!s.on().isEmpty()) {
        var on = n.putArray("on");
        s.on().stream().map(t -> t.key()).sorted().forEach(on::add);
      }
      s.after().ifPresent(a -> n.put("after", a.toString()));
      s.cost().ifPresent(c -> money(n.putObject("cost"), c));
    }
    var skipped = root.putArray("skipped");
    for (Skip s : plan.skipped()) {
      skipped
          .addObject()
          .put("channel", s.channel().key())
          .put("code", s.reason().code())
          .put("reason", s.reason().text());
    }
    plan.duplicateOf().ifPresent(d -> root.put("duplicateOf", d.toString()));
    plan.cost().ifPresent(c -> money(root.putObject("cost"), c));
    plan.fallbackCost().ifPresent(c -> money(root.putObject("fallbackCost"), c));
    return root;
  }

  private static void money(ObjectNode node, Money money) {
    node.put("amount", money.amount().stripTrailingZeros().toPlainString())
        .put("currency", money.currency());
  }
}
