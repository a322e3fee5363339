package dev.tandem.routing;

import dev.tandem.channel.Channel;
import dev.tandem.consent.ConsentLedger;
import dev.tandem.consent.ConsentPolicy;
import dev.tandem.consent.ErasedAddresses;
import dev.tandem.consent.Suppressions;
import dev.tandem.topic.TopicClass;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The one answer to "may this go?": the consent ledger and the suppressions, asked for a batch at
 * accept (inside the accepting transaction) and again at dispatch (a STOP, an unsubscribe or a
 * bounce that arrived in between wins).
 *
 * <ul>
 *   <li>A message with a topic needs the ledger's yes for the contact, channel and topic.
 *   <li>A compliance reply (no topic) answers what the person just sent and is not gated by
 *       consent.
 *   <li>Either way, an address suppressed for everything (bounce, complaint, erasure, manual) is
 *       blocked; one suppressed for marketing blocks marketing only.
 * </ul>
 */
public final class SendGate {
  private final Jdbi jdbi;
  private final ConsentLedger consent;
  private final Suppressions suppressions;
  private final ErasedAddresses erased;
  private final Function<String, Optional<TopicClass>> topicClass;

  /** One question: may this go to this address on this channel, about this topic (or none)? */
  public record Ask(UUID contactId, Channel channel, String address, String topic) {}

  /**
   * The answer, with a stable code: {@code allowed}, a consent code ({@code channel-revoked},
   * {@code topic-revoked}, {@code no-opt-in}, {@code unknown-topic}) or {@code suppressed}.
   */
  public record Verdict(boolean allowed, String code, String reason) {
    static final Verdict ALLOWED = new Verdict(true, "allowed", "allowed");
  }

  public SendGate(
      Jdbi jdbi,
      ConsentLedger consent,
      Suppressions suppressions,
      ErasedAddresses erased,
      Function<String, Optional<TopicClass>> topicClass) {
    this.jdbi = jdbi;
    this.consent = consent;
    this.suppressions = suppressions;
    this.erased = erased;
    this.topicClass = topicClass;
  }

  public List<Verdict> check(List<Ask> asks) {
    return asks.isEmpty() ? List.of() : jdbi.withHandle(handle -> check(handle, asks));
  }

  /** The verdicts, in the order of {@code asks}, read in the caller's transaction. */
  public List<Verdict> check(Handle handle, List<Ask> asks) {
    Verdict[] verdicts = new Verdict[asks.size()];
    List<Integer> gated = new ArrayList<>();
    for (int i = 0; i < asks.size(); i++) {
      if (asks.get(i).topic() != null) {
        gated.add(i);
      }
    }
    List<ConsentPolicy.Decision> decisions =
        consent.decide(
            handle,
            gated.stream()
                .map(i -> asks.get(i))
                .map(a -> new ConsentLedger.Ask(a.contactId(), a.channel().key(), a.topic()))
                .toList());
    for (int k = 0; k < gated.size(); k++) {
      ConsentPolicy.Decision d = decisions.get(k);
      if (!d.allowed()) {
        verdicts[gated.get(k)] = new Verdict(false, d.code(), d.reason());
      }
    }
    for (Channel channel : Channel.values()) {
      Map<Integer, String> hashes = new HashMap<>();
      List<String> addresses = new ArrayList<>();
      for (int i = 0; i < asks.size(); i++) {
        Ask a = asks.get(i);
        if (a.channel() == channel && verdicts[i] == null) {
          String hash = erased.hash(channel.key(), a.address());
          hashes.put(i, hash);
          addresses.add(a.address());
          addresses.add(hash);
        }
      }
      Map<String, Suppressions.Block> blocks =
          suppressions.blocks(handle, channel.key(), addresses);
      if (blocks.isEmpty()) {
        continue;
      }
      for (var entry : hashes.entrySet()) {
        Ask a = asks.get(entry.getKey());
        Suppressions.Block b = blocks.get(a.address());
        if (b == null) {
          b = blocks.get(entry.getValue());
        }
        if (b != null && (b.all() || marketing(a.topic()))) {
          verdicts[entry.getKey()] =
              new Verdict(
                  false,
                  "suppressed",
                  a.address()
                      + " is suppressed ("
                      + b.reason()
                      + (b.all() ? "" : ", for marketing")
                      + ")");
        }
      }
    }
    List<Verdict> result = new ArrayList<>(asks.size());
    for (Verdict v : verdicts) {
      result.add(v == null ? Verdict.ALLOWED : v);
    }
    return result;
  }

  private boolean marketing(String topic) {
    return topic != null && topicClass.apply(topic).orElse(null) == TopicClass.MARKETING;
  }
}
