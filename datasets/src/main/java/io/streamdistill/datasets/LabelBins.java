package io.streamdistill.datasets;

import io.streamdistill.schemas.WrittenNumbers;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A label of numbers made classes: ranges of its values ({@code --label-bins}), so that a value to predict (a
 * price, a duration, a score: regression) is distilled as classes a student can learn and an edge can answer. The
 * ranges are cut at {@code cuts}, ascending: a value below the first is the first class ({@code below 180000}), one
 * from a cut up to the next the class between them ({@code 180000 to 262000}), one at the last cut or above the last
 * class ({@code 412000 and above}). Cut from a count, they are the label's quantiles in the source (three
 * significant digits), so that each class holds about as many rows; a value that is no number is no label. Immutable.
 */
public final class LabelBins {
  /** The most classes a count may ask for. */
  static final int MAX_BINS = 100;

  private final double[] cuts;
  private final List<String> classes;

  /** @param cuts the values between the classes, ascending and distinct */
  public LabelBins(double[] cuts) {
    this.cuts = cuts.clone();
    if (cuts.length == 0) {
      throw new IllegalArgumentException("--label-bins: at least one value to cut at");
    }
    for (int i = 0; i < cuts.length; i++) {
      if (!Double.isFinite(cuts[i]) || (i > 0 && cuts[i] <= cuts[i - 1])) {
        throw new IllegalArgumentException("--label-bins: the values to cut at must be finite numbers, ascending,"
            + " each once; got " + Arrays.toString(cuts));
      }
    }
    List<String> names = new ArrayList<>();
    names.add("below " + number(cuts[0]));
    for (int i = 1; i < cuts.length; i++) {
      names.add(number(cuts[i - 1]) + " to " + number(cuts[i]));
    }
    names.add(number(cuts[cuts.length - 1]) + " and above");
    this.classes = List.copyOf(names);
  }

  /**
   * The ranges {@code spec} asks for: a count N (2 to {@value #MAX_BINS}: the label's quantiles in {@code source},
   * N classes of about as many rows each), or the values to cut at, {@code 100000,200000,300000}.
   *
   * @param column the label column, for the messages
   * @throws IllegalArgumentException for a spec that is neither, or a label with no numbers to cut
   */
  public static LabelBins of(String spec, String column, ExampleSource source) {
    String text = spec.strip();
    if (!text.contains(",")) {
      int count;
      try {
        count = Integer.parseInt(text);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--label-bins '" + spec + "': a number of classes (e.g. 5) or the values"
            + " to cut the label at, ascending (e.g. 100000,200000,300000)", e);
      }
      if (count < 2 || count > MAX_BINS) {
        throw new IllegalArgumentException("--label-bins " + count + ": from 2 to " + MAX_BINS + " classes");
      }
      return quantiles(column, source, count);
    }
    String[] parts = text.split(",", -1);
    double[] cuts = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      cuts[i] = WrittenNumbers.parse(parts[i].strip());
      if (Double.isNaN(cuts[i])) {
        throw new IllegalArgumentException("--label-bins: '" + parts[i].strip() + "' is not a number");
      }
    }
    return new LabelBins(cuts);
  }

  /** The label's {@code count}-quantiles in {@code source}, rounded to three significant digits. */
  static LabelBins quantiles(String column, ExampleSource source, int count) {
    double[] values = new double[source.size()];
    int n = 0;
    String words = null;
    for (int i = 0; i < source.size(); i++) {
      String label = source.label(i);
      double value = label == null ? Double.NaN : WrittenNumbers.parse(label);
      if (Double.isFinite(value)) {
        values[n++] = value;
      } else if (label != null && words == null) {
        words = label;
      }
    }
    if (n < count) {
      throw new IllegalArgumentException("--label-bins: the label column '" + column + "' holds " + n
          + " numbers, too few for " + count + " classes" + (words == null ? ""
              : " (it holds names such as '" + TabularValues.abbreviate(words) + "': a column of classes already;"
              + " name the column of numbers with --label-column)"));
    }
    double[] sorted = Arrays.copyOf(values, n);
    Arrays.sort(sorted);
    List<Double> cuts = new ArrayList<>();
    for (int q = 1; q < count; q++) {
      double cut = round(sorted[(int) ((long) n * q / count)]);
      if (cut > sorted[0] && (cuts.isEmpty() || cut > cuts.get(cuts.size() - 1))) {
        cuts.add(cut);
      }
    }
    if (cuts.isEmpty() && sorted[n - 1] > sorted[0]) {
      // One value holds every quantile (most labels 0, a few above): the class of that value, and the rest.
      double above = sorted[n - 1];
      for (int i = n - 1; i >= 0 && sorted[i] > sorted[0]; i--) {
        above = sorted[i];
      }
      double cut = round(above);
      cuts.add(cut > sorted[0] ? cut : above);
    }
    if (cuts.isEmpty()) {
      throw new IllegalArgumentException("--label-bins: the label column '" + column + "' holds one value, "
          + number(sorted[0]) + ", nearly everywhere: nothing to tell apart");
    }
    return new LabelBins(cuts.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** The class names, ascending. */
  public List<String> classes() {
    return classes;
  }

  /** The class of a label as written in the file, or null when it is no number. */
  public String classOf(String label) {
    double value = label == null ? Double.NaN : WrittenNumbers.parse(label);
    if (!Double.isFinite(value)) {
      return null;
    }
    int bin = Arrays.binarySearch(cuts, value);
    int index = bin >= 0 ? bin + 1 : -bin - 1;
    return classes.get(index);
  }

  /** What the classes are, for the run's notes. */
  public String said(String column) {
    return String.format(Locale.ROOT, "label: column '%s' read as %d ranges of its values (--label-bins): %s",
        column, cuts.length + 1, String.join(", ", classes()));
  }

  /** {@code source} with each label its range's class (read once, here); a label that is no number is none. */
  public ExampleSource apply(ExampleSource source) {
    String[] binned = new String[source.size()];
    for (int i = 0; i < binned.length; i++) {
      binned[i] = classOf(source.label(i));
    }
    return new ExampleSource() {
      @Override
      public String name() {
        return source.name();
      }

      @Override
      public int size() {
        return source.size();
      }

      @Override
      public Example get(int index) {
        Example example = source.get(index);
        return new Example(example.id(), example.text(), example.vector(), example.fields(), binned[index]);
      }

      @Override
      public String label(int index) {
        return binned[index];
      }

      @Override
      public List<String> classes() {
        return LabelBins.this.classes;
      }

      @Override
      public SkipReport skipped() {
        return source.skipped();
      }

      @Override
      public Map<String, FieldType> fieldTypes() {
        return source.fieldTypes();
      }

      @Override
      public int[] imageShape() {
        return source.imageShape();
      }
    };
  }

  private static double round(double value) {
    return value == 0 ? 0 : new BigDecimal(value).round(new MathContext(3)).doubleValue();
  }

  private static String number(double value) {
    return new BigDecimal(Double.toString(value)).stripTrailingZeros().toPlainString();
  }

  /** The values between the classes, ascending (a copy). */
  public double[] cuts() {
    return cuts.clone();
  }

  @Override
  public String toString() {
    return "LabelBins" + Arrays.toString(cuts);
  }
}
