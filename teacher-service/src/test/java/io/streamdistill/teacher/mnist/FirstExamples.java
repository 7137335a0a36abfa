package io.streamdistill.teacher.mnist;

import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.datasets.SkipReport;
import java.util.List;
import java.util.Objects;

/** The first {@code count} examples of a source, for tests that evaluate on a subset. */
record FirstExamples(ExampleSource source, int count) implements ExampleSource {
  FirstExamples {
    count = Math.min(count, source.size());
  }

  @Override
  public String name() {
    return source.name() + "-first-" + count;
  }

  @Override
  public int size() {
    return count;
  }

  @Override
  public Example get(int index) {
    Objects.checkIndex(index, count);
    return source.get(index);
  }

  @Override
  public String label(int index) {
    Objects.checkIndex(index, count);
    return source.label(index);
  }

  @Override
  public List<String> classes() {
    return source.classes();
  }

  @Override
  public SkipReport skipped() {
    return source.skipped();
  }
}
