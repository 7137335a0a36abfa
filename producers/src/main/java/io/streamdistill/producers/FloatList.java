package io.streamdistill.producers;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * A read-only {@code List<Float>} view of a {@code float[]}, so that a vector goes into an Avro
 * record without first being boxed into a new list (Avro's writer boxes one value at a time).
 */
final class FloatList extends AbstractList<Float> implements RandomAccess {
  private final float[] values;

  FloatList(float[] values) {
    this.values = values;
  }

  @Override
  public Float get(int index) {
    return values[index];
  }

  @Override
  public int size() {
    return values.length;
  }
}
