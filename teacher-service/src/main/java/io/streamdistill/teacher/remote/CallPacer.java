package io.streamdistill.teacher.remote;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Paces a remote teacher's calls to what its server takes, as a client of a rate-limited API should: at most {@link
 * #limit} calls in flight, halved at each answer saying the server is over its rate (a 429, or an outage status with
 * {@code Retry-After}) and raised by one after as many answers in a row that were not, up to the protocol's {@code
 * callsAtOnce} (additive increase, multiplicative decrease, as TCP's congestion window); and no call starts before
 * the time a server named ({@link #holdUntil}); starts spaced by {@code maxCallsPerSecond}'s interval when given, and
 * by one learnt from the answers over the rate (90% of the rate the server accepted, growing 1% at each answer within
 * it).
 * Without it a chat model's 8 calls in flight against a limit of 3 a second drew 429s batch after batch, each failing
 * the stream task. Thread-safe (synchronized, waits on itself).
 */
final class CallPacer {
  /** The longest interval between starts a server's answers make the pacer learn: 10 s. */
  static final long MOST_LEARNED_NANOS = 10_000_000_000L;
  /** Each answer within the rate shortens the learnt interval by this share (the rate grows 1%). */
  private static final double SHORTEN = 0.99;
  /** The share of the rate the server accepted lately that the pacer keeps to, once it has refused one. */
  private static final double UNDER = 0.9;
  /** How far back the accepted rate is measured. */
  private static final long MEASURED = 2_000_000_000L;
  private static final int STARTS_KEPT = 64;
  private static final long SECOND = 1_000_000_000L;

  private final int most;
  /** Nanoseconds between call starts at least (maxCallsPerSecond), 0 for none. */
  private final long intervalNanos;
  private final LongSupplier nanoClock;
  /** The interval learnt from answers over the rate (0 until one came): starts spaced by the larger of the two. */
  private long learnedNanos;
  /** When the pacer last slowed down: an answer over the rate to a call started before that is old news. */
  private long slowedAt;
  private boolean slowed;
  /** When the last calls the server accepted started. */
  private final long[] accepted = new long[STARTS_KEPT];
  private int acceptedCount;
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
   * Takes the next start in the schedule (one interval after the last: {@code maxCallsPerSecond}'s, or the one learnt
   * from a server over its rate, whichever is longer) and says how long until it: the caller waits it out and starts.
   * Zero while no interval is set.
   */
  synchronized Duration nextStart() {
    long now = nanoClock.getAsLong();
    long interval = Math.max(intervalNanos, learnedNanos);
    long at = interval > 0 && started && nextStartNanos - now > 0 ? nextStartNanos : now;
    nextStartNanos = at + interval;
    started = true;
    return Duration.ofNanos(at - now);
  }

  /** The interval learnt from the server's answers, zero while none is. */
  synchronized Duration learnedInterval() {
    return Duration.ofNanos(learnedNanos);
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

  /**
   * Takes a place among the calls in flight, waiting while {@link #limit} are.
   *
   * @return when the call starts, for {@link #release}
   */
  synchronized long acquire() throws InterruptedException {
    while (inFlight >= limit) {
      wait();
    }
    inFlight++;
    return nanoClock.getAsLong();
  }

  /**
   * Gives the place back, with what the answer said. Over the rate, the pacer slows down once for the calls that were
   * out when it learnt it (TCP halves its window once a round trip, not once a lost packet): the limit becomes half
   * what was in flight (at least 1) and starts are spaced at 90% of the rate the server accepted over the last 2 s
   * (counted from the first accepted in them, over a second at least; with none accepted, one a second, then half
   * that, down to one in {@link #MOST_LEARNED_NANOS}). Within the rate, a run of {@link #limit} answers raises the
   * limit by one, and each shortens the learnt interval by 1%.
   *
   * @param startedAt what {@link #acquire} returned
   */
  synchronized void release(boolean overRate, long startedAt) {
    int flight = inFlight--;
    long now = nanoClock.getAsLong();
    if (overRate) {
      fineInARow = 0;
      if (!slowed || startedAt - slowedAt > 0) {
        // Half of what was in flight when the server said so (a limit never reached says nothing of the rate).
        limit = Math.max(1, Math.min(limit, flight) / 2);
        // The rate the server took of late, a little under: what it accepted is what it allows. Over the time since
        // the first of them, at least a second: three taken in the run's first 0.2 s are 3 a second, not 1.5 over 2 s.
        long from = now - MEASURED;
        int took = 0;
        long first = now;
        for (int i = 0; i < Math.min(acceptedCount, STARTS_KEPT); i++) {
          if (accepted[i] - from >= 0) {
            took++;
            first = accepted[i] - first < 0 ? accepted[i] : first;
          }
        }
        long span = Math.max(SECOND, now - first);
        learnedNanos = took == 0 ? Math.min(MOST_LEARNED_NANOS, Math.max(SECOND, learnedNanos * 2))
            : Math.min(MOST_LEARNED_NANOS, (long) (span / (took * UNDER)));
        slowed = true;
        slowedAt = now;
      }
    } else {
      accepted[acceptedCount++ % STARTS_KEPT] = startedAt;
      if (++fineInARow >= limit && limit < most) {
        limit++;
        fineInARow = 0;
      }
      learnedNanos = (long) (learnedNanos * SHORTEN);
      if (learnedNanos < 1_000_000) {
        learnedNanos = 0; // under a millisecond: no spacing; the next answer over the rate measures again
      }
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
