package io.streamdistill.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user's own data set from a JSON Lines or CSV file, with the columns named in {@link Columns}:
 * no Java needed to bring a data set.
 *
 * <pre>{@code
 * // {"id": "a1", "body": "win a prize", "y": "spam"} per line
 * TabularSource mails = TabularSource.read(Path.of("mails.jsonl"),
 *     Columns.ofText("body").withLabel("y").withId("id"));
 * // pixel0,...,pixel783,digit with a header row
 * TabularSource digits = TabularSource.read(Path.of("digits.csv"),
 *     Columns.ofVectorPrefix("pixel").withLabel("digit").withVectorWidth(784));
 * }</pre>
 *
 * <p>A vector is the values of its columns in order, each value a number or a list of numbers (a
 * JSON array, or a string of numbers separated by spaces, commas or semicolons, optionally in
 * brackets). Bad lines are skipped and reported ({@link #skipped()}, e.g.
 * {@code line 17: vector has 3 values, expected 784}); reading goes on after them. A bad line is:
 * malformed JSON or CSV, no text and no vector, an empty text (when there is no vector), a vector of
 * another width than the first good row's (or the configured one), a value that is not a finite
 * number, a duplicate id. Blank lines are ignored.
 *
 * <p>Everything is read into memory at construction; immutable and thread-safe afterwards.
 */
public final class TabularSource implements ExampleSource {
  private static final Logger LOGGER = LoggerFactory.getLogger(TabularSource.class);
  // A decimal number; Float.parseFloat alone would also take "NaN", "0x1p3" and "1f".
  private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final Pattern LIST_SEPARATOR = Pattern.compile("[\\s,;]+");

  /** The file formats. */
  public enum Format {
    /** One JSON object per line ({@code .jsonl}, {@code .ndjson}, {@code .json-lines}). */
    JSON_LINES,
    /** Comma-separated values with a header row, RFC 4180 quoting ({@code .csv}). */
    CSV;

    /**
     * The format a file name's extension stands for.
     *
     * @throws IllegalArgumentException when the extension is none of the known ones
     */
    public static Format fromFileName(String fileName) {
      String lower = fileName.toLowerCase(Locale.ROOT);
      if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson") || lower.endsWith(".json-lines")) {
        return JSON_LINES;
      }
      if (lower.endsWith(".csv")) {
        return CSV;
      }
      throw new IllegalArgumentException("cannot tell the format of '" + fileName + "' from its extension:"
          + " expected .jsonl, .ndjson, .json-lines or .csv; give the format explicitly");
    }
  }

  /**
   * Which columns (CSV header names, JSON keys) hold what. Text and vector are each optional, but at
   * least one of them must be configured; the vector's columns are named explicitly or by a prefix.
   *
   * @param text the column holding the text, or null
   * @param vector the columns whose values make the vector, in order (each a number or a list);
   *     empty when not used
   * @param vectorPrefix the vector is every column whose name starts with this, in natural order
   *     ({@code px2} before {@code px10}); or null
   * @param label the column holding the class name, or null (unlabelled data)
   * @param id the column holding a unique id, or null: ids are then {@code FILE:LINE}
   * @param vectorWidth the expected number of vector values, or 0 to take it from the first good row
   */
  public record Columns(String text, List<String> vector, String vectorPrefix, String label, String id,
      int vectorWidth) {

    public Columns {
      checkName("text", text);
      checkName("vectorPrefix", vectorPrefix);
      checkName("label", label);
      checkName("id", id);
      if (vector == null) {
        vector = List.of();
      }
      for (String column : vector) {
        if (column == null || column.isBlank()) {
          throw new IllegalArgumentException("vector: column names must not be blank, were " + vector);
        }
      }
      vector = List.copyOf(vector);
      if (!vector.isEmpty() && vectorPrefix != null) {
        throw new IllegalArgumentException("vector and vectorPrefix: name the vector's columns or give their"
            + " prefix, not both");
      }
      if (text == null && vector.isEmpty() && vectorPrefix == null) {
        throw new IllegalArgumentException("text, vector, vectorPrefix: configure a text column or the vector's"
            + " column(s), or both; with neither an example would be empty");
      }
      if (vectorWidth < 0) {
        throw new IllegalArgumentException("vectorWidth must be >= 0 (0: take it from the first good row), was "
            + vectorWidth);
      }
      if (vectorWidth > 0 && text != null && vector.isEmpty() && vectorPrefix == null) {
        throw new IllegalArgumentException("vectorWidth is " + vectorWidth + " but no vector column is configured");
      }
      Map<String, String> roles = new HashMap<>();
      claim(roles, text, "text");
      claim(roles, label, "label");
      claim(roles, id, "id");
      for (String column : vector) {
        claim(roles, column, "vector");
      }
    }

    private static void checkName(String setting, String name) {
      if (name != null && name.isBlank()) {
        throw new IllegalArgumentException(setting + " must not be blank (leave it unset instead)");
      }
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

    /** Text from {@code column}, nothing else yet. */
    public static Columns ofText(String column) {
      return new Columns(column, List.of(), null, null, null, 0);
    }

    /** A vector from these columns, in this order (one column may hold the whole vector as a list). */
    public static Columns ofVector(String... columns) {
      return new Columns(null, Arrays.asList(columns), null, null, null, 0);
    }

    /** A vector from every column whose name starts with {@code prefix}, in natural order. */
    public static Columns ofVectorPrefix(String prefix) {
      return new Columns(null, List.of(), prefix, null, null, 0);
    }

    // The with... methods return a copy with one setting changed, validated like any new Columns.

    public Columns withText(String column) {
      return new Columns(column, vector, vectorPrefix, label, id, vectorWidth);
    }

    public Columns withVector(String... columns) {
      return new Columns(text, Arrays.asList(columns), null, label, id, vectorWidth);
    }

    public Columns withVectorPrefix(String prefix) {
      return new Columns(text, List.of(), prefix, label, id, vectorWidth);
    }

    public Columns withLabel(String column) {
      return new Columns(text, vector, vectorPrefix, column, id, vectorWidth);
    }

    public Columns withId(String column) {
      return new Columns(text, vector, vectorPrefix, label, column, vectorWidth);
    }

    public Columns withVectorWidth(int width) {
      return new Columns(text, vector, vectorPrefix, label, id, width);
    }

    boolean hasVector() {
      return !vector.isEmpty() || vectorPrefix != null;
    }

    /** The vector's columns among {@code available}: the named ones, or those with the prefix. */
    List<String> vectorColumns(Iterable<String> available) {
      if (vectorPrefix == null) {
        return vector;
      }
      List<String> matching = new ArrayList<>();
      for (String column : available) {
        if (column.startsWith(vectorPrefix) && !column.equals(text) && !column.equals(label)
            && !column.equals(id)) {
          matching.add(column);
        }
      }
      matching.sort(NATURAL_ORDER);
      return matching;
    }
  }

  /** Compares names so that digit runs compare as numbers: px2 before px10. */
  static final Comparator<String> NATURAL_ORDER = TabularSource::compareNatural;

  private final String name;
  private final String[] ids;
  private final String[] texts;
  private final float[][] vectors;
  private final String[] labels;
  private final List<String> classes;
  private final SkipReport skipped;

  private TabularSource(String name, Loader loader) {
    this.name = name;
    this.ids = loader.ids.toArray(String[]::new);
    this.texts = loader.texts.toArray(String[]::new);
    this.vectors = loader.vectors.toArray(float[][]::new);
    this.labels = loader.labels.toArray(String[]::new);
    this.classes = List.copyOf(loader.classes);
    this.skipped = loader.skipped;
  }

  /**
   * Reads {@code file}, its format told by its extension.
   *
   * @throws IllegalArgumentException when the extension is not a known one
   * @throws DatasetException when the file cannot be read, or (CSV) has no header or lacks a configured column
   */
  public static TabularSource read(Path file, Columns columns) {
    return read(file, Format.fromFileName(file.getFileName().toString()), columns);
  }

  /**
   * Reads {@code file} in the given format.
   *
   * @throws DatasetException when the file cannot be read, or (CSV) has no header or lacks a configured column
   */
  public static TabularSource read(Path file, Format format, Columns columns) {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(columns, "columns");
    long started = System.nanoTime();
    String fileName = file.getFileName().toString();
    Loader loader = new Loader(fileName, columns);
    // Malformed UTF-8 becomes U+FFFD rather than failing the whole file.
    try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(file),
        StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE)), 1 << 16)) {
      if (format == Format.CSV) {
        readCsv(file, in, loader);
      } else {
        readJsonLines(in, loader);
      }
    } catch (IOException e) {
      throw new DatasetException("cannot read " + file + ": " + e, e);
    }
    TabularSource source = new TabularSource(fileName, loader);
    if (source.skipped.count() > 0) {
      LOGGER.atWarn().addKeyValue("source", fileName).addKeyValue("skipped", source.skipped.count())
          .log("lines skipped: " + source.skipped);
    }
    LOGGER.atInfo().addKeyValue("source", fileName).addKeyValue("format", format)
        .addKeyValue("examples", source.size()).addKeyValue("skipped", source.skipped.count())
        .addKeyValue("millis", (System.nanoTime() - started) / 1_000_000).log("tabular data set read");
    return source;
  }

  // ---------------------------------------------------------------- JSON Lines

  private static final JsonMapper JSON = JsonMapper.builder()
      // "{...} junk" is a malformed line, not a good one with the junk ignored.
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .build();

  private static void readJsonLines(BufferedReader in, Loader loader) throws IOException {
    int lineNumber = 0;
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      lineNumber++;
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
        loader.skip(lineNumber, "malformed JSON: " + e.getOriginalMessage());
        continue;
      }
      if (node == null || !node.isObject()) {
        loader.skip(lineNumber, "not a JSON object");
        continue;
      }
      loader.accept(lineNumber, new JsonRow(node));
    }
  }

  /** A JSON object; values are JsonNodes. */
  private record JsonRow(JsonNode node) implements Row {
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

  // ---------------------------------------------------------------- CSV

  private static void readCsv(Path file, BufferedReader in, Loader loader) throws IOException {
    CsvReader csv = new CsvReader(in);
    List<String> header;
    try {
      header = csv.readHeader();
    } catch (DatasetException e) {
      throw new DatasetException(file + ": " + e.getMessage(), e);
    }
    if (header == null) {
      throw new DatasetException(file + " is empty: a CSV file needs a header row naming its columns");
    }
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int i = 0; i < header.size(); i++) {
      String column = header.get(i).strip();
      if (index.putIfAbsent(column, i) != null) {
        throw new DatasetException(file + ": the header names column '" + column + "' twice");
      }
    }
    Columns columns = loader.columns;
    List<String> missing = new ArrayList<>();
    for (String column : Arrays.asList(columns.text(), columns.label(), columns.id())) {
      if (column != null && !index.containsKey(column)) {
        missing.add(column);
      }
    }
    for (String column : columns.vector()) {
      if (!index.containsKey(column)) {
        missing.add(column);
      }
    }
    if (!missing.isEmpty()) {
      throw new DatasetException(file + " has no column " + String.join(", ", missing) + "; its header has: "
          + String.join(", ", index.keySet()));
    }
    if (columns.vectorPrefix() != null && columns.vectorColumns(index.keySet()).isEmpty()) {
      throw new DatasetException(file + " has no column starting with '" + columns.vectorPrefix()
          + "' for the vector; its header has: " + String.join(", ", index.keySet()));
    }
    for (CsvReader.Record record = csv.next(); record != null; record = csv.next()) {
      if (record.malformed()) {
        loader.skip(record.line(), "malformed CSV: " + record.error());
      } else {
        loader.accept(record.line(), new CsvRow(index, record.fields()));
      }
    }
  }

  /** A CSV record; values are Strings, an empty field counts as absent. */
  private record CsvRow(Map<String, Integer> index, List<String> fields) implements Row {
    @Override
    public Object get(String column) {
      Integer i = index.get(column);
      if (i == null) {
        return null;
      }
      String value = fields.get(i);
      return value.isEmpty() ? null : value;
    }

    @Override
    public Iterable<String> columns() {
      return index.keySet();
    }
  }

  // ---------------------------------------------------------------- rows to examples

  /** One line of either format: values by column name, null when absent. */
  private interface Row {
    /** A String (CSV) or a JsonNode (JSON), or null when absent. */
    Object get(String column);

    Iterable<String> columns();
  }

  /** Why a row is skipped; no stack trace, it is control flow. */
  private static final class BadRow extends Exception {
    private static final long serialVersionUID = 1L;

    BadRow(String reason) {
      super(reason, null, false, false);
    }
  }

  /** Turns rows into examples, keeps the good ones and reports the rest. Not thread-safe. */
  private static final class Loader {
    final String fileName;
    final Columns columns;
    final List<String> ids = new ArrayList<>();
    final List<String> texts = new ArrayList<>();
    final List<float[]> vectors = new ArrayList<>();
    final List<String> labels = new ArrayList<>();
    final Set<String> classes = new LinkedHashSet<>();
    final Map<String, Integer> idLines = new HashMap<>();
    final SkipReport skipped = new SkipReport();
    int width;
    List<String> lastAvailable;
    List<String> lastVectorColumns;

    Loader(String fileName, Columns columns) {
      this.fileName = fileName;
      this.columns = columns;
      this.width = columns.vectorWidth();
    }

    void skip(int line, String reason) {
      skipped.skip("line " + line, reason);
    }

    void accept(int line, Row row) {
      try {
        String text = columns.text() == null ? null : scalar(row, columns.text(), "text");
        if (text != null && text.isBlank()) {
          text = null;
          if (!columns.hasVector()) {
            throw new BadRow("text is empty");
          }
        }
        float[] vector = columns.hasVector() ? vector(row) : null;
        if (text == null && vector == null) {
          throw new BadRow(columns.hasVector() && columns.text() != null
              ? "neither text (column '" + columns.text() + "') nor vector"
              : columns.text() != null ? "no text (column '" + columns.text() + "')" : "no vector");
        }
        if (vector != null && width > 0 && vector.length != width) {
          throw new BadRow("vector has " + vector.length + " values, expected " + width);
        }
        String label = columns.label() == null ? null : scalar(row, columns.label(), "label");
        if (label != null && label.isBlank()) {
          label = null;
        }
        String id = columns.id() == null ? null : scalar(row, columns.id(), "id");
        if (id == null || id.isBlank()) {
          id = fileName + ":" + line;
        }
        Integer firstLine = idLines.putIfAbsent(id, line);
        if (firstLine != null) {
          throw new BadRow("id '" + id + "' was already used on line " + firstLine);
        }
        if (vector != null && width == 0) {
          width = vector.length; // the first good row fixes the width
        }
        ids.add(id);
        texts.add(text);
        vectors.add(vector);
        labels.add(label);
        if (label != null) {
          classes.add(label);
        }
      } catch (BadRow e) {
        skip(line, e.getMessage());
      }
    }

    /**
     * The vector's columns of a row. With a prefix they depend on the row's keys, which are nearly
     * always those of the row before: the sorted match is kept for them.
     */
    private List<String> vectorColumns(Row row) {
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

    /** A text value: a string, or a JSON number or boolean as written. */
    private static String scalar(Row row, String column, String role) throws BadRow {
      Object value = row.get(column);
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
      throw new BadRow(role + " column '" + column + "' holds " + (node.isArray() ? "an array" : "an object")
          + ", not a value");
    }

    /** The vector, or null when none of its columns has a value. */
    private float[] vector(Row row) throws BadRow {
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
        throw new BadRow("vector column" + (missing.size() > 1 ? "s " : " ")
            + String.join(", ", missing.subList(0, Math.min(5, missing.size())))
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
        throw new BadRow("vector column '" + column + "': " + node + " is not a number");
      }
    }

    /** Numbers in a string: one, or a list separated by spaces, commas or semicolons, maybe in []. */
    private static void addNumbers(FloatCollector values, String text, String column) throws BadRow {
      String list = text.strip();
      if (list.startsWith("[") && list.endsWith("]")) {
        list = list.substring(1, list.length() - 1).strip();
      }
      if (list.isEmpty()) {
        throw new BadRow("vector column '" + column + "' is empty");
      }
      for (String token : LIST_SEPARATOR.split(list)) {
        if (token.isEmpty()) {
          continue;
        }
        if (!NUMBER.matcher(token).matches()) {
          throw new BadRow("vector column '" + column + "': '" + abbreviate(token) + "' is not a number");
        }
        values.add(finite(Double.parseDouble(token), token, column));
      }
    }

    private static float finite(double value, String written, String column) throws BadRow {
      float f = (float) value;
      if (!Float.isFinite(f)) {
        throw new BadRow("vector column '" + column + "': " + abbreviate(written) + " is not a finite float");
      }
      return f;
    }

    private static String abbreviate(String s) {
      return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
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

  private static int compareNatural(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      char ca = a.charAt(i);
      char cb = b.charAt(j);
      if (Character.isDigit(ca) && Character.isDigit(cb)) {
        int si = i;
        int sj = j;
        while (i < a.length() && Character.isDigit(a.charAt(i))) {
          i++;
        }
        while (j < b.length() && Character.isDigit(b.charAt(j))) {
          j++;
        }
        // Compare the digit runs as numbers of any length: without leading zeros, the longer is larger.
        while (si < i - 1 && a.charAt(si) == '0') {
          si++;
        }
        while (sj < j - 1 && b.charAt(sj) == '0') {
          sj++;
        }
        if (i - si != j - sj) {
          return Integer.compare(i - si, j - sj);
        }
        for (int k = 0; k < i - si; k++) {
          if (a.charAt(si + k) != b.charAt(sj + k)) {
            return Character.compare(a.charAt(si + k), b.charAt(sj + k));
          }
        }
      } else {
        if (ca != cb) {
          return Character.compare(ca, cb);
        }
        i++;
        j++;
      }
    }
    int byRest = Integer.compare(a.length() - i, b.length() - j);
    return byRest != 0 ? byRest : a.compareTo(b);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int size() {
    return ids.length;
  }

  /** The example at {@code index}; its vector is shared, callers must not change it. */
  @Override
  public Example get(int index) {
    Objects.checkIndex(index, ids.length);
    return new Example(ids[index], texts[index], vectors[index], labels[index]);
  }

  @Override
  public String label(int index) {
    Objects.checkIndex(index, ids.length);
    return labels[index];
  }

  /** The distinct labels in the order they were first seen. */
  @Override
  public List<String> classes() {
    return classes;
  }

  /** The lines that were skipped; filled while reading, not changed afterwards. */
  @Override
  public SkipReport skipped() {
    return skipped;
  }
}
