package io.streamdistill.schemas;

import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.PrimitivesArrays;

/**
 * Conversions between the generated classes' Avro types and the arrays the models work with:
 * {@code array<float>} is a {@code List<Float>}, {@code bytes} a {@link ByteBuffer}.
 */
public final class AvroValues {
  private static final Schema FLOAT_ARRAY = Schema.createArray(Schema.create(Schema.Type.FLOAT));

  private AvroValues() {}

  /** The floats of an Avro {@code array<float>}; null for null (an optional field that is absent). */
  public static float[] floats(List<Float> values) {
    if (values == null) {
      return null;
    }
    float[] array = new float[values.size()];
    if (values instanceof PrimitivesArrays.FloatArray unboxed) {
      // What boxed(...) and the project's deserializer make: read without boxing.
      for (int i = 0; i < array.length; i++) {
        array[i] = unboxed.getFloat(i);
      }
      return array;
    }
    for (int i = 0; i < array.length; i++) {
      array[i] = values.get(i);
    }
    return array;
  }

  /** The index of the first NaN or infinite value, or -1 when all are finite. */
  public static int firstNonFinite(List<Float> values) {
    if (values instanceof PrimitivesArrays.FloatArray unboxed) {
      for (int i = 0; i < unboxed.size(); i++) {
        if (!Float.isFinite(unboxed.getFloat(i))) {
          return i;
        }
      }
      return -1;
    }
    for (int i = 0; i < values.size(); i++) {
      if (!Float.isFinite(values.get(i))) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The floats as an Avro {@code array<float>}: a copy, stored unboxed (the project's serializer
   * writes it without boxing); a mutable {@code List<Float>} like any other.
   */
  public static List<Float> boxed(float[] values) {
    PrimitivesArrays.FloatArray list = new PrimitivesArrays.FloatArray(values.length, FLOAT_ARRAY);
    for (int i = 0; i < values.length; i++) {
      list.add(i, values[i]);
    }
    return list;
  }

  /**
   * The bytes of an Avro {@code bytes} value, from its position to its limit, the buffer left as it
   * was. When the buffer spans its whole backing array, that array is returned, not a copy: read it,
   * do not change it.
   */
  public static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer view = buffer.duplicate();
    if (view.hasArray() && view.arrayOffset() == 0 && view.position() == 0 && view.remaining() == view.array().length) {
      return view.array();
    }
    byte[] bytes = new byte[view.remaining()];
    view.get(bytes);
    return bytes;
  }
}
