package io.streamdistill.teacher.model;

import java.time.Duration;
import java.util.Optional;

/**
 * A loaded teacher model. Loaded once per process (the weights are shared); each thread or stream
 * task that runs inference takes its own {@link TeacherPredictor}, as DJL wants ("a predictor per
 * thread"). Thread-safe; closing it frees the model, after every predictor is closed.
 */
public interface Teacher extends AutoCloseable {

  TeacherDescriptor descriptor();

  /** A new predictor, owned (and closed) by the caller. */
  TeacherPredictor newPredictor();

  /**
   * A new predictor for a caller that waits on the answer (an HTTP request), owned (and closed) by
   * the caller. It answers as {@link #newPredictor}'s do, except that where those wait for a failing
   * remote model to be tried again (which paces the labeller's asking again through an outage), this one throws {@link
   * TeacherUnavailableException} at once: a person or an edge node would rather have the refusal now
   * and fall back. A local model never waits so, hence the default.
   */
  default TeacherPredictor newFailFastPredictor() {
    return newPredictor();
  }

  /**
   * Why this teacher cannot label now (a remote model's server failing), or empty while it can. A
   * local model is never out; a caller shows this to a person, it does not act on it.
   */
  default Optional<String> outage() {
    return Optional.empty();
  }

  /**
   * The longest one {@link TeacherPredictor#predict} of {@code batchSize} inputs may take before it answers or
   * fails, as its own bounds on waiting set it (a remote model's timeouts, retries and circuit breaker), or zero
   * for a teacher that does not wait on anything but its own computation. The service sizes its transactions by it:
   * a batch that outlasts the transaction has it aborted by the broker.
   */
  default Duration longestPredict(int batchSize) {
    return Duration.ZERO;
  }

  /**
   * The most inputs (at most {@code batchSize}) a batch should hold now for its {@link TeacherPredictor#predict} to
   * end within {@link #longestPredict longestPredict(batchSize)}, the bound the service sized its transactions by:
   * fewer once a remote model's server has said it is over its rate and the calls go slower than they were sized
   * for. {@code batchSize} for a teacher whose pace does not change, hence the default.
   */
  default int batchLimit(int batchSize) {
    return batchSize;
  }

  @Override
  void close();
}
