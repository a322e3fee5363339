package dev.tandem.email.inbound;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A message's data that must keep arriving at a minimum average rate once a grace period is over.
 * An idle timeout alone lets a sender hold a connection for ever with one byte just before each
 * timeout ("slowloris"); this ends such a transfer, however it trickles.
 */
final class MinimumRate extends FilterInputStream {
  /** What a real MTA sends many times over: 25 MB take at most about 7 hours at this rate. */
  static final long BYTES_PER_SECOND = 1024;

  /** Thrown from a read once the average rate has fallen below the minimum. */
  static final class TooSlow extends IOException {
    TooSlow(long bytes, Duration elapsed) {
      super(
          "the message data came at "
              + bytes
              + " bytes in "
              + elapsed.toSeconds()
              + " s, under "
              + BYTES_PER_SECOND
              + " bytes a second");
    }
  }

  private final long graceNanos;
  private final LongSupplier nanoTime;
  private final long start;
  private long bytes;

  MinimumRate(InputStream in, Duration grace, LongSupplier nanoTime) {
    super(in);
    this.graceNanos = grace.toNanos();
    this.nanoTime = nanoTime;
    this.start = nanoTime.getAsLong();
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    count(b < 0 ? 0 : 1);
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int n = super.read(buffer, offset, length);
    count(Math.max(n, 0));
    return n;
  }

  private void count(int n) throws TooSlow {
    bytes += n;
    long elapsed = nanoTime.getAsLong() - start;
    if (elapsed > graceNanos && bytes * 1_000_000_000L < BYTES_PER_SECOND * elapsed) {
      throw new TooSlow(bytes, Duration.ofNanos(elapsed));
    }
  }
}
