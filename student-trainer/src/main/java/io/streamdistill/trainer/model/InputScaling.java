package io.streamdistill.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import io.streamdistill.student.MlpSpec;
import io.streamdistill.student.StudentWeights;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/**
 * Standardisation of an MLP student's input vectors when they arrive on a raw scale (pixels of 0 to
 * 255, readings in the thousands): the learner trains on {@code (x - shift) * factor} per component,
 * and every version it publishes has the scaling folded into its first layer, so that the edge, which
 * reads raw vectors, computes exactly the same function and the version format is unchanged. Without
 * it, Adam's first steps on inputs in the hundreds move the first layer's outputs by hundreds and the
 * student never learns: on Fashion-MNIST read from a CSV of 0-255 pixels the student stayed at 52%
 * held-out agreement after 52,000 soft labels, while the teacher (which standardises its inputs) was
 * right on 88%.
 *
 * <p>Estimated once, from the first batch the learner trains on: a vector whose every value is within
 * {@value #UNIT_SCALE} is left as it is (MNIST's pixels / 255, sentence embeddings), so students that
 * learned well before are untouched. The shift is each component's mean; the factor the inverse of
 * its standard deviation, except that a component constant in that batch (an image's border) takes the
 * typical spread (the root mean square of the components' deviations), and no spread is taken as less
 * than a hundredth of the typical one: a rare value there must not become an input in the thousands.
 * Immutable.
 */
final class InputScaling {
  /** Vectors whose values all lie within this of zero are taken as already scaled. */
  static final float UNIT_SCALE = 8f;
  /** No component's spread is taken as less than this share of the typical spread. */
  static final double MIN_SPREAD_SHARE = 0.01;

  private final float[] shift;
  private final float[] factor;

  private InputScaling(float[] shift, float[] factor) {
    this.shift = shift;
    this.factor = factor;
  }

  /**
   * The scaling these vectors call for, or null when they are on a unit scale already or tell nothing of their
   * spread (none, or every component constant).
   *
   * @param vectors the first batch's vectors, all of {@code width} values
   */
  static InputScaling estimate(List<float[]> vectors, int width) {
    boolean raw = false;
    for (float[] v : vectors) {
      for (float x : v) {
        raw |= Math.abs(x) > UNIT_SCALE;
      }
    }
    if (!raw) {
      return null;
    }
    double[] mean = new double[width];
    double[] squares = new double[width];
    for (float[] v : vectors) {
      for (int i = 0; i < width; i++) {
        mean[i] += v[i];
      }
    }
    int n = vectors.size();
    for (int i = 0; i < width; i++) {
      mean[i] /= n;
    }
    for (float[] v : vectors) {
      for (int i = 0; i < width; i++) {
        double d = v[i] - mean[i];
        squares[i] += d * d;
      }
    }
    double totalVariance = 0;
    for (int i = 0; i < width; i++) {
      totalVariance += squares[i] / n;
    }
    double typical = Math.sqrt(totalVariance / width);
    if (!(typical > 0) || !Double.isFinite(typical)) {
      return null; // every component constant in this batch (one example repeated): nothing to scale by
    }
    float[] shift = new float[width];
    float[] factor = new float[width];
    for (int i = 0; i < width; i++) {
      double sd = Math.sqrt(squares[i] / n);
      double spread = sd < 1e-6 * typical ? typical : Math.max(sd, MIN_SPREAD_SHARE * typical);
      shift[i] = (float) mean[i];
      factor[i] = (float) (1 / spread);
    }
    return new InputScaling(shift, factor);
  }

  /** Writes the scaled {@code vector} into {@code out} from {@code offset}. */
  void apply(float[] vector, float[] out, int offset) {
    for (int i = 0; i < shift.length; i++) {
      out[offset + i] = (vector[i] - shift[i]) * factor[i];
    }
  }

  /**
   * Turns a first layer trained on scaled inputs into one that reads raw inputs, in place: {@code W[o][i] *=
   * factor[i]}, then {@code b[o] -= sum_i W[o][i] * shift[i]}.
   *
   * @param weight the layer's {@code (outputs, inputs)} weights, row-major
   */
  void fold(float[] weight, float[] bias) {
    int in = shift.length;
    for (int o = 0; o < bias.length; o++) {
      double offset = 0;
      for (int i = 0; i < in; i++) {
        weight[o * in + i] *= factor[i];
        offset += (double) weight[o * in + i] * shift[i];
      }
      bias[o] -= (float) offset;
    }
  }

  /** The inverse of {@link #fold}: a first layer that reads raw inputs turned into one that reads scaled ones. */
  void unfold(float[] weight, float[] bias) {
    int in = shift.length;
    for (int o = 0; o < bias.length; o++) {
      double offset = 0;
      for (int i = 0; i < in; i++) {
        offset += (double) weight[o * in + i] * shift[i];
        weight[o * in + i] /= factor[i];
      }
      bias[o] += (float) offset;
    }
  }

  /** {@link #fold} on the first layer of an MLP's weights, in place (their arrays change). */
  void foldFirstLayer(StudentWeights weights) {
    fold(weights.get(MlpSpec.weightName(0)).values(), weights.get(MlpSpec.biasName(0)).values());
  }

  /** {@link #unfold} on the first layer of an MLP block's live parameters, in place. */
  void unfoldFirstLayer(Map<String, Parameter> parameters) {
    NDArray weight = parameters.get(MlpSpec.weightName(0)).getArray();
    NDArray bias = parameters.get(MlpSpec.biasName(0)).getArray();
    float[] w = weight.toFloatArray();
    float[] b = bias.toFloatArray();
    unfold(w, b);
    // Through set(Buffer), as a load is: PyTorch refuses in-place arithmetic on a leaf that requires grad.
    weight.set(FloatBuffer.wrap(w));
    bias.set(FloatBuffer.wrap(b));
  }
}
