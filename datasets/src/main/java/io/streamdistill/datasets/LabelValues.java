package io.streamdistill.datasets;

import io.streamdistill.schemas.WrittenNumbers;
import java.util.List;
import java.util.Locale;

/**
 * What a label column's values are: classes, or amounts to predict. Stream-distill distills classifiers, so a
 * column of amounts (a price, a temperature: many distinct numbers, some of them fractions) is refused as the
 * label, saying how to make classes of it, rather than read as a class per value (a house-price table's
 * {@code target} was read as 1,500 classes, one example each); and the class a row's 0/1 flag columns give
 * (one-hot or multi-label sets). Stateless.
 */
final class LabelValues {
  /** Distinct numeric labels beyond which fractions among them make the column an amount. */
  static final int MAX_NUMERIC_CLASSES = 50;
  /** Distinct whole-number labels beyond which the column is an amount or a count, fractions or not. */
  static final int MAX_WHOLE_CLASSES = 1_000;

  private LabelValues() {}

  /**
   * Refuses {@code classes}, the distinct values of {@code file}'s label column {@code column}, when they are
   * amounts: all numbers, more than {@value #MAX_NUMERIC_CLASSES} of them with fractions among them, or more than
   * {@value #MAX_WHOLE_CLASSES}.
   *
   * @throws DatasetException naming the column, what its values look like and what to do
   */
  static void requireClasses(String file, String column, List<String> classes) {
    if (classes.size() <= MAX_NUMERIC_CLASSES) {
      return;
    }
    long fractions = 0;
    for (String value : classes) {
      double number = WrittenNumbers.parse(value);
      if (Double.isNaN(number)) {
        return; // names among them: classes, however many
      }
      if (number != Math.rint(number)) {
        fractions++;
      }
    }
    if (fractions == 0 && classes.size() <= MAX_WHOLE_CLASSES) {
      return;
    }
    throw new DatasetException(String.format(Locale.ROOT, "%s: the label column '%s' holds %,d distinct numbers"
        + " (%s, ...)%s: an amount to predict (regression), not classes, and a student is distilled from a"
        + " classifier. Read it as ranges of its values with --label-bins 5 (five classes of about as many rows"
        + " each), or give a column of classes with --label-column", file, column,
        classes.size(), String.join(", ", classes.subList(0, 3)), fractions > 0 ? String.format(Locale.ROOT,
            ", %,d of them with fractions", fractions) : ""));
  }

  /** 1 for a set flag (1, 1.0, true), 0 for an unset one (0, 0.0, false), else null. */
  static Integer flagValue(String value) {
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "1", "1.0", "true" -> 1;
      case "0", "0.0", "false" -> 0;
      default -> null;
    };
  }

  /**
   * The class a row's flag columns give: the first set (a row with several is counted as holding several classes),
   * {@link Columns#NO_FLAG} when none is; a missing value is an unset flag.
   *
   * @throws BadRow for a value that is no flag, naming the column
   */
  static String ofFlags(TabularRow row, List<String> flags, Runnable several) throws BadRow {
    String first = null;
    for (String column : flags) {
      String value = TabularLoader.scalar(row, column);
      Integer flag = value == null || value.isBlank() ? Integer.valueOf(0) : flagValue(value);
      if (flag == null) {
        throw new BadRow(column, "'" + TabularValues.abbreviate(value) + "' is not a flag (1 or 0, true or false):"
            + " the class is the first of " + String.join(", ", flags) + " holding 1");
      }
      if (flag == 1) {
        if (first != null) {
          several.run();
          break;
        }
        first = column;
      }
    }
    return first != null ? first : TabularSource.Columns.NO_FLAG;
  }
}
