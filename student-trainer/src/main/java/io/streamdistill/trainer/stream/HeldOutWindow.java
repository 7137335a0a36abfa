package io.streamdistill.trainer.stream;

import io.streamdistill.trainer.model.TrainingSample;
import java.util.ArrayList;
import java.util.List;

/**
 * The most recent held-out samples, up to a capacity (a ring): what candidates and the version in
 * service are compared on. Recent, so that the comparison follows the traffic as it drifts. Not
 * thread-safe.
 */
final class HeldOutWindow {
  private final TrainingSample[] ring;
  private int next;
  private int size;

  HeldOutWindow(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("held-out window must hold at least one sample, got " + capacity);
    }
    this.ring = new TrainingSample[capacity];
  }

  void add(TrainingSample sample) {
    ring[next] = sample;
    next = (next + 1) % ring.length;
    size = Math.min(size + 1, ring.length);
  }

  int size() {
    return size;
  }

  List<TrainingSample> samples() {
    List<TrainingSample> samples = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      samples.add(ring[(next - size + i + ring.length) % ring.length]);
    }
    return samples;
  }
}
