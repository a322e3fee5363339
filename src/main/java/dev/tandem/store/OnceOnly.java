package dev.tandem.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Provider webhooks taken once (table {@code provider_event}): a webhook that comes again, the
 * provider retrying or someone replaying a captured request within its signature's time window,
 * finds its id here and changes nothing. Ids are kept for {@link #KEPT}, longer than any window a
 * signature is accepted in, then forgotten (at most once an hour, by whoever records one).
 */
public final class OnceOnly {
  /** How long an id is remembered: twice the longest signature window (24 h). */
  public static final Duration KEPT = Duration.ofHours(48);

  private final Jdbi jdbi;
  private final Clock clock;
  private final String firstTime;
  private final String forget;
  private final String forgetBefore;
  private final AtomicReference<Instant> lastForgotten = new AtomicReference<>(Instant.MIN);

  public OnceOnly(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
    var sql = NamedSql.forClass(OnceOnly.class);
    this.firstTime = sql.get("firstTime");
    this.forget = sql.get("forget");
    this.forgetBefore = sql.get("forgetBefore");
  }

  /** True the first time {@code provider} sends {@code id}, in its own transaction. */
  public boolean firstTime(String provider, String id) {
    return jdbi.withHandle(handle -> firstTime(handle, provider, id, clock.instant()));
  }

  /** The same, in the caller's transaction: undone with it. */
  public boolean firstTime(Handle handle, String provider, String id, Instant now) {
    forgetOld(now);
    return handle
            .createUpdate(firstTime)
            .bind("provider", provider)
            .bind("eventId", id)
            .bind("receivedAt", now)
            .execute()
        == 1;
  }

  /** Takes an id back: acting on it failed, so the provider's retry must be taken. */
  public void forget(String provider, String id) {
    jdbi.useHandle(handle ->
        handle.createUpdate(forget).bind("provider", provider).bind("eventId", id).execute());
  }

  private void forgetOld(Instant now) {
    Instant last = lastForgotten.get();
    if (now.isAfter(last.plus(Duration.ofHours(1))) && lastForgotten.compareAndSet(last, now)) {
      jdbi.useHandle(
          handle -> handle.createUpdate(forgetBefore).bind("before", now.minus(KEPT)).execute());
    }
  }
}
