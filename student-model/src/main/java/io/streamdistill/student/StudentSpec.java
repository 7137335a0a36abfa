package io.streamdistill.student;

import java.util.List;
import java.util.Map;

/**
 * The architecture of a student and how it turns an input into features: everything besides the
 * weights that serving needs. Travels as JSON in {@code StudentModelVersion.architecture}
 * ({@link SpecJson}). Immutable.
 */
public sealed interface StudentSpec permits MlpSpec, ConvSpec, NgramSpec {
  /** {@code "mlp"}, {@code "fields-mlp"}, {@code "cnn"} or {@code "hashed-ngram"}. */
  String kind();

  /** Class names, in the order of the model's outputs. */
  List<String> classes();

  /** Name and shape of every parameter, iterating in the order of the weight format. */
  Map<String, int[]> parameterShapes();

  /** What the student reads from an input event: a dense vector or text. */
  InputKind inputKind();

  default String toJson() {
    return SpecJson.write(this);
  }

  static StudentSpec fromJson(String json) {
    return SpecJson.read(json);
  }

  /** The payload a student needs. */
  enum InputKind {
    VECTOR, TEXT, FIELDS
  }

  /** Number of parameters (floats). */
  default long parameterCount() {
    long count = 0;
    for (int[] shape : parameterShapes().values()) {
      long n = 1;
      for (int d : shape) {
        n *= d;
      }
      count += n;
    }
    return count;
  }

  static void requireClasses(List<String> classes) {
    if (classes == null || classes.size() < 2) {
      throw new IllegalArgumentException("a student needs at least two classes, got " + classes);
    }
    if (classes.stream().distinct().count() != classes.size()) {
      throw new IllegalArgumentException("class names must be distinct: " + classes);
    }
  }
}
