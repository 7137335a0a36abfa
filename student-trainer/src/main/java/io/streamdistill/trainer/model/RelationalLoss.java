package io.streamdistill.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Park et al. 2019, "Relational Knowledge Distillation": the student keeps the teacher's structure
 * among the examples of a batch rather than each example's output. Two Huber losses:
 *
 * <ul>
 *   <li>distance-wise: between the pairwise Euclidean distances of the student's representations and
 *       of the teacher's embeddings, each divided by its own mean distance, so that the two spaces
 *       may differ in scale and width;
 *   <li>angle-wise: between the cosines of the angles that every triple of examples forms in each
 *       space.
 * </ul>
 *
 * As in the paper, the angle term weighs twice the distance term. Both spaces may have any width;
 * the batch needs at least 3 examples.
 */
public final class RelationalLoss {
  /**
   * Floor under squared distances and norms before their square root. sqrt's gradient at x is
   * 1/(2·sqrt(x)): at 1e-12 (PyTorch's usual epsilon) it is 5e5, and multiplied through a batch's
   * N³ angle terms it overflowed float32 now and then, which left NaN weights. At 1e-8 it is 5e3.
   */
  private static final float EPSILON = 1e-8f;
  /** The share of the batch's typical length below which a distance or direction counts as that. */
  static final float SHORT = 0.01f;

  private RelationalLoss() {}

  /** {@code distance + 2·angle} for student {@code (N, H)} and teacher {@code (N, E)}. */
  public static NDArray of(NDArray student, NDArray teacher) {
    return distance(student, teacher).add(Scalars.times(angle(student, teacher), 2));
  }

  public static NDArray distance(NDArray student, NDArray teacher) {
    NDArray offDiagonal = offDiagonal(student.getManager(), student.getShape().get(0));
    return huber(normalisedDistances(student, offDiagonal), normalisedDistances(teacher, offDiagonal))
        .mul(offDiagonal).sum().div(offDiagonal.sum());
  }

  public static NDArray angle(NDArray student, NDArray teacher) {
    return huber(angles(student), angles(teacher)).mean();
  }

  /**
   * Pairwise distances divided by their mean over distinct pairs; 0 on the diagonal. Squared
   * distances below {@value #SHORT}² of the mean squared distance are raised to it before the square
   * root, whose gradient grows without bound towards 0.
   */
  static NDArray normalisedDistances(NDArray x, NDArray offDiagonal) {
    NDArray squares = x.square().sum(new int[] {1});
    NDArray squared = squares.expandDims(1).add(squares.expandDims(0)).sub(Scalars.times(x.matMul(x.transpose()), 2));
    NDArray floor = Scalars.times(squared.mul(offDiagonal).sum().div(offDiagonal.sum()), SHORT * SHORT).stopGradient()
        .add(EPSILON);
    // The mask drops the diagonal.
    NDArray distances = squared.maximum(floor).sqrt().mul(offDiagonal);
    NDArray mean = distances.sum().div(offDiagonal.sum());
    return distances.div(mean.add(EPSILON));
  }

  /**
   * {@code (N, N, N)}: the cosine at example i between the directions to examples j and k. A
   * direction shorter than {@value #SHORT} of the batch's mean counts as that long: the angle to a
   * near-duplicate example is noise, and dividing by its tiny length gave gradients large enough to
   * wreck training now and then (ReLU students map many inputs to nearly the same point).
   */
  static NDArray angles(NDArray x) {
    NDArray directions = x.expandDims(0).sub(x.expandDims(1)); // [i][j] = x_j - x_i
    NDArray norms = directions.square().sum(new int[] {2}, true).add(EPSILON).sqrt();
    NDArray floor = Scalars.times(norms.mean(), SHORT).stopGradient().add(EPSILON);
    NDArray unit = directions.div(norms.maximum(floor));
    return unit.matMul(unit.transpose(0, 2, 1));
  }

  private static NDArray offDiagonal(NDManager manager, long n) {
    return manager.ones(new ai.djl.ndarray.types.Shape(n, n)).sub(manager.eye((int) n));
  }

  /** Smooth L1 with δ = 1: quadratic near 0, linear beyond. */
  static NDArray huber(NDArray a, NDArray b) {
    NDArray diff = a.sub(b).abs();
    NDArray quadratic = Scalars.times(diff.square(), 0.5f);
    NDArray linear = diff.sub(0.5f);
    return diff.lt(1f).toType(diff.getDataType(), false).mul(quadratic)
        .add(diff.gte(1f).toType(diff.getDataType(), false).mul(linear));
  }
}
