package io.streamdistill.trainer.model;

import io.streamdistill.student.Pruning;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Magnitude pruning's masks, one per weight matrix (biases are kept): which weights a learner holds
 * at zero, and the share they make. The share only grows: a weight once pruned stays pruned (Zhu and
 * Gupta 2017 raise it gradually; the caller chooses the schedule). Owned by one learner's thread.
 */
final class PruningMasks {
  private final Map<String, boolean[]> keep = new LinkedHashMap<>();
  private double sparsity;

  /** The share of weights held at zero (0 before any pruning). */
  double sparsity() {
    return sparsity;
  }

  boolean isEmpty() {
    return keep.isEmpty();
  }

  /**
   * Grows the masks to {@code target}: of each weight matrix among {@code names} the smallest
   * {@code target} share by magnitude (read through {@code liveValues}) is masked, on top of what
   * already was.
   *
   * @return false when {@code target} is not above the current share (nothing changes)
   */
  boolean grow(double target, Iterable<String> names, Function<String, float[]> liveValues) {
    if (target <= sparsity) {
      return false;
    }
    for (String name : names) {
      if (name.endsWith(".bias")) {
        continue;
      }
      boolean[] mask = Pruning.magnitudeMask(liveValues.apply(name), target);
      boolean[] before = keep.get(name);
      if (before != null) {
        for (int i = 0; i < mask.length; i++) {
          mask[i] &= before[i];
        }
      }
      keep.put(name, mask);
    }
    sparsity = target;
    return true;
  }

  /** Each masked parameter's name and its mask (true: kept), in the order they were first pruned. */
  Map<String, boolean[]> masks() {
    return Collections.unmodifiableMap(keep);
  }

  /** {@code values} of the parameter {@code name} with its pruned weights set to zero (in place). */
  void apply(String name, float[] values) {
    boolean[] mask = keep.get(name);
    if (mask != null) {
      Pruning.applyMask(values, mask);
    }
  }
}
