package io.streamdistill.trainer.model;

import io.streamdistill.student.Softmax;

/**
 * How the soft labels of several teachers of one event become the one distribution the student
 * learns. With a single teacher every combination is that teacher's distribution.
 */
public enum TeacherCombination {
  /** The mean of the teachers' probabilities at the training temperature: the classic ensemble. */
  MEAN,
  /**
   * Each teacher weighted, per event, by its confidence: its top probability at temperature 1. A
   * teacher that is sure of this event outweighs one that hesitates, so an ensemble of specialists
   * follows whichever knows the event best (the idea of confidence-aware multi-teacher KD).
   */
  CONFIDENCE;

  /**
   * The combined distribution at {@code temperature}.
   *
   * @param logits each teacher's logits, all of the same width
   */
  public float[] combine(float[][] logits, float temperature) {
    int classes = logits[0].length;
    float[] combined = new float[classes];
    float total = 0f;
    for (float[] teacher : logits) {
      float weight = this == MEAN ? 1f : max(Softmax.probabilities(teacher, 1f));
      float[] p = Softmax.probabilities(teacher, temperature);
      for (int c = 0; c < classes; c++) {
        combined[c] += weight * p[c];
      }
      total += weight;
    }
    for (int c = 0; c < classes; c++) {
      combined[c] /= total;
    }
    return combined;
  }

  /** The combined arg max at temperature 1: the class the teachers agree on. */
  public int argMax(float[][] logits) {
    return Softmax.argMax(combine(logits, 1f));
  }

  /** Parses {@code mean} or {@code confidence}, naming the choices when it is neither. */
  public static TeacherCombination parse(String name) {
    for (TeacherCombination c : values()) {
      if (c.name().equalsIgnoreCase(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown teacher combination '" + name + "' (mean, confidence)");
  }

  private static float max(float[] values) {
    float max = values[0];
    for (float v : values) {
      max = Math.max(max, v);
    }
    return max;
  }
}
