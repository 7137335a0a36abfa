package io.streamdistill.teacher.remote;

import java.time.Duration;

/**
 * How long a remote teacher's batch may take, and how many inputs one should hold at the pace its server allows
 * now: the bound the service sizes its transactions by ({@link RemoteTeacher#longestPredict}), and the batch that
 * keeps within it once the server has said it is over its rate ({@link RemoteTeacher#batchLimit}). Thread-safe:
 * it reads the pacer, which is.
 */
final class BatchBounds {
  private final RemoteProtocol protocol;
  private final OipOptions options;
  private final CallPacer pacer;

  BatchBounds(RemoteProtocol protocol, OipOptions options, CallPacer pacer) {
    this.protocol = protocol;
    this.options = options;
    this.pacer = pacer;
  }

  /** What a batch may wait in all, in place, for servers that ask it to ({@code RemoteTeacher.sendPaced}). */
  Duration rateWaitBudget() {
    return options.breakerOpen().multipliedBy(2);
  }

  /**
   * As {@link RemoteTeacher}'s class comment bounds one: the batch's calls come in rounds of {@link
   * RemoteProtocol#callsAtOnce}, each call at most {@code timeout} when it answers, started no closer together than
   * {@code maxCallsPerSecond} allows; the batch waits at most {@link #rateWaitBudget} in all for servers over their
   * rate; one call that fails (the batch's other calls are then dropped, {@link CallFanOut}) may first have waited
   * for the breaker's probe ({@code breakerOpen}) and then spent its retries ({@code retries + 1} calls and their
   * backoff).
   */
  Duration longest(int batchSize) {
    long calls = calls(batchSize);
    Duration backoffs = options.backoff().multipliedBy((1L << Math.min(options.retries(), 20)) - 1);
    Duration failing = options.breakerOpen().plus(options.timeout().multipliedBy(options.retries() + 1L))
        .plus(backoffs);
    return spread(calls).plus(rateWaitBudget()).plus(failing);
  }

  /**
   * The most inputs (at most {@code batchSize}) whose calls, started at the interval the pacer learnt from a server
   * over its rate, end within the time {@link #longest longest(batchSize)} gave the batch's calls: a server that
   * takes a call a second makes a batch of 64 one call an input last 64 s, past a transaction sized for 8 rounds
   * of 8 calls, and every batch would be aborted and asked again. {@code batchSize} while nothing was learnt, or
   * for a protocol of one call a batch.
   */
  int limit(int batchSize) {
    long learnt = pacer.learnedInterval().toNanos();
    if (learnt <= pacer.interval().toNanos() || protocol.inputsPerCall() == Integer.MAX_VALUE) {
      return batchSize;
    }
    long fits = 1 + spread(calls(batchSize)).toNanos() / learnt;
    return (int) Math.max(1, Math.min(batchSize, fits * protocol.inputsPerCall()));
  }

  /** Rounded up: a protocol of one call a batch (inputsPerCall Integer.MAX_VALUE) makes one call. */
  private long calls(int batchSize) {
    return (Math.max(1, batchSize) + (long) protocol.inputsPerCall() - 1) / protocol.inputsPerCall();
  }

  /** The time {@code calls} take in rounds of {@code callsAtOnce} answering in {@code timeout}, or spaced out. */
  private Duration spread(long calls) {
    long rounds = (calls + protocol.callsAtOnce() - 1) / protocol.callsAtOnce();
    Duration scheduled = pacer.interval().multipliedBy(Math.max(0, calls - 1)); // maxCallsPerSecond's spacing
    return options.timeout().multipliedBy(Math.max(0, rounds - 1)).plus(scheduled);
  }
}
