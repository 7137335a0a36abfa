package io.streamdistill.datasets;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules a {@link TabularSource.Columns} must keep: names not blank, none named twice, each
 * column one role, forced types only on field columns. Each broken rule is an
 * IllegalArgumentException naming the setting.
 */
final class ColumnRules {
  private ColumnRules() {}

  /** The rules across settings, after each name and list has been checked on its own. */
  static void check(List<String> text, List<String> vector, String vectorPrefix, String label, String id,
      int vectorWidth, List<String> fields, boolean allFields, List<String> categorical, List<String> numeric) {
    if (!vector.isEmpty() && vectorPrefix != null) {
      throw new IllegalArgumentException("vector and vectorPrefix: name the vector's columns or give their"
          + " prefix, not both");
    }
    if (!fields.isEmpty() && allFields) {
      throw new IllegalArgumentException("fields and allFields: name the field columns or take all, not both");
    }
    if (text.isEmpty() && vector.isEmpty() && vectorPrefix == null && fields.isEmpty() && !allFields) {
      throw new IllegalArgumentException("text, vector, vectorPrefix, fields: configure a text column, the"
          + " vector's column(s) or the field columns, or several; with none an example would be empty");
    }
    if (vectorWidth < 0) {
      throw new IllegalArgumentException("vectorWidth must be >= 0 (0: take it from the first good row), was "
          + vectorWidth);
    }
    if (vectorWidth > 0 && vector.isEmpty() && vectorPrefix == null) {
      throw new IllegalArgumentException("vectorWidth is " + vectorWidth + " but no vector column is configured");
    }
    Map<String, String> roles = new HashMap<>();
    for (String column : text) {
      claim(roles, column, "text");
    }
    claim(roles, label, "label");
    claim(roles, id, "id");
    for (String column : vector) {
      claim(roles, column, "vector");
    }
    for (String column : fields) {
      claim(roles, column, "fields");
    }
    boolean hasFields = !fields.isEmpty() || allFields;
    for (String column : categorical) {
      if (!hasFields) {
        throw new IllegalArgumentException("categorical: '" + column + "' is forced categorical but no field"
            + " column is configured");
      }
      if (!allFields && !fields.contains(column)) {
        throw new IllegalArgumentException("categorical: '" + column + "' is not one of the field columns "
            + fields);
      }
      if (numeric.contains(column)) {
        throw new IllegalArgumentException("column '" + column + "' is forced both categorical and numeric");
      }
    }
    for (String column : numeric) {
      if (!hasFields) {
        throw new IllegalArgumentException("numeric: '" + column + "' is forced numeric but no field column"
            + " is configured");
      }
      if (!allFields && !fields.contains(column)) {
        throw new IllegalArgumentException("numeric: '" + column + "' is not one of the field columns " + fields);
      }
    }
  }

  /** A file's column names ({@link TabularSource.FileOptions#columnNames()}): none blank, none twice. */
  static List<String> fileColumnNames(List<String> columnNames) {
    columnNames = columnNames == null ? List.of() : List.copyOf(columnNames);
    Set<String> seen = new LinkedHashSet<>();
    for (String column : columnNames) {
      if (column.isBlank()) {
        throw new IllegalArgumentException("columnNames: a column name is blank in " + columnNames);
      }
      if (!seen.add(column)) {
        throw new IllegalArgumentException("columnNames: column '" + column + "' is named twice");
      }
    }
    return columnNames;
  }

  static void checkName(String setting, String name) {
    if (name != null && name.isBlank()) {
      throw new IllegalArgumentException(setting + " must not be blank (leave it unset instead)");
    }
  }

  static List<String> names(String setting, List<String> names) {
    if (names == null) {
      return List.of();
    }
    Set<String> seen = new LinkedHashSet<>();
    for (String column : names) {
      if (column == null || column.isBlank()) {
        throw new IllegalArgumentException(setting + ": column names must not be blank, were " + names);
      }
      if (!seen.add(column) && !setting.equals("vector") && !setting.equals("fields")) {
        throw new IllegalArgumentException(setting + ": column '" + column + "' is named twice");
      }
    }
    return List.copyOf(names);
  }

  private static void claim(Map<String, String> roles, String column, String role) {
    if (column == null) {
      return;
    }
    String previous = roles.putIfAbsent(column, role);
    if (previous != null) {
      throw new IllegalArgumentException(previous.equals(role)
          ? role + ": column '" + column + "' is named twice"
          : "column '" + column + "' is configured as both " + previous + " and " + role);
    }
  }
}
