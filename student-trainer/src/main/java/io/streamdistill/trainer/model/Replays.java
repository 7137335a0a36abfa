package io.streamdistill.trainer.model;

import java.util.List;

/**
 * When a learner replays: after each fresh step, {@link LearnerOptions#replayRatio} replayed steps on
 * average (a fractional ratio carried over as credit), each on a batch the fresh one's size drawn from
 * the {@link ReplayBuffer}; while the stream is idle, replayed steps until they reach {@link
 * LearnerOptions#idleReplayRatio} times the fresh ones. Counts the steps of each kind. Not thread-safe:
 * the learner's.
 */
final class Replays {
  private final ReplayBuffer buffer;
  private final float ratio;
  private final float idleRatio;
  private float credit;
  private long freshSteps;
  private long replaySteps;
  private long idleReplaySteps;
  private int lastBatchSize;

  Replays(LearnerOptions options, long seed) {
    this.buffer = new ReplayBuffer(options.replays() ? options.replayCapacity() : 0, seed);
    this.ratio = options.replayRatio();
    this.idleRatio = options.idleReplayRatio();
  }

  /**
   * Counts a fresh step on {@code batchSize} samples and returns how many replayed steps follow it:
   * none when the buffer is empty or the step's loss was not finite.
   */
  int afterFresh(int batchSize, boolean finite) {
    freshSteps++;
    lastBatchSize = batchSize;
    if (buffer.size() == 0 || !finite) {
      return 0;
    }
    credit += ratio;
    int steps = (int) credit;
    credit -= steps;
    return steps;
  }

  /** Keeps a fresh batch for later replays (after its own replayed steps, which draw older samples). */
  void remember(List<TrainingSample> batch) {
    buffer.add(batch);
  }

  /** A replayed step's batch, {@code size} samples drawn from the buffer (not empty); counted. */
  List<TrainingSample> draw(int size) {
    replaySteps++;
    return buffer.draw(size);
  }

  /**
   * The size of the next idle replayed step's batch (the last fresh one's), counted as idle; 0, and
   * no step, when the buffer is empty or replayed steps have reached the idle ratio.
   */
  int nextIdleBatch() {
    if (buffer.size() == 0 || lastBatchSize == 0 || replaySteps >= idleRatio * freshSteps) {
      return 0;
    }
    idleReplaySteps++;
    return lastBatchSize;
  }

  /** {@code {fresh, replayed (idle ones included), replayed while idle}}. */
  long[] counts() {
    return new long[] {freshSteps, replaySteps, idleReplaySteps};
  }

  /** Forgets the buffered samples (a restart: what was replayed may be what made the candidates worse). */
  void clear() {
    buffer.clear();
  }
}
