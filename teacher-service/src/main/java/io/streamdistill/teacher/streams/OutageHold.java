package io.streamdistill.teacher.streams;

import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.TaskId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A labeller's state through its teachers' outages: whether it holds its events now, since when the outage lasts,
 * the bound on the events held, the pauses it asks of the service, and its log lines (one when an outage begins,
 * one when it ends). Times are the task's wall clock. Not thread-safe: one per {@link BatchingLabeller}, used on
 * its stream thread.
 */
final class OutageHold {
  /** How long nothing is released after an outage before the teachers are asked again. */
  static final Duration HOLD = Duration.ofSeconds(1);
  private static final Logger LOGGER = LoggerFactory.getLogger(OutageHold.class);
  private static final long NONE = Long.MIN_VALUE;

  private final InputPause pause;
  private final int maxHeld;
  private final TaskId taskId;
  private long holdUntilMs = NONE;
  private long outageSinceMs = NONE;

  OutageHold(InputPause pause, LabellingConfig config, TaskId taskId) {
    this.pause = pause;
    this.maxHeld = maxHeld(config);
    this.taskId = taskId;
  }

  /** The most events an outage may hold waiting before the task fails instead: 4 batches, at least 1,000. */
  static int maxHeld(LabellingConfig config) {
    return Math.max(4 * config.batchSize(), 1_000);
  }

  /** Whether nothing may be released now. */
  boolean holding(long nowMs) {
    return nowMs < holdUntilMs;
  }

  /**
   * A batch found the teachers unavailable: hold for {@link #HOLD} from now and pause the input as long.
   *
   * @param held the events now waiting, the failed batch's among them
   * @param cause what the teacher said, when at hand (null: its own log says)
   */
  void begin(long nowMs, int held, String cause) {
    holdUntilMs = nowMs + HOLD.toMillis();
    if (outageSinceMs == NONE) {
      outageSinceMs = nowMs;
      LOGGER.atWarn().addKeyValue("taskId", taskId).addKeyValue("held", held)
          .addKeyValue("cause", cause == null ? "see the teacher's log" : cause)
          .log("the teachers are unavailable: holding the events (in the store) and pausing the input until they"
              + " answer");
    }
    pause.pauseFor(HOLD);
  }

  /**
   * An event came while holding (the pause not in force yet, or none to ask for): asks for the pause again, for
   * the rest of the hold, and fails the task when more than {@link #maxHeld} wait.
   */
  void stillComing(long nowMs, int waiting) {
    if (waiting > maxHeld) {
      throw new StreamsException("the teachers have been unavailable since " + Instant.ofEpochMilli(outageSinceMs)
          + " and " + waiting + " events wait, over the " + maxHeld
          + " an outage may hold: the task fails and restarts from its store");
    }
    pause.pauseFor(Duration.ofMillis(holdUntilMs - nowMs));
  }

  /** A batch was answered: an outage the labeller was in is over. */
  void answered(long nowMs) {
    if (outageSinceMs != NONE) {
      LOGGER.atInfo().addKeyValue("taskId", taskId).addKeyValue("outage", Duration.ofMillis(nowMs - outageSinceMs))
          .log("the teachers answer again: labelling the held events");
      outageSinceMs = NONE;
    }
  }
}
