package io.streamdistill.datasets;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The examples a {@link TabularLoader} kept, stored by column (a field value as an int code into
 * its column's distinct values, each column typed once), and the {@link Example} made from each on
 * request. Immutable and thread-safe.
 */
final class TabularExamples {
  final String name;
  /** Per example, its id from the id column, or null when it is {@code NAME:LINE} (made when asked). */
  private final String[] ids;
  private final int[] lines;
  private final String[] texts;
  private final float[][] vectors;
  private final String[] labels;
  final List<String> classes;
  final SkipReport skipped;
  private final String[] fieldNames;
  private final int[][] fieldCodes;
  /** Per field, the value of each code: a Double, a String, or null (a code only bad rows used). */
  private final Object[][] fieldValues;
  final Map<String, FieldType> fieldTypes;
  private final Map<String, Integer> fieldPositions;

  TabularExamples(String name, TabularLoader loader) {
    this.name = name;
    this.ids = loader.kept.ids.toArray(String[]::new);
    this.lines = loader.kept.lines.stream().mapToInt(Integer::intValue).toArray();
    this.texts = loader.kept.texts.toArray(String[]::new);
    this.vectors = loader.kept.vectors.toArray(float[][]::new);
    this.labels = loader.kept.labels.toArray(String[]::new);
    this.classes = List.copyOf(loader.classes);
    this.skipped = loader.skipped;
    this.fieldCodes = loader.kept.fieldCodes.toArray(int[][]::new);
    int fieldCount = loader.fieldColumns.size();
    this.fieldNames = new String[fieldCount];
    this.fieldValues = new Object[fieldCount][];
    Map<String, FieldType> types = new LinkedHashMap<>();
    Map<String, Integer> positions = new HashMap<>();
    for (int f = 0; f < fieldCount; f++) {
      FieldColumn column = loader.fieldColumns.get(f);
      fieldNames[f] = column.name;
      positions.put(column.name, f);
      FieldType type = column.type();
      types.put(column.name, type);
      fieldValues[f] = column.values(type);
    }
    this.fieldTypes = Collections.unmodifiableMap(types);
    this.fieldPositions = positions;
  }

  int size() {
    return ids.length;
  }

  Example get(int index) {
    Objects.checkIndex(index, ids.length);
    String id = ids[index] != null ? ids[index] : name + ":" + lines[index];
    return new Example(id, texts[index], vectors[index], fields(index), labels[index]);
  }

  private Map<String, Object> fields(int index) {
    int[] codes = fieldCodes[index];
    if (codes == null) {
      return null;
    }
    Object[] values = new Object[fieldNames.length];
    for (int f = 0; f < fieldNames.length; f++) {
      // A row read before a later row added a column (JSON Lines) has no code for it: missing.
      int code = f < codes.length ? codes[f] : -1;
      values[f] = code < 0 ? null : fieldValues[f][code];
    }
    return new FieldMap(fieldNames, fieldPositions, values);
  }

  String label(int index) {
    Objects.checkIndex(index, ids.length);
    return labels[index];
  }
}
