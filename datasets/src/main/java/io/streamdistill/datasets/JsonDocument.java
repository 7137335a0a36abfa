package io.streamdistill.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A JSON file that is one object rather than JSON Lines, holding its records in one of the ways data sets and
 * pandas write them:
 *
 * <ul>
 *   <li>under a key, as an array of objects ({@code {"version": 1, "data": [{"text": ..., "label": ...}, ...]}}):
 *       the longest such array;
 *   <li>pandas' {@code to_json()} default, {@code orient="columns"} ({@code {"text": {"0": ..., "1": ...},
 *       "label": {"0": ..., "1": ...}}}): a record for each row key;
 *   <li>{@code orient="index"} ({@code {"0": {"text": ..., "label": ...}, "1": {...}}}): a record for each value;
 *   <li>{@code orient="split"} ({@code {"columns": [...], "index": [...], "data": [[...], ...]}}).
 * </ul>
 *
 * <p>The object is read whole, so a file of more than a tenth of the heap is refused, saying how to write it as
 * JSON Lines (read a line at a time). Stateless.
 */
final class JsonDocument {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern WHOLE_NUMBER = Pattern.compile("\\d+");

  private JsonDocument() {}

  /**
   * Whether {@code file} is one JSON object rather than JSON Lines: it starts with a brace and neither its first
   * line nor its second is a whole object (pretty-printed), or it has one line holding records (pandas writes one
   * line), or a first line longer than JSON Lines are read with.
   */
  static boolean isDocument(Path file, int maxLineChars) throws IOException {
    try (BufferedReader in = new BufferedReader(Inputs.openText(file))) {
      LineReader lines = new LineReader(in, maxLineChars);
      JsonNode first = null;
      boolean seen = false;
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        String stripped = line.replace("\uFEFF", "").strip();
        if (stripped.isEmpty()) {
          continue;
        }
        if (seen) {
          // A second line: JSON Lines when either line is a whole object (the first may be a bad line).
          return first == null && !(stripped.startsWith("{") && !lines.tooLong() && wholeObject(stripped) != null);
        }
        if (!stripped.startsWith("{")) {
          return false;
        }
        if (lines.tooLong()) {
          return true; // one object across a longer line than JSON Lines are read with: pandas' one-line files
        }
        seen = true;
        first = wholeObject(stripped);
      }
      return seen && (first == null || isContainer(first));
    }
  }

  /** {@code line} parsed, when it is a whole JSON object; else null. */
  private static JsonNode wholeObject(String line) {
    try {
      JsonNode node = JSON.readTree(line);
      return node != null && node.isObject() ? node : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /** An object whose values are all objects or arrays: records held, not a record (one of which has values). */
  private static boolean isContainer(JsonNode node) {
    if (!node.isObject() || node.isEmpty()) {
      return false;
    }
    for (JsonNode value : node) {
      if (!value.isContainerNode()) {
        return node.properties().stream().anyMatch(e -> isRecordArray(e.getValue()));
      }
    }
    return true;
  }

  private static boolean isRecordArray(JsonNode value) {
    return value.isArray() && !value.isEmpty() && value.get(0).isObject();
  }

  /**
   * The records of {@code file}, read whole, and how they were found (for the log).
   *
   * @throws DatasetException when the file is too large to read whole, malformed, or holds no records in a known
   *     way
   */
  static Records read(Path file) throws IOException {
    long bytes = Files.size(file);
    long room = Runtime.getRuntime().maxMemory() / 10;
    if (bytes > room) {
      throw new DatasetException(String.format(Locale.ROOT, "%s is one JSON object of %,d bytes, read whole, and"
          + " that is more than a tenth of the heap (%,d bytes): write it as JSON Lines, one record a line, read"
          + " a line at a time (pandas: df.to_json('%s', orient='records', lines=True)), or give a larger heap"
          + " (JAVA_OPTS=-Xmx...)", file, bytes, Runtime.getRuntime().maxMemory(),
          file.getFileName().toString().replaceFirst("\\.[^.]+$", "") + ".jsonl"));
    }
    JsonNode root;
    try (Reader in = Inputs.openText(file)) {
      root = JSON.readTree(in);
    } catch (JsonProcessingException e) {
      throw new DatasetException(file + ": malformed JSON" + (e.getLocation() == null ? "" : " at line "
          + e.getLocation().getLineNr() + ", character " + e.getLocation().getColumnNr()) + ": "
          + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new DatasetException(file + " does not hold a JSON object");
    }
    return records((ObjectNode) root, file);
  }

  /** Records, each an object, and a phrase saying where they were. */
  record Records(List<JsonNode> rows, String found) {}

  static Records records(ObjectNode root, Path file) {
    if (root.get("columns") instanceof ArrayNode columns && root.get("data") instanceof ArrayNode data) {
      List<JsonNode> rows = new ArrayList<>(data.size());
      for (JsonNode values : data) {
        ObjectNode row = JSON.createObjectNode();
        for (int i = 0; i < columns.size() && i < values.size(); i++) {
          row.set(columns.get(i).asText(), values.get(i));
        }
        rows.add(row);
      }
      return new Records(rows, "pandas' orient='split' (columns, data)");
    }
    String longest = null;
    for (Map.Entry<String, JsonNode> entry : root.properties()) {
      if (isRecordArray(entry.getValue()) && (longest == null || entry.getValue().size() > root.get(longest).size())) {
        longest = entry.getKey();
      }
    }
    if (longest != null) {
      List<JsonNode> rows = new ArrayList<>();
      root.get(longest).forEach(rows::add);
      return new Records(rows, "the array under the key '" + longest + "'");
    }
    boolean objects = root.size() > 0;
    for (JsonNode value : root) {
      objects &= value.isObject();
    }
    if (!objects) {
      throw new DatasetException(file + " is one JSON object, and holds its records in no way known: an array of"
          + " objects under a key, or pandas' to_json() (orient columns, index or split); write it as JSON Lines, one"
          + " record a line");
    }
    boolean byIndex = true;
    for (Iterator<String> keys = root.fieldNames(); keys.hasNext(); ) {
      byIndex &= WHOLE_NUMBER.matcher(keys.next()).matches();
    }
    List<JsonNode> rows = new ArrayList<>();
    if (byIndex) {
      root.forEach(rows::add);
      return new Records(rows, "pandas' orient='index' (a record for each row key)");
    }
    // orient="columns": each column an object of row key to value; the rows are the keys the columns have.
    List<String> rowKeys = new ArrayList<>();
    root.elements().next().fieldNames().forEachRemaining(rowKeys::add);
    for (String key : rowKeys) {
      ObjectNode row = JSON.createObjectNode();
      for (Map.Entry<String, JsonNode> column : root.properties()) {
        JsonNode value = column.getValue().get(key);
        if (value != null) {
          row.set(column.getKey(), value);
        }
      }
      rows.add(row);
    }
    return new Records(rows, "pandas' orient='columns' (a record for each row key)");
  }
}
