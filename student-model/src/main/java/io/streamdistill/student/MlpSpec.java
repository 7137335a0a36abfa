package io.streamdistill.student;

import java.util.LinkedHashMap;
import java.util.List;

/**
 * A multi-layer perceptron over a dense vector: {@code inputSize -> hidden... -> classes}, ReLU
 * between layers, no activation after the last (it gives logits). Parameters are named {@code
 * dense<i>.weight} (shape {@code [out, in]}, as PyTorch's Linear) and {@code dense<i>.bias}.
 *
 * <p>Hinton et al.'s MNIST student is {@code new MlpSpec(digits, 784, List.of(800, 800))}; an edge
 * student can be as small as {@code List.of(64)}.
 */
public record MlpSpec(List<String> classes, int inputSize, List<Integer> hidden) implements StudentSpec {
  public MlpSpec {
    StudentSpec.requireClasses(classes);
    if (inputSize < 1) {
      throw new IllegalArgumentException("inputSize must be positive, got " + inputSize);
    }
    if (hidden == null || hidden.stream().anyMatch(h -> h == null || h < 1)) {
      throw new IllegalArgumentException("hidden layer sizes must be positive, got " + hidden);
    }
    classes = List.copyOf(classes);
    hidden = List.copyOf(hidden);
  }

  @Override
  public String kind() {
    return "mlp";
  }

  @Override
  public InputKind inputKind() {
    return InputKind.VECTOR;
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
  public LinkedHashMap<String, int[]> parameterShapes() {
    int[] widths = widths();
    LinkedHashMap<String, int[]> shapes = new LinkedHashMap<>();
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
