package io.streamdistill.producers;

import java.util.concurrent.locks.LockSupport;

/**
 * Keeps a sender at a rate by a schedule of send times, not by sleeping a fixed interval after each
 * send: a late wake-up is made up by the next sends, so the average rate holds even when the OS
 * sleeps longer than asked (it does, below a millisecond). After a stall, at most one second of
 * backlog is made up, so a paused sender does not burst.
 *
 * <p>Not thread-safe: one per sending thread.
 */
final class Pacer {
  private static final long MAX_CATCH_UP_NANOS = 1_000_000_000L;

  private final double eventsPerSecond;
  private long next = System.nanoTime();

  /** A pacer for {@code eventsPerSecond}; 0 means no limit. */
  Pacer(double eventsPerSecond) {
    this.eventsPerSecond = eventsPerSecond;
  }

  /** Waits until the next event may go, at the base rate times {@code factor}. */
  void await(double factor) {
    if (eventsPerSecond <= 0) {
      return;
    }
    long interval = (long) (1e9 / (eventsPerSecond * factor));
    long now = System.nanoTime();
    while (next - now > 0) {
      LockSupport.parkNanos(next - now);
      now = System.nanoTime();
    }
    next = Math.max(next, now - MAX_CATCH_UP_NANOS) + interval;
  }
}
