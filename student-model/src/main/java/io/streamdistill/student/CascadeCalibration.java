package io.streamdistill.student;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Where a cascade should trust the student: the lowest confidence from which the student's answers
 * agree with the teacher's at least as often as a target, measured on held-out samples. The trainer
 * calibrates every version on its held-out window and ships the threshold in the version's (signed)
 * metrics; an edge node in calibrated mode answers alone at or above it and asks the teacher below.
 * A fixed threshold (0.9, say) means a different thing for every student and every stage of its
 * learning: a young or under-confident student sends nearly everything to the teacher, an
 * over-confident one answers wrongly alone.
 *
 * <p>The threshold is chosen on the same samples it is measured on, so the agreement it reports is
 * slightly optimistic for new traffic; the held-out window (2,000 samples by default) keeps that small.
 * Pure Java and stateless; thread-safe.
 */
public final class CascadeCalibration {
  /** The version metric holding the calibrated threshold. */
  public static final String THRESHOLD = "cascade.threshold";
  /** The share of the held-out samples at or above the threshold: what the student would answer alone. */
  public static final String COVERAGE = "cascade.coverage";
  /** The student's agreement with the teacher on those samples. */
  public static final String AGREEMENT = "cascade.agreement";
  /** The target the threshold was calibrated for. */
  public static final String TARGET = "cascade.target";

  private CascadeCalibration() {}

  /**
   * The calibration for these held-out answers, or empty with fewer than {@code minSamples}.
   *
   * @param predicted the student's class for each sample
   * @param teacher the teacher's class for each sample
   * @param confidence the student's probability of its class for each sample
   * @param target the agreement the student's lone answers must reach, in (0, 1]
   */
  public static Optional<Result> calibrate(int[] predicted, int[] teacher, float[] confidence, double target,
      int minSamples) {
    if (predicted.length != teacher.length || predicted.length != confidence.length) {
      throw new IllegalArgumentException("calibration needs one teacher class and one confidence per prediction, got "
          + predicted.length + ", " + teacher.length + " and " + confidence.length);
    }
    if (!(target > 0 && target <= 1)) {
      throw new IllegalArgumentException("calibration target must be in (0, 1], got " + target);
    }
    int n = predicted.length;
    if (n < Math.max(1, minSamples)) {
      return Optional.empty();
    }
    // Indices by confidence, highest first: each prefix ending where the confidence changes is what a threshold
    // at that confidence lets the student answer alone.
    long[] keyed = new long[n];
    for (int i = 0; i < n; i++) {
      // Non-negative floats order as their bits do; the complement sorts them highest first.
      keyed[i] = ((long) ~Float.floatToIntBits(Math.max(0f, confidence[i])) << 32) | i;
    }
    Arrays.sort(keyed);
    int agreed = 0;
    int bestCount = 0;
    int bestAgreed = 0;
    float threshold = Float.NaN;
    for (int k = 0; k < n; k++) {
      int i = (int) keyed[k];
      if (predicted[i] == teacher[i]) {
        agreed++;
      }
      boolean boundary = k == n - 1 || confidence[(int) keyed[k + 1]] < confidence[i];
      if (boundary && agreed >= target * (k + 1)) {
        bestCount = k + 1;
        bestAgreed = agreed;
        threshold = confidence[i];
      }
    }
    if (bestCount == 0) {
      // No confidence is safe: above the highest one seen, the student answers nothing alone.
      float highest = confidence[(int) keyed[0]];
      return Optional.of(new Result(Math.nextUp(Math.max(0f, highest)), 0, Double.NaN, target, n));
    }
    return Optional.of(new Result(threshold, (double) bestCount / n, (double) bestAgreed / bestCount, target, n));
  }

  /**
   * The threshold a version's metrics carry, or NaN when it has none (a version from before
   * calibration, or from too few held-out samples).
   */
  public static double threshold(Map<String, Double> metrics) {
    Double value = metrics.get(THRESHOLD);
    return value == null || !(value >= 0) ? Double.NaN : value;
  }

  /**
   * A calibration.
   *
   * @param threshold the lowest confidence at which the student answers alone
   * @param coverage the share of held-out samples at or above it
   * @param agreement the student's agreement with the teacher on those (NaN when none)
   * @param target the agreement asked for
   * @param samples the held-out samples it was measured on
   */
  public record Result(double threshold, double coverage, double agreement, double target, int samples) {
    /** The result as version metrics. */
    public Map<String, Double> metrics() {
      return Double.isNaN(agreement)
          ? Map.of(THRESHOLD, threshold, COVERAGE, coverage, TARGET, target)
          : Map.of(THRESHOLD, threshold, COVERAGE, coverage, AGREEMENT, agreement, TARGET, target);
    }
  }
}
