package io.streamdistill.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
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
 * The user's own data set from a JSON Lines or CSV file (gzipped or not), with the columns named in
 * {@link Columns} and the file's layout in {@link FileOptions}: no Java needed to bring a data set.
 *
 * <pre>{@code
 * // {"id": "a1", "body": "win a prize", "y": "spam"} per line
 * TabularSource mails = TabularSource.read(Path.of("mails.jsonl"),
 *     Columns.ofText("body").withLabel("y").withId("id"));
 * // pixel0,...,pixel783,digit with a header row
 * TabularSource digits = TabularSource.read(Path.of("digits.csv"),
 *     Columns.ofVectorPrefix("pixel").withLabel("digit").withVectorWidth(784));
 * // 0,tcp,http,SF,181,5450,...,normal. without a header: columns c0 ... c41
 * TabularSource flows = TabularSource.read(Path.of("kddcup.data_10_percent.gz"),
 *     Columns.ofAllFields().withLabel("c41"), FileOptions.CSV.withoutHeader());
 * }</pre>
 *
 * <p>A vector is the values of its columns in order, each value a number or a list of numbers (a
 * JSON array, or a string of numbers separated by spaces, commas or semicolons, optionally in
 * brackets).
 *
 * <p>A <b>structured record</b> is the values of its field columns ({@link Columns#fields()}, or
 * every column but the text, vector, label and id ones with {@link Columns#ofAllFields()}), each
 * typed once for the whole file: a column is {@link FieldType#NUMERIC} when every value it has (in
 * the rows kept) is a finite decimal number, else {@link FieldType#CATEGORICAL}, and then all its
 * values are strings, numbers kept as written. {@link Columns#categorical()} forces a column
 * categorical (numeric codes); {@link Columns#numeric()} forces it numeric, and a row with
 * something else in it is skipped. Values are stripped of surrounding spaces; an empty value,
 * {@code ?}, {@code NA}, {@code N/A}, {@code NaN} and {@code null} (JSON null too) are missing:
 * null in the record, whatever the column's type. A JSON boolean is the category {@code true} or
 * {@code false}.
 *
 * <p>Bad lines are skipped and reported ({@link #skipped()}, e.g. {@code flows.csv line 17, column
 * 'src_bytes': 'abc' is not a number (the column is numeric)}); reading goes on after them. A bad line is: malformed JSON or
 * CSV, a line longer than {@link FileOptions#maxLineChars()}, no payload (no text, no vector, no
 * field with a value), an empty text (when there is no vector or field), a vector of another width
 * than the first good row's (or the configured one), a vector value that is not a finite number, a
 * non-number in a forced numeric column, an array or object where a value belongs, a duplicate id.
 * Blank lines are ignored. A problem of the whole file (missing, no such column, a header that
 * disagrees with the configured names) is a {@link DatasetException} naming the file.
 *
 * <p>Everything is read into memory at construction (a field value as an int code into its column's
 * distinct values); immutable and thread-safe afterwards.
 */
public final class TabularSource implements ExampleSource {
  private static final Logger LOGGER = LoggerFactory.getLogger(TabularSource.class);
  // A decimal number; Float.parseFloat alone would also take "NaN", "0x1p3" and "1f".
  private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final Pattern LIST_SEPARATOR = Pattern.compile("[\\s,;]+");
  /** The values of a field that mean "missing". */
  public static final Set<String> MISSING = Set.of("", "?", "NA", "N/A", "NaN", "null");
  private static final int LISTED_COLUMNS = 20;

  /** The file formats. */
  public enum Format {
    /** One JSON object per line ({@code .jsonl}, {@code .ndjson}, {@code .json-lines}). */
    JSON_LINES,
    /** Comma-separated values, RFC 4180 quoting ({@code .csv}), with a header row or not. */
    CSV;

    /**
     * The format a file name's extension stands for; a trailing {@code .gz} is ignored.
     *
     * @throws IllegalArgumentException when the extension is none of the known ones
     */
    public static Format fromFileName(String fileName) {
      String lower = fileName.toLowerCase(Locale.ROOT);
      if (lower.endsWith(".gz")) {
        lower = lower.substring(0, lower.length() - 3);
      }
      if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson") || lower.endsWith(".json-lines")) {
        return JSON_LINES;
      }
      if (lower.endsWith(".csv")) {
        return CSV;
      }
      throw new IllegalArgumentException("cannot tell the format of '" + fileName + "' from its extension:"
          + " expected .jsonl, .ndjson, .json-lines or .csv (optionally .gz); give the format explicitly"
          + " (--format csv or --format jsonl)");
    }
  }

  /**
   * How the file is laid out, beside which columns mean what.
   *
   * @param format the format, or null to tell it from the file name
   * @param header CSV: whether the first line names the columns (else it is data)
   * @param columnNames CSV: the columns' names, in order; they replace the header's when there is
   *     one. Empty: the header's names, or {@code c0, c1, ...} without a header
   * @param name the source's name, or null for the file's name; ids without an id column are
   *     {@code NAME:LINE}
   * @param maxLineChars the longest line (and CSV record) kept; longer ones are skipped
   */
  public record FileOptions(Format format, boolean header, List<String> columnNames, String name,
      int maxLineChars) {
    /** By the file name, with a header, its names, lines up to {@link LineReader#DEFAULT_MAX_CHARS}. */
    public static final FileOptions DEFAULT = new FileOptions(null, true, List.of(), null,
        LineReader.DEFAULT_MAX_CHARS);
    /** CSV with a header. */
    public static final FileOptions CSV = DEFAULT.withFormat(Format.CSV);

    public FileOptions {
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
      if (name != null && name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank (leave it unset instead)");
      }
      if (maxLineChars <= 0) {
        throw new IllegalArgumentException("maxLineChars must be positive, was " + maxLineChars);
      }
    }

    public FileOptions withFormat(Format newFormat) {
      return new FileOptions(newFormat, header, columnNames, name, maxLineChars);
    }

    /** CSV: the first line is data. */
    public FileOptions withoutHeader() {
      return new FileOptions(format, false, columnNames, name, maxLineChars);
    }

    public FileOptions withColumnNames(List<String> names) {
      return new FileOptions(format, header, names, name, maxLineChars);
    }

    public FileOptions withName(String newName) {
      return new FileOptions(format, header, columnNames, newName, maxLineChars);
    }

    public FileOptions withMaxLineChars(int chars) {
      return new FileOptions(format, header, columnNames, name, chars);
    }
  }

  /**
   * Which columns (CSV column names, JSON keys) hold what. Text, vector and fields are each
   * optional, but at least one of them must be configured; the vector's columns are named
   * explicitly or by a prefix.
   *
   * @param text the column holding the text, or null
   * @param vector the columns whose values make the vector, in order (each a number or a list);
   *     empty when not used
   * @param vectorPrefix the vector is every column whose name starts with this, in natural order
   *     ({@code px2} before {@code px10}); or null
   * @param label the column holding the class name, or null (unlabelled data)
   * @param id the column holding a unique id, or null: ids are then {@code FILE:LINE}
   * @param vectorWidth the expected number of vector values, or 0 to take it from the first good row
   * @param fields the columns of the structured record, in order; empty when not used
   * @param allFields the structured record is every column that has no other role
   * @param categorical field columns that are categorical whatever their values
   * @param numeric field columns that must be numbers; a row with something else is skipped
   */
  public record Columns(String text, List<String> vector, String vectorPrefix, String label, String id,
      int vectorWidth, List<String> fields, boolean allFields, List<String> categorical, List<String> numeric) {

    public Columns {
      checkName("text", text);
      checkName("vectorPrefix", vectorPrefix);
      checkName("label", label);
      checkName("id", id);
      vector = names("vector", vector);
      fields = names("fields", fields);
      categorical = names("categorical", categorical);
      numeric = names("numeric", numeric);
      if (!vector.isEmpty() && vectorPrefix != null) {
        throw new IllegalArgumentException("vector and vectorPrefix: name the vector's columns or give their"
            + " prefix, not both");
      }
      if (!fields.isEmpty() && allFields) {
        throw new IllegalArgumentException("fields and allFields: name the field columns or take all, not both");
      }
      if (text == null && vector.isEmpty() && vectorPrefix == null && fields.isEmpty() && !allFields) {
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
      claim(roles, text, "text");
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

    /** The columns without structured fields, as before there were any. */
    public Columns(String text, List<String> vector, String vectorPrefix, String label, String id,
        int vectorWidth) {
      this(text, vector, vectorPrefix, label, id, vectorWidth, List.of(), false, List.of(), List.of());
    }

    private static void checkName(String setting, String name) {
      if (name != null && name.isBlank()) {
        throw new IllegalArgumentException(setting + " must not be blank (leave it unset instead)");
      }
    }

    private static List<String> names(String setting, List<String> names) {
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

    /** A structured record of these columns, in this order. */
    public static Columns ofFields(String... columns) {
      return new Columns(null, List.of(), null, null, null, 0, Arrays.asList(columns), false, List.of(), List.of());
    }

    /** A structured record of every column that has no other role, in the file's order. */
    public static Columns ofAllFields() {
      return new Columns(null, List.of(), null, null, null, 0, List.of(), true, List.of(), List.of());
    }

    // The with... methods return a copy with one setting changed, validated like any new Columns.

    public Columns withText(String column) {
      return new Columns(column, vector, vectorPrefix, label, id, vectorWidth, fields, allFields, categorical,
          numeric);
    }

    public Columns withVector(String... columns) {
      return new Columns(text, Arrays.asList(columns), null, label, id, vectorWidth, fields, allFields,
          categorical, numeric);
    }

    public Columns withVectorPrefix(String prefix) {
      return new Columns(text, List.of(), prefix, label, id, vectorWidth, fields, allFields, categorical, numeric);
    }

    public Columns withLabel(String column) {
      return new Columns(text, vector, vectorPrefix, column, id, vectorWidth, fields, allFields, categorical,
          numeric);
    }

    public Columns withId(String column) {
      return new Columns(text, vector, vectorPrefix, label, column, vectorWidth, fields, allFields, categorical,
          numeric);
    }

    public Columns withVectorWidth(int width) {
      return new Columns(text, vector, vectorPrefix, label, id, width, fields, allFields, categorical, numeric);
    }

    public Columns withFields(String... columns) {
      return new Columns(text, vector, vectorPrefix, label, id, vectorWidth, Arrays.asList(columns), false,
          categorical, numeric);
    }

    public Columns withAllFields() {
      return new Columns(text, vector, vectorPrefix, label, id, vectorWidth, List.of(), true, categorical,
          numeric);
    }

    public Columns withCategorical(String... columns) {
      return new Columns(text, vector, vectorPrefix, label, id, vectorWidth, fields, allFields,
          Arrays.asList(columns), numeric);
    }

    public Columns withNumeric(String... columns) {
      return new Columns(text, vector, vectorPrefix, label, id, vectorWidth, fields, allFields, categorical,
          Arrays.asList(columns));
    }

    boolean hasVector() {
      return !vector.isEmpty() || vectorPrefix != null;
    }

    boolean hasFields() {
      return !fields.isEmpty() || allFields;
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

    /** Whether {@code column} has a role other than field (with a prefix, any column that has it). */
    boolean hasOtherRole(String column) {
      return column.equals(text) || column.equals(label) || column.equals(id) || vector.contains(column)
          || (vectorPrefix != null && column.startsWith(vectorPrefix));
    }
  }

  /** Compares names so that digit runs compare as numbers: px2 before px10. */
  static final Comparator<String> NATURAL_ORDER = TabularSource::compareNatural;

  private final String name;
  /** Per example, its id from the id column, or null when it is {@code NAME:LINE} (made when asked). */
  private final String[] ids;
  private final int[] lines;
  private final String[] texts;
  private final float[][] vectors;
  private final String[] labels;
  private final List<String> classes;
  private final SkipReport skipped;
  private final String[] fieldNames;
  private final int[][] fieldCodes;
  /** Per field, the value of each code: a Double, a String, or null (a code only bad rows used). */
  private final Object[][] fieldValues;
  private final Map<String, FieldType> fieldTypes;
  private final Map<String, Integer> fieldPositions;

  private TabularSource(String name, Loader loader) {
    this.name = name;
    this.ids = loader.ids.toArray(String[]::new);
    this.lines = loader.lines.stream().mapToInt(Integer::intValue).toArray();
    this.texts = loader.texts.toArray(String[]::new);
    this.vectors = loader.vectors.toArray(float[][]::new);
    this.labels = loader.labels.toArray(String[]::new);
    this.classes = List.copyOf(loader.classes);
    this.skipped = loader.skipped;
    this.fieldCodes = loader.fieldCodes.toArray(int[][]::new);
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

  /**
   * Reads {@code file}, its format told by its extension.
   *
   * @throws IllegalArgumentException when the extension is not a known one
   * @throws DatasetException when the file cannot be read, or (CSV) has no header or lacks a configured column
   */
  public static TabularSource read(Path file, Columns columns) {
    return read(file, columns, FileOptions.DEFAULT);
  }

  /**
   * Reads {@code file} in the given format.
   *
   * @throws DatasetException when the file cannot be read, or (CSV) has no header or lacks a configured column
   */
  public static TabularSource read(Path file, Format format, Columns columns) {
    return read(file, columns, FileOptions.DEFAULT.withFormat(Objects.requireNonNull(format, "format")));
  }

  /**
   * Reads {@code file} laid out as {@code options} say.
   *
   * @throws IllegalArgumentException when the format is not given and the extension is not a known one,
   *     or when CSV-only options are given for JSON Lines
   * @throws DatasetException when the file cannot be read, or (CSV) has no header, lacks a configured
   *     column or has another number of columns than named
   */
  public static TabularSource read(Path file, Columns columns, FileOptions options) {
    Objects.requireNonNull(columns, "columns");
    Objects.requireNonNull(options, "options");
    Format format = options.format() != null ? options.format() : Format.fromFileName(file.getFileName().toString());
    if (format == Format.JSON_LINES && (!options.header() || !options.columnNames().isEmpty())) {
      throw new IllegalArgumentException(file + ": a header line and column names apply to CSV files only;"
          + " JSON Lines name their values");
    }
    long started = System.nanoTime();
    String fileName = file.getFileName().toString();
    String name = options.name() != null ? options.name() : fileName;
    Loader loader = new Loader(fileName, name, columns);
    try (Reader in = Inputs.openText(file)) {
      if (format == Format.CSV) {
        readCsv(file, new CsvReader(in, options.maxLineChars()), options, loader);
      } else {
        readJsonLines(new LineReader(in, options.maxLineChars()), loader);
      }
    } catch (NoSuchFileException e) {
      throw new DatasetException(file + " does not exist", e);
    } catch (IOException e) {
      throw new DatasetException("cannot read " + file + ": " + e, e);
    }
    loader.finish(file);
    TabularSource source = new TabularSource(name, loader);
    if (source.skipped.count() > 0) {
      LOGGER.atWarn().addKeyValue("source", fileName).addKeyValue("skipped", source.skipped.count())
          .log("lines skipped: " + source.skipped);
    }
    LOGGER.atInfo().addKeyValue("source", fileName).addKeyValue("format", format)
        .addKeyValue("examples", source.size()).addKeyValue("skipped", source.skipped.count())
        .addKeyValue("fields", source.fieldTypes.size())
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

  private static void readJsonLines(LineReader in, Loader loader) throws IOException {
    int lineNumber = 0;
    for (String line = in.readLine(); line != null; line = in.readLine()) {
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
      loader.accept(lineNumber, new JsonRow(node));
    }
  }

  /** Jackson's message without its source location (the line is named, the character given). */
  private static String jsonError(JsonProcessingException e) {
    return JSON_LOCATION.matcher(e.getOriginalMessage()).replaceAll("");
  }

  private static final Pattern JSON_LOCATION = Pattern.compile("\\s*\\(start marker at \\[Source:[^\\]]*\\][^)]*\\)");

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

  private static void readCsv(Path file, CsvReader csv, FileOptions options, Loader loader) throws IOException {
    List<String> names = options.columnNames();
    CsvReader.Record firstData = null;
    if (options.header()) {
      List<String> header;
      try {
        header = csv.readHeader();
      } catch (DatasetException e) {
        throw new DatasetException(file + ": " + e.getMessage() + "; if the file has no header line, give"
            + " --no-header", e);
      }
      if (header == null) {
        throw new DatasetException(file + " is empty: a CSV file needs a header row naming its columns, or"
            + " --no-header with the names given (--columns) or none (c0, c1, ...)");
      }
      if (names.isEmpty()) {
        names = header.stream().map(String::strip).toList();
      } else if (names.size() != header.size()) {
        throw new DatasetException(file + ": its header has " + header.size() + " columns but " + names.size()
            + " column names are given; give one name per column, or --no-header if the first line is data");
      }
    } else {
      // Without a header, the first well-formed record fixes the width (or must match the names).
      for (CsvReader.Record record = csv.next(); record != null; record = csv.next()) {
        if (record.malformed()) {
          loader.skip(record.line(), null, "malformed CSV: " + record.error());
          continue;
        }
        firstData = record;
        break;
      }
      if (firstData == null) {
        throw new DatasetException(file + (loader.skipped.count() == 0 ? " is empty"
            : " has no well-formed CSV record; the first reasons: " + loader.skipped.firstReasons()));
      }
      int width = firstData.fields().size();
      if (names.isEmpty()) {
        List<String> generated = new ArrayList<>(width);
        for (int i = 0; i < width; i++) {
          generated.add("c" + i);
        }
        names = generated;
        csv.expectFields(width, "line " + firstData.line() + " has %d");
      } else if (names.size() != width) {
        throw new DatasetException(file + ": line " + firstData.line() + " has " + width + " fields but "
            + names.size() + " column names are given; give one name per column");
      } else {
        csv.expectFields(width, "%d column names are given");
      }
    }
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      if (index.putIfAbsent(names.get(i), i) != null) {
        throw new DatasetException(file + ": the header names column '" + names.get(i) + "' twice");
      }
    }
    checkColumns(file, options.header() && options.columnNames().isEmpty(), index.keySet(), loader.columns);
    loader.fixFieldColumns(file, index);
    if (firstData != null) {
      loader.accept(firstData.line(), new CsvRow(index, firstData.fields()));
    }
    for (CsvReader.Record record = csv.next(); record != null; record = csv.next()) {
      if (record.malformed()) {
        loader.skip(record.line(), null, "malformed CSV: " + record.error());
      } else {
        loader.accept(record.line(), new CsvRow(index, record.fields()));
      }
    }
  }

  /** Fails, naming the file, when a configured column is not among the file's. */
  private static void checkColumns(Path file, boolean fromHeader, Set<String> available, Columns columns) {
    List<String> missing = new ArrayList<>();
    List<String> wanted = new ArrayList<>(Arrays.asList(columns.text(), columns.label(), columns.id()));
    wanted.addAll(columns.vector());
    wanted.addAll(columns.fields());
    wanted.addAll(columns.categorical());
    wanted.addAll(columns.numeric());
    for (String column : wanted) {
      if (column != null && !available.contains(column) && !missing.contains(column)) {
        missing.add(column);
      }
    }
    String listed = (fromHeader ? "; its header has: " : "; its columns are: ") + list(available);
    if (!missing.isEmpty()) {
      boolean headerLooksLikeData = fromHeader && available.stream().anyMatch(c -> NUMBER.matcher(c).matches());
      throw new DatasetException(file + " has no column " + String.join(", ", missing) + listed
          + (headerLooksLikeData ? " (numbers: if its first line is data, not names, give --no-header)" : ""));
    }
    if (columns.vectorPrefix() != null && columns.vectorColumns(available).isEmpty()) {
      throw new DatasetException(file + " has no column starting with '" + columns.vectorPrefix()
          + "' for the vector" + listed);
    }
  }

  private static String list(Iterable<String> names) {
    List<String> all = new ArrayList<>();
    names.forEach(all::add);
    if (all.size() <= LISTED_COLUMNS) {
      return String.join(", ", all);
    }
    return String.join(", ", all.subList(0, LISTED_COLUMNS)) + " (and " + (all.size() - LISTED_COLUMNS)
        + " more)";
  }

  /** A CSV record; values are Strings, an empty field counts as absent. */
  private record CsvRow(Map<String, Integer> index, List<String> fields) implements Row {
    @Override
    public Object get(String column) {
      Integer i = index.get(column);
      return i == null ? null : get(i.intValue());
    }

    @Override
    public Object get(int position) {
      String value = fields.get(position);
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

    /** CSV: the value at a position, as {@link #get(String)}. */
    default Object get(int position) {
      throw new UnsupportedOperationException("values by position are for CSV records");
    }

    Iterable<String> columns();
  }

  /** Why a row is skipped, and the column at fault if one is; no stack trace, it is control flow. */
  private static final class BadRow extends Exception {
    private static final long serialVersionUID = 1L;
    final String column;

    BadRow(String reason) {
      this(null, reason);
    }

    BadRow(String column, String reason) {
      super(reason, null, false, false);
      this.column = column;
    }
  }

  /**
   * The distinct values of one field column and what they are, so that the column's type can be
   * decided once all rows are read. Not thread-safe.
   */
  private static final class FieldColumn {
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
    String firstOther;

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
      numbers[next] = parseNumber(value);
      return next;
    }

    boolean isNumber(int code) {
      return !Double.isNaN(numbers[code]);
    }

    /** Counts a value of a row that is kept. */
    void count(int code, int line) {
      if (isNumber(code)) {
        numericCells++;
      } else {
        otherCells++;
        if (firstOtherLine < 0) {
          firstOtherLine = line;
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

    private static double parseNumber(String value) {
      if (!NUMBER.matcher(value).matches()) {
        return Double.NaN;
      }
      double number = Double.parseDouble(value);
      return Double.isFinite(number) ? number : Double.NaN;
    }
  }

  /** Turns rows into examples, keeps the good ones and reports the rest. Not thread-safe. */
  private static final class Loader {
    final String fileName;
    final String sourceName;
    final Columns columns;
    final List<String> ids = new ArrayList<>();
    final List<Integer> lines = new ArrayList<>();
    final List<String> texts = new ArrayList<>();
    final List<float[]> vectors = new ArrayList<>();
    final List<String> labels = new ArrayList<>();
    final List<int[]> fieldCodes = new ArrayList<>();
    final Set<String> classes = new LinkedHashSet<>();
    final Map<String, Integer> idLines = new HashMap<>();
    final SkipReport skipped = new SkipReport();
    final List<FieldColumn> fieldColumns = new ArrayList<>();
    final Map<String, FieldColumn> fieldsByName = new HashMap<>();
    /** Whether the field columns are known (named, or fixed by a CSV header); else each row may add some. */
    boolean fieldColumnsFixed;
    int width;
    List<String> lastAvailable;
    List<String> lastVectorColumns;

    Loader(String fileName, String sourceName, Columns columns) {
      this.fileName = fileName;
      this.sourceName = sourceName;
      this.columns = columns;
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
      fieldColumns.add(field);
      fieldsByName.put(column, field);
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

    void skip(int line, String column, String reason) {
      skipped.skip(fileName + " line " + line + (column == null ? "" : ", column '" + column + "'"), reason);
    }

    void accept(int line, Row row) {
      try {
        String text = columns.text() == null ? null : scalar(row, columns.text());
        boolean otherPayload = columns.hasVector() || columns.hasFields();
        if (text != null && text.isBlank()) {
          text = null;
          if (!otherPayload) {
            throw new BadRow(columns.text(), "text is empty");
          }
        }
        float[] vector = columns.hasVector() ? vector(row) : null;
        int[] codes = columns.hasFields() ? fields(row) : null;
        if (text == null && vector == null && (codes == null || allMissing(codes))) {
          throw new BadRow(noPayload());
        }
        if (vector != null && width > 0 && vector.length != width) {
          throw new BadRow("vector has " + vector.length + " values, expected " + width);
        }
        String label = columns.label() == null ? null : scalar(row, columns.label());
        if (label != null && label.isBlank()) {
          label = null;
        }
        String id = null;
        // Without an id column, ids are NAME:LINE, unique by construction: neither kept nor checked.
        if (columns.id() != null) {
          id = scalar(row, columns.id());
          if (id == null || id.isBlank()) {
            id = sourceName + ":" + line;
          }
          Integer firstLine = idLines.putIfAbsent(id, line);
          if (firstLine != null) {
            throw new BadRow(columns.id(), "id '" + id + "' was already used on line " + firstLine);
          }
        }
        if (vector != null && width == 0) {
          width = vector.length; // the first good row fixes the width
        }
        if (codes != null) {
          for (int f = 0; f < codes.length; f++) {
            if (codes[f] >= 0) {
              fieldColumns.get(f).count(codes[f], line);
            }
          }
        }
        ids.add(id);
        lines.add(line);
        texts.add(text);
        vectors.add(vector);
        labels.add(label);
        fieldCodes.add(codes);
        if (label != null) {
          classes.add(label);
        }
      } catch (BadRow e) {
        skip(line, e.column, e.getMessage());
      }
    }

    private String noPayload() {
      List<String> parts = new ArrayList<>();
      if (columns.text() != null) {
        parts.add("text (column '" + columns.text() + "')");
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
    private int[] fields(Row row) throws BadRow {
      if (!fieldColumnsFixed) {
        for (String column : row.columns()) {
          if (!columns.hasOtherRole(column)) {
            addFieldColumn(column);
          }
        }
      }
      int[] codes = new int[fieldColumns.size()];
      for (int f = 0; f < codes.length; f++) {
        FieldColumn field = fieldColumns.get(f);
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

    /** A field's value as written, stripped; null when missing. */
    private static String fieldValue(Row row, FieldColumn field) throws BadRow {
      String column = field.name;
      Object value = field.position >= 0 ? row.get(field.position) : row.get(column);
      String written;
      if (value == null) {
        return null;
      } else if (value instanceof String s) {
        written = s;
      } else {
        JsonNode node = (JsonNode) value;
        if (!node.isValueNode()) {
          throw new BadRow(column, "holds " + (node.isArray() ? "an array" : "an object") + ", not a value");
        }
        written = node.asText();
      }
      written = written.strip();
      return written.length() <= 4 && MISSING.contains(written) ? null : written;
    }

    /** After the last row: every column forced to a type must exist. */
    void finish(Path file) {
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
                  + abbreviate(field.firstOther) + "' (" + fileName + " line " + field.firstOtherLine + "), though "
                  + Math.round(100.0 * field.numericCells / present) + "% of its values are numbers; force it with"
                  + " --numeric-columns to skip such rows, or --categorical-columns to keep it so");
        }
      }
    }

    int size() {
      return ids.size();
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
    private static String scalar(Row row, String column) throws BadRow {
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
      throw new BadRow(column, "holds " + (node.isArray() ? "an array" : "an object") + ", not a value");
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
      for (String token : LIST_SEPARATOR.split(list)) {
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
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
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

  /**
   * The example at {@code index}; its vector is shared, callers must not change it. Its fields, when
   * the source has any, are a new unmodifiable map in the columns' order with every field (null
   * when missing), equal to any map of the same entries.
   */
  @Override
  public Example get(int index) {
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

  /** The field columns and their types, in the file's order (see the class comment for the rule). */
  @Override
  public Map<String, FieldType> fieldTypes() {
    return fieldTypes;
  }
}
