package io.streamdistill.schemas;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Conversions between the generated classes' Avro types and the arrays the models work with:
 * {@code array<float>} is a {@code List<Float>}, {@code bytes} a {@link ByteBuffer}.
 */
public final class AvroValues {
  private AvroValues() {}

  /** The floats of an Avro {@code array<float>}; null for null (an optional field that is absent). */
  public static float[] floats(List<Float> values) {
    if (values == null) {
      return null;
    }
    float[] array = new float[values.size()];
    for (int i = 0; i < array.length; i++) {
      array[i] = values.get(i);
    }
    return array;
  }

  /** The floats as an Avro {@code array<float>}. */
  public static List<Float> boxed(float[] values) {
    List<Float> list = new ArrayList<>(values.length);
    for (float v : values) {
      list.add(v);
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
