package io.streamdistill.student;

import java.util.Arrays;

/**
 * Plain-Java forward pass of a {@link ConvSpec}: the scaled image through the convolution blocks
 * (3x3, zero padding, ReLU, 2x2 max pooling), then the MLP head ({@link MlpStudent}) over the
 * flattened maps.
 *
 * <p>Each block's input is held with its zero padding in memory: planes of {@code (rows + 2) x (cols
 * + 2)} whose border is never written. A convolution is then computed per output and input channel:
 * the nine kernel weights times the input plane at the nine shifts are added to the output plane in
 * one contiguous loop over all its rows, the output planes being {@code cols + 2} wide too (their last
 * two columns are never read). That loop is up to a thousand floats long with no reduction and no
 * branch, which HotSpot's C2 vectorizes: 32x32 colour images in 1.1 ms with a loop per weight and per
 * row, 0.6 ms with a loop per weight over the padded plane, 0.41 ms this way (one thread). Pooling reads
 * only the real columns, applies the ReLU and writes the next block's padded input, or the head's
 * flattened one. Each output sums its terms in a fixed order, not PyTorch's, so the logits equal the
 * trainer's up to float rounding. The maps live in a per-thread scratch: a request allocates only its
 * answer. Immutable and thread-safe.
 */
final class ConvStudent implements StudentModel {
  private final ConvSpec spec;
  private final DenseFeaturizer featurizer;
  /** Per block, the kernels {@code [filters][inChannels][3][3]} row-major. */
  private final float[][] kernels;
  private final float[][] biases;
  private final MlpStudent head;
  private final ThreadLocal<Maps> scratch;

  /** One thread's arrays: per block its padded input and its convolved maps; the head's flattened input. */
  private record Maps(float[][] padded, float[][] convolved, float[] flattened) {}

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
      float[][] padded = new float[blocks][];
      float[][] convolved = new float[blocks][];
      for (int block = 0; block < blocks; block++) {
        int rows = spec.rowsAfter(block);
        int cols = spec.colsAfter(block);
        padded[block] = new float[spec.inChannels(block) * (rows + 2) * (cols + 2)];
        convolved[block] = new float[spec.filters().get(block) * rows * (cols + 2)];
      }
      return new Maps(padded, convolved, new float[spec.flattened()]);
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
    float shift = spec.inputShift();
    float scale = spec.inputScale();
    int rows = spec.rows();
    int cols = spec.cols();
    float[] x = maps.padded()[0];
    int stride = cols + 2;
    int plane = (rows + 2) * stride;
    for (int c = 0; c < spec.channels(); c++) {
      for (int y = 0; y < rows; y++) {
        int from = (c * rows + y) * cols;
        int to = c * plane + (y + 1) * stride + 1;
        for (int i = 0; i < cols; i++) {
          x[to + i] = (vector[from + i] - shift) * scale;
        }
      }
    }
    int last = kernels.length - 1;
    for (int block = 0; block <= last; block++) {
      rows = spec.rowsAfter(block);
      cols = spec.colsAfter(block);
      float[] convolved = maps.convolved()[block];
      convolve(maps.padded()[block], spec.inChannels(block), rows, cols, kernels[block], biases[block], convolved);
      int pooledCols = cols / 2;
      if (block < last) {
        int pooledStride = pooledCols + 2;
        pool(convolved, biases[block].length, rows, cols, maps.padded()[block + 1],
            (rows / 2 + 2) * pooledStride, pooledStride, pooledStride + 1);
      } else {
        pool(convolved, biases[block].length, rows, cols, maps.flattened(), (rows / 2) * pooledCols, pooledCols, 0);
      }
    }
    return head.forward(maps.flattened());
  }

  /**
   * {@code out = conv3x3(in) + bias}: {@code in} holds {@code inChannels} padded planes of {@code (rows + 2) x
   * (cols + 2)}, {@code out} one plane of {@code rows x (cols + 2)} per bias, of which the last two columns of each
   * row are not outputs.
   */
  static void convolve(float[] in, int inChannels, int rows, int cols, float[] kernel, float[] bias, float[] out) {
    int stride = cols + 2;
    int inPlane = (rows + 2) * stride;
    int outPlane = rows * stride;
    int n = outPlane - 2; // the last row's two extra columns would read past the plane
    for (int o = 0; o < bias.length; o++) {
      int out0 = o * outPlane;
      Arrays.fill(out, out0, out0 + outPlane, bias[o]);
      for (int c = 0; c < inChannels; c++) {
        int at = (o * inChannels + c) * 9;
        float w0 = kernel[at];
        float w1 = kernel[at + 1];
        float w2 = kernel[at + 2];
        float w3 = kernel[at + 3];
        float w4 = kernel[at + 4];
        float w5 = kernel[at + 5];
        float w6 = kernel[at + 6];
        float w7 = kernel[at + 7];
        float w8 = kernel[at + 8];
        int r0 = c * inPlane;
        int r1 = r0 + stride;
        int r2 = r1 + stride;
        for (int i = 0; i < n; i++) {
          out[out0 + i] += w0 * in[r0 + i] + w1 * in[r0 + i + 1] + w2 * in[r0 + i + 2]
              + w3 * in[r1 + i] + w4 * in[r1 + i + 1] + w5 * in[r1 + i + 2]
              + w6 * in[r2 + i] + w7 * in[r2 + i + 1] + w8 * in[r2 + i + 2];
        }
      }
    }
  }

  /**
   * ReLU and 2x2 max pooling, stride 2, of {@code channels} maps of {@code rows x cols} held {@code cols + 2} wide;
   * an odd last row or column is dropped. Output {@code (y, x)} of channel {@code c} goes to {@code out[offset + c
   * * outPlane + y * outStride + x]}.
   */
  static void pool(float[] in, int channels, int rows, int cols, float[] out, int outPlane, int outStride,
      int offset) {
    int stride = cols + 2;
    int outRows = rows / 2;
    int outCols = cols / 2;
    for (int c = 0; c < channels; c++) {
      int plane = c * rows * stride;
      for (int y = 0; y < outRows; y++) {
        int top = plane + 2 * y * stride;
        int bottom = top + stride;
        int to = offset + c * outPlane + y * outStride;
        for (int x = 0; x < outCols; x++) {
          int at = 2 * x;
          float max = Math.max(Math.max(in[top + at], in[top + at + 1]),
              Math.max(in[bottom + at], in[bottom + at + 1]));
          out[to + x] = max > 0f ? max : 0f;
        }
      }
    }
  }
}
