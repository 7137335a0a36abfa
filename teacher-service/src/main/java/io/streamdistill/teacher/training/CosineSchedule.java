package io.streamdistill.teacher.training;

import ai.djl.training.tracker.Tracker;

/**
 * DJL's cosine decay from a base learning rate to a final one, over a number of updates that may be
 * shortened while training (an {@link EpochBudget} that finds fewer epochs fit): the rest of the run then
 * follows the curve of the shorter one. Used by the one thread that trains.
 */
final class CosineSchedule implements Tracker {
  private final float base;
  private final float last;
  private int maxUpdates;

  CosineSchedule(float base, float last, int maxUpdates) {
    this.base = base;
    this.last = last;
    this.maxUpdates = maxUpdates;
  }

  void setMaxUpdates(int updates) {
    this.maxUpdates = updates;
  }

  @Override
  public float getNewValue(int numUpdate) {
    if (numUpdate > maxUpdates) {
      return last;
    }
    return last + (base - last) / 2 * (1 + (float) Math.cos(Math.PI * numUpdate / maxUpdates));
  }
}
