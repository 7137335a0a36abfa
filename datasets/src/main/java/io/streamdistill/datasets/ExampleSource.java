package io.streamdistill.datasets;

import java.util.List;

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
   * A source over examples already in memory, e.g. one split of another source; nothing skipped.
   * The list is copied.
   */
  static ExampleSource of(String name, List<Example> examples, List<String> classes) {
    List<Example> copy = List.copyOf(examples);
    List<String> names = List.copyOf(classes);
    SkipReport none = new SkipReport();
    return new ExampleSource() {
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
