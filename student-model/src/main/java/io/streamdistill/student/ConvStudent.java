package io.streamdistill.student;

import java.util.Arrays;

/**
 * Plain-Java forward pass of a {@link ConvSpec}: the scaled image through the convolution blocks
 * (3x3, zero padding, ReLU, 2x2 max pooling), then the MLP head ({@link MlpStudent}) over the
 * flattened maps.
 *
 * <p>A convolution is computed kernel weight by kernel weight: for each output channel, input channel
 * and kernel position, the weight times the shifted input plane is added to the output plane, row by
 * row, over the columns where the shifted pixel lies inside the image (the padding's zeros add
 * nothing). The inner loop runs over contiguous columns with no reduction, which HotSpot's C2
 * vectorizes, and a pruned (zero) weight is skipped. Each output sums its terms in a fixed order, not
 * PyTorch's, so the logits equal the trainer's up to float rounding. The maps live in a per-thread
 * scratch: a request allocates only its answer. Immutable and thread-safe.
 */
final class ConvStudent implements StudentModel {
  private final ConvSpec spec;
  private final DenseFeaturizer featurizer;
  /** Per block, the kernels {@code [filters][inChannels][3][3]} row-major. */
  private final float[][] kernels;
  private final float[][] biases;
  private final MlpStudent head;
  private final ThreadLocal<Maps> scratch;

  /** One thread's arrays: the scaled input, and per block its convolved and its pooled maps. */
  private record Maps(float[] input, float[][] convolved, float[][] pooled) {}

  ConvStudent(ConvSpec spec, StudentWeights parameters) {
    this.spec = spec;
    this.featurizer = new DenseFeaturizer(spec.inputSize());
    int blocks = spec.filters().size();
    this.kernels = new float[blocks][];
    this.biases = new float[blocks][];
    for (int block = 0; block < blocks; block++) {
      kernels[block] = parameters.get(ConvSpec.weightName(block)).values();
      biases[block] = parameters.get(ConvSpec.biasName(block)).values();
    }
    MlpSpec headSpec = spec.head();
    StudentWeights headWeights = new StudentWeights();
    for (String name : headSpec.parameterShapes().keySet()) {
      StudentWeights.Tensor t = parameters.get(name);
      headWeights.put(name, t.shape(), t.values());
    }
    this.head = new MlpStudent(headSpec, headWeights);
    this.scratch = ThreadLocal.withInitial(() -> {
      float[][] convolved = new float[blocks][];
      float[][] pooled = new float[blocks][];
      for (int block = 0; block < blocks; block++) {
        int filters = spec.filters().get(block);
        convolved[block] = new float[filters * spec.rowsAfter(block) * spec.colsAfter(block)];
        pooled[block] = new float[filters * spec.rowsAfter(block + 1) * spec.colsAfter(block + 1)];
      }
      return new Maps(new float[spec.inputSize()], convolved, pooled);
    });
  }

  @Override
  public ConvSpec spec() {
    return spec;
  }

  @Override
  public float[] logits(StudentInput input) {
    float[] vector = featurizer.features(input.vector());
    Maps maps = scratch.get();
    float[] x = maps.input();
    float shift = spec.inputShift();
    float scale = spec.inputScale();
    for (int i = 0; i < x.length; i++) {
      x[i] = (vector[i] - shift) * scale;
    }
    for (int block = 0; block < kernels.length; block++) {
      int rows = spec.rowsAfter(block);
      int cols = spec.colsAfter(block);
      convolve(x, spec.inChannels(block), rows, cols, kernels[block], biases[block], maps.convolved()[block]);
      x = maps.pooled()[block];
      pool(maps.convolved()[block], biases[block].length, rows, cols, x);
    }
    return head.forward(x);
  }

  /** {@code out = relu(conv3x3(in) + bias)}, {@code in} zero-padded by one; {@code out} has a map per bias. */
  static void convolve(float[] in, int inChannels, int rows, int cols, float[] kernel, float[] bias, float[] out) {
    int plane = rows * cols;
    int k = ConvSpec.KERNEL;
    for (int o = 0; o < bias.length; o++) {
      int outPlane = o * plane;
      Arrays.fill(out, outPlane, outPlane + plane, bias[o]);
      for (int c = 0; c < inChannels; c++) {
        int inPlane = c * plane;
        for (int ky = 0; ky < k; ky++) {
          int dy = ky - k / 2;
          int y0 = Math.max(0, -dy);
          int y1 = Math.min(rows, rows - dy);
          for (int kx = 0; kx < k; kx++) {
            float w = kernel[((o * inChannels + c) * k + ky) * k + kx];
            if (w == 0f) {
              continue; // pruned: adds nothing
            }
            int dx = kx - k / 2;
            int x0 = Math.max(0, -dx);
            int x1 = Math.min(cols, cols - dx);
            for (int y = y0; y < y1; y++) {
              int outRow = outPlane + y * cols;
              int inRow = inPlane + (y + dy) * cols + dx;
              for (int x = x0; x < x1; x++) {
                out[outRow + x] += w * in[inRow + x];
              }
            }
          }
        }
      }
      for (int i = outPlane; i < outPlane + plane; i++) {
        if (out[i] < 0f) {
          out[i] = 0f;
        }
      }
    }
  }

  /** 2x2 max pooling, stride 2, of {@code channels} maps of {@code rows x cols}; an odd last row or column drops. */
  static void pool(float[] in, int channels, int rows, int cols, float[] out) {
    int outRows = rows / 2;
    int outCols = cols / 2;
    int i = 0;
    for (int c = 0; c < channels; c++) {
      int plane = c * rows * cols;
      for (int y = 0; y < outRows; y++) {
        int top = plane + 2 * y * cols;
        int bottom = top + cols;
        for (int x = 0; x < outCols; x++) {
          int at = 2 * x;
          out[i++] = Math.max(Math.max(in[top + at], in[top + at + 1]), Math.max(in[bottom + at], in[bottom + at + 1]));
        }
      }
    }
  }
}
