package io.streamdistill.datasets;

import static io.streamdistill.datasets.TabularValues.abbreviate;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamdistill.datasets.TabularSource.Columns;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;

/**
 * Turns rows into examples, keeps the good ones and reports the rest; {@link TabularSource} is
 * made of what it kept. Not thread-safe.
 *
 * <p>Its length (about 430 lines): a row's journey is one piece, its payload, label and id read, typed, counted
 * against the memory bound and kept or sampled ({@link KeptRows}), with each step's reasons for skipping it; the
 * values themselves are read by {@link TabularValues}, {@link FieldColumn} and {@link LabelValues}.
 */
final class TabularLoader {
  private static final Logger LOGGER = TabularSource.LOGGER;
  /** A kept row's own bytes: its slots in the six lists, its boxed line number. */
  private static final long ROW_BYTES = 6 * 8 + 16;
  private static final long ARRAY_BYTES = 16;
  private static final int MAX_SHARED_LABELS = 10_000;

  /** The file being read (one shard of several: {@link #nextFile}); messages name it with its own line numbers. */
  String fileName;
  /**
   * The lines of the shards read before this one: a row's place in the data set is this plus its line in its file
   * (its default id, its order), so that rows of two shards never share one.
   */
  private int lineOffset;
  /** The largest line of the file being read that was seen, for the next shard's offset. */
  private int lastLine;
  final String sourceName;
  final Columns columns;
  /** The rows kept (all of them, or a sample: {@code --sample}). */
  final KeptRows kept;
  final Set<String> classes = new LinkedHashSet<>();
  final Map<String, Integer> idLines = new HashMap<>();
  final SkipReport skipped = new SkipReport();
  final List<FieldColumn> fieldColumns = new ArrayList<>();
  final Map<String, FieldColumn> fieldsByName = new HashMap<>();
  /**
   * With {@code --fields-all} on JSON Lines, the keys that held an object or an array on some line:
   * missing there (a nested value is not a field value), and no field at all when never a value.
   */
  final Set<String> nestedLeftOut = new LinkedHashSet<>();
  /** What a row is called in reports: a line, or an element of a JSON array. */
  String rowName = "line";
  /** Whether the field columns are known (named, or fixed by a CSV header); else each row may add some. */
  boolean fieldColumnsFixed;
  int width;
  /** Reads each row's vector; keeps the last row's prefix match. */
  private final VectorValues vectorValues;
  /** The rows kept at most: the reading stops there ({@link #full()}). */
  private final int maxRows;
  /** The bytes the kept rows may hold, estimated (TabularSource's memory bound). */
  private final long memoryBudget;
  /** What the kept rows hold, estimated: their strings (one byte a character) and arrays with their headers. */
  private long heldBytes;
  /** How far the reading is, said while it lasts (a file of millions of rows); saying nothing unless set. */
  ReadingProgress progress = new ReadingProgress(null);
  /** One String per label value (a label column repeats a few values millions of times), up to a bound. */
  private final Map<String, String> labelValues = new HashMap<>();

  TabularLoader(String fileName, String sourceName, Columns columns, long memoryBudget, int maxRows, int sample) {
    this.maxRows = maxRows;
    this.kept = new KeptRows(sample);
    this.fileName = fileName;
    this.sourceName = sourceName;
    this.columns = columns;
    this.memoryBudget = memoryBudget;
    this.vectorValues = new VectorValues(columns);
    this.width = columns.vectorWidth();
    if (!columns.fields().isEmpty()) {
      columns.fields().forEach(this::addFieldColumn);
      fieldColumnsFixed = true;
    } else if (!columns.hasFields()) {
      fieldColumnsFixed = true;
    }
  }

  private void addFieldColumn(String column) {
    if (fieldsByName.containsKey(column)) {
      return;
    }
    FieldType forced = columns.categorical().contains(column) ? FieldType.CATEGORICAL
        : columns.numeric().contains(column) ? FieldType.NUMERIC : null;
    FieldColumn field = new FieldColumn(column, forced);
    field.decimalComma = decimalComma;
    fieldColumns.add(field);
    fieldsByName.put(column, field);
  }

  /** Whether a comma in a number is its decimal point: a CSV delimited by semicolons. */
  private boolean decimalComma;

  /**
   * Reads {@code 4,03} as 4.03 in every field column, from now on: a CSV delimited by semicolons (spreadsheets set
   * to most European languages write numbers so, and separate the fields by semicolons for it).
   */
  void useDecimalComma() {
    decimalComma = true;
    fieldColumns.forEach(c -> c.decimalComma = true);
  }

  /** CSV: every column is known from the header (or the names), so are all the field columns. */
  void fixFieldColumns(Path file, Map<String, Integer> index) {
    Iterable<String> available = index.keySet();
    if (columns.allFields()) {
      for (String column : available) {
        if (!columns.hasOtherRole(column)) {
          addFieldColumn(column);
        }
      }
      if (fieldColumns.isEmpty()) {
        throw new DatasetException(file + ": every column has another role, none is left for the fields");
      }
    }
    for (FieldColumn field : fieldColumns) {
      field.position = index.get(field.name); // checkColumns made sure that each exists
    }
    fieldColumnsFixed = true;
  }

  /** Reads another shard of the same data set from here on: its rows follow the ones read so far. */
  void nextFile(String name) {
    lineOffset += lastLine;
    lastLine = 0;
    fileName = name;
  }

  void skip(int line, String column, String reason) {
    lastLine = Math.max(lastLine, line);
    skipped.skip(fileName + " " + rowName + " " + line + (column == null ? "" : ", column '" + column + "'"), reason);
  }

  void accept(int fileLine, TabularRow row) {
    lastLine = Math.max(lastLine, fileLine);
    int line = lineOffset + fileLine; // the row's place in the data set
    try {
      String text = text(row);
      boolean otherPayload = columns.hasVector() || columns.hasFields();
      if (text != null && text.isBlank()) {
        text = null;
        if (!otherPayload) {
          throw new BadRow(String.join("', '", columns.text()), "text is empty");
        }
      }
      float[] vector = columns.hasVector() ? vectorValues.read(row) : null;
      int[] codes = columns.hasFields() ? fields(row) : null;
      if (text == null && vector == null && (codes == null || allMissing(codes))) {
        throw new BadRow(noPayload());
      }
      if (vector != null && width > 0 && vector.length != width) {
        throw new BadRow("vector has " + vector.length + " values, expected " + width);
      }
      String label = columns.label() != null ? labelOf(row, columns.label())
          : columns.labelFlags().isEmpty() ? null
          : LabelValues.ofFlags(row, columns.labelFlags(), () -> severalLabels++);
      // " billing" and "billing" are one class. A row without a label is unlabelled traffic (replayed as
      // such; a teacher's training leaves it out and says how many).
      label = label == null || label.isBlank() ? null : label.strip();
      String id = null;
      // Without an id column, ids are NAME:LINE, unique by construction: neither kept nor checked.
      if (columns.id() != null) {
        id = scalar(row, columns.id());
        if (id == null || id.isBlank()) {
          id = sourceName + ":" + line;
        }
      }
      int slot = kept.place();
      tickProgress(line);
      if (slot == KeptRows.LEAVE) {
        countFields(codes, line);
        return; // a good row, not in the sample
      }
      if (id != null) {
        // With a sample, among the kept rows only (the ids of every row read would be unbounded).
        Integer firstLine = idLines.putIfAbsent(id, line);
        if (firstLine != null) {
          throw new BadRow(columns.id(), "id '" + id + "' was already used on line " + firstLine);
        }
      }
      if (vector != null && width == 0) {
        width = vector.length; // the first good row fixes the width
      }
      countFields(codes, line);
      if (label != null && labelValues.size() < MAX_SHARED_LABELS) {
        label = labelValues.computeIfAbsent(label, l -> l);
      }
      if (slot >= 0) {
        heldBytes -= rowBytes(kept.ids.get(slot), kept.texts.get(slot), kept.labels.get(slot),
            kept.vectors.get(slot), kept.fieldCodes.get(slot));
        if (kept.ids.get(slot) != null) {
          idLines.remove(kept.ids.get(slot));
        }
      }
      heldBytes += rowBytes(id, text, label, vector, codes);
      if (heldBytes > memoryBudget) {
        throw new DatasetException(String.format(Locale.ROOT, "%s does not fit in this JVM's memory: by %s %,d the"
            + " %,d rows kept hold about %,d MB, over the %,d MB a data set may take (%d%% of the %,d MB heap, the"
            + " rest being the teacher's and the trainer's). Give the JVM more (%s ./distill ...), or"
            + " keep a random sample of its rows (--sample %d)", fileName, rowName, fileLine, kept.size(),
            heldBytes >> 20, memoryBudget >> 20, TabularSource.HEAP_PERCENT, Runtime.getRuntime().maxMemory() >> 20,
            TabularSource.largerHeap(), Math.max(1, (kept.sample() > 0 ? kept.sample() : kept.size()) / 2)));
      }
      kept.put(slot, id, line, text, vector, label, codes);
      if (label != null) {
        classes.add(label);
      }
    } catch (BadRow e) {
      skip(fileLine, e.column, e.getMessage());
    }
  }

  private void tickProgress(int line) {
    if ((kept.goodRows() & 4095) == 0) {
      progress.tick(seconds -> String.format(Locale.ROOT, "  read %,d rows (%s %,d, %d s)", kept.goodRows(), rowName,
          line, seconds));
    }
  }

  /** Counts each field's value of a good row (kept or not: a sample's field types are the whole file's). */
  private void countFields(int[] codes, int line) {
    if (codes != null) {
      for (int f = 0; f < codes.length; f++) {
        if (codes[f] >= 0) {
          fieldColumns.get(f).count(codes[f], line - lineOffset, fileName);
        }
      }
    }
  }

  /** A kept row's estimated bytes. */
  private long rowBytes(String id, String text, String label, float[] vector, int[] codes) {
    return ROW_BYTES + stringBytes(id) + stringBytes(text) + (labelValues.containsKey(label) ? 0
        : stringBytes(label)) + (vector == null ? 0 : ARRAY_BYTES + 4L * vector.length)
        + (codes == null ? 0 : ARRAY_BYTES + 4L * codes.length);
  }

  /** A String's estimated bytes: its object and array headers, one byte a character (compact strings). */
  private static long stringBytes(String value) {
    return value == null ? 0 : 40L + value.length();
  }

  private String noPayload() {
    List<String> parts = new ArrayList<>();
    if (!columns.text().isEmpty()) {
      parts.add("text (column" + (columns.text().size() == 1 ? " '" : "s '") + String.join("', '", columns.text())
          + "')");
    }
    if (columns.hasVector()) {
      parts.add("vector");
    }
    if (columns.hasFields()) {
      parts.add("value in any field column");
    }
    return parts.size() == 1 ? "no " + parts.get(0) : "neither " + String.join(" nor ", parts);
  }

  private static boolean allMissing(int[] codes) {
    for (int code : codes) {
      if (code >= 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * The codes of the row's field values (-1: missing). Checks forced numeric columns; counts
   * nothing (the row may still be skipped).
   */
  private int[] fields(TabularRow row) throws BadRow {
    if (!fieldColumnsFixed) {
      for (String column : row.columns()) {
        if (columns.hasOtherRole(column)) {
          continue;
        }
        Object value = row.get(column);
        if (isNested(value)) {
          nestedLeftOut.add(column);
        } else if (value != null) {
          addFieldColumn(column); // a key becomes a field with its first value (not with a null)
        }
      }
    }
    int[] codes = new int[fieldColumns.size()];
    for (int f = 0; f < codes.length; f++) {
      FieldColumn field = fieldColumns.get(f);
      if (!fieldColumnsFixed && isNested(row.get(field.name))) {
        // --fields-all: a key nested here (a value elsewhere) is missing on this line, not a bad line.
        nestedLeftOut.add(field.name);
        codes[f] = -1;
        continue;
      }
      String value = fieldValue(row, field);
      if (value == null) {
        codes[f] = -1;
        continue;
      }
      int code = field.code(value);
      if (field.forced == FieldType.NUMERIC && !field.isNumber(code)) {
        throw new BadRow(field.name, "'" + abbreviate(value) + "' is not a number (the column is numeric)");
      }
      codes[f] = code;
    }
    return codes;
  }

  /** Whether a JSON value is an object or an array (no field value). */
  private static boolean isNested(Object value) {
    return value instanceof com.fasterxml.jackson.databind.JsonNode node && node.isContainerNode();
  }

  /** A field's value as written, stripped; null when missing. */
  private static String fieldValue(TabularRow row, FieldColumn field) throws BadRow {
    Object value = field.position >= 0 ? row.get(field.position) : row.get(field.name);
    String written = TabularValues.text(value, field.name);
    if (written == null) {
      return null;
    }
    written = written.strip();
    return written.length() <= 4 && TabularSource.MISSING.contains(written) ? null : written;
  }

  /** Rows whose label was a list of several classes, read with the first ({@link #labelOf}). */
  long severalLabels;

  /**
   * A row's label: the column's value, or the first of a list of classes (HuggingFace's multi-label sets written as
   * JSON, {@code "labels": [27]}: most rows hold one; a row with several is read with its first and counted); an
   * empty list is no label.
   */
  private String labelOf(TabularRow row, String column) throws BadRow {
    Object value = row.get(column);
    if (value instanceof JsonNode node && node.isArray()) {
      if (node.isEmpty()) {
        return null;
      }
      if (node.size() > 1) {
        severalLabels++;
      }
      return TabularValues.text(node.get(0), column);
    }
    return scalar(row, column);
  }

  /** After the last row: every column forced to a type must exist. */
  void finish(Path file) {
    if (kept.sampled()) {
      kept.inFileOrder();
      classes.retainAll(new java.util.HashSet<>(kept.labels)); // a class whose rows all fell out of the sample
      LOGGER.atInfo().addKeyValue("source", fileName).addKeyValue("kept", kept.size())
          .addKeyValue("rows", kept.goodRows()).log(String.format(Locale.ROOT, "kept a sample of %,d of the %,d"
              + " good rows (--sample)", kept.size(), kept.goodRows()));
    }
    if (severalLabels > 0) {
      LOGGER.atWarn().addKeyValue("source", fileName).addKeyValue("rows", severalLabels)
          .log(severalLabels + " rows hold several classes in " + (columns.label() != null ? "'" + columns.label()
              + "'" : "the flags " + String.join(", ", columns.labelFlags())) + ": each is read with its first"
              + " (a student is distilled for one class an example)");
    }
    if (!nestedLeftOut.isEmpty()) {
      LOGGER.atWarn().addKeyValue("source", fileName).addKeyValue("keys", nestedLeftOut)
          .log("keys holding arrays are missing where they do (--fields-all takes values; a key that never holds"
              + " one is no field): " + String.join(", ", nestedLeftOut) + "; an array of numbers is a vector"
              + " (--vector-column), else make its items keys of their own to use them");
    }
    for (List<String> forced : List.of(columns.categorical(), columns.numeric())) {
      for (String column : forced) {
        if (!fieldsByName.containsKey(column) && size() > 0) {
          throw new DatasetException(file + ": column '" + column + "' is forced "
              + (forced == columns.categorical() ? "categorical" : "numeric") + " but no row has it");
        }
      }
    }
    for (FieldColumn field : fieldColumns) {
      long present = field.numericCells + field.otherCells;
      if (field.forced == null && field.otherCells > 0 && field.numericCells >= 0.9 * present) {
        // Likely a numeric column with a few bad values: say so instead of silently making it categorical.
        LOGGER.atWarn().addKeyValue("source", fileName).addKeyValue("column", field.name)
            .addKeyValue("numbers", field.numericCells).addKeyValue("others", field.otherCells)
            .log("column '" + field.name + "' is categorical because of values such as '"
                + abbreviate(field.firstOther) + "' (" + field.firstOtherFile + " line " + field.firstOtherLine
                + "), though "
                + Math.round(100.0 * field.numericCells / present) + "% of its values are numbers; force it with"
                + " --numeric-columns to skip such rows, or --categorical-columns to keep it so");
      }
    }
  }

  int size() {
    return kept.size();
  }


  /** Whether as many rows are kept as may be: the reader stops. */
  boolean full() {
    return kept.size() >= maxRows;
  }

  /**
   * The row's text: its text column's value, or the values of its text columns that are not blank joined by a
   * line break (a title and a body); null without text columns or values.
   */
  private String text(TabularRow row) throws BadRow {
    List<String> textColumns = columns.text();
    if (textColumns.size() == 1) {
      return scalar(row, textColumns.get(0));
    }
    StringBuilder joined = null;
    for (String column : textColumns) {
      String value = scalar(row, column);
      if (value != null && !value.isBlank()) {
        joined = joined == null ? new StringBuilder(value) : joined.append('\n').append(value);
      }
    }
    return joined == null ? null : joined.toString();
  }

  /** A text value: a string, or a JSON number or boolean as written. */
  static String scalar(TabularRow row, String column) throws BadRow {
    return TabularValues.text(row.get(column), column);
  }
}
