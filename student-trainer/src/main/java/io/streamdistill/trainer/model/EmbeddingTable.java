package io.streamdistill.trainer.model;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The hashed n-gram student's embedding table ({@code buckets x dim}), held in Java and updated
 * sparsely: a batch of texts touches a few thousand of its 262,144 rows, and only those rows are
 * read, updated and averaged. This is what PyTorch's {@code EmbeddingBag} with sparse gradients and
 * a sparse optimizer do; DJL exposes neither, and the dense route (a gathered {@code (N, L, dim)}
 * tensor, a dense gradient of the whole table, an optimizer and an average over all of it at every
 * step) cost about 300 ms per batch of 64 mails on two cores against a few milliseconds here.
 *
 * <p>What each part computes, exactly as the dense route did:
 *
 * <ul>
 *   <li>the bag of a text: the mean of its n-grams' rows ({@link #bags}), which the DJL block's
 *       linear layer reads;
 *   <li>a step ({@link #update}): the gradient of a row is the sum, over its occurrences in the
 *       batch, of the occurrence's weight times the gradient of its text's bag (what the dense
 *       embedding backward sums); Adagrad as before, or lazy Adam (PyTorch's {@code SparseAdam}:
 *       the moments of a row move only when it has a gradient);
 *   <li>the Polyak average ({@link #average}): a row untouched for k steps has a constant live
 *       value, so its average after those steps is {@code live + (product of the k decays) *
 *       (average - live)}; each row keeps the running log-product at which it was last brought up to
 *       date and is caught up when it is touched or read.
 * </ul>
 *
 * <p>Not thread-safe: the learner's, like its DJL model.
 */
final class EmbeddingTable {
  private static final float ADAGRAD_EPSILON = 1e-8f;
  private static final float ADAM_BETA1 = 0.9f;
  private static final float ADAM_BETA2 = 0.999f;
  private static final float ADAM_EPSILON = 1e-8f;

  /** What updates the rows. */
  enum Optimizer {
    ADAGRAD, LAZY_ADAM;

    static Optimizer of(String name) {
      return switch (name) {
        case "adagrad" -> ADAGRAD;
        case "adam" -> LAZY_ADAM;
        default -> throw new IllegalArgumentException("no embedding optimizer " + name);
      };
    }
  }

  private final int rows;
  private final int dim;
  private final Optimizer optimizer;
  private final float[] values;
  /** Adagrad's sum of squared gradients, or Adam's first moment. */
  private float[] first;
  /** Adam's second moment (null under Adagrad). */
  private float[] second;
  private long updates;
  /** The Polyak average, null before the first {@link #average} and after a load. */
  private float[] mean;
  /** Per row: the running log-product of decays up to which its average is brought. */
  private double[] meanMark;
  private double logDecay;
  /**
   * The rows the last update touched (the first {@link #touchedCount}; the next update starts a new list),
   * and each row's slot in it or -1.
   */
  private int[] touched = new int[1024];
  private int touchedCount;
  private final int[] slot;
  private float[] gradients = new float[1024 * 16];

  /** fastText's initialisation: uniform in +-1/dim, from the seed. */
  EmbeddingTable(int rows, int dim, Optimizer optimizer, long seed) {
    this.rows = rows;
    this.dim = dim;
    this.optimizer = optimizer;
    this.values = new float[rows * dim];
    Random random = new Random(seed);
    float bound = 1f / dim;
    for (int i = 0; i < values.length; i++) {
      values[i] = (random.nextFloat() * 2 - 1) * bound;
    }
    this.slot = new int[rows];
    Arrays.fill(slot, -1);
    resetOptimizer();
  }

  int dim() {
    return dim;
  }

  int rows() {
    return rows;
  }

  /** The live values (not a copy: the learner masks pruned entries in place). */
  float[] values() {
    return values;
  }

  /** Optimizer updates made since the last {@link #resetOptimizer} (the warm-up reads it). */
  long updates() {
    return updates;
  }

  /** Fresh optimizer state, as a fresh DJL optimizer has. */
  void resetOptimizer() {
    first = new float[values.length];
    second = optimizer == Optimizer.LAZY_ADAM ? new float[values.length] : null;
    updates = 0;
  }

  /** Replaces the live values; the average starts again from the next step. */
  void load(float[] loaded) {
    if (loaded.length != values.length) {
      throw new IllegalArgumentException("an embedding table of " + loaded.length + " values does not fit " + rows
          + " x " + dim);
    }
    System.arraycopy(loaded, 0, values, 0, values.length);
    clearAverage();
  }

  void clearAverage() {
    mean = null;
    meanMark = null;
    logDecay = 0;
  }

  boolean averaging() {
    return mean != null;
  }

  /**
   * The bag of each text, {@code (texts * dim)} row-major: the mean of its buckets' rows, of the
   * live values or of the average.
   */
  float[] bags(List<int[]> texts, boolean averaged) {
    boolean fromMean = averaged && mean != null;
    float[] bags = new float[texts.size() * dim];
    for (int i = 0; i < texts.size(); i++) {
      int[] buckets = texts.get(i);
      if (buckets.length == 0) {
        continue;
      }
      float weight = 1f / buckets.length;
      int out = i * dim;
      for (int bucket : buckets) {
        float[] source = values;
        if (fromMean) {
          catchUp(bucket);
          source = mean;
        }
        int from = bucket * dim;
        for (int k = 0; k < dim; k++) {
          bags[out + k] += source[from + k];
        }
      }
      for (int k = 0; k < dim; k++) {
        bags[out + k] *= weight;
      }
    }
    return bags;
  }

  /**
   * One optimizer step from the gradient of each text's bag ({@code (texts * dim)} row-major), at
   * this step size: only the rows the texts hold change.
   */
  void update(List<int[]> texts, float[] bagGradients, float rate) {
    releaseTouched();
    for (int i = 0; i < texts.size(); i++) {
      int[] buckets = texts.get(i);
      if (buckets.length == 0) {
        continue;
      }
      float weight = 1f / buckets.length;
      int from = i * dim;
      for (int bucket : buckets) {
        int s = slotOf(bucket);
        int to = s * dim;
        for (int k = 0; k < dim; k++) {
          gradients[to + k] += weight * bagGradients[from + k];
        }
      }
    }
    updates++;
    float adamRate = 0f;
    if (optimizer == Optimizer.LAZY_ADAM) {
      double steps = (double) updates;
      adamRate = (float) (rate * Math.sqrt(1 - Math.pow(ADAM_BETA2, steps)) / (1 - Math.pow(ADAM_BETA1, steps)));
    }
    for (int s = 0; s < touchedCount; s++) {
      int row = touched[s];
      // The average of a row is brought up to date while its live value is still the one it has had since.
      if (mean != null) {
        catchUp(row);
      }
      int at = row * dim;
      int g = s * dim;
      for (int k = 0; k < dim; k++) {
        float gradient = gradients[g + k];
        if (optimizer == Optimizer.ADAGRAD) {
          first[at + k] += gradient * gradient;
          values[at + k] -= rate * gradient / ((float) Math.sqrt(first[at + k]) + ADAGRAD_EPSILON);
        } else {
          first[at + k] = ADAM_BETA1 * first[at + k] + (1 - ADAM_BETA1) * gradient;
          second[at + k] = ADAM_BETA2 * second[at + k] + (1 - ADAM_BETA2) * gradient * gradient;
          values[at + k] -= adamRate * first[at + k] / ((float) Math.sqrt(second[at + k]) + ADAM_EPSILON);
        }
        gradients[g + k] = 0f;
      }
    }
  }

  /**
   * One step of the Polyak average at this decay, after an {@link #update}: the rows it touched move
   * now, the others in their closed form when next touched or read. The first call starts the
   * average at the live values.
   */
  void average(float decay) {
    if (mean == null) {
      mean = values.clone();
      meanMark = new double[rows];
      logDecay = 0;
      return;
    }
    logDecay += Math.log(decay);
    for (int s = 0; s < touchedCount; s++) {
      int row = touched[s];
      int at = row * dim;
      for (int k = 0; k < dim; k++) {
        mean[at + k] = decay * mean[at + k] + (1 - decay) * values[at + k];
      }
      meanMark[row] = logDecay;
    }
  }

  /** A copy of the average with every row brought up to date, or of the live values when not averaging. */
  float[] averagedCopy() {
    if (mean == null) {
      return values.clone();
    }
    for (int row = 0; row < rows; row++) {
      catchUp(row);
    }
    return mean.clone();
  }

  /** Sets the live entries {@code keep} says are pruned to zero (the average is masked when read out). */
  void mask(boolean[] keep) {
    for (int i = 0; i < values.length; i++) {
      if (!keep[i]) {
        values[i] = 0f;
      }
    }
  }

  private void catchUp(int row) {
    double behind = logDecay - meanMark[row];
    if (behind == 0) {
      return;
    }
    float factor = (float) Math.exp(behind);
    int at = row * dim;
    for (int k = 0; k < dim; k++) {
      mean[at + k] = values[at + k] + factor * (mean[at + k] - values[at + k]);
    }
    meanMark[row] = logDecay;
  }

  private int slotOf(int row) {
    int s = slot[row];
    if (s >= 0) {
      return s;
    }
    if (touchedCount == touched.length) {
      touched = Arrays.copyOf(touched, touched.length * 2);
    }
    if ((touchedCount + 1) * dim > gradients.length) {
      gradients = Arrays.copyOf(gradients, gradients.length * 2);
    }
    s = touchedCount++;
    touched[s] = row;
    slot[row] = s;
    return s;
  }

  private void releaseTouched() {
    for (int s = 0; s < touchedCount; s++) {
      slot[touched[s]] = -1;
    }
    touchedCount = 0;
  }
}
