package io.streamdistill.trainer;

import io.streamdistill.config.Durations;
import io.streamdistill.trainer.stream.VersionGate;
import picocli.CommandLine.Option;

/**
 * The gate's publishing pace as command-line options, for every command that runs a trainer
 * ({@code ./distill train}, {@code ./distill demo}): a picocli mixin. The values are checked where the
 * gate is made ({@link VersionGate}), with messages that name the flags.
 */
public final class PublishingPace {
  @Option(names = "--min-improvement", defaultValue = VersionGate.DEFAULT_MIN_IMPROVEMENT, paramLabel = "SHARE",
      description = "Every version costs each edge node its bytes: a later candidate is published when its held-out"
          + " agreement beats the version in service's by at least this much... 0 publishes every candidate within"
          + " the tolerance. Default: ${DEFAULT-VALUE}.")
  private double minImprovement = Double.parseDouble(VersionGate.DEFAULT_MIN_IMPROVEMENT);

  @Option(names = "--max-quiet", defaultValue = VersionGate.DEFAULT_MAX_QUIET, paramLabel = "DURATION",
      description = "...or once the version in service has served this long (candidates between are held, not"
          + " refused). Default: ${DEFAULT-VALUE}.")
  private String maxQuiet = VersionGate.DEFAULT_MAX_QUIET;

  /**
   * {@code gate} with this pace.
   *
   * @throws IllegalArgumentException for a bad value, naming its flag
   */
  public VersionGate applyTo(VersionGate gate) {
    return gate.withPace(minImprovement, Durations.parse("--max-quiet", maxQuiet));
  }
}
