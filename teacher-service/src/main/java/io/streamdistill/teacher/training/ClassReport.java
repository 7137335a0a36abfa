package io.streamdistill.teacher.training;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Accuracy and per-class precision, recall and count on a test split, from the true and the
 * predicted class indexes. Immutable.
 */
public record ClassReport(List<String> classes, int[] truePositives, int[] predicted, int[] actual, int examples) {

  /** The report of {@code predicted[i]} against {@code actual[i]} over {@code classes}. */
  public static ClassReport of(List<String> classes, int[] actualClasses, int[] predictedClasses) {
    int k = classes.size();
    int[] tp = new int[k];
    int[] predicted = new int[k];
    int[] actual = new int[k];
    for (int i = 0; i < actualClasses.length; i++) {
      actual[actualClasses[i]]++;
      predicted[predictedClasses[i]]++;
      if (actualClasses[i] == predictedClasses[i]) {
        tp[actualClasses[i]]++;
      }
    }
    return new ClassReport(List.copyOf(classes), tp, predicted, actual, actualClasses.length);
  }

  public int errors() {
    int correct = 0;
    for (int c : truePositives) {
      correct += c;
    }
    return examples - correct;
  }

  public double accuracy() {
    return examples == 0 ? Double.NaN : 1.0 - (double) errors() / examples;
  }

  /** Precision of class {@code c}; NaN when nothing was predicted as it. */
  public double precision(int c) {
    return predicted[c] == 0 ? Double.NaN : (double) truePositives[c] / predicted[c];
  }

  /** Recall of class {@code c}; NaN when the split has none of it. */
  public double recall(int c) {
    return actual[c] == 0 ? Double.NaN : (double) truePositives[c] / actual[c];
  }

  /** The figures as teacher.json metrics: {@code test.accuracy}, {@code test.precision.CLASS}, ... */
  Map<String, Double> metrics() {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("test.accuracy", accuracy());
    metrics.put("test.errors", (double) errors());
    metrics.put("test.examples", (double) examples);
    for (int c = 0; c < classes.size(); c++) {
      // NaN does not survive JSON; -1 says "undefined" in a file whose real values are in [0, 1].
      metrics.put("test.precision." + classes.get(c), finiteOr(precision(c)));
      metrics.put("test.recall." + classes.get(c), finiteOr(recall(c)));
      metrics.put("test.count." + classes.get(c), (double) actual[c]);
    }
    return metrics;
  }

  private static double finiteOr(double value) {
    return Double.isFinite(value) ? value : -1;
  }

  /**
   * Prints the accuracy and a table of the classes, with a warning when the teacher does no better than
   * always answering the most common class (a label column of many classes with few examples each, or
   * one that cannot be predicted from the payload, gives such a teacher).
   */
  void print(PrintStream out) {
    out.printf(Locale.ROOT, "test accuracy %.2f%% (%d errors in %d examples)%n", 100 * accuracy(), errors(), examples);
    String warning = uselessWarning();
    if (warning != null) {
      out.println(warning);
    }
    int width = Math.max(5, classes.stream().mapToInt(String::length).max().orElse(5));
    out.printf(Locale.ROOT, "  %-" + width + "s  precision  recall  count%n", "class");
    for (int c = 0; c < classes.size(); c++) {
      out.printf(Locale.ROOT, "  %-" + width + "s  %9s  %6s  %5d%n", classes.get(c), percent(precision(c)),
          percent(recall(c)), actual[c]);
    }
  }

  /** The warning {@link #print} gives, or null when the teacher beats the most common class. */
  public String uselessWarning() {
    int majority = 0;
    for (int c = 0; c < actual.length; c++) {
      majority = actual[c] > actual[majority] ? c : majority;
    }
    double share = examples == 0 ? 0 : (double) actual[majority] / examples;
    if (examples == 0 || accuracy() > share) {
      return null;
    }
    return String.format(Locale.ROOT, "warning: this teacher is no better than always answering '%s' (%.2f%% of the"
        + " test examples): a student learns nothing from it; check --label-column and what the examples carry",
        classes.get(majority), 100 * share);
  }

  private static String percent(double value) {
    return Double.isFinite(value) ? String.format(Locale.ROOT, "%.1f%%", 100 * value) : "-";
  }
}
