package io.streamdistill.datasets;

/** One line of either format: values by column name, null when absent. */
interface TabularRow {
  /** A String (CSV) or a JsonNode (JSON), or null when absent. */
  Object get(String column);

  /** CSV: the value at a position, as {@link #get(String)}. */
  default Object get(int position) {
    throw new UnsupportedOperationException("values by position are for CSV records");
  }

  Iterable<String> columns();
}
