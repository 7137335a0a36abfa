package io.streamdistill.trainer.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The learner's bounded replay buffer: the most recent trained samples, the oldest out first, from
 * which replayed batches are drawn at random (with repeats), so that a soft label is learned from
 * more than once. Not thread-safe: the learner's.
 */
final class ReplayBuffer {
  private final TrainingSample[] samples;
  private final Random random;
  private long added;

  /** @param capacity samples kept; 0 keeps none */
  ReplayBuffer(int capacity, long seed) {
    this.samples = new TrainingSample[capacity];
    this.random = new Random(seed);
  }

  /** Samples held now. */
  int size() {
    return (int) Math.min(added, samples.length);
  }

  /** Keeps the fresh samples, the oldest out first. */
  void add(List<TrainingSample> batch) {
    if (samples.length == 0) {
      return;
    }
    for (TrainingSample s : batch) {
      samples[(int) (added % samples.length)] = s;
      added++;
    }
  }

  /** {@code count} samples drawn at random from those held (not empty). */
  List<TrainingSample> draw(int count) {
    int held = size();
    List<TrainingSample> drawn = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      drawn.add(samples[random.nextInt(held)]);
    }
    return drawn;
  }

  /** Forgets every sample (a restart: what was replayed may be what made the candidates worse). */
  void clear() {
    Arrays.fill(samples, null);
    added = 0;
  }
}
