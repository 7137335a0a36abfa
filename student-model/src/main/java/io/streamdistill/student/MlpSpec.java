package io.streamdistill.student;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A multi-layer perceptron over a dense vector: {@code inputSize -> hidden... -> classes}, ReLU
 * between layers, no activation after the last (it gives logits). Parameters are named {@code
 * dense<i>.weight} (shape {@code [out, in]}, as PyTorch's Linear) and {@code dense<i>.bias}.
 *
 * <p>Hinton et al.'s MNIST student is {@code new MlpSpec(digits, 784, List.of(800, 800))}; an edge
 * student can be as small as {@code List.of(64)}.
 *
 * <p>With a {@link FieldSpec} ({@link #overFields}) the same network reads a structured record
 * instead: kind {@code "fields-mlp"}, its input the record's features ({@link FieldFeaturizer}), so
 * {@code inputSize} is {@code fields.width()}. Everything after the featurizer (weights, int8,
 * pruning, the trainer's block) is the MLP's.
 *
 * @param fields the featurizer of a structured-record student, with its statistics; null for a
 *     vector student
 */
public record MlpSpec(List<String> classes, int inputSize, List<Integer> hidden, FieldSpec fields)
    implements StudentSpec {
  public MlpSpec {
    StudentSpec.requireClasses(classes);
    if (inputSize < 1) {
      throw new IllegalArgumentException("inputSize must be positive, got " + inputSize);
    }
    if (hidden == null || hidden.stream().anyMatch(h -> h == null || h < 1)) {
      throw new IllegalArgumentException("hidden layer sizes must be positive, got " + hidden);
    }
    if (fields != null && fields.width() != inputSize) {
      throw new IllegalArgumentException("inputSize " + inputSize + " is not the fields' width " + fields.width());
    }
    classes = List.copyOf(classes);
    hidden = List.copyOf(hidden);
  }

  /** A vector student. */
  public MlpSpec(List<String> classes, int inputSize, List<Integer> hidden) {
    this(classes, inputSize, hidden, null);
  }

  /** A structured-record student: the MLP over the record's features. */
  public static MlpSpec overFields(List<String> classes, FieldSpec fields, List<Integer> hidden) {
    if (fields == null) {
      throw new IllegalArgumentException("a fields-mlp student needs its field spec");
    }
    return new MlpSpec(classes, fields.width(), hidden, fields);
  }

  /** {@code "mlp"}, or {@code "fields-mlp"} over a structured record. */
  @Override
  public String kind() {
    return fields == null ? "mlp" : "fields-mlp";
  }

  @Override
  public InputKind inputKind() {
    return fields == null ? InputKind.VECTOR : InputKind.FIELDS;
  }

  /** Layer widths from input to output, e.g. {@code [784, 800, 800, 10]}. */
  public int[] widths() {
    int[] widths = new int[hidden.size() + 2];
    widths[0] = inputSize;
    for (int i = 0; i < hidden.size(); i++) {
      widths[i + 1] = hidden.get(i);
    }
    widths[widths.length - 1] = classes.size();
    return widths;
  }

  @Override
  public Map<String, int[]> parameterShapes() {
    int[] widths = widths();
    Map<String, int[]> shapes = new LinkedHashMap<>();
    for (int layer = 0; layer + 1 < widths.length; layer++) {
      shapes.put(weightName(layer), new int[] {widths[layer + 1], widths[layer]});
      shapes.put(biasName(layer), new int[] {widths[layer + 1]});
    }
    return shapes;
  }

  public static String weightName(int layer) {
    return "dense" + layer + ".weight";
  }

  public static String biasName(int layer) {
    return "dense" + layer + ".bias";
  }
}
