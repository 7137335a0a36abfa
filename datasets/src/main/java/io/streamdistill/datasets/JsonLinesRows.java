package io.streamdistill.datasets;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamdistill.datasets.TabularSource.Columns;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads JSON rows into a {@link TabularLoader}: a JSON Lines file (one object per line, bad lines skipped), or a
 * JSON array of objects (each element a row, numbered from 1 as lines are; an element that is not an object is
 * skipped, malformed JSON ends the reading with its place).
 */
final class JsonLinesRows {
  private static final JsonMapper JSON = JsonMapper.builder()
      // "{...} junk" is a malformed line, not a good one with the junk ignored.
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .build();

  /** For an array's elements, read one at a time: the next elements follow each one. */
  private static final JsonMapper ARRAY_JSON = JSON.rebuild()
      .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private JsonLinesRows() {}

  static void read(LineReader in, TabularLoader loader) throws IOException {
    // The keys the lines have (a bounded sample): a column named on the command line that no line has is
    // said with them, as a CSV's missing column is said with its header.
    Set<String> keys = new LinkedHashSet<>();
    int lineNumber = 0;
    for (String line = in.readLine(); line != null && !loader.full(); line = in.readLine()) {
      lineNumber++;
      if (in.tooLong()) {
        loader.skip(lineNumber, null, "the line is longer than " + in.maxChars() + " characters");
        continue;
      }
      if (lineNumber == 1 && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      if (line.isBlank()) {
        continue;
      }
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (JsonProcessingException e) {
        loader.skip(lineNumber, null, "malformed JSON" + (e.getLocation() == null ? ""
            : " at character " + e.getLocation().getColumnNr()) + ": " + jsonError(e));
        continue;
      }
      if (node == null || !node.isObject()) {
        loader.skip(lineNumber, null, "not a JSON object");
        continue;
      }
      acceptObject(lineNumber, node, keys, loader);
    }
    requireNamedKeys(keys, loader);
  }

  /**
   * The object with its nested objects' keys brought up, joined to their parent's by a dot ({@code {"ticket":
   * {"subject": "..."}}} has the key {@code ticket.subject}), as pandas' {@code json_normalize} names them; arrays
   * stay as they are (a vector). A key the object already has is kept, not overwritten. The object itself when
   * nothing is nested.
   */
  static JsonNode flatten(JsonNode node) {
    if (node.properties().stream().noneMatch(field -> field.getValue().isObject())) {
      return node;
    }
    ObjectNode flat = JSON.createObjectNode();
    flattenInto(flat, "", node, 0);
    return flat;
  }

  /** Nesting deeper than this is left as an object (a field of no use, said as a key left out). */
  private static final int MAX_DEPTH = 8;

  private static void flattenInto(ObjectNode flat, String prefix, JsonNode node,
      int depth) {
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      String key = prefix + field.getKey();
      if (field.getValue().isObject() && depth < MAX_DEPTH) {
        flattenInto(flat, key + ".", field.getValue(), depth + 1);
      } else if (!flat.has(key)) {
        flat.set(key, field.getValue());
      }
    }
  }

  /** Whether the text {@code in} holds starts with {@code [} (after spaces and a BOM); {@code in} is left as it was. */
  static boolean startsArray(Reader in) throws IOException {
    in.mark(Delimiters.SNIFF_CHARS);
    try {
      for (int i = 0; i < Delimiters.SNIFF_CHARS; i++) {
        int c = in.read();
        if (c < 0 || (c != '\uFEFF' && !Character.isWhitespace(c))) {
          return c == '[';
        }
      }
      return false;
    } finally {
      in.reset();
    }
  }

  /**
   * Reads a JSON array of objects ({@code [{"text": ..., "label": ...}, ...]}, as {@code pandas.to_json(orient=
   * "records")} writes it), one element at a time: memory holds one element, not the file.
   *
   * @param in the text, supporting {@link Reader#mark}
   * @throws DatasetException at malformed JSON, naming its line and column
   */
  static void readArray(Reader in, TabularLoader loader) throws IOException {
    loader.rowName = "element";
    in.mark(1);
    if (in.read() != '\uFEFF') {
      in.reset(); // a byte order mark is no JSON
    }
    Set<String> keys = new LinkedHashSet<>();
    try (JsonParser parser = ARRAY_JSON.createParser(in)) {
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        throw new DatasetException(loader.fileName + " does not start with a JSON array");
      }
      int element = 0;
      for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY && !loader.full();
          token = parser.nextToken()) {
        if (token == null) {
          throw new DatasetException(loader.fileName + " ends inside its JSON array (after element " + element
              + "): the file is cut short");
        }
        element++;
        if (token != JsonToken.START_OBJECT) {
          parser.skipChildren();
          loader.skip(element, null, "not a JSON object");
          continue;
        }
        acceptObject(element, ARRAY_JSON.readTree(parser), keys, loader);
      }
    } catch (JsonProcessingException e) {
      throw new DatasetException(loader.fileName + ": malformed JSON" + (e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", character " + e.getLocation().getColumnNr()) + ": "
          + jsonError(e) + " (a JSON array is read whole; fix the file, or write it as JSON Lines, where a bad line"
          + " is skipped)", e);
    }
    requireNamedKeys(keys, loader);
  }

  /**
   * Reads a file that is one JSON object holding its records ({@link JsonDocument}: under a key, or as pandas'
   * {@code to_json()} writes them), each record a row numbered from 1.
   */
  static void readDocument(Path file, TabularLoader loader) throws IOException {
    loader.rowName = "record";
    JsonDocument.Records records = JsonDocument.read(file);
    TabularSource.LOGGER.atInfo().addKeyValue("file", file.getFileName()).addKeyValue("records",
        records.rows().size()).log("one JSON object: its records are " + records.found());
    Set<String> keys = new LinkedHashSet<>();
    int record = 0;
    for (JsonNode row : records.rows()) {
      if (loader.full()) {
        break;
      }
      record++;
      if (!row.isObject()) {
        loader.skip(record, null, "not a JSON object");
        continue;
      }
      acceptObject(record, row, keys, loader);
    }
    requireNamedKeys(keys, loader);
  }

  /** One object, flattened, as the loader's row {@code row}; its keys added to {@code keys} (a bounded sample). */
  static void acceptObject(int row, JsonNode object, Set<String> keys, TabularLoader loader) {
    JsonNode node = flatten(object);
    if (keys.size() < MAX_KEYS) {
      node.fieldNames().forEachRemaining(keys::add);
    }
    loader.accept(row, new JsonRow(node));
  }

  /** Fails when a column named on the command line is a key of no row ({@code keys}: a bounded sample of them). */
  static void requireNamedKeys(Set<String> keys, TabularLoader loader) {
    if (keys.isEmpty() || keys.size() >= MAX_KEYS) {
      return;
    }
    Columns columns = loader.columns;
    Map<String, List<String>> named = new LinkedHashMap<>();
    named.put("--text-column", columns.text());
    named.put("--vector-column", columns.vector());
    named.put("--field-columns", columns.fields());
    named.put("--categorical-columns", columns.categorical());
    named.put("--numeric-columns", columns.numeric());
    named.put("--label-column", columns.label() == null ? columns.labelFlags() : List.of(columns.label()));
    named.put("--id-column", columns.id() == null ? List.of() : List.of(columns.id()));
    List<String> missing = new ArrayList<>();
    named.forEach((flag, names) -> names.stream().filter(name -> !keys.contains(name))
        .forEach(name -> missing.add("'" + name + "' (" + flag + ")")));
    if (!missing.isEmpty()) {
      // The options name a key the file lacks: the arguments' mistake (a misspelt field would be a field
      // missing on every line, learned from as nothing).
      throw new MissingColumnException(loader.fileName + ": no " + loader.rowName + " has the key"
          + (missing.size() == 1 ? " " : "s ") + String.join(", ", missing) + "; its " + loader.rowName
          + "s have the keys: " + String.join(", ", keys));
    }
  }

  private static final int MAX_KEYS = 1_000;

  /** Jackson's message without its source location (the line is named, the character given). */
  private static String jsonError(JsonProcessingException e) {
    return JSON_LOCATION.matcher(e.getOriginalMessage()).replaceAll("");
  }

  private static final Pattern JSON_LOCATION = Pattern.compile("\\s*\\(start marker at \\[Source:[^\\]]*\\][^)]*\\)");

  /** A JSON object; values are JsonNodes. */
  private record JsonRow(JsonNode node) implements TabularRow {
    @Override
    public Object get(String column) {
      JsonNode value = node.get(column);
      return value == null || value.isNull() ? null : value;
    }

    @Override
    public Iterable<String> columns() {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      return names;
    }
  }
}
