package io.streamdistill.trainer.stream;

/**
 * The wall-clock share the training thread may spend on idle replay: at most {@value #SHARE} of each
 * {@value #WINDOW_SECONDS}-second window. The learner's ratio bounds the replayed steps per fresh one;
 * this bounds their time, so that a student whose steps are slow (a 16 MB n-gram table: hundreds of
 * milliseconds on a busy machine) does not fall behind its stream, or starve a teacher on the same
 * cores, while it is replaying. Owned by the training thread; not thread-safe.
 */
final class IdleReplayBudget {
  static final double SHARE = 0.25;
  static final long WINDOW_SECONDS = 10;
  private static final long WINDOW_NANOS = WINDOW_SECONDS * 1_000_000_000L;

  private long windowStart;
  private long spentNanos;
  private long stepStarted = -1;

  IdleReplayBudget(long nowNanos) {
    this.windowStart = nowNanos;
  }

  /** Whether an idle step may start now; if so, its time counts from now. */
  boolean allows(long nowNanos) {
    if (nowNanos - windowStart >= WINDOW_NANOS) {
      windowStart = nowNanos;
      spentNanos = 0;
    }
    // Measured against the whole window, so that a window's first step cannot run far over the share.
    if (spentNanos >= SHARE * WINDOW_NANOS || spentNanos > SHARE * Math.max(nowNanos - windowStart, 1)) {
      return false;
    }
    stepStarted = nowNanos;
    return true;
  }

  /** Ends the step {@link #allows} started. */
  void spent(long nowNanos) {
    if (stepStarted >= 0) {
      spentNanos += nowNanos - stepStarted;
      stepStarted = -1;
    }
  }
}
