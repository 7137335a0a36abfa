package io.streamdistill.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Multiplies or divides an array by a number inside a graph that will be differentiated.
 *
 * <p>Not DJL's {@code NDArray.mul(Number)} or {@code div(Number)}: with the PyTorch engine (0.36) these
 * wrap the number in a 0-d tensor over a Java direct buffer (PyTorch's {@code from_blob}, which does not
 * own the memory), run the op and close the wrapper at once. The backward of a product or a quotient
 * reads that operand again; by then a GC may have let the buffer's cleaner free it and something else
 * may have reused the memory, and every gradient upstream is scaled by whatever lies there. Measured
 * (same weights, same batch, backward again and again): 3 passes in 240,000 came back with every
 * gradient NaN or off by a factor between 1.3 and 10²⁸, and 1 in 12 with a GC before each backward;
 * in training, a student stuck at chance or with NaN weights on a few JVMs in a hundred. Here the
 * number is a tensor PyTorch allocates and owns: the graph holds its own reference for as long as it
 * needs it, and closing the wrapper at once is safe. Outside a graph too ({@link PolyakAverage}'s
 * steps): the Java buffer of each number is freed only at a GC ({@link OwnedArrays}).
 */
final class Scalars {
  private Scalars() {}

  /** A 0-d array holding {@code value} in {@code like}'s manager, in memory PyTorch owns; the caller closes it. */
  static NDArray of(NDArray like, float value) {
    return like.getManager().full(new Shape(), value);
  }

  static NDArray times(NDArray array, float factor) {
    try (NDArray scalar = array.getManager().full(new Shape(), factor)) {
      return array.mul(scalar);
    }
  }

  static NDArray over(NDArray array, float divisor) {
    try (NDArray scalar = array.getManager().full(new Shape(), divisor)) {
      return array.div(scalar);
    }
  }
}
