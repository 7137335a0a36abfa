package io.streamdistill.student;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The featurizer of structured-record students: a record of named fields to the {@link FieldSpec}'s
 * feature vector. A numeric field becomes {@code (t(x) - mean) / sd} ({@code t(x) = sign(x) *
 * log1p(|x|)} for a log field, else {@code x}); a missing one (absent or null) becomes 0, the mean. A
 * categorical field sets the slot of its value, or the last (unseen) slot for a value outside the
 * spec or a missing one. Fields the spec does not name are ignored, so a record may carry more than
 * the student reads. Immutable and thread-safe.
 */
public final class FieldFeaturizer {
  private final FieldSpec spec;
  private final int width;
  /** Per categorical field, value -> slot index within the field's slots. */
  private final List<Map<String, Integer>> slots;

  public FieldFeaturizer(FieldSpec spec) {
    this.spec = spec;
    this.width = spec.width();
    this.slots = spec.categorical().stream().map(f -> {
      Map<String, Integer> index = new HashMap<>();
      for (int i = 0; i < f.values().size(); i++) {
        index.put(f.values().get(i), i);
      }
      return Map.copyOf(index);
    }).toList();
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
   * @throws InputMismatchException naming the field, for a numeric field's value that is not a finite
   *     number or a categorical field's value that is neither a string nor a finite number; or when
   *     there is no record at all
   */
  public float[] featurize(Map<String, ?> fields) {
    if (fields == null) {
      throw new InputMismatchException("this student reads a record of named fields, and the input has none");
    }
    float[] x = new float[width];
    int offset = 0;
    for (FieldSpec.NumericField f : spec.numeric()) {
      Object value = fields.get(f.name());
      if (value != null) {
        if (!(value instanceof Number number)) {
          throw new InputMismatchException("field '" + f.name() + "' is " + describe(value) + ", the student reads a number");
        }
        double v = number.doubleValue();
        if (!Double.isFinite(v)) {
          throw new InputMismatchException("field '" + f.name() + "' is " + v + ", the student reads a finite number");
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
              + ", the student reads a string or a number");
        }
        if (value instanceof Number number && !Double.isFinite(number.doubleValue())) {
          throw new InputMismatchException("field '" + f.name() + "' is " + number + ", the student reads a string"
              + " or a finite number");
        }
        slot = slots.get(k).getOrDefault(categoryOf(value), slot);
      }
      x[offset + slot] = 1f;
      offset += f.width();
    }
    return x;
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

  private static String describe(Object value) {
    return value instanceof String s ? "'" + s + "'" : "a " + value.getClass().getSimpleName() + " (" + value + ")";
  }
}
