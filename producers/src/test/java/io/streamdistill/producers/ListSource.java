package io.streamdistill.producers;

import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.datasets.SkipReport;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** A small in-memory source for unit tests: {@code perClass} examples of each class, classes interleaved. */
final class ListSource implements ExampleSource {
  private final List<Example> examples = new ArrayList<>();
  private final List<String> classes;
  private int[] imageShape = new int[0];

  ListSource(List<String> classes, int perClass) {
    this.classes = List.copyOf(classes);
    for (int i = 0; i < perClass; i++) {
      for (String c : classes) {
        examples.add(new Example("ex-" + examples.size(), "text of " + c, new float[] {i, 1f}, c));
      }
    }
  }

  ListSource(List<Example> examples) {
    this.examples.addAll(examples);
    LinkedHashSet<String> seen = new LinkedHashSet<>();
    examples.forEach(e -> {
      if (e.label() != null) {
        seen.add(e.label());
      }
    });
    this.classes = List.copyOf(seen);
  }

  @Override
  public String name() {
    return "list";
  }

  @Override
  public int size() {
    return examples.size();
  }

  @Override
  public Example get(int index) {
    return examples.get(index);
  }

  @Override
  public String label(int index) {
    return examples.get(index).label();
  }

  @Override
  public List<String> classes() {
    return classes;
  }

  /** These examples as images of this shape ({@code [rows, cols]} or {@code [channels, rows, cols]}). */
  ListSource asImages(int... shape) {
    this.imageShape = shape.clone();
    return this;
  }

  @Override
  public int[] imageShape() {
    return imageShape.clone();
  }

  @Override
  public SkipReport skipped() {
    return new SkipReport();
  }
}
