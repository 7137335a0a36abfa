package io.streamdistill.student;

import io.streamdistill.schemas.WrittenNumbers;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The featurizer of structured-record students: a record of named fields to the {@link FieldSpec}'s
 * feature vector. A numeric field becomes {@code (t(x) - mean) / sd} ({@code t(x) = sign(x) *
 * log1p(|x|)} for a log field, else {@code x}); a missing one (absent or null) becomes 0, the mean. A
 * numeric field's value may be a string that writes a number ({@code "12.5"}, {@code " -1e3 "}, {@code
 * "$59,294.50"}, {@code "28%"}), read as the file readers of the datasets module read one ({@link
 * WrittenNumbers}). A categorical field sets
 * the slot of its value, or the last (unseen) slot for a value outside the spec or a missing one. A
 * text field's value (a string, or a number taken as its category) sets its words' buckets, the block at unit
 * length ({@link FieldSpec.TextField}); a missing or blank one leaves the block 0.
 * Fields the spec does not name are ignored, so a record may carry more than the model reads; but a
 * record with none of them is refused, as nothing of it would be read. Immutable and thread-safe.
 *
 * <p>The teacher service reads records with this featurizer too, so its messages name no reader.
 */
public final class FieldFeaturizer {
  /** How many field names a message lists before it says how many more there are. */
  private static final int NAMES_SHOWN = 12;

  private final FieldSpec spec;
  private final int width;
  /** The spec's field names, numeric then categorical. */
  private final List<String> names;
  /** Per categorical field, value -> slot index within the field's slots. */
  private final List<Map<String, Integer>> slots;
  /** Per text field, its word hashing. */
  private final List<NgramFeaturizer> words;

  public FieldFeaturizer(FieldSpec spec) {
    this.spec = spec;
    this.width = spec.width();
    this.names = spec.names();
    this.slots = spec.categorical().stream().map(f -> {
      Map<String, Integer> index = new HashMap<>();
      for (int i = 0; i < f.values().size(); i++) {
        index.put(f.values().get(i), i);
      }
      return Map.copyOf(index);
    }).toList();
    this.words = spec.text().stream().map(f -> new NgramFeaturizer(f.featurizer())).toList();
  }

  public FieldSpec spec() {
    return spec;
  }

  public int width() {
    return width;
  }

  /**
   * The features of a record.
   *
   * @param fields field name to a {@link Number}, a {@link String} (a {@link Boolean} is taken as
   *     its string for a categorical field) or null
   * @throws InputMismatchException naming the field, for a numeric field's value that is neither a
   *     finite number nor a string of one, or a categorical field's value that is neither a string nor
   *     a finite number; naming the expected fields, when the record has a value for none of them; or
   *     when there is no record at all
   */
  public float[] featurize(Map<String, ?> fields) {
    if (fields == null) {
      throw new InputMismatchException("the model reads a record of named fields, and the input has none");
    }
    if (names.stream().allMatch(name -> fields.get(name) == null)) {
      // Every slot would be a default: the answer would be the same whatever the record, so it is a wrong record.
      List<String> given = fields.entrySet().stream().filter(e -> e.getValue() != null)
          .map(e -> String.valueOf(e.getKey())).toList();
      throw new InputMismatchException("the record has none of the fields " + abbreviate(names)
          + (given.isEmpty() ? "" : " (it has " + abbreviate(given) + ")"));
    }
    float[] x = new float[width];
    int offset = 0;
    for (FieldSpec.NumericField f : spec.numeric()) {
      Object value = fields.get(f.name());
      if (value != null) {
        double v = numberOf(f.name(), value);
        if (!Double.isFinite(v)) {
          throw new InputMismatchException("field '" + f.name() + "' is "
              + (value instanceof String ? describe(value) : Double.toString(v))
              + ", not a finite number (a numeric field)");
        }
        if (f.log()) {
          v = Math.signum(v) * Math.log1p(Math.abs(v));
        }
        x[offset] = (float) ((v - f.mean()) / f.sd());
      }
      offset++;
    }
    for (int k = 0; k < spec.categorical().size(); k++) {
      FieldSpec.CategoricalField f = spec.categorical().get(k);
      Object value = fields.get(f.name());
      int slot = f.values().size();
      if (value != null) {
        if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
          throw new InputMismatchException("field '" + f.name() + "' is " + describe(value)
              + ", neither a string nor a number (a categorical field)");
        }
        if (value instanceof Number number && !Double.isFinite(number.doubleValue())) {
          throw new InputMismatchException("field '" + f.name() + "' is " + number + ", neither a string nor a"
              + " finite number (a categorical field)");
        }
        slot = slots.get(k).getOrDefault(categoryOf(value), slot);
      }
      x[offset + slot] = 1f;
      offset += f.width();
    }
    for (int k = 0; k < spec.text().size(); k++) {
      FieldSpec.TextField f = spec.text().get(k);
      Object value = fields.get(f.name());
      if (value != null) {
        if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
          throw new InputMismatchException("field '" + f.name() + "' is " + describe(value)
              + ", neither a string nor a number (a text field)");
        }
        String text = categoryOf(value);
        if (!text.isBlank()) {
          addWords(x, offset, words.get(k).bucketsOf(text));
        }
      }
      offset += f.buckets();
    }
    return x;
  }

  /** Counts each word's bucket in {@code x} from {@code offset}, then scales those slots to unit length. */
  private static void addWords(float[] x, int offset, NgramFeaturizer.Buckets buckets) {
    int[] ids = buckets.ids();
    int count = buckets.count();
    for (int i = 0; i < count; i++) {
      x[offset + ids[i]] += 1f;
    }
    // A bucket counted n times occurs n times in the ids: summing its count per occurrence sums n^2.
    double squares = 0;
    for (int i = 0; i < count; i++) {
      squares += x[offset + ids[i]];
    }
    if (squares > 0) {
      // n occurrences of (1 - scale) taken off a count of n leave n * scale: each bucket scaled once, no set kept.
      float less = (float) (1 - 1 / Math.sqrt(squares));
      for (int i = 0; i < count; i++) {
        x[offset + ids[i]] -= less;
      }
    }
  }

  /**
   * The category a value stands for: a string itself; a number with an integral value as a whole
   * number ({@code 6.0} and {@code 6} are both {@code "6"}, so a code read as a double from JSON or
   * Avro matches one read as an integer), any other number as {@link Double#toString}; anything else
   * as {@link String#valueOf}.
   */
  public static String categoryOf(Object value) {
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof Number number) {
      double v = number.doubleValue();
      if (v == Math.rint(v) && Math.abs(v) < 1e15) {
        return Long.toString((long) v);
      }
      return Double.toString(v);
    }
    return String.valueOf(value);
  }

  /** A numeric field's value as a number: a {@link Number}, or a string that writes one. */
  private static double numberOf(String field, Object value) {
    if (value instanceof Number number) {
      return number.doubleValue();
    }
    double written = value instanceof String s ? WrittenNumbers.parse(s) : Double.NaN;
    if (!Double.isNaN(written)) {
      return written;
    }
    throw new InputMismatchException("field '" + field + "' is " + describe(value)
        + ", not a number (a numeric field)");
  }

  private static String abbreviate(List<String> names) {
    return names.size() <= NAMES_SHOWN ? String.join(", ", names)
        : String.join(", ", names.subList(0, NAMES_SHOWN)) + ", ... (" + (names.size() - NAMES_SHOWN) + " more)";
  }

  private static String describe(Object value) {
    return value instanceof String s ? "'" + s + "'" : "a " + value.getClass().getSimpleName() + " (" + value + ")";
  }
}
