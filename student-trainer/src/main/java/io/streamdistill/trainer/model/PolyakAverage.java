package io.streamdistill.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Polyak averaging of a block's DJL parameters: an exponential moving average of the weights, with
 * the decay warmed up as {@code min(decay, (1+t)/(10+t))} so that the first averages are not stuck
 * at the start. The average is what a candidate publishes and is judged by; the live weights keep
 * learning. Not thread-safe: the learner's. The averages live in the model's manager and are freed
 * with it.
 */
final class PolyakAverage {
  private final float decay;
  private final Map<String, NDArray> means = new LinkedHashMap<>();
  private long steps;

  /** @param decay the decay per step once warmed up, in (0, 1) */
  PolyakAverage(float decay) {
    this.decay = decay;
  }

  /** Whether there is an average (after a first step, until {@link #clear}). */
  boolean isEmpty() {
    return means.isEmpty();
  }

  /** The average of one parameter, or null before the first step. */
  NDArray mean(String name) {
    return means.get(name);
  }

  /**
   * One step after the optimizer's: the first starts the average at the live weights.
   *
   * @return the decay this step used (what the learner's embedding table averages with)
   */
  float step(Map<String, Parameter> parameters) {
    steps++;
    float now = Math.min(decay, (1f + steps) / (10f + steps));
    for (Map.Entry<String, Parameter> entry : parameters.entrySet()) {
      NDArray live = entry.getValue().getArray();
      NDArray mean = means.get(entry.getKey());
      if (mean == null) {
        // In the model's manager, freed with it; a plain copy that no gradient flows through.
        means.put(entry.getKey(), live.getManager().create(live.toFloatArray(), live.getShape()));
        continue;
      }
      // Scalars PyTorch owns, not DJL's muli(Number): see OwnedArrays (a Java buffer per number, freed at a GC).
      try (NDArray keep = Scalars.of(mean, now); NDArray share = Scalars.times(live, 1f - now)) {
        mean.muli(keep).addi(share);
      }
    }
    return now;
  }

  /**
   * Runs {@code action} with the averages in the parameters (when there are any), then puts the live
   * weights back.
   */
  <T> T swappedIn(Map<String, Parameter> parameters, Supplier<T> action) {
    if (means.isEmpty()) {
      return action.get();
    }
    // Copied through set(Buffer), as a load is: an in-place arithmetic op on a parameter that requires
    // grad is refused by PyTorch ("a leaf Variable that requires grad is being used in an in-place
    // operation"), seen in TrainerIT once the learner had trained.
    Map<String, float[]> live = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Parameter> entry : parameters.entrySet()) {
        NDArray array = entry.getValue().getArray();
        live.put(entry.getKey(), array.toFloatArray());
        array.set(FloatBuffer.wrap(means.get(entry.getKey()).toFloatArray()));
      }
      return action.get();
    } finally {
      for (Map.Entry<String, float[]> entry : live.entrySet()) {
        parameters.get(entry.getKey()).getArray().set(FloatBuffer.wrap(entry.getValue()));
      }
    }
  }

  /**
   * Starts again (after a load): the next step copies the live weights.
   *
   * @param free whether to free the averages now; false when their model is being closed with them
   */
  void clear(boolean free) {
    if (free) {
      means.values().forEach(NDArray::close);
    }
    means.clear();
    steps = 0;
  }
}
