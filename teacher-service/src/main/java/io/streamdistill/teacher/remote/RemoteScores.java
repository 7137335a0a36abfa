package io.streamdistill.teacher.remote;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The numbers a server answers per class, made logits: as they are when they are logits, as their logarithms when
 * they are probabilities (the softmax of those is the probabilities again, so soft labels are what the model said).
 * Shared by the protocols whose servers may answer either ({@link V1Protocol}, {@link HfProtocol}).
 */
final class RemoteScores {
  /** The smallest probability taken as such: its logarithm, about -16, stands for "never". */
  static final double MIN_PROBABILITY = 1e-7;
  /** The {@code outputs} option's values: {@code auto} takes a row in [0, 1] summing to 1 for probabilities. */
  static final List<String> OUTPUTS = List.of("auto", "logits", "probabilities");

  private RemoteScores() {}

  /**
   * The {@code outputs} option, lower-cased, {@code fallback} when absent.
   *
   * @throws IllegalArgumentException when it is none of {@link #OUTPUTS}
   */
  static String outputs(Map<String, String> options, String fallback) {
    String outputs = options.getOrDefault("outputs", fallback).toLowerCase(Locale.ROOT);
    if (!OUTPUTS.contains(outputs)) {
      throw new IllegalArgumentException("teacher.json options: outputs must be auto, logits or probabilities, is '"
          + options.get("outputs") + "'");
    }
    return outputs;
  }

  /**
   * One answer's numbers as logits.
   *
   * @param outputs {@code logits}, {@code probabilities} or {@code auto}
   * @throws IllegalArgumentException for a value outside [0, 1] when {@code outputs} says probabilities
   */
  static float[] logits(double[] values, String outputs) {
    boolean probabilities = isProbabilities(values, outputs);
    float[] logits = new float[values.length];
    for (int c = 0; c < logits.length; c++) {
      logits[c] = (float) (probabilities ? Math.log(Math.max(MIN_PROBABILITY, values[c])) : values[c]);
    }
    return logits;
  }

  private static boolean isProbabilities(double[] values, String outputs) {
    if (outputs.equals("logits")) {
      return false;
    }
    if (outputs.equals("probabilities")) {
      for (double v : values) {
        if (v < 0 || v > 1 + 1e-6) {
          throw new IllegalArgumentException("a probability of " + v + " (outputs=probabilities)");
        }
      }
      return true;
    }
    double sum = 0;
    for (double v : values) {
      if (v < 0 || v > 1) {
        return false;
      }
      sum += v;
    }
    return Math.abs(sum - 1) < 1e-3;
  }
}
