package io.streamdistill.teacher.remote;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Paces a remote teacher's calls to what its server takes, as a client of a rate-limited API should: at most {@link
 * #limit} calls in flight, halved at each answer saying the server is over its rate (a 429, or an outage status with
 * {@code Retry-After}) and raised by one after as many answers in a row that were not, up to the protocol's {@code
 * callsAtOnce} (additive increase, multiplicative decrease, as TCP's congestion window); and no call starts before
 * the time a server named ({@link #holdUntil}); with {@code maxCallsPerSecond}, no sooner than its interval after the
 * last start. Without it a chat model's 8 calls in flight against a limit of 3 a
 * second drew 429s batch after batch, each failing the stream task. Thread-safe (synchronized, waits on itself).
 */
final class CallPacer {
  private final int most;
  /** Nanoseconds between call starts at least (maxCallsPerSecond), 0 for none. */
  private final long intervalNanos;
  private final LongSupplier nanoClock;
  private long nextStartNanos;
  private boolean started;
  private int limit;
  private int inFlight;
  private int fineInARow;
  private long notBeforeNanos;
  private boolean holding;

  CallPacer(int most, double maxCallsPerSecond, LongSupplier nanoClock) {
    if (most < 1) {
      throw new IllegalArgumentException("most must be at least 1");
    }
    this.most = most;
    this.intervalNanos = maxCallsPerSecond <= 0 ? 0 : (long) (1e9 / maxCallsPerSecond);
    this.limit = most;
    this.nanoClock = nanoClock;
  }

  CallPacer(int most, double maxCallsPerSecond) {
    this(most, maxCallsPerSecond, System::nanoTime);
  }

  /** How long until the time a server named for the next call ({@link #holdUntil}); zero when none is ahead. */
  synchronized Duration untilHeld() {
    long now = nanoClock.getAsLong();
    return holding && notBeforeNanos - now > 0 ? Duration.ofNanos(notBeforeNanos - now) : Duration.ZERO;
  }

  /**
   * With {@code maxCallsPerSecond}, takes the next start in the schedule (one interval after the last) and says how
   * long until it: the caller waits it out and starts. Zero without a limit.
   */
  synchronized Duration nextStart() {
    if (intervalNanos == 0) {
      return Duration.ZERO;
    }
    long now = nanoClock.getAsLong();
    long at = started && nextStartNanos - now > 0 ? nextStartNanos : now;
    nextStartNanos = at + intervalNanos;
    started = true;
    return Duration.ofNanos(at - now);
  }

  /** The least time between call starts ({@code 1 / maxCallsPerSecond}), zero without a limit. */
  Duration interval() {
    return Duration.ofNanos(intervalNanos);
  }

  /** No call starts before {@code wait} from now (or a later time already set). */
  synchronized void holdUntil(Duration wait) {
    long until = nanoClock.getAsLong() + wait.toNanos();
    if (!holding || until - notBeforeNanos > 0) {
      notBeforeNanos = until;
      holding = true;
    }
  }

  /** Takes a place among the calls in flight, waiting while {@link #limit} are. */
  synchronized void acquire() throws InterruptedException {
    while (inFlight >= limit) {
      wait();
    }
    inFlight++;
  }

  /**
   * Gives the place back, with what the answer said: {@code overRate} halves the calls that were in flight (at least
   * 1) to make the limit, else a run of {@link #limit} such answers raises it by one.
   */
  synchronized void release(boolean overRate) {
    int flight = inFlight--;
    if (overRate) {
      // Half of what was in flight when the server said so (a limit never reached says nothing of the rate).
      limit = Math.max(1, Math.min(limit, flight) / 2);
      fineInARow = 0;
    } else if (++fineInARow >= limit && limit < most) {
      limit++;
      fineInARow = 0;
    }
    notifyAll();
  }

  /**
   * What one batch may wait in all for servers that ask it to: the time its calls spend waiting, counted once where
   * they wait together (all calls of a teacher wait for the same time a server named). Thread-safe.
   */
  static final class WaitBudget {
    private long leftNanos;
    private long coveredUntil;
    private boolean covering;

    WaitBudget(Duration budget) {
      this.leftNanos = budget.toNanos();
    }

    /** Whether waiting from {@code now} until {@code until} (nanoTime) fits what is left; if so, it is spent. */
    synchronized boolean spend(long now, long until) {
      long cost = cost(now, until);
      if (cost > leftNanos) {
        return false;
      }
      leftNanos -= cost;
      if (!covering || until - coveredUntil > 0) {
        coveredUntil = until;
        covering = true;
      }
      return true;
    }

    /** Whether waiting from {@code now} until {@code until} would fit, spending nothing. */
    synchronized boolean covers(long now, long until) {
      return cost(now, until) <= leftNanos;
    }

    private long cost(long now, long until) {
      long from = covering && coveredUntil - now > 0 ? coveredUntil : now;
      return Math.max(0, until - from);
    }
  }

  /** The calls allowed in flight now. */
  synchronized int limit() {
    return limit;
  }
}
