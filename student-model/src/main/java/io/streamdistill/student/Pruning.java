package io.streamdistill.student;

import java.util.Arrays;

/**
 * Magnitude pruning, in plain Java so that the trainer and the tests agree on it: which weights to
 * zero ({@link #magnitudeMask}), how sparse to be at a training step ({@link #sparsityAt}, the
 * gradual schedule of Zhu &amp; Gupta 2017, "To prune, or not to prune"), and how sparse weights are
 * ({@link #sparsity}). Only weight matrices are pruned and counted, never biases: they are few and
 * each one shifts a whole neuron. Zeros survive {@link QuantizedWeights#quantize} exactly. Stateless.
 *
 * <pre>{@code
 * double s = Pruning.sparsityAt(step, 1_000, 11_000, 0.8);  // every few hundred steps
 * boolean[] keep = Pruning.magnitudeMask(layerWeights, s);
 * Pruning.applyMask(layerWeights, keep);                     // and keep masked weights at zero
 * }</pre>
 */
public final class Pruning {
  private Pruning() {}

  /**
   * Which values to keep so that a {@code sparsity} share of them is pruned: the {@code
   * round(n * (1 - sparsity))} largest by magnitude are kept ({@code true}), the rest are not. On
   * equal magnitudes the lower index is kept, so the mask depends on the values alone.
   *
   * @throws IllegalArgumentException when sparsity is not in [0, 1] or a value is NaN
   */
  public static boolean[] magnitudeMask(float[] values, double sparsity) {
    requireSparsity(sparsity);
    int n = values.length;
    int keep = (int) Math.round(n * (1.0 - sparsity));
    // One long per value, ordered by magnitude then by lower index: the float bits of |w| are
    // monotonic in |w|, and the complemented index in the low half breaks ties. Sorting primitives
    // keeps an 800 x 800 layer at tens of milliseconds, with no boxing.
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      if (Float.isNaN(values[i])) {
        throw new IllegalArgumentException("value " + i + " is NaN, which has no magnitude to prune by");
      }
      keys[i] = ((long) Float.floatToIntBits(Math.abs(values[i])) << 32) | (0xFFFF_FFFFL - i);
    }
    Arrays.sort(keys);
    boolean[] mask = new boolean[n];
    for (int k = n - keep; k < n; k++) {
      mask[(int) (0xFFFF_FFFFL - (keys[k] & 0xFFFF_FFFFL))] = true;
    }
    return mask;
  }

  /**
   * Zeroes the values the mask does not keep, in place.
   *
   * @return how many values the mask prunes
   */
  public static int applyMask(float[] values, boolean[] keep) {
    if (values.length != keep.length) {
      throw new IllegalArgumentException("mask of " + keep.length + " for " + values.length + " values");
    }
    int pruned = 0;
    for (int i = 0; i < values.length; i++) {
      if (!keep[i]) {
        values[i] = 0f;
        pruned++;
      }
    }
    return pruned;
  }

  /**
   * A pruned copy of the weights: each matrix (rank 2 or more) loses its {@code sparsity} share of
   * smallest-magnitude values ({@link #magnitudeMask}), layer by layer; vectors are copied as they
   * are. One-shot pruning before shipping; the trainer prunes gradually with masks instead.
   */
  public static StudentWeights prune(StudentWeights weights, double sparsity) {
    requireSparsity(sparsity);
    StudentWeights pruned = new StudentWeights();
    for (StudentWeights.Tensor t : weights.tensors().values()) {
      float[] values = t.values().clone();
      if (t.shape().length >= 2) {
        applyMask(values, magnitudeMask(values, sparsity));
      }
      pruned.put(t.name(), t.shape(), values);
    }
    return pruned;
  }

  /**
   * The target sparsity at a training step, Zhu &amp; Gupta's cubic schedule with initial sparsity 0:
   * {@code s_t = s_f * (1 - (1 - (t - t0) / n)^3)} for {@code n = endStep - startStep}; 0 before
   * {@code startStep}, {@code finalSparsity} from {@code endStep} on. It prunes fast while many
   * redundant weights remain and slowly near the end, leaving the network steps to recover.
   *
   * @throws IllegalArgumentException when endStep is before startStep or finalSparsity is not in [0, 1]
   */
  public static double sparsityAt(long step, long startStep, long endStep, double finalSparsity) {
    requireSparsity(finalSparsity);
    if (endStep < startStep) {
      throw new IllegalArgumentException("pruning ends at step " + endStep + ", before it starts at " + startStep);
    }
    if (step < startStep) {
      return 0.0;
    }
    if (step >= endStep) {
      return finalSparsity;
    }
    double remaining = 1.0 - (double) (step - startStep) / (endStep - startStep);
    return finalSparsity * (1.0 - remaining * remaining * remaining);
  }

  /**
   * The share of exact zeros over all weight matrices (rank 2 or more) together; biases are not
   * counted. 0 when there is no matrix.
   */
  public static double sparsity(StudentWeights weights) {
    long zeros = 0;
    long total = 0;
    for (StudentWeights.Tensor t : weights.tensors().values()) {
      if (t.shape().length < 2) {
        continue;
      }
      for (float v : t.values()) {
        if (v == 0f) {
          zeros++;
        }
      }
      total += t.values().length;
    }
    return total == 0 ? 0.0 : (double) zeros / total;
  }

  private static void requireSparsity(double sparsity) {
    if (!(sparsity >= 0.0 && sparsity <= 1.0)) {
      throw new IllegalArgumentException("sparsity must be in [0, 1], got " + sparsity);
    }
  }
}
