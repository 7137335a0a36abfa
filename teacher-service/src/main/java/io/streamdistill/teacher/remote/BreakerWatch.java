package io.streamdistill.teacher.remote;

import io.streamdistill.teacher.model.TeacherUnavailableException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote teacher's {@link CircuitBreaker} and what it tells: the last failure, the log lines when it opens and
 * closes, the wait for its probe, and the outage a person is shown. Thread-safe: the breaker is, and the last
 * failure is volatile.
 */
final class BreakerWatch {
  private static final Logger LOGGER = LoggerFactory.getLogger(BreakerWatch.class);

  private final CircuitBreaker breaker;
  private final String teacherId;
  private final OipOptions options;
  private final RemoteTeacherMeters meters;
  private final Consumer<Duration> pause;
  private volatile String recentFailure = "none";

  /** @param pause how a wait is made (tests record it instead) */
  BreakerWatch(CircuitBreaker breaker, String teacherId, OipOptions options, RemoteTeacherMeters meters,
      Consumer<Duration> pause) {
    this.breaker = breaker;
    this.teacherId = teacherId;
    this.options = options;
    this.meters = meters;
    this.pause = pause;
  }

  CircuitBreaker.State state() {
    return breaker.state();
  }

  /** Whether a retry may go now (see {@link CircuitBreaker#tryAcquire}). */
  boolean tryAcquire() {
    return breaker.tryAcquire();
  }

  String recentFailure() {
    return recentFailure;
  }

  /** Why the teacher cannot label now, or empty while the breaker is closed. */
  Optional<String> outage() {
    CircuitBreaker.State state = breaker.state();
    return state == CircuitBreaker.State.CLOSED ? Optional.empty()
        : Optional.of("remote teacher " + teacherId + " at " + options.url() + " failing (circuit breaker " + state
            + "), last: " + recentFailure);
  }

  /**
   * Returns when the breaker lets a call through. While it is open (or another caller holds the
   * probe), waits for it when {@code awaitProbe}, at most {@code breakerOpenMs}; past that, or at
   * once when not {@code awaitProbe}, the batch fails, saying why the breaker opened.
   */
  void acquire(boolean awaitProbe) {
    long deadline = System.nanoTime() + (awaitProbe ? options.breakerOpen().toNanos() : 0);
    while (!breaker.tryAcquire()) {
      long now = System.nanoTime();
      Duration untilProbe = breaker.untilProbe();
      // Judged by when the probe comes, not by when this thread looks: a thread descheduled a moment past the
      // deadline, with the probe moment before it, still waits for the probe (a CI run failed so); a probe that
      // comes after the deadline (a server's long Retry-After) is not waited for at all.
      boolean probeInTime = untilProbe.isZero() ? now < deadline : now + untilProbe.toNanos() - deadline <= 0;
      if (!probeInTime) {
        meters.refused.increment();
        meters.unavailable.increment();
        throw new TeacherUnavailableException("remote teacher " + teacherId + " at " + options.url()
            + " is unavailable: circuit breaker " + breaker.state() + " after " + options.breakerFailures()
            + " consecutive failures (last: " + recentFailure + ")"
            + (untilProbe.isZero() ? "" : "; next probe in " + untilProbe.toMillis() + " ms"));
      }
      Duration most = Duration.ofMillis(200);
      pause.accept(untilProbe.isZero() ? Duration.ofMillis(20) : untilProbe.compareTo(most) <= 0 ? untilProbe : most);
    }
  }

  void succeeded() {
    CircuitBreaker.State before = breaker.state();
    breaker.success();
    if (before != CircuitBreaker.State.CLOSED) {
      LOGGER.atInfo().addKeyValue("teacher", teacherId).addKeyValue("url", options.url())
          .log("remote teacher answers again; circuit breaker closed");
    }
  }

  void failed(String reason) {
    recentFailure = reason;
    CircuitBreaker.State before = breaker.state();
    breaker.failure();
    if (before == CircuitBreaker.State.CLOSED && breaker.state() == CircuitBreaker.State.OPEN) {
      LOGGER.atWarn().addKeyValue("teacher", teacherId).addKeyValue("url", options.url())
          .addKeyValue("failures", options.breakerFailures()).addKeyValue("openFor", options.breakerOpen())
          .addKeyValue("reason", reason).log("remote teacher failing; circuit breaker open");
    }
  }

  /** A failure after which the server said when to call again: the breaker open until then. */
  void heldOff(String reason, Duration wait) {
    recentFailure = reason;
    boolean wasClosed = breaker.state() == CircuitBreaker.State.CLOSED;
    breaker.holdOpen(wait);
    if (wasClosed) {
      LOGGER.atWarn().addKeyValue("teacher", teacherId).addKeyValue("url", options.url())
          .addKeyValue("wait", wait).addKeyValue("reason", reason)
          .log("remote teacher asks to wait (Retry-After); circuit breaker open until then");
    }
  }

  /** A failure that counts for nothing but what a person is shown. */
  void noted(String reason) {
    recentFailure = reason;
  }
}
