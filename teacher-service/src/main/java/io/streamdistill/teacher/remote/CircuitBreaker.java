package io.streamdistill.teacher.remote;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A circuit breaker over calls to one remote teacher, shared by all its predictors (so every stream
 * task, the HTTP threads and a replaced stream thread see the same state).
 *
 * <ul>
 *   <li>CLOSED: calls go through; {@code failureThreshold} consecutive failures open it.
 *   <li>OPEN: calls are refused without touching the network until {@code openFor} has passed (or the
 *       wait the server asked for instead: {@link #holdOpen}).
 *   <li>HALF_OPEN: one probe call is let through; its success closes the breaker, its failure opens
 *       it again for another {@code openFor}. Other callers are refused while the probe runs.
 * </ul>
 *
 * <p>Thread-safe (synchronized: a few field updates per remote call, nothing to contend on).
 */
public final class CircuitBreaker {
  /** The breaker's state. */
  public enum State { CLOSED, OPEN, HALF_OPEN }

  private final int failureThreshold;
  private final long openForNanos;
  private final LongSupplier nanoClock;
  private State state = State.CLOSED;
  private int consecutiveFailures;
  private long openedAtNanos;
  /** How long this opening lasts: openFor, or what the server asked for ({@link #holdOpen}). */
  private long thisOpeningNanos;
  private long opened; // times it opened, for metrics

  public CircuitBreaker(int failureThreshold, Duration openFor, LongSupplier nanoClock) {
    if (failureThreshold < 1) {
      throw new IllegalArgumentException("failureThreshold must be at least 1");
    }
    this.failureThreshold = failureThreshold;
    this.openForNanos = openFor.toNanos();
    this.nanoClock = nanoClock;
  }

  public CircuitBreaker(int failureThreshold, Duration openFor) {
    this(failureThreshold, openFor, System::nanoTime);
  }

  /**
   * Whether a call may go now. True in CLOSED; in OPEN once {@code openFor} has passed, and then
   * this caller is the half-open probe and must report {@link #success} or {@link #failure}.
   */
  public synchronized boolean tryAcquire() {
    return switch (state) {
      case CLOSED -> true;
      case OPEN -> {
        if (nanoClock.getAsLong() - openedAtNanos >= thisOpeningNanos) {
          state = State.HALF_OPEN;
          yield true;
        }
        yield false;
      }
      case HALF_OPEN -> false; // a probe is out; wait for its verdict
    };
  }

  /** How long until an open breaker lets a probe through (zero when it would now, or when not open). */
  public synchronized Duration untilProbe() {
    if (state != State.OPEN) {
      return Duration.ZERO;
    }
    return Duration.ofNanos(Math.max(0, thisOpeningNanos - (nanoClock.getAsLong() - openedAtNanos)));
  }

  public synchronized void success() {
    state = State.CLOSED;
    consecutiveFailures = 0;
  }

  public synchronized void failure() {
    consecutiveFailures++;
    if (state == State.HALF_OPEN || (state == State.CLOSED && consecutiveFailures >= failureThreshold)) {
      open(openForNanos);
    }
  }

  /**
   * A failure after which the server said when to call again (HTTP {@code Retry-After}): the breaker opens now,
   * whatever the count, until {@code wait} has passed, and no call is made before.
   */
  public synchronized void holdOpen(Duration wait) {
    consecutiveFailures++;
    long nanos = wait.toNanos();
    if (state == State.OPEN) {
      // Already open: keep whichever ends later.
      long now = nanoClock.getAsLong();
      long left = thisOpeningNanos - (now - openedAtNanos);
      if (nanos > left) {
        openedAtNanos = now;
        thisOpeningNanos = nanos;
      }
      return;
    }
    open(nanos);
  }

  private void open(long nanos) {
    state = State.OPEN;
    openedAtNanos = nanoClock.getAsLong();
    thisOpeningNanos = nanos;
    opened++;
  }

  public synchronized State state() {
    return state;
  }

  /** How many times the breaker has opened (a half-open probe that fails opens it again). */
  public synchronized long timesOpened() {
    return opened;
  }
}
