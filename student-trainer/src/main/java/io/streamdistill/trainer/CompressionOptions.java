package io.streamdistill.trainer;

import io.streamdistill.student.QuantizedWeights;
import io.streamdistill.student.StudentSpec;
import io.streamdistill.student.StudentWeights;
import io.streamdistill.trainer.stream.Compression;
import picocli.CommandLine.Option;

/**
 * How versions are made smaller, as command-line options of {@code ./distill train} (a picocli mixin):
 * magnitude pruning and its schedule, the weights' format, and the agreement compression may cost.
 */
public final class CompressionOptions {
  @Option(names = "--prune", defaultValue = "0", paramLabel = "SPARSITY",
      description = "Magnitude pruning: the share of each weight matrix set to zero, reached gradually while the"
          + " student keeps learning. Default: ${DEFAULT-VALUE} (none).")
  private double pruneSparsity;

  @Option(names = "--prune-from", defaultValue = "0", paramLabel = "N",
      description = "Trained samples before pruning starts. Default: ${DEFAULT-VALUE}.")
  private long pruneFrom;

  @Option(names = "--prune-over", defaultValue = "20000", paramLabel = "N",
      description = "Trained samples over which the pruned share rises to --prune (cubic schedule). Default:"
          + " ${DEFAULT-VALUE}.")
  private long pruneOver;

  @Option(names = "--weights-format", defaultValue = "auto", paramLabel = "FORMAT",
      description = "Weights shipped to the edge: f32-v1, int8-v1 (per-channel int8, about 4x smaller, run as"
          + " int8 by the edge; rows that did not move stay as they were, so a version goes as a small patch), or"
          + " auto: int8-v1 for hashed n-gram students, f32-v1 for the others. Default: ${DEFAULT-VALUE}.")
  private String weightsFormat;

  @Option(names = "--max-compression-loss", defaultValue = "0.01", paramLabel = "SHARE",
      description = "The gate refuses a pruned or int8 candidate whose held-out agreement is lower than its own"
          + " float weights' by more than this. Default: ${DEFAULT-VALUE}.")
  private double maxCompressionLoss;

  /** The compression these options describe, for this student ({@code auto} formats depend on its kind). */
  public Compression compression(StudentSpec spec) {
    return new Compression(pruneSparsity, pruneFrom, pruneOver, int8(weightsFormat, spec), maxCompressionLoss);
  }

  private static boolean int8(String format, StudentSpec spec) {
    if (format.equals("auto")) {
      return Compression.defaultFor(spec).int8();
    }
    if (format.equals(QuantizedWeights.INT8_V1)) {
      return true;
    }
    if (format.equals(StudentWeights.F32_V1)) {
      return false;
    }
    throw new IllegalArgumentException("--weights-format must be auto, " + StudentWeights.F32_V1 + " or "
        + QuantizedWeights.INT8_V1 + ", got " + format);
  }
}
