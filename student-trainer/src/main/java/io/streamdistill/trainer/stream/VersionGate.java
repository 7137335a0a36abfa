package io.streamdistill.trainer.stream;

import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Decides whether a candidate becomes a published version, from its agreement with the teachers
 * on the held-out slice (the same held-out samples for candidate and version in service):
 * the first version needs {@code minAgreement}; a later one may be worse than the version in service
 * by at most {@code tolerance}. With fewer than {@code minHeldOut} held-out samples it waits.
 */
public record VersionGate(double minAgreement, double tolerance, int minHeldOut) {
  public VersionGate {
    if (!(minAgreement >= 0 && minAgreement <= 1)) {
      throw new IllegalArgumentException("--min-agreement must be in [0, 1], got " + minAgreement);
    }
    if (!(tolerance >= 0 && tolerance <= 1)) {
      throw new IllegalArgumentException("--tolerance must be in [0, 1], got " + tolerance);
    }
    if (minHeldOut < 1) {
      throw new IllegalArgumentException("--min-held-out must be positive, got " + minHeldOut);
    }
  }

  public enum Outcome {
    PUBLISH, REJECT, WAIT
  }

  public record Decision(Outcome outcome, String reason) {}

  /**
   * @param heldOut how many held-out samples both were scored on
   * @param candidate the candidate's agreement on them
   * @param serving the agreement of the version in service on the same samples, empty before the first version
   */
  public Decision decide(int heldOut, double candidate, OptionalDouble serving) {
    if (heldOut < minHeldOut) {
      return new Decision(Outcome.WAIT, heldOut + " held-out samples, " + minHeldOut + " needed");
    }
    if (serving.isEmpty()) {
      return candidate >= minAgreement
          ? new Decision(Outcome.PUBLISH, "first version: agreement " + f(candidate) + " >= " + f(minAgreement))
          : new Decision(Outcome.REJECT, "first version: agreement " + f(candidate) + " < minimum " + f(minAgreement));
    }
    double floor = serving.getAsDouble() - tolerance;
    return candidate >= floor
        ? new Decision(Outcome.PUBLISH, "agreement " + f(candidate) + " vs " + f(serving.getAsDouble()) + " in service")
        : new Decision(Outcome.REJECT, "agreement " + f(candidate) + " is worse than the " + f(serving.getAsDouble())
            + " in service by more than " + f(tolerance));
  }

  /**
   * The decision for a compressed (pruned or quantized) candidate: refused when compression cost more
   * than {@code maxLoss} of agreement against the candidate's own float weights, else judged like
   * any candidate, on the agreement of what would ship.
   *
   * @param shipped the agreement of the compressed weights, as the edge would run them
   * @param floatSelf the agreement of the same candidate before compression
   */
  public Decision decideCompressed(int heldOut, double shipped, double floatSelf, double maxLoss,
      OptionalDouble serving) {
    if (heldOut >= minHeldOut && floatSelf - shipped > maxLoss) {
      return new Decision(Outcome.REJECT, "compression lost " + f(floatSelf - shipped) + " of agreement (float "
          + f(floatSelf) + ", shipped " + f(shipped) + "), more than the " + f(maxLoss) + " allowed");
    }
    return decide(heldOut, shipped, serving);
  }

  private static String f(double value) {
    return String.format(Locale.ROOT, "%.4f", value);
  }
}
