package io.streamdistill.datasets;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A finite data set held so that any example can be read by index: the producer shuffles, loops
 * and reorders (scenarios) by index without reading the source again.
 *
 * <p>Implementations are read-only after construction and thread-safe.
 */
public interface ExampleSource {

  /** Short name, e.g. {@code mnist-train}, {@code spamassassin}, {@code my-file.jsonl}. */
  String name();

  /** Number of good examples (those that were skipped are not counted). */
  int size();

  /** The example at {@code index}, 0 &lt;= index &lt; size(). */
  Example get(int index);

  /** The label of the example at {@code index}, or null; cheaper than {@code get(index).label()}. */
  String label(int index);

  /** The class names the source knows, in a stable order; empty when it has no labels. */
  List<String> classes();

  /** What was skipped while reading the source, and why. */
  SkipReport skipped();

  /**
   * The fields of the examples' structured payload with their types, in a stable order; empty when
   * the examples have none. Every example has every field (null when missing).
   */
  default Map<String, FieldType> fieldTypes() {
    return Map.of();
  }

  /**
   * The shape of one example's vector when the examples are images: {@code [rows, cols]} in gray,
   * {@code [channels, rows, cols]} in colour; empty when they are not images (or the source does not
   * know). A teacher trained on images of a known shape can be convolutional.
   */
  default int[] imageShape() {
    return new int[0];
  }

  /**
   * A source over examples already in memory, e.g. one split of another source; nothing skipped.
   * The list is copied. The field types are taken from the examples: a field is categorical when
   * some example has a String in it, else numeric.
   */
  static ExampleSource of(String name, List<Example> examples, List<String> classes) {
    Map<String, FieldType> types = new LinkedHashMap<>();
    for (Example example : examples) {
      if (example.fields() != null) {
        example.fields().forEach((field, value) -> {
          if (value instanceof String) {
            types.put(field, FieldType.CATEGORICAL);
          } else {
            types.putIfAbsent(field, FieldType.NUMERIC);
          }
        });
      }
    }
    return of(name, examples, classes, types);
  }

  /** As {@link #of(String, List, List)}, with the field types given. */
  static ExampleSource of(String name, List<Example> examples, List<String> classes,
      Map<String, FieldType> fieldTypes) {
    List<Example> copy = List.copyOf(examples);
    List<String> names = List.copyOf(classes);
    Map<String, FieldType> types = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fieldTypes));
    SkipReport none = new SkipReport();
    return new ExampleSource() {
      @Override
      public Map<String, FieldType> fieldTypes() {
        return types;
      }

      @Override
      public String name() {
        return name;
      }

      @Override
      public int size() {
        return copy.size();
      }

      @Override
      public Example get(int index) {
        return copy.get(index);
      }

      @Override
      public String label(int index) {
        return copy.get(index).label();
      }

      @Override
      public List<String> classes() {
        return names;
      }

      @Override
      public SkipReport skipped() {
        return none;
      }
    };
  }
}
