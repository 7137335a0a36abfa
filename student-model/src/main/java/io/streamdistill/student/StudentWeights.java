package io.streamdistill.student;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A student's parameters by name, and their byte format {@value #F32_V1}:
 *
 * <pre>
 * "SDW1"  int32 count
 * count times: int16 nameLength, UTF-8 name, int32 rank, rank x int32 dims, prod(dims) x float32
 * </pre>
 *
 * all big-endian, nothing after the last tensor. Decoding checks every length and says what is
 * wrong (truncated, bytes left over, bad magic). Not thread-safe while being filled; the arrays are
 * shared, not copied.
 */
public final class StudentWeights {
  public static final String F32_V1 = "f32-v1";
  private static final byte[] MAGIC = "SDW1".getBytes(StandardCharsets.US_ASCII);

  private final LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();

  /** One named parameter: its shape and its values, row-major. */
  public record Tensor(String name, int[] shape, float[] values) {
    public Tensor {
      long n = 1;
      for (int d : shape) {
        if (d < 0) {
          throw new IllegalArgumentException(name + ": negative dimension " + d);
        }
        n *= d;
      }
      if (n != values.length) {
        throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " holds " + n
            + " values, got " + values.length);
      }
    }
  }

  public StudentWeights put(String name, int[] shape, float[] values) {
    tensors.put(name, new Tensor(name, shape.clone(), values));
    return this;
  }

  public Tensor get(String name) {
    Tensor tensor = tensors.get(name);
    if (tensor == null) {
      throw new IllegalArgumentException("weights have no parameter '" + name + "' (have " + tensors.keySet() + ")");
    }
    return tensor;
  }

  public Map<String, Tensor> tensors() {
    return Collections.unmodifiableMap(tensors);
  }

  /**
   * Checks that these weights are exactly the parameters the spec names, with its shapes.
   *
   * @throws IllegalArgumentException naming the first parameter that does not fit
   */
  public StudentWeights requireFits(StudentSpec spec) {
    Map<String, int[]> expected = spec.parameterShapes();
    if (!expected.keySet().equals(tensors.keySet())) {
      throw new IllegalArgumentException("weights hold " + tensors.keySet() + ", the " + spec.kind()
          + " architecture needs " + expected.keySet());
    }
    for (var entry : expected.entrySet()) {
      int[] shape = tensors.get(entry.getKey()).shape();
      if (!Arrays.equals(shape, entry.getValue())) {
        throw new IllegalArgumentException("parameter " + entry.getKey() + " has shape " + Arrays.toString(shape)
            + ", the architecture needs " + Arrays.toString(entry.getValue()));
      }
    }
    return this;
  }

  public byte[] encode() {
    long size = MAGIC.length + 4L;
    for (Tensor t : tensors.values()) {
      size += 2 + t.name().getBytes(StandardCharsets.UTF_8).length + 4 + 4L * t.shape().length + 4L * t.values().length;
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("weights of " + size + " bytes do not fit one array");
    }
    ByteBuffer buffer = ByteBuffer.allocate((int) size);
    buffer.put(MAGIC).putInt(tensors.size());
    for (Tensor t : tensors.values()) {
      byte[] name = t.name().getBytes(StandardCharsets.UTF_8);
      buffer.putShort((short) name.length).put(name).putInt(t.shape().length);
      for (int d : t.shape()) {
        buffer.putInt(d);
      }
      buffer.asFloatBuffer().put(t.values());
      buffer.position(buffer.position() + 4 * t.values().length);
    }
    return buffer.array();
  }

  /**
   * Reads back the weights {@link #encode()} wrote.
   *
   * @throws IllegalArgumentException when the bytes are not a whole, well-formed {@value #F32_V1} blob
   */
  public static StudentWeights decode(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    StudentWeights weights = new StudentWeights();
    try {
      byte[] magic = new byte[MAGIC.length];
      buffer.get(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IllegalArgumentException("weights do not start with the " + F32_V1 + " magic 'SDW1'");
      }
      int count = buffer.getInt();
      if (count < 0 || count > 10_000) {
        throw new IllegalArgumentException("weights claim " + count + " parameters");
      }
      for (int i = 0; i < count; i++) {
        byte[] name = new byte[Short.toUnsignedInt(buffer.getShort())];
        buffer.get(name);
        int rank = buffer.getInt();
        if (rank < 0 || rank > 8) {
          throw new IllegalArgumentException("parameter " + i + " claims rank " + rank);
        }
        int[] shape = new int[rank];
        long n = 1;
        for (int d = 0; d < rank; d++) {
          shape[d] = buffer.getInt();
          if (shape[d] < 0) {
            throw new IllegalArgumentException("parameter " + i + " claims a negative dimension");
          }
          n *= shape[d];
        }
        if (n * 4 > buffer.remaining()) {
          throw new IllegalArgumentException("weights are truncated: parameter "
              + new String(name, StandardCharsets.UTF_8)
              + " needs " + n * 4 + " bytes, " + buffer.remaining() + " are left");
        }
        float[] values = new float[(int) n];
        buffer.asFloatBuffer().get(values);
        buffer.position(buffer.position() + 4 * values.length);
        weights.put(new String(name, StandardCharsets.UTF_8), shape, values);
      }
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("weights are truncated (" + bytes.length + " bytes)", e);
    }
    if (buffer.hasRemaining()) {
      throw new IllegalArgumentException("weights have " + buffer.remaining() + " bytes after the last parameter");
    }
    return weights;
  }
}
