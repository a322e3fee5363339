package dev.tandem.routing;

import dev.tandem.channel.Channel;
import dev.tandem.topic.ChannelPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** SCAFFOLD: replaced by h-router's router. */
public final class Router {
  public RoutingPlan plan(RouteRequest r) {
    List<Step> steps = new ArrayList<>();
    List<Skip> skipped = new ArrayList<>();
    List<Channel> usable = new ArrayList<>();
    for (Channel c : Channel.values()) {
      Gate g = r.gates().get(c);
      if (!r.addresses().containsKey(c)) {
        skipped.add(new Skip(c, new Reason("no-address", "no address")));
        continue;
      }
      if (!r.content().containsKey(c)
          && !(c == Channel.SMS && r.policy().channels() == ChannelPolicy.POINTER)) {
        skipped.add(new Skip(c, new Reason("no-content", "no content")));
        continue;
      }
      if (g != null && !g.allowed()) {
        skipped.add(new Skip(c, new Reason(g.code(), g.reason())));
        continue;
      }
      usable.add(c);
    }
    if (!r.named().isEmpty()) {
      for (Channel c : usable)
        if (r.named().contains(c))
          steps.add(
              new Step(
                  c,
                  Kind.NOW,
                  Optional.empty(),
                  Optional.empty(),
                  Set.of(),
                  Optional.empty(),
                  new Reason("named", "named"),
                  Optional.empty()));
      return new RoutingPlan(
          steps, skipped, Optional.empty(), Optional.empty(), Optional.empty(), "named");
    }
    Channel first =
        switch (r.policy().channels()) {
          case SMS_FIRST -> Channel.SMS;
          case EMAIL_FIRST, POINTER -> Channel.EMAIL;
          case PREFERENCE -> r.preference().orElse(r.policy().preferenceDefault());
          case BOTH -> null;
        };
    if (first == null) {
      for (Channel c : usable)
        steps.add(
            new Step(
                c,
                Kind.NOW,
                Optional.empty(),
                Optional.empty(),
                Set.of(),
                Optional.empty(),
                new Reason("both", "both"),
                Optional.empty()));
    } else {
      if (!usable.contains(first)) first = first == Channel.SMS ? Channel.EMAIL : Channel.SMS;
      if (usable.contains(first)) {
        steps.add(
            new Step(
                first,
                Kind.NOW,
                Optional.empty(),
                Optional.empty(),
                Set.of(),
                Optional.empty(),
                new Reason("policy", "policy"),
                Optional.empty()));
        Channel other = first == Channel.SMS ? Channel.EMAIL : Channel.SMS;
        if (usable.contains(other)
            && r.policy().channels() == ChannelPolicy.POINTER
            && first == Channel.EMAIL) {
          steps.add(
              new Step(
                  Channel.SMS,
                  Kind.POINTER,
                  Optional.empty(),
                  Optional.of(Channel.EMAIL),
                  Set.of(),
                  Optional.empty(),
                  new Reason("pointer", "pointer"),
                  Optional.empty()));
        } else if (usable.contains(other) && r.policy().fallback().enabled()) {
          steps.add(
              new Step(
                  other,
                  Kind.FALLBACK,
                  Optional.empty(),
                  Optional.of(first),
                  r.policy().fallback().on(),
                  r.policy().fallback().after(),
                  new Reason("fallback", "fallback"),
                  Optional.empty()));
        }
      }
    }
    return new RoutingPlan(
        steps, skipped, Optional.empty(), Optional.empty(), Optional.empty(), "scaffold");
  }
}
