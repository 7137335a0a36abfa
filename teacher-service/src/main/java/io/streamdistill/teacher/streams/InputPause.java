package io.streamdistill.teacher.streams;

import java.time.Duration;

/**
 * What the labeller asks of the service while its teachers cannot be asked at all (an outage of a remote
 * teacher): to stop handing it input for a while, so that the events it holds stay few, without a rebalance.
 * The service's is {@code KafkaStreams.pause()} with a resume at the end of the wait ({@code
 * TeacherService}); {@link #NONE} asks nothing, and the labeller's own bound on held events then fails the task
 * if too many come.
 */
@FunctionalInterface
public interface InputPause {
  /** Asks nothing: input keeps coming. */
  InputPause NONE = wait -> { };

  /**
   * Stops the input for at least {@code wait}. Called from stream threads, again while a pause lasts (the later
   * end wins); must not block.
   */
  void pauseFor(Duration wait);
}
