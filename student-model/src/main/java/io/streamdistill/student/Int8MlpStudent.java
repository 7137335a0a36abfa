package io.streamdistill.student;

import java.util.Arrays;

/**
 * Int8 forward pass of an {@link MlpSpec}, from {@link QuantizedWeights}: per layer, the activation
 * vector is quantized with one scale and no zero point ({@code step = max|x| / 127}, codes in
 * {@code [-127, 127]}; {@code step = max|x| / 255}, codes in {@code [0, 255]}, when no value is
 * negative), each output is an exact int32 dot product of the int8 weight row and the codes, times
 * {@code weightScale[row] * step}, plus the float bias; ReLU between layers. It differs from the
 * float model on the dequantized weights only by the rounding of activations, at most half a step
 * per element. Immutable and thread-safe: every call works on its own arrays.
 */
final class Int8MlpStudent implements StudentModel {
  /** The largest code of a non-negative activation vector (see {@link #logits}). */
  static final int UNSIGNED_MAX = 255;

  /**
   * The widest layer whose int32 accumulator cannot overflow: {@code in * 127 * 255 <=
   * Integer.MAX_VALUE}. Far above any student (MNIST's is 784).
   */
  static final int MAX_INPUTS = Integer.MAX_VALUE / (QuantizedWeights.Q_MAX * UNSIGNED_MAX);

  private final MlpSpec spec;
  private final DenseFeaturizer featurizer;
  /** The structured record's featurizer of a {@code fields-mlp} student, else null. */
  private final FieldFeaturizer fieldFeaturizer;
  private final int[] widths;
  /** Per layer, the int8 weights packed four to an int (see {@link #pack}). */
  private final int[][] packed;
  /** Per layer, the number of ints per packed row: {@code ceil(in / 4)}. */
  private final int[] quarters;
  private final float[][] weightScales;
  private final float[][] biases;
  /**
   * Per thread, each layer's activation codes ({@code 4q} ints, the padding zero for good) and each
   * hidden layer's activations: a request allocates only its answer.
   */
  private final ThreadLocal<Buffers> buffers;

  private record Buffers(int[][] codes, float[][] hidden) {}

  Int8MlpStudent(MlpSpec spec, QuantizedWeights parameters) {
    this.spec = spec;
    this.featurizer = new DenseFeaturizer(spec.inputSize());
    this.fieldFeaturizer = spec.fields() == null ? null : new FieldFeaturizer(spec.fields());
    this.widths = spec.widths();
    int layers = widths.length - 1;
    this.packed = new int[layers][];
    this.quarters = new int[layers];
    this.weightScales = new float[layers][];
    this.biases = new float[layers][];
    for (int layer = 0; layer < layers; layer++) {
      if (widths[layer] > MAX_INPUTS) {
        throw new IllegalArgumentException("int8 inference takes layers of up to " + MAX_INPUTS + " inputs, "
            + MlpSpec.weightName(layer) + " has " + widths[layer]);
      }
      QuantizedWeights.Int8Tensor weight = parameters.int8(MlpSpec.weightName(layer));
      quarters[layer] = (widths[layer] + 3) / 4;
      packed[layer] = pack(weight.values(), widths[layer + 1], widths[layer], quarters[layer]);
      weightScales[layer] = weight.scales();
      biases[layer] = parameters.float32(MlpSpec.biasName(layer)).values();
    }
    int[] w = widths;
    int[] q = quarters;
    this.buffers = ThreadLocal.withInitial(() -> {
      int[][] codes = new int[layers][];
      float[][] hidden = new float[layers - 1][];
      for (int layer = 0; layer < layers; layer++) {
        codes[layer] = new int[4 * q[layer]];
        if (layer < layers - 1) {
          hidden[layer] = new float[w[layer + 1]];
        }
      }
      return new Buffers(codes, hidden);
    });
  }

  /**
   * Packs a row-major {@code [out, in]} int8 matrix four weights to an int: int {@code j} of a row
   * holds, from its lowest byte up, the weights of columns {@code j, j + q, j + 2q, j + 3q} ({@code q
   * = ceil(in / 4)}, missing columns 0). Why: HotSpot's C2 (Java 17) vectorizes an int-by-int dot
   * product but not a byte-by-int one, which runs scalar and barely beats float. Unpacking with
   * shifts and reading the activations at four unit-stride offsets keeps every operand an int, so the
   * loop vectorizes (about 5x the float model on AVX2/AVX-512, still ahead of it without SIMD),
   * while the weights keep one byte each.
   */
  static int[] pack(byte[] weights, int out, int in, int q) {
    int[] packed = new int[out * q];
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        packed[o * q + i % q] |= (weights[o * in + i] & 0xFF) << (8 * (i / q));
      }
    }
    return packed;
  }

  @Override
  public MlpSpec spec() {
    return spec;
  }

  @Override
  public float[] logits(StudentInput input) {
    float[] x = fieldFeaturizer != null
        ? fieldFeaturizer.featurize(input.fields())
        : featurizer.features(input.vector());
    int layers = packed.length;
    Buffers buffer = buffers.get();
    for (int layer = 0; layer < layers; layer++) {
      int in = widths[layer];
      int out = widths[layer + 1];
      int q = quarters[layer];
      float max = 0f;
      float min = 0f;
      for (int i = 0; i < in; i++) {
        max = Math.max(max, Math.abs(x[i]));
        min = Math.min(min, x[i]);
      }
      // One scale per activation vector, computed per input: no calibration set, and the whole range
      // is used whatever the input's magnitude. Zero stays exactly zero (no zero point). A vector
      // without negative values (every hidden layer's, after ReLU, and pixels) takes codes 0..255
      // rather than -127..127, halving its rounding error at no cost: the codes are ints here anyway.
      int levels = min < 0f ? QuantizedWeights.Q_MAX : UNSIGNED_MAX;
      float step = max / levels;
      // Padded to 4q with zeros, which meet the packed zero columns (the thread's array: the padding
      // is never written, and the first in codes are written on every call).
      int[] xq = buffer.codes()[layer];
      if (step > 0f) {
        float inverse = levels / max;
        for (int i = 0; i < in; i++) {
          // |x| * levels / max <= levels up to float rounding, which Math.round brings back to levels.
          xq[i] = Math.round(x[i] * inverse);
        }
      } else {
        Arrays.fill(xq, 0, in, 0);
      }
      int[] w = packed[layer];
      float[] scales = weightScales[layer];
      float[] bias = biases[layer];
      boolean last = layer == layers - 1;
      float[] y = last ? new float[out] : buffer.hidden()[layer];
      for (int o = 0; o < out; o++) {
        float sum = dot(w, o * q, xq, q) * (scales[o] * step) + bias[o];
        y[o] = last || sum > 0f ? sum : 0f;
      }
      x = y;
    }
    return x;
  }

  /** The int32 dot product of a packed row and the activation codes; exact (see {@link #MAX_INPUTS}). */
  private static int dot(int[] w, int row, int[] x, int q) {
    int sum = 0;
    for (int j = 0; j < q; j++) {
      int v = w[row + j];
      // (v << k) >> 24 sign-extends one byte of v.
      sum += ((v << 24) >> 24) * x[j] + ((v << 16) >> 24) * x[j + q] + ((v << 8) >> 24) * x[j + 2 * q]
          + (v >> 24) * x[j + 3 * q];
    }
    return sum;
  }
}
