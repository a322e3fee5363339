package dev.tandem.sms;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Several SMS gateways chosen by destination: the longest matching E.164 prefix wins, the default
 * takes the rest. Receipts need no routing back: each gateway names its own receipt keys.
 */
public final class RoutedSmsGateway implements SmsGateway {
  /** Numbers starting with one of {@code prefixes} go to {@code gateway}. */
  public record Route(String name, List<String> prefixes, SmsGateway gateway) {}

  private record Entry(String prefix, Route route) {}

  private final SmsGateway fallback;
  private final List<Route> routes;
  private final List<Entry> byPrefix;

  public RoutedSmsGateway(SmsGateway fallback, List<Route> routes) {
    this.fallback = fallback;
    this.routes = List.copyOf(routes);
    var entries = new ArrayList<Entry>();
    for (Route route : routes) {
      route.prefixes().forEach(prefix -> entries.add(new Entry(prefix, route)));
    }
    entries.sort(Comparator.comparingInt((Entry e) -> e.prefix().length()).reversed());
    this.byPrefix = List.copyOf(entries);
  }

  /** The gateway for this E.164 number. */
  public SmsGateway gatewayFor(String e164) {
    for (Entry entry : byPrefix) {
      if (e164.startsWith(entry.prefix())) {
        return entry.route().gateway();
      }
    }
    return fallback;
  }

  @Override
  public void start() {
    fallback.start();
    routes.forEach(r -> r.gateway().start());
  }

  @Override
  public CompletableFuture<SmsSubmitResult> submit(OutboundSms sms) {
    return gatewayFor(sms.to()).submit(sms);
  }

  /** Ready when every gateway is: a route that cannot send holds its numbers' SMS back. */
  @Override
  public boolean ready() {
    return fallback.ready() && routes.stream().allMatch(r -> r.gateway().ready());
  }

  @Override
  public Load load() {
    Load total = fallback.load();
    for (Route route : routes) {
      total = total.plus(route.gateway().load());
    }
    return total;
  }

  @Override
  public void close() {
    routes.forEach(r -> r.gateway().close());
    fallback.close();
  }
}
