package io.streamdistill.student;

/**
 * The featurizer of vector students: the vector itself, checked to have the spec's width and only
 * finite values. Vectors are taken as the producer sent them (MNIST's are pixels / 255 in [0, 1]).
 * Immutable and thread-safe.
 */
public final class DenseFeaturizer {
  private final int size;

  public DenseFeaturizer(int size) {
    this.size = size;
  }

  /** The vector, after checking it; not copied. */
  public float[] features(float[] vector) {
    if (vector == null) {
      throw new InputMismatchException("this student reads a vector of " + size + " values, and the input has none");
    }
    if (vector.length != size) {
      throw new InputMismatchException("vector has " + vector.length + " values, the student reads " + size);
    }
    for (int i = 0; i < vector.length; i++) {
      if (!Float.isFinite(vector[i])) {
        throw new InputMismatchException("vector value " + i + " is " + vector[i]);
      }
    }
    return vector;
  }
}
