package io.streamdistill.student;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A student's parameters after post-training quantization, and their byte format {@value #INT8_V1}:
 * every weight matrix (rank 2 or more) is quantized to int8 symmetrically per row, that is per output
 * channel ({@code dense<i>.weight [out, in]}: one neuron; {@code embedding.weight [buckets, dim]}: one
 * bucket's embedding; {@code output.weight [classes, dim]}: one class), and every vector (the biases)
 * stays float32. For a row {@code w}, {@code scale = max|w| / 127} and {@code q = round(w / scale)}
 * clamped to {@code [-127, 127]}, so {@code q * scale} is within {@code scale / 2} of {@code w}; a row
 * of zeros gets scale 0 and comes back as zeros. Pruned (zero) weights stay exactly zero.
 *
 * <pre>
 * "SDQ1"  int32 count
 * count times: int16 nameLength, UTF-8 name, int8 kind, int32 rank, rank x int32 dims, then
 *   kind 0 (f32):          prod(dims) x float32
 *   kind 1 (int8 per row): dims[0] x float32 scales, prod(dims) x int8 values in [-127, 127]
 * </pre>
 *
 * all big-endian like {@link StudentWeights}, nothing after the last tensor. Decoding checks every
 * length and says what is wrong (truncated, bytes left over, bad magic, unknown tensor kind). The
 * file is about a quarter of the {@value StudentWeights#F32_V1} one. Not changed once built, and so
 * thread-safe: {@link #quantize} copies what it keeps, so the trainer may go on updating its float
 * weights; the tensors' arrays are shared, not copied, on access and must not be written to.
 *
 * <pre>{@code
 * QuantizedWeights int8 = QuantizedWeights.quantize(floatWeights);
 * byte[] shipped = int8.encode();                                  // weightsFormat "int8-v1"
 * StudentModel edge = StudentModel.create(spec, QuantizedWeights.decode(shipped));
 * StudentModel reference = StudentModel.create(spec, int8.dequantize()); // what int8 costs in accuracy
 * }</pre>
 *
 * <p>Its length (about 420 lines): quantizing, the byte format's encoder and its checking decoder
 * stay together, so that the format is defined in one file; a third of it is the decoder's checks.
 */
public final class QuantizedWeights {
  public static final String INT8_V1 = "int8-v1";
  private static final byte[] MAGIC = "SDQ1".getBytes(StandardCharsets.US_ASCII);
  private static final byte KIND_F32 = 0;
  private static final byte KIND_INT8_ROWS = 1;
  /** The largest code; -128 is left out so that the range is symmetric: {@code w} and {@code -w} get opposite codes. */
  static final int Q_MAX = 127;

  /** In the order of the weight format (a LinkedHashMap). */
  private final Map<String, Tensor> tensors;

  private QuantizedWeights(Map<String, Tensor> tensors) {
    this.tensors = tensors;
  }

  /** One named parameter: float32 ({@link FloatTensor}) or int8 per row ({@link Int8Tensor}). */
  public sealed interface Tensor permits FloatTensor, Int8Tensor {
    String name();

    int[] shape();

    /** The values as float32: as stored, or {@code q * scale} per row. */
    float[] toFloats();
  }

  /** A parameter kept as float32 (a bias), row-major. */
  public record FloatTensor(String name, int[] shape, float[] values) implements Tensor {
    public FloatTensor {
      if (size(name, shape) != values.length) {
        throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " holds " + size(name, shape)
            + " values, got " + values.length);
      }
    }

    @Override
    public float[] toFloats() {
      return values.clone();
    }
  }

  /**
   * A parameter quantized per row (the first dimension): {@code value[r][i] = values[r * rowLength + i]
   * * scales[r]}, row-major.
   */
  public record Int8Tensor(String name, int[] shape, float[] scales, byte[] values) implements Tensor {
    public Int8Tensor {
      if (shape.length < 2) {
        throw new IllegalArgumentException(name + ": int8 rows need a matrix, got shape " + Arrays.toString(shape));
      }
      if (size(name, shape) != values.length) {
        throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " holds " + size(name, shape)
            + " values, got " + values.length);
      }
      if (scales.length != shape[0]) {
        throw new IllegalArgumentException(name + ": " + shape[0] + " rows need as many scales, got " + scales.length);
      }
      for (int r = 0; r < scales.length; r++) {
        // A negative scale would flip a row's sign; NaN or infinity would poison every logit.
        if (!(scales[r] >= 0f) || Float.isInfinite(scales[r])) {
          throw new IllegalArgumentException(name + ": row " + r + " has scale " + scales[r]);
        }
      }
      for (int i = 0; i < values.length; i++) {
        if (values[i] < -Q_MAX) {
          throw new IllegalArgumentException(name + ": value " + i + " is " + values[i] + ", outside [-127, 127]");
        }
      }
    }

    public int rows() {
      return shape[0];
    }

    public int rowLength() {
      return rows() == 0 ? 0 : values.length / rows();
    }

    @Override
    public float[] toFloats() {
      float[] floats = new float[values.length];
      int length = rowLength();
      for (int r = 0; r < scales.length; r++) {
        for (int i = r * length; i < (r + 1) * length; i++) {
          floats[i] = values[i] * scales[r];
        }
      }
      return floats;
    }
  }

  /**
   * Quantizes every matrix of the weights per row and copies every vector.
   *
   * @throws IllegalArgumentException naming the parameter and row when a weight is NaN or infinite
   */
  public static QuantizedWeights quantize(StudentWeights weights) {
    LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
    for (StudentWeights.Tensor t : weights.tensors().values()) {
      tensors.put(t.name(), t.shape().length >= 2 ? quantizeRows(t) : new FloatTensor(t.name(), t.shape().clone(),
          t.values().clone()));
    }
    return new QuantizedWeights(tensors);
  }

  /**
   * As {@link #quantize(StudentWeights)}, but a row whose new weights are all within one quantization step of
   * {@code previous}'s (the version shipped before) keeps {@code previous}'s scale and codes exactly: a
   * version then differs from its parent only in the rows that moved, which is what makes a delta of it small
   * ({@link VersionDeltas}). Such a row is within one step of the float weights instead of half a step. Tensors
   * that {@code previous} lacks or shapes differently are quantized afresh.
   */
  public static QuantizedWeights quantize(StudentWeights weights, QuantizedWeights previous) {
    QuantizedWeights fresh = quantize(weights);
    if (previous == null) {
      return fresh;
    }
    LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
    for (Tensor t : fresh.tensors.values()) {
      Tensor before = previous.tensors.get(t.name());
      if (t instanceof Int8Tensor now && before instanceof Int8Tensor was && Arrays.equals(now.shape(), was.shape())) {
        tensors.put(t.name(), keepUnmoved(now, was, weights.get(t.name()).values()));
      } else {
        tensors.put(t.name(), t);
      }
    }
    return new QuantizedWeights(tensors);
  }

  /** {@code now} with each row of {@code was} put back where the floats {@code w} are within a step of it. */
  private static Int8Tensor keepUnmoved(Int8Tensor now, Int8Tensor was, float[] w) {
    int rows = now.shape()[0];
    int length = rows == 0 ? 0 : w.length / rows;
    float[] scales = now.scales();
    byte[] q = now.values();
    for (int r = 0; r < rows; r++) {
      float step = was.scales()[r];
      boolean within = step > 0f || isZero(w, r * length, length);
      for (int i = r * length; within && i < (r + 1) * length; i++) {
        within = Math.abs(w[i] - was.values()[i] * step) <= step;
      }
      if (within) {
        scales[r] = step;
        System.arraycopy(was.values(), r * length, q, r * length, length);
      }
    }
    return now;
  }

  private static boolean isZero(float[] w, int from, int length) {
    for (int i = from; i < from + length; i++) {
      if (w[i] != 0f) {
        return false;
      }
    }
    return true;
  }

  private static Int8Tensor quantizeRows(StudentWeights.Tensor t) {
    int rows = t.shape()[0];
    float[] w = t.values();
    int length = rows == 0 ? 0 : w.length / rows;
    float[] scales = new float[rows];
    byte[] q = new byte[w.length];
    for (int r = 0; r < rows; r++) {
      float max = 0f;
      for (int i = r * length; i < (r + 1) * length; i++) {
        if (!Float.isFinite(w[i])) {
          throw new IllegalArgumentException(t.name() + ": row " + r + " holds " + w[i]
              + ", which cannot be quantized");
        }
        max = Math.max(max, Math.abs(w[i]));
      }
      float scale = max / Q_MAX;
      // A row of zeros (a pruned neuron) keeps scale 0 and q = 0, so it comes back as exact zeros. So does
      // a row whose largest weight is so small (< 127 * Float.MIN_VALUE) that its scale underflows.
      scales[r] = scale;
      if (scale == 0f) {
        continue;
      }
      for (int i = r * length; i < (r + 1) * length; i++) {
        // In double, so that w / scale is rounded once; the clamp only matters when float rounding put
        // scale a hair below max / 127.
        long v = Math.round(w[i] / (double) scale);
        q[i] = (byte) Math.max(-Q_MAX, Math.min(Q_MAX, v));
      }
    }
    return new Int8Tensor(t.name(), t.shape().clone(), scales, q);
  }

  public Tensor get(String name) {
    Tensor tensor = tensors.get(name);
    if (tensor == null) {
      throw new IllegalArgumentException("weights have no parameter '" + name + "' (have " + tensors.keySet() + ")");
    }
    return tensor;
  }

  /** The parameter, which must be quantized (after {@link #requireFits}, every matrix is). */
  public Int8Tensor int8(String name) {
    if (get(name) instanceof Int8Tensor t) {
      return t;
    }
    throw new IllegalArgumentException("parameter " + name + " is float32, expected int8 rows");
  }

  /** The parameter, which must be float32 (after {@link #requireFits}, every vector is). */
  public FloatTensor float32(String name) {
    if (get(name) instanceof FloatTensor t) {
      return t;
    }
    throw new IllegalArgumentException("parameter " + name + " is int8, expected float32");
  }

  public Map<String, Tensor> tensors() {
    return Collections.unmodifiableMap(tensors);
  }

  /**
   * The float weights these stand for ({@code q * scale}): the model to compare the int8 one with,
   * since the int8 model then differs only by its rounding of activations.
   */
  public StudentWeights dequantize() {
    StudentWeights weights = new StudentWeights();
    for (Tensor t : tensors.values()) {
      weights.put(t.name(), t.shape(), t.toFloats());
    }
    return weights;
  }

  /**
   * Checks that these weights are exactly the parameters the spec names, with its shapes, every
   * matrix in int8 and every vector in float32 (what the int8 models read).
   *
   * @throws IllegalArgumentException naming the first parameter that does not fit
   */
  public QuantizedWeights requireFits(StudentSpec spec) {
    Map<String, int[]> expected = spec.parameterShapes();
    if (!expected.keySet().equals(tensors.keySet())) {
      throw new IllegalArgumentException("weights hold " + tensors.keySet() + ", the " + spec.kind()
          + " architecture needs " + expected.keySet());
    }
    for (var entry : expected.entrySet()) {
      Tensor tensor = tensors.get(entry.getKey());
      if (!Arrays.equals(tensor.shape(), entry.getValue())) {
        throw new IllegalArgumentException("parameter " + entry.getKey() + " has shape "
            + Arrays.toString(tensor.shape()) + ", the architecture needs " + Arrays.toString(entry.getValue()));
      }
      boolean matrix = entry.getValue().length >= 2;
      if (matrix != (tensor instanceof Int8Tensor)) {
        throw new IllegalArgumentException("parameter " + entry.getKey() + " is " + kindName(tensor) + ", "
            + INT8_V1 + " keeps " + (matrix ? "matrices in int8 rows" : "vectors in float32"));
      }
    }
    return this;
  }

  public byte[] encode() {
    long size = MAGIC.length + 4L;
    for (Tensor t : tensors.values()) {
      size += 2 + t.name().getBytes(StandardCharsets.UTF_8).length + 1 + 4 + 4L * t.shape().length;
      size += t instanceof Int8Tensor q
          ? 4L * q.scales().length + q.values().length
          : 4L * ((FloatTensor) t).values().length;
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("weights of " + size + " bytes do not fit one array");
    }
    ByteBuffer buffer = ByteBuffer.allocate((int) size);
    buffer.put(MAGIC).putInt(tensors.size());
    for (Tensor t : tensors.values()) {
      byte[] name = t.name().getBytes(StandardCharsets.UTF_8);
      buffer.putShort((short) name.length).put(name).put(t instanceof Int8Tensor ? KIND_INT8_ROWS : KIND_F32)
          .putInt(t.shape().length);
      for (int d : t.shape()) {
        buffer.putInt(d);
      }
      if (t instanceof Int8Tensor q) {
        putFloats(buffer, q.scales());
        buffer.put(q.values());
      } else {
        putFloats(buffer, ((FloatTensor) t).values());
      }
    }
    return buffer.array();
  }

  /**
   * Reads back the weights {@link #encode()} wrote.
   *
   * @throws IllegalArgumentException when the bytes are not a whole, well-formed {@value #INT8_V1} blob
   */
  public static QuantizedWeights decode(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
    try {
      byte[] magic = new byte[MAGIC.length];
      buffer.get(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IllegalArgumentException("weights do not start with the " + INT8_V1 + " magic 'SDQ1'");
      }
      int count = buffer.getInt();
      if (count < 0 || count > 10_000) {
        throw new IllegalArgumentException("weights claim " + count + " parameters");
      }
      for (int i = 0; i < count; i++) {
        byte[] nameBytes = new byte[Short.toUnsignedInt(buffer.getShort())];
        buffer.get(nameBytes);
        String name = new String(nameBytes, StandardCharsets.UTF_8);
        byte kind = buffer.get();
        if (kind != KIND_F32 && kind != KIND_INT8_ROWS) {
          throw new IllegalArgumentException("parameter " + name + " has unknown tensor kind " + kind
              + " (0 = f32, 1 = int8 per row)");
        }
        int rank = buffer.getInt();
        if (rank < 0 || rank > 8 || (kind == KIND_INT8_ROWS && rank < 2)) {
          throw new IllegalArgumentException("parameter " + name + " claims rank " + rank
              + (kind == KIND_INT8_ROWS ? " for int8 rows (needs 2..8)" : ""));
        }
        int[] shape = new int[rank];
        long n = 1;
        for (int d = 0; d < rank; d++) {
          shape[d] = buffer.getInt();
          if (shape[d] < 0) {
            throw new IllegalArgumentException("parameter " + name + " claims a negative dimension");
          }
          // Checked per dimension, so that the product cannot overflow before it is compared.
          n *= shape[d];
          if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("parameter " + name + " claims " + n + "+ values");
          }
        }
        if (kind == KIND_F32) {
          requireRemaining(buffer, name, n * 4);
          tensors.put(name, new FloatTensor(name, shape, getFloats(buffer, (int) n)));
        } else {
          requireRemaining(buffer, name, shape[0] * 4L + n);
          float[] scales = getFloats(buffer, shape[0]);
          byte[] values = new byte[(int) n];
          buffer.get(values);
          tensors.put(name, new Int8Tensor(name, shape, scales, values));
        }
      }
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("weights are truncated (" + bytes.length + " bytes)", e);
    }
    if (buffer.hasRemaining()) {
      throw new IllegalArgumentException("weights have " + buffer.remaining() + " bytes after the last parameter");
    }
    return new QuantizedWeights(tensors);
  }

  private static void requireRemaining(ByteBuffer buffer, String name, long needed) {
    if (needed > buffer.remaining()) {
      throw new IllegalArgumentException("weights are truncated: parameter " + name + " needs " + needed + " bytes, "
          + buffer.remaining() + " are left");
    }
  }

  private static void putFloats(ByteBuffer buffer, float[] values) {
    buffer.asFloatBuffer().put(values);
    buffer.position(buffer.position() + 4 * values.length);
  }

  private static float[] getFloats(ByteBuffer buffer, int n) {
    float[] values = new float[n];
    buffer.asFloatBuffer().get(values);
    buffer.position(buffer.position() + 4 * n);
    return values;
  }

  private static String kindName(Tensor tensor) {
    return tensor instanceof Int8Tensor ? "int8" : "float32";
  }

  private static long size(String name, int[] shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException(name + ": negative dimension " + d);
      }
      n *= d;
    }
    return n;
  }
}
