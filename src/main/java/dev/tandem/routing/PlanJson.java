package dev.tandem.routing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

public final class PlanJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static ObjectNode write(RoutingPlan plan) {
    ObjectNode root = JSON.createObjectNode();
    root.put("summary", plan.summary());
    var steps = root.putArray("steps");
    for (Step s : plan.steps()) {
      var n =
          steps
              .addObject()
              .put("channel", s.channel().key())
              .put("kind", s.kind().name().toLowerCase())
              .put("code", s.reason().code())
              .put("reason", s.reason().text());
      s.notBefore().ifPresent(t -> n.put("notBefore", t.toString()));
      s.follows().ifPresent(f -> n.put("follows", f.key()));
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
    return root;
  }
}
