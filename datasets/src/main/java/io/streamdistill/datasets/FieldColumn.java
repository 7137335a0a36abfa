package io.streamdistill.datasets;

import io.streamdistill.schemas.WrittenNumbers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
    numbers[next] = WrittenNumbers.parse(value, decimalComma);
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
}
