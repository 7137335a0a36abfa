package io.streamdistill.teacher.text;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * Per-class counts of a head on a test split: true positives, predicted and actual per class, and
 * the precision and recall they give.
 */
record PerClassCounts(int[] truePositives, int[] predicted, int[] actual) {

  /** Counts {@code head}'s predictions on {@code embeddings}, whose classes are {@code labels}. */
  static PerClassCounts of(LogisticHead head, float[][] embeddings, int[] labels, int classes) {
    int[] tp = new int[classes];
    int[] predicted = new int[classes];
    int[] actual = new int[classes];
    for (int i = 0; i < embeddings.length; i++) {
      int p = head.predict(embeddings[i]);
      predicted[p]++;
      actual[labels[i]]++;
      if (p == labels[i]) {
        tp[p]++;
      }
    }
    return new PerClassCounts(tp, predicted, actual);
  }

  /** Share of the predictions of class c that were right; NaN when c was never predicted. */
  double precision(int c) {
    return predicted[c] == 0 ? Double.NaN : (double) truePositives[c] / predicted[c];
  }

  /** Share of the examples of class c predicted as c; NaN when the split has none. */
  double recall(int c) {
    return actual[c] == 0 ? Double.NaN : (double) truePositives[c] / actual[c];
  }

  int support(int c) {
    return actual[c];
  }

  /** Prints a table of precision, recall and support, a line per class, named by {@code classes}. */
  void print(PrintStream out, List<String> classes) {
    out.printf(Locale.ROOT, "  %-20s %9s %9s %8s%n", "class", "precision", "recall", "support");
    for (int c = 0; c < classes.size(); c++) {
      out.printf(Locale.ROOT, "  %-20s %9.4f %9.4f %8d%n", classes.get(c), precision(c), recall(c), support(c));
    }
  }
}
