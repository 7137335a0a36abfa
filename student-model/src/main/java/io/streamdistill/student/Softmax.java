package io.streamdistill.student;

/** Numerically stable softmax with temperature, in float as the models compute. */
public final class Softmax {
  private Softmax() {}

  /** {@code softmax(logits / temperature)}. */
  public static float[] probabilities(float[] logits, float temperature) {
    float max = Float.NEGATIVE_INFINITY;
    for (float z : logits) {
      max = Math.max(max, z);
    }
    float[] p = new float[logits.length];
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      p[i] = (float) Math.exp((logits[i] - max) / temperature);
      sum += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) (p[i] / sum);
    }
    return p;
  }

  /**
   * The probability ({@code softmax} at temperature 1) of class {@code index} among the {@code count}
   * logits from {@code from} (one row of a row-major matrix), without computing the others.
   */
  public static float probability(float[] logits, int from, int count, int index) {
    double sum = 0;
    for (int c = 0; c < count; c++) {
      sum += Math.exp(logits[from + c] - logits[from + index]);
    }
    return (float) (1 / sum);
  }

  /** Index of the largest value (the first one on ties). */
  public static int argMax(float[] values) {
    return argMax(values, 0, values.length);
  }

  /** Index, from {@code from}, of the largest of {@code count} values (one row of a row-major matrix). */
  public static int argMax(float[] values, int from, int count) {
    int best = 0;
    for (int i = 1; i < count; i++) {
      if (values[from + i] > values[from + best]) {
        best = i;
      }
    }
    return best;
  }
}
