package io.streamdistill.trainer.stream;

import io.streamdistill.config.Durations;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Decides whether a candidate becomes a published version, from its agreement with the teachers
 * on the held-out slice (the same held-out samples for candidate and version in service):
 * the first version needs {@code minAgreement}; a later one may be worse than the version in service
 * by at most {@code tolerance}. With fewer than {@code minHeldOut} held-out samples it waits.
 *
 * <p>Every version costs each edge node its bytes, so a later candidate within the tolerance is
 * published when it is better than the version in service by at least {@code minImprovement}, or
 * once that version has served for {@code maxQuiet} (what the stream taught since reaches the edge
 * at that pace at least); otherwise it is held (not published, not refused). {@code minImprovement}
 * 0 publishes every candidate the tolerance lets through.
 */
public record VersionGate(double minAgreement, double tolerance, int minHeldOut, double minImprovement,
    Duration maxQuiet) {
  /** {@link #minAgreement}'s default, as the command's flag shows it. */
  public static final String DEFAULT_MIN_AGREEMENT = "0.5";
  /** {@link #tolerance}'s default, as the command's flag shows it. */
  public static final String DEFAULT_TOLERANCE = "0.01";
  /** {@link #minHeldOut}'s default, as the command's flag shows it. */
  public static final String DEFAULT_MIN_HELD_OUT = "200";
  /** {@link #minImprovement}'s default, as the command's flag shows it. */
  public static final String DEFAULT_MIN_IMPROVEMENT = "0.002";
  /** {@link #maxQuiet}'s default, as the command's flag shows it. */
  public static final String DEFAULT_MAX_QUIET = "2m";
  /** Agreements are shares of the same window: a difference this small is rounding, not a sample. */
  private static final double EPSILON = 1e-9;

  /** A gate that publishes every candidate within the tolerance (no improvement asked). */
  public VersionGate(double minAgreement, double tolerance, int minHeldOut) {
    this(minAgreement, tolerance, minHeldOut, 0, Duration.ZERO);
  }

  public VersionGate {
    Objects.requireNonNull(maxQuiet, "maxQuiet");
    if (!(minAgreement >= 0 && minAgreement <= 1)) {
      throw new IllegalArgumentException("--min-agreement must be in [0, 1], got " + minAgreement);
    }
    if (!(tolerance >= 0 && tolerance <= 1)) {
      throw new IllegalArgumentException("--tolerance must be in [0, 1], got " + tolerance);
    }
    if (minHeldOut < 1) {
      throw new IllegalArgumentException("--min-held-out must be positive, got " + minHeldOut);
    }
    if (!(minImprovement >= 0 && minImprovement <= 1)) {
      throw new IllegalArgumentException("--min-improvement must be in [0, 1], got " + minImprovement);
    }
    if (maxQuiet.isNegative()) {
      throw new IllegalArgumentException("--max-quiet must not be negative, got " + maxQuiet);
    }
  }

  /** The gate at the command's defaults. */
  public static VersionGate defaults() {
    return new VersionGate(Double.parseDouble(DEFAULT_MIN_AGREEMENT), Double.parseDouble(DEFAULT_TOLERANCE),
        Integer.parseInt(DEFAULT_MIN_HELD_OUT), Double.parseDouble(DEFAULT_MIN_IMPROVEMENT),
        Durations.parse("--max-quiet", DEFAULT_MAX_QUIET));
  }

  /** The defaults without the pace: every candidate within the tolerance is published (a version per candidate). */
  public static VersionGate everyCandidate() {
    return defaults().withPace(0, Duration.ZERO);
  }

  /** This gate with the publishing pace given: a candidate better by {@code margin}, or one every {@code quiet}. */
  public VersionGate withPace(double margin, Duration quiet) {
    return new VersionGate(minAgreement, tolerance, minHeldOut, margin, quiet);
  }

  /** This gate with the first version's minimum agreement {@code value}. */
  public VersionGate withMinAgreement(double value) {
    return new VersionGate(value, tolerance, minHeldOut, minImprovement, maxQuiet);
  }

  /** HOLD: as good as the version in service within the tolerance, but not better enough to ship yet. */
  public enum Outcome {
    PUBLISH, REJECT, WAIT, HOLD
  }

  public record Decision(Outcome outcome, String reason) {}

  /**
   * Whether a candidate is published, held, rejected or waits for more held-out samples.
   *
   * @param heldOut how many held-out samples both were scored on
   * @param candidate the candidate's agreement on them
   * @param serving the agreement of the version in service on the same samples, empty before the first version
   * @param served how long the version in service has served (ignored before the first version)
   */
  public Decision decide(int heldOut, double candidate, OptionalDouble serving, Duration served) {
    if (heldOut < minHeldOut) {
      return new Decision(Outcome.WAIT, heldOut + " held-out samples, " + minHeldOut + " needed");
    }
    if (serving.isEmpty()) {
      return candidate >= minAgreement
          ? new Decision(Outcome.PUBLISH, "first version: agreement " + f(candidate) + " >= " + f(minAgreement))
          : new Decision(Outcome.REJECT, "first version: agreement " + f(candidate) + " < minimum " + f(minAgreement));
    }
    double inService = serving.getAsDouble();
    if (candidate < inService - tolerance) {
      return new Decision(Outcome.REJECT, "agreement " + f(candidate) + " is worse than the " + f(inService)
          + " in service by more than " + f(tolerance));
    }
    String versus = "agreement " + f(candidate) + " vs " + f(inService) + " in service";
    if (candidate - inService >= minImprovement - EPSILON) {
      return new Decision(Outcome.PUBLISH, minImprovement == 0 ? versus
          : versus + ", better by at least " + f(minImprovement));
    }
    if (served.compareTo(maxQuiet) >= 0) {
      return new Decision(Outcome.PUBLISH, versus + ", which has served " + seconds(served) + " (--max-quiet "
          + seconds(maxQuiet) + ")");
    }
    return new Decision(Outcome.HOLD, versus + ": not better by " + f(minImprovement) + " (--min-improvement); held"
        + " until it has served " + seconds(maxQuiet) + " (--max-quiet), now " + seconds(served));
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
      OptionalDouble serving, Duration served) {
    if (heldOut >= minHeldOut && floatSelf - shipped > maxLoss) {
      return new Decision(Outcome.REJECT, "compression lost " + f(floatSelf - shipped) + " of agreement (float "
          + f(floatSelf) + ", shipped " + f(shipped) + "), more than the " + f(maxLoss) + " allowed");
    }
    return decide(heldOut, shipped, serving, served);
  }

  private static String seconds(Duration duration) {
    return duration.toSeconds() + " s";
  }

  private static String f(double value) {
    return String.format(Locale.ROOT, "%.4f", value);
  }
}
