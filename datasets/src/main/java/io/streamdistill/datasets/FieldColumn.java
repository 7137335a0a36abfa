package io.streamdistill.datasets;

import static io.streamdistill.datasets.TabularValues.NUMBER;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The distinct values of one field column and what they are, so that the column's type can be
 * decided once all rows are read. Not thread-safe.
 */
final class FieldColumn {
  final String name;
  final FieldType forced;
  /** CSV: the column's position in a record, or -1 (JSON: by name). */
  int position = -1;
  final Map<String, Integer> codes = new HashMap<>();
  final List<String> written = new ArrayList<>();
  double[] numbers = new double[16]; // per code; NaN when the value is not a finite number
  long numericCells;
  long otherCells;
  int firstOtherLine = -1;
  /** The file of {@link #firstOtherLine} (one of a data set's shards). */
  String firstOtherFile;
  String firstOther;

  /** Whether a comma in a number is its decimal point ({@code 4,03}): in a CSV delimited by semicolons. */
  boolean decimalComma;

  FieldColumn(String name, FieldType forced) {
    this.name = name;
    this.forced = forced;
  }

  /** The code of a present value, added when new. */
  int code(String value) {
    Integer code = codes.get(value);
    if (code != null) {
      return code;
    }
    int next = written.size();
    codes.put(value, next);
    written.add(value);
    if (next == numbers.length) {
      numbers = Arrays.copyOf(numbers, next * 2);
    }
    numbers[next] = parseNumber(value, decimalComma);
    return next;
  }

  /** The kept rows that have a value in this column. */
  long present() {
    return numericCells + otherCells;
  }

  boolean isNumber(int code) {
    return !Double.isNaN(numbers[code]);
  }

  /** Counts a value of a row that is kept. */
  void count(int code, int line, String file) {
    if (isNumber(code)) {
      numericCells++;
    } else {
      otherCells++;
      if (firstOtherLine < 0) {
        firstOtherLine = line;
        firstOtherFile = file;
        firstOther = written.get(code);
      }
    }
  }

  FieldType type() {
    if (forced != null) {
      return forced;
    }
    return otherCells == 0 ? FieldType.NUMERIC : FieldType.CATEGORICAL;
  }

  /** The value of each code for the column's type; codes of other values (bad rows only) are null. */
  Object[] values(FieldType type) {
    Object[] values = new Object[written.size()];
    for (int code = 0; code < values.length; code++) {
      if (type == FieldType.CATEGORICAL) {
        values[code] = written.get(code);
      } else if (isNumber(code)) {
        values[code] = numbers[code];
      }
    }
    return values;
  }

  /**
   * A number written plainly ({@code 196998.5}, {@code -3e4}) or with commas grouping its thousands
   * ({@code 196,998}, {@code 1,234,567.89}: how spreadsheets export amounts, quoted in a CSV), else NaN.
   * A decimal comma ({@code 4,03}) is not a number here: one comma and a group of three digits would be
   * ambiguous between the two, and a column of other values stays categorical; in a file delimited by semicolons
   * it is ({@link #parseNumber(String, boolean)}).
   */
  static double parseNumber(String value) {
    return parseNumber(value, false);
  }

  /**
   * As {@link #parseNumber(String)}, or, with {@code decimalComma} (a CSV delimited by semicolons, as spreadsheets
   * set to most European languages write one), a comma is the decimal point and dots group the thousands: {@code
   * 4,03}, {@code -1.234,5}, {@code 2.500} (2500: a dot before three digits groups them there). Any other number
   * is read plainly ({@code 7.25} is still 7.25). An amount as spreadsheets format one is its number: a currency
   * sign before it ({@code $59,294.50}, {@code -€12}), a percent sign after it ({@code 28%} is 0.28).
   */
  static double parseNumber(String value, boolean decimalComma) {
    if (value.endsWith("%")) {
      double percent = parseNumber(value.substring(0, value.length() - 1).strip(), decimalComma);
      return percent / 100; // NaN stays NaN
    }
    java.util.regex.Matcher currency = CURRENCY.matcher(value);
    if (currency.matches()) {
      value = currency.group(1) + currency.group(2);
    }
    String plain = value;
    if (decimalComma && (DECIMAL_COMMA.matcher(value).matches() || DOT_GROUPED.matcher(value).matches())) {
      plain = value.replace(".", "").replace(',', '.');
    } else if (!NUMBER.matcher(value).matches()) {
      if (!decimalComma && GROUPED.matcher(value).matches()) {
        plain = value.replace(",", "");
      } else {
        return Double.NaN;
      }
    }
    double number = Double.parseDouble(plain);
    return Double.isFinite(number) ? number : Double.NaN;
  }

  /** A sign, a currency symbol, the amount. */
  private static final Pattern CURRENCY = Pattern.compile("([+-]?)\\s*[$€£¥₹]\\s*(\\d.*)");
  private static final Pattern GROUPED = Pattern.compile("[+-]?\\d{1,3}(,\\d{3})+(\\.\\d+)?");
  private static final Pattern DOT_GROUPED = Pattern.compile("[+-]?[1-9]\\d{0,2}(\\.\\d{3})+");
  private static final Pattern DECIMAL_COMMA = Pattern.compile("[+-]?(\\d{1,3}(\\.\\d{3})+|\\d+),\\d+");
}
