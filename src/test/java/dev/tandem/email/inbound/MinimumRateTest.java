package dev.tandem.email.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A sender that trickles its data one byte before each idle timeout is cut off (slowloris). */
class MinimumRateTest {
  private final AtomicLong now = new AtomicLong();

  private MinimumRate stream(int size) {
    return new MinimumRate(
        new ByteArrayInputStream(new byte[size]), Duration.ofSeconds(60), now::get);
  }

  @Test
  void a_trickle_that_outlasts_the_grace_period_is_refused() throws Exception {
    MinimumRate data = stream(1000);
    for (int i = 0; i < 30; i++) {
      now.addAndGet(Duration.ofSeconds(2).toNanos()); // a byte every 2 s: never idle 60 s
      data.read();
    }
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    assertThatThrownBy(data::read)
        .isInstanceOf(MinimumRate.TooSlow.class)
        .hasMessageContaining("31 bytes in 62 s");
  }

  @Test
  void a_sender_at_the_minimum_rate_or_faster_gets_through() throws Exception {
    MinimumRate data = stream(10 * 1024 * 1024);
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    for (int n; (n = data.read(buffer)) >= 0; ) {
      total += n;
      now.addAndGet(Duration.ofSeconds(n / MinimumRate.BYTES_PER_SECOND).toNanos());
    }
    assertThat(total).isEqualTo(10 * 1024 * 1024);
  }

  @Test
  void a_slow_start_within_the_grace_period_is_allowed() throws Exception {
    MinimumRate data = stream(100_000);
    now.addAndGet(Duration.ofSeconds(59).toNanos());
    assertThat(data.read(new byte[100_000], 0, 100_000)).isEqualTo(100_000);
  }
}
