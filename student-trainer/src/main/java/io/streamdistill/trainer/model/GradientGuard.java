package io.streamdistill.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Decides, after the backward pass and before the optimizer's step, whether a step's gradients may
 * update the weights: not when any is NaN or infinite, nor when their norm is more than {@value
 * #SPIKE_FACTOR} times its running mean over the steps taken. A refused step's gradients are zeroed.
 *
 * <p>Why: on a few JVMs in a hundred, a step whose inputs, weights and loss were finite came back
 * with every gradient NaN, or scaled by up to 10²⁸ so that Adam's second moment held the student at
 * chance for thousands of steps. The cause was DJL's {@code mul(Number)} in the loss, whose operand the
 * backward pass read after a GC had freed it ({@link Scalars}, which the losses now use); the guard
 * stays, so that whatever else corrupts a step's gradients (a bad batch, the next such bug) costs one
 * batch rather than the student. A real batch's gradient does not jump a thousandfold: the loss's
 * gradient per logit is bounded.
 *
 * <p>Not thread-safe: owned by one {@link StudentLearner}, on its thread.
 */
final class GradientGuard {
  /** How many times the running mean norm a step's gradient norm may reach. */
  static final double SPIKE_FACTOR = 1_000;
  /** Steps taken before spikes are judged: the running mean needs a few to mean anything. */
  static final int SPIKE_WARM_UP = 10;
  private static final double DECAY = 0.99;

  private double meanNorm;
  private long taken;
  private long nonFinite;
  private long spikes;

  /**
   * Whether this step's gradients may update the weights: the block's parameters' and, for an n-gram
   * student, the embedding table's ({@code tableGradient}, null for none). When not, they are zeroed.
   */
  boolean admits(Block block, float[] tableGradient) {
    double norm = norm(block, tableGradient);
    if (!Double.isFinite(norm)) {
      nonFinite++;
    } else if (taken >= SPIKE_WARM_UP && norm > SPIKE_FACTOR * meanNorm) {
      spikes++;
    } else {
      // The plain mean over the first hundred steps, then an exponential one.
      meanNorm += Math.max(1.0 / (taken + 1), 1 - DECAY) * (norm - meanNorm);
      taken++;
      return true;
    }
    zero(block);
    return false;
  }

  /** Steps refused for NaN or infinite gradients. */
  long nonFinite() {
    return nonFinite;
  }

  /** Steps refused for a gradient norm beyond {@value #SPIKE_FACTOR} times the running mean. */
  long spikes() {
    return spikes;
  }

  /** The L2 norm of all the step's gradients; NaN or infinite when any element is. */
  private static double norm(Block block, float[] tableGradient) {
    double squares = 0;
    if (tableGradient != null) {
      for (float g : tableGradient) {
        squares += (double) g * g;
      }
    }
    for (Parameter parameter : block.getParameters().values()) {
      NDArray array = parameter.getArray();
      if (!array.hasGradient()) {
        continue;
      }
      try (NDArray gradient = array.getGradient(); NDArray norm = gradient.norm()) {
        double n = norm.getFloat();
        squares += n * n;
      }
    }
    return Math.sqrt(squares);
  }

  /** Sets every parameter's gradient to zero, NaN included (subtracting it from itself would not). */
  private static void zero(Block block) {
    for (Parameter parameter : block.getParameters().values()) {
      if (parameter.getArray().hasGradient()) {
        JniUtils.zeroGrad((PtNDArray) parameter.getArray());
      }
    }
  }
}
