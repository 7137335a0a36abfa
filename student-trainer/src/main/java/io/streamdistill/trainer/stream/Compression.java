package io.streamdistill.trainer.stream;

import io.streamdistill.student.NgramSpec;
import io.streamdistill.student.Pruning;
import io.streamdistill.student.StudentSpec;

/**
 * How a student is compressed before it ships: magnitude pruning raised gradually while it keeps
 * learning on the stream (Zhu and Gupta's cubic schedule), and the weight format of the published
 * versions ({@code f32-v1}, or {@code int8-v1}: per-channel int8, about 4 times smaller, run as int8
 * at the edge). The gate refuses a compressed candidate whose held-out agreement fell more than
 * {@code maxLoss} below its own float weights'. Immutable.
 *
 * @param sparsity the share of each weight matrix pruned at the end of the schedule (0: none)
 * @param pruneFrom trained samples before pruning starts
 * @param pruneOver trained samples over which the share rises to {@code sparsity}
 * @param int8 whether versions ship as int8
 * @param maxLoss the largest fall in held-out agreement compression may cost a version
 */
public record Compression(double sparsity, long pruneFrom, long pruneOver, boolean int8, double maxLoss) {
  public static final Compression NONE = new Compression(0, 0, 1, false, 0.01);

  public Compression {
    if (!(sparsity >= 0 && sparsity < 1)) {
      throw new IllegalArgumentException("--prune must be in [0, 1), got " + sparsity);
    }
    if (pruneFrom < 0 || pruneOver < 1) {
      throw new IllegalArgumentException("--prune-from must be >= 0 and --prune-over >= 1, got " + pruneFrom
          + " and " + pruneOver);
    }
    if (!(maxLoss >= 0 && maxLoss <= 1)) {
      throw new IllegalArgumentException("--max-compression-loss must be in [0, 1], got " + maxLoss);
    }
  }

  /**
   * What a student ships when nothing is said: int8 for a hashed n-gram student, whose weights are almost all one
   * embedding table that training touches a few rows at a time (with int8, rows that did not move stay
   * byte-identical and a version goes as a small patch to its parent); float32 for the others, whose training
   * moves every weight at once.
   */
  public static Compression defaultFor(StudentSpec spec) {
    return spec instanceof NgramSpec ? new Compression(0, 0, 1, true, NONE.maxLoss()) : NONE;
  }

  public boolean prunes() {
    return sparsity > 0;
  }

  public boolean compresses() {
    return prunes() || int8;
  }

  /**
   * The share to prune to now, or NaN when no new masks are due: masks are recomputed in steps of
   * one percent (each recomputation reads every weight), and once more at the final share.
   *
   * @param current the share pruned so far
   */
  public double pruneTo(long trained, double current) {
    if (!prunes()) {
      return Double.NaN;
    }
    double target = sparsityAt(trained);
    return target - current >= 0.01 || (target == sparsity && target > current) ? target : Double.NaN;
  }

  /** The share pruned once {@code trained} samples were trained on. */
  public double sparsityAt(long trained) {
    return prunes() ? Pruning.sparsityAt(trained, pruneFrom, pruneFrom + pruneOver, sparsity) : 0;
  }
}
