package io.streamdistill.datasets;

import static io.streamdistill.datasets.TabularValues.NUMBER;
import static io.streamdistill.datasets.TabularValues.abbreviate;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamdistill.datasets.TabularSource.Columns;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads a row's vector from its vector columns: each value a number or a list of numbers (a JSON
 * array, or a string of numbers separated by spaces, commas or semicolons, maybe in brackets). Not
 * thread-safe: it keeps the last row's prefix match.
 */
final class VectorValues {
  private static final Pattern LIST_SEPARATOR = Pattern.compile("[\\s,;]+");

  private final Columns columns;
  private List<String> lastAvailable;
  private List<String> lastVectorColumns;

  VectorValues(Columns columns) {
    this.columns = columns;
  }

  /**
   * The vector's columns of a row. With a prefix they depend on the row's keys, which are nearly
   * always those of the row before: the sorted match is kept for them.
   */
  private List<String> vectorColumns(TabularRow row) {
    if (columns.vectorPrefix() == null) {
      return columns.vector();
    }
    List<String> available = new ArrayList<>();
    row.columns().forEach(available::add);
    if (!available.equals(lastAvailable)) {
      lastAvailable = available;
      lastVectorColumns = columns.vectorColumns(available);
    }
    return lastVectorColumns;
  }

  /** The vector, or null when none of its columns has a value. */
  float[] read(TabularRow row) throws BadRow {
    List<String> vectorColumns = vectorColumns(row);
    FloatCollector values = new FloatCollector();
    int present = 0;
    for (String column : vectorColumns) {
      Object value = row.get(column);
      if (value == null) {
        continue;
      }
      present++;
      if (value instanceof String s) {
        addNumbers(values, s, column);
      } else {
        JsonNode node = (JsonNode) value;
        if (node.isArray()) {
          Iterator<JsonNode> elements = node.elements();
          while (elements.hasNext()) {
            addJsonNumber(values, elements.next(), column);
          }
        } else {
          addJsonNumber(values, node, column);
        }
      }
    }
    if (present == 0) {
      return null;
    }
    if (present < vectorColumns.size()) {
      List<String> missing = new ArrayList<>();
      for (String column : vectorColumns) {
        if (row.get(column) == null) {
          missing.add("'" + column + "'");
        }
      }
      if (missing.size() == 1) {
        throw new BadRow(missing.get(0).substring(1, missing.get(0).length() - 1), "no value (a vector column)");
      }
      throw new BadRow("vector columns " + String.join(", ", missing.subList(0, Math.min(5, missing.size())))
          + (missing.size() > 5 ? " (and " + (missing.size() - 5) + " more)" : "") + " without a value");
    }
    return values.toArray();
  }

  private static void addJsonNumber(FloatCollector values, JsonNode node, String column) throws BadRow {
    if (node.isNumber()) {
      values.add(finite(node.doubleValue(), node.asText(), column));
    } else if (node.isTextual()) {
      addNumbers(values, node.asText(), column);
    } else {
      throw new BadRow(column, abbreviate(node.toString()) + " is not a number (a vector column)");
    }
  }

  /** Numbers in a string: one, or a list separated by spaces, commas or semicolons, maybe in []. */
  private static void addNumbers(FloatCollector values, String text, String column) throws BadRow {
    String list = text.strip();
    if (list.startsWith("[") && list.endsWith("]")) {
      list = list.substring(1, list.length() - 1).strip();
    }
    if (list.isEmpty()) {
      throw new BadRow(column, "empty (a vector column)");
    }
    // Separators in a row are one; only a separator at either end ("1, 2," or ",1") leaves an empty
    // token, and that is allowed.
    for (String token : LIST_SEPARATOR.split(list, -1)) {
      if (token.isEmpty()) {
        continue;
      }
      if (!NUMBER.matcher(token).matches()) {
        throw new BadRow(column, "'" + abbreviate(token) + "' is not a number (a vector column)");
      }
      values.add(finite(Double.parseDouble(token), token, column));
    }
  }

  private static float finite(double value, String written, String column) throws BadRow {
    float f = (float) value;
    if (!Float.isFinite(f)) {
      throw new BadRow(column, abbreviate(written) + " is not a finite float (a vector column)");
    }
    return f;
  }

  /** A growing float array, without boxing every pixel. */
  private static final class FloatCollector {
    private float[] values = new float[16];
    private int size;

    void add(float value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    float[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }
}
