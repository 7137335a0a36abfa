package io.streamdistill.student;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * How a structured record (named numeric, categorical and text fields) becomes a feature vector, with the
 * statistics fixed: numeric fields are standardised ({@code (x - mean) / sd}, after {@code sign(x)
 * * log1p(|x|)} when {@code log}), categorical fields are one-hot over their known values plus one
 * slot for an unseen or missing value, and text fields (a name, a title, a short description) are their
 * words hashed into {@code buckets} slots. The features are laid out numeric fields first, then each
 * categorical field's {@code values.size() + 1} slots, then each text field's buckets, all in the spec's
 * order. Immutable;
 * travels as JSON inside a student's architecture ({@link #toJson()}). {@link FieldFeaturizer}
 * applies it.
 *
 * <pre>{@code
 * FieldSpec spec = FieldSpec.fit(sampleRecords, 20);
 * float[] x = new FieldFeaturizer(spec).featurize(Map.of("proto", "tcp", "bytes", 181.0));
 * }</pre>
 *
 * @param numeric the numeric fields, in feature order
 * @param categorical the categorical fields, in feature order after the numeric ones
 * @param text the text fields, in feature order after the categorical ones
 */
public record FieldSpec(List<NumericField> numeric, List<CategoricalField> categorical, List<TextField> text) {
  /**
   * The sample skewness above which a non-negative numeric field is log-transformed by {@link
   * #fit}. A skewness above 1 is commonly called highly skewed; 2 keeps the transform for
   * really heavy tails (byte counts, durations), where a few huge values would otherwise squash
   * every ordinary one to about {@code -mean / sd}.
   */
  public static final double LOG_SKEWNESS = 2.0;

  /**
   * A numeric field.
   *
   * @param log whether a value {@code x} becomes {@code sign(x) * log1p(|x|)} before standardising
   * @param mean the mean to subtract (of the transformed values when {@code log})
   * @param sd the standard deviation to divide by, positive
   */
  public record NumericField(String name, boolean log, double mean, double sd) {
    public NumericField {
      requireName(name);
      if (!Double.isFinite(mean)) {
        throw new IllegalArgumentException("field '" + name + "': mean must be finite, got " + mean);
      }
      if (!Double.isFinite(sd) || sd <= 0) {
        throw new IllegalArgumentException("field '" + name + "': sd must be positive and finite, got " + sd);
      }
    }
  }

  /**
   * A categorical field: one slot per known value, then one for an unseen or missing value.
   *
   * @param values the known values, distinct
   */
  public record CategoricalField(String name, List<String> values) {
    public CategoricalField {
      requireName(name);
      if (values == null || values.stream().anyMatch(v -> v == null)) {
        throw new IllegalArgumentException("field '" + name + "': values must be strings, got " + values);
      }
      if (new HashSet<>(values).size() != values.size()) {
        throw new IllegalArgumentException("field '" + name + "': values must be distinct, got " + values);
      }
      values = List.copyOf(values);
    }

    /** The number of features: the known values and the unseen slot. */
    public int width() {
      return values.size() + 1;
    }
  }

  /**
   * A text field: its value's words (maximal runs of letters and digits, lower-cased, the first {@value
   * #TEXT_MAX_TOKENS}) hashed into {@code buckets} slots as {@link NgramFeaturizer} hashes a text student's words,
   * each slot counting its words, the block scaled to unit length; a missing or blank value leaves the block 0.
   *
   * @param buckets the slots, at least 1
   */
  public record TextField(String name, int buckets) {
    public TextField {
      requireName(name);
      if (buckets < 1) {
        throw new IllegalArgumentException("field '" + name + "': buckets must be positive, got " + buckets);
      }
    }

    /** The word hashing of this field's value. */
    NgramFeaturizer.Settings featurizer() {
      return new NgramFeaturizer.Settings(buckets, 1, 0, 0, true, TEXT_MAX_TOKENS);
    }
  }

  /** The words of a text field's value that count. */
  public static final int TEXT_MAX_TOKENS = 200;
  /** The buckets {@link #fit} gives a text field. */
  public static final int TEXT_BUCKETS = 1024;

  public FieldSpec {
    if (numeric == null || categorical == null || text == null) {
      throw new IllegalArgumentException("numeric, categorical and text field lists are required");
    }
    numeric = List.copyOf(numeric);
    categorical = List.copyOf(categorical);
    text = List.copyOf(text);
    if (numeric.isEmpty() && categorical.isEmpty() && text.isEmpty()) {
      throw new IllegalArgumentException("a field spec needs at least one field");
    }
    Set<String> names = new HashSet<>();
    Stream.of(numeric.stream().map(NumericField::name), categorical.stream().map(CategoricalField::name),
        text.stream().map(TextField::name)).flatMap(s -> s).forEach(name -> {
          if (!names.add(name)) {
            throw new IllegalArgumentException("field '" + name + "' appears twice");
          }
        });
  }

  /** A spec without text fields. */
  public FieldSpec(List<NumericField> numeric, List<CategoricalField> categorical) {
    this(numeric, categorical, List.of());
  }

  /** The number of features. */
  public int width() {
    int width = numeric.size();
    for (CategoricalField f : categorical) {
      width += f.width();
    }
    for (TextField f : text) {
      width += f.buckets();
    }
    return width;
  }

  /** The fields' names: numeric, categorical, then text ones, each in the spec's order. */
  public List<String> names() {
    return Stream.of(numeric.stream().map(NumericField::name), categorical.stream().map(CategoricalField::name),
        text.stream().map(TextField::name)).flatMap(s -> s).toList();
  }

  /**
   * A spec fitted to sample records. Every field named in any record is kept, in name order
   * (numeric ones first), so the result does not depend on the records' map order.
   *
   * <ul>
   *   <li>A field whose non-null values are all {@link Number}s (at least one) is numeric. Its
   *       finite values give the mean and the population standard deviation (1 when they are all
   *       equal, so the feature is a constant 0). It is log-transformed when its minimum is {@code
   *       >= 0} and its sample skewness is above {@value #LOG_SKEWNESS}; the mean and sd are then
   *       those of the transformed values.
   *   <li>Every other field is categorical, over its most frequent values (numbers written as by
   *       {@link FieldFeaturizer#categoryOf}), most frequent first, ties in string order, at most
   *       {@code maxValues} of them; the rest fall in the unseen slot.
   *   <li>Except a field of words ({@value #TEXT_WORDS} words of letters a value on average, at least {@value
   *       #MIN_IDENTIFIER_VALUES} values, a fifth of them distinct at least): a name, a title, a short
   *       description. It is a text field of {@value #TEXT_BUCKETS} buckets (the passengers' names of the
   *       Titanic table hold their titles, Mr, Mrs, Master: a one-hot of the 20 most frequent names would hold
   *       none of it).
   *   <li>And except any other field with a different value in more than 90% of its (at least {@value
   *       #MIN_IDENTIFIER_VALUES}) records: an id, a timestamp or a code, whose one-hot slots would each
   *       hold one record. It is left out (a new user's JSON Lines file had its {@code id} key one-hot over
   *       50 ids).
   * </ul>
   *
   * @throws IllegalArgumentException when there is no record, no field, or {@code maxValues < 1}
   */
  public static FieldSpec fit(List<? extends Map<String, ?>> records, int maxValues) {
    if (maxValues < 1) {
      throw new IllegalArgumentException("maxValues must be positive, got " + maxValues);
    }
    if (records == null || records.isEmpty()) {
      throw new IllegalArgumentException("a field spec is fitted from at least one record");
    }
    // name -> the field's non-null values, in record order.
    TreeMap<String, List<Object>> columns = new TreeMap<>();
    for (Map<String, ?> record : records) {
      for (Map.Entry<String, ?> entry : record.entrySet()) {
        List<Object> column = columns.computeIfAbsent(entry.getKey(), k -> new ArrayList<>());
        if (entry.getValue() != null) {
          column.add(entry.getValue());
        }
      }
    }
    List<NumericField> numeric = new ArrayList<>();
    List<CategoricalField> categorical = new ArrayList<>();
    List<TextField> text = new ArrayList<>();
    for (Map.Entry<String, List<Object>> column : columns.entrySet()) {
      List<Object> values = column.getValue();
      if (!values.isEmpty() && values.stream().allMatch(v -> v instanceof Number)) {
        numeric.add(fitNumeric(column.getKey(), values));
      } else if (wordy(values)) {
        text.add(new TextField(column.getKey(), TEXT_BUCKETS));
      } else if (!identifierLike(values)) {
        categorical.add(fitCategorical(column.getKey(), values, maxValues));
      }
    }
    return new FieldSpec(numeric, categorical, text);
  }

  /** The words of letters a text field's values have on average, at least. */
  public static final double TEXT_WORDS = 2;

  /**
   * Whether a field's values are words: at least {@value #MIN_IDENTIFIER_VALUES}, a fifth of them distinct, with
   * {@value #TEXT_WORDS} words of two letters or more each on average (a code such as {@code STON/O2. 3101282}
   * or a timestamp has fewer).
   */
  private static boolean wordy(List<Object> values) {
    if (values.size() < MIN_IDENTIFIER_VALUES) {
      return false;
    }
    Set<String> distinct = new HashSet<>();
    long words = 0;
    for (Object v : values) {
      String s = FieldFeaturizer.categoryOf(v);
      if (distinct.add(s)) {
        words += lettersWords(s);
      }
    }
    return distinct.size() * 5L >= values.size() && words >= TEXT_WORDS * distinct.size();
  }

  /** The runs of two letters or more, between characters that are not letters or digits. */
  static int lettersWords(String s) {
    int words = 0;
    int i = 0;
    while (i < s.length()) {
      int start = i;
      boolean letters = true;
      while (i < s.length() && Character.isLetterOrDigit(s.charAt(i))) {
        letters &= Character.isLetter(s.charAt(i));
        i++;
      }
      if (i - start >= 2 && letters) {
        words++;
      }
      i = Math.max(i, start + 1);
    }
    return words;
  }

  /** Fewer values than this never make a field {@link #identifierLike}. */
  public static final int MIN_IDENTIFIER_VALUES = 20;

  /** Whether a categorical field's values are different in more than 90% of at least 20 records. */
  private static boolean identifierLike(List<Object> values) {
    if (values.size() < MIN_IDENTIFIER_VALUES) {
      return false;
    }
    Set<String> distinct = new HashSet<>();
    for (Object v : values) {
      distinct.add(FieldFeaturizer.categoryOf(v));
    }
    return distinct.size() * 10L > values.size() * 9L;
  }

  /** The fields some record names that {@code spec} left out (identifier-like ones), in name order. */
  public static List<String> leftOut(List<? extends Map<String, ?>> records, FieldSpec spec) {
    Set<String> kept = new HashSet<>(spec.names());
    TreeSet<String> named = new TreeSet<>();
    for (Map<String, ?> record : records) {
      named.addAll(record.keySet());
    }
    named.removeAll(kept);
    return List.copyOf(named);
  }

  private static NumericField fitNumeric(String name, Collection<Object> values) {
    double[] x = values.stream().mapToDouble(v -> ((Number) v).doubleValue()).filter(Double::isFinite).toArray();
    if (x.length == 0) {
      return new NumericField(name, false, 0, 1);
    }
    double min = Double.POSITIVE_INFINITY;
    for (double v : x) {
      min = Math.min(min, v);
    }
    boolean log = min >= 0 && skewness(x) > LOG_SKEWNESS;
    if (log) {
      for (int i = 0; i < x.length; i++) {
        x[i] = Math.log1p(x[i]);
      }
    }
    double mean = mean(x);
    double variance = 0;
    for (double v : x) {
      variance += (v - mean) * (v - mean);
    }
    double sd = Math.sqrt(variance / x.length);
    return new NumericField(name, log, mean, sd > 0 && Double.isFinite(sd) ? sd : 1);
  }

  private static CategoricalField fitCategorical(String name, List<Object> values, int maxValues) {
    Map<String, Integer> counts = new HashMap<>();
    for (Object v : values) {
      counts.merge(FieldFeaturizer.categoryOf(v), 1, Integer::sum);
    }
    List<String> kept = counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(maxValues)
        .map(Map.Entry::getKey)
        .toList();
    return new CategoricalField(name, kept);
  }

  private static double mean(double[] x) {
    double sum = 0;
    for (double v : x) {
      sum += v;
    }
    return sum / x.length;
  }

  /** The population skewness {@code E[(x - mean)^3] / sd^3}, 0 for constant values. */
  static double skewness(double[] x) {
    double mean = mean(x);
    double m2 = 0;
    double m3 = 0;
    for (double v : x) {
      double d = v - mean;
      m2 += d * d;
      m3 += d * d * d;
    }
    m2 /= x.length;
    m3 /= x.length;
    return m2 > 0 ? m3 / Math.pow(m2, 1.5) : 0;
  }

  /** The JSON form, as inside a {@code fields-mlp} architecture: {@code {"numeric":[...],"categorical":[...]}}. */
  public String toJson() {
    return SpecJson.writeFields(this).toString();
  }

  /**
   * Reads {@link #toJson()}'s form.
   *
   * @throws IllegalArgumentException naming the missing or wrong member
   */
  public static FieldSpec fromJson(String json) {
    return SpecJson.readFields(SpecJson.parse(json, "field spec"), "fields");
  }

  private static void requireName(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a field needs a name, got '" + name + "'");
    }
  }
}
