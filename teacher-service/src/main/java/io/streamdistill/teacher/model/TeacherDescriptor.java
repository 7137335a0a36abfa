package io.streamdistill.teacher.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a teacher is, as written in the {@code teacher.json} beside its weights: enough to load it
 * without code and to check that it is the model it claims to be.
 *
 * <pre>{@code
 * {
 *   "id": "mnist-mlp-1200", "version": "2026-11-23-e20", "kind": "mnist-mlp",
 *   "classes": ["0","1",...,"9"], "input": "vector", "vectorWidth": 784,
 *   "embeddingWidth": 0,
 *   "files": {"mnist-mlp-0000.params": "<sha256 hex>"},
 *   "metrics": {"test.errors": 142, "test.accuracy": 0.9858}
 * }
 * }</pre>
 *
 * @param id stable id of the teacher (soft labels carry it)
 * @param version version of its weights (soft labels carry it)
 * @param kind which loader reads the directory, e.g. {@code mnist-mlp}, {@code minilm-head},
 *     {@code torchscript}, {@code onnx}
 * @param classes class names, in the order of the logits
 * @param input {@code vector}, {@code text} or {@code structured} (a record of named fields)
 * @param vectorWidth for vector input: the width; 0 otherwise
 * @param embeddingWidth width of the embedding the teacher outputs with its logits; 0 for none
 * @param files every file the model loads, with its SHA-256 (checked before loading)
 * @param metrics what was measured when it was made (test accuracy, ...)
 * @param options loader-specific settings (e.g. max tokens)
 */
public record TeacherDescriptor(
    String id,
    String version,
    String kind,
    List<String> classes,
    String input,
    int vectorWidth,
    int embeddingWidth,
    Map<String, String> files,
    Map<String, Double> metrics,
    Map<String, String> options) {

  public static final String FILE_NAME = "teacher.json";
  public static final String VECTOR = "vector";
  public static final String TEXT = "text";
  public static final String STRUCTURED = "structured";

  public TeacherDescriptor {
    requireText(id, "id");
    requireText(version, "version");
    requireText(kind, "kind");
    Objects.requireNonNull(classes, "classes");
    if (classes.size() < 2) {
      throw new IllegalArgumentException("teacher.json: classes needs at least two names, has " + classes);
    }
    if (!VECTOR.equals(input) && !TEXT.equals(input) && !STRUCTURED.equals(input)) {
      throw new IllegalArgumentException(
          "teacher.json: input must be \"vector\", \"text\" or \"structured\", not " + input);
    }
    if (VECTOR.equals(input) && vectorWidth <= 0) {
      throw new IllegalArgumentException("teacher.json: a vector teacher needs vectorWidth > 0");
    }
    if (embeddingWidth < 0) {
      throw new IllegalArgumentException("teacher.json: embeddingWidth must be >= 0");
    }
    classes = List.copyOf(classes);
    files = files == null ? Map.of() : Map.copyOf(files);
    metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
    options = options == null ? Map.of() : Map.copyOf(options);
  }

  public boolean takesText() {
    return TEXT.equals(input);
  }

  public boolean takesFields() {
    return STRUCTURED.equals(input);
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("teacher.json: " + name + " is missing");
    }
  }
}
