package io.streamdistill.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamdistill.schemas.WrittenNumbers;
import java.util.regex.Pattern;

/**
 * The value rules shared by the readers of tabular files: what a number looks like, how a CSV or
 * JSON value reads as text, how a value is shortened in a skip reason.
 */
final class TabularValues {
  // A decimal number; Float.parseFloat alone would also take "NaN", "0x1p3" and "1f".
  static final Pattern NUMBER = WrittenNumbers.PLAIN;

  private TabularValues() {}

  /**
   * A row's value as text: a string, or a JSON number or boolean as written; null when absent.
   *
   * @throws BadRow when the value is a JSON array or object
   */
  static String text(Object value, String column) throws BadRow {
    if (value == null) {
      return null;
    }
    if (value instanceof String s) {
      return s;
    }
    JsonNode node = (JsonNode) value;
    if (node.isValueNode()) {
      return node.asText();
    }
    throw new BadRow(column, "holds " + (node.isArray() ? "an array" : "an object") + ", not a value");
  }

  static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
