package io.streamdistill.teacher.text;

import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.teacher.model.TeacherException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/**
 * A split's texts, ids and class indexes, as the text trainer reads them from a data set; examples
 * without a label are left out. Also decides a data set's class names ({@link #classesOf}).
 *
 * @param ids the examples' ids, in source order
 * @param texts their texts, in the same order
 * @param labels their class indexes into the class names, in the same order
 */
record LabelledTexts(List<String> ids, List<String> texts, int[] labels) {

  /**
   * The labelled examples of {@code corpus}, their labels as indexes into {@code classes}.
   *
   * @throws TeacherException for a label that is not one of {@code classes}, or an example without text
   */
  static LabelledTexts of(ExampleSource corpus, List<String> classes) {
    List<String> ids = new ArrayList<>(corpus.size());
    List<String> texts = new ArrayList<>(corpus.size());
    List<Integer> labels = new ArrayList<>(corpus.size());
    for (int i = 0; i < corpus.size(); i++) {
      String label = corpus.label(i);
      if (label == null) {
        continue;
      }
      int index = classes.indexOf(label);
      if (index < 0) {
        throw new TeacherException(corpus.name() + " has the label '" + label + "', but the classes are " + classes);
      }
      Example example = corpus.get(i);
      if (example.text() == null) {
        throw new TeacherException(corpus.name() + ": example " + example.id() + " has no text, and a text teacher"
            + " reads text");
      }
      ids.add(example.id());
      texts.add(example.text());
      labels.add(index);
    }
    return new LabelledTexts(ids, texts, labels.stream().mapToInt(Integer::intValue).toArray());
  }

  /**
   * A random {@code share} of these examples (at least {@code min} of them, or all when there are fewer), in their
   * order.
   */
  LabelledTexts sample(double share, int min, Random random) {
    int n = ids.size();
    int keep = Math.min(n, Math.max(min, (int) Math.round(n * share)));
    if (keep == n) {
      return this;
    }
    // A partial Fisher-Yates shuffle picks which; they are then taken in source order.
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = 0; i < keep; i++) {
      int j = i + random.nextInt(n - i);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    int[] chosen = Arrays.copyOf(order, keep);
    Arrays.sort(chosen);
    List<String> keptIds = new ArrayList<>(keep);
    List<String> keptTexts = new ArrayList<>(keep);
    int[] keptLabels = new int[keep];
    for (int k = 0; k < keep; k++) {
      keptIds.add(ids.get(chosen[k]));
      keptTexts.add(texts.get(chosen[k]));
      keptLabels[k] = labels[chosen[k]];
    }
    return new LabelledTexts(keptIds, keptTexts, keptLabels);
  }

  /** The class names: the source's own when it names them, else the sorted labels of both splits. */
  static List<String> classesOf(ExampleSource train, ExampleSource test) {
    List<String> classes = train.classes();
    if (classes.isEmpty()) {
      TreeSet<String> seen = new TreeSet<>();
      for (ExampleSource source : List.of(train, test)) {
        for (int i = 0; i < source.size(); i++) {
          String label = source.label(i);
          if (label != null) {
            seen.add(label);
          }
        }
      }
      classes = List.copyOf(seen);
    }
    if (classes.size() < 2) {
      throw new TeacherException(train.name() + " has the classes " + classes + ": a teacher needs at least two");
    }
    return classes;
  }
}
