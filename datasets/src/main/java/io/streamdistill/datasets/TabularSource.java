package io.streamdistill.datasets;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
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
 * <p>A label is stripped of surrounding spaces, so that {@code " billing"} and {@code "billing"} are
 * one class.
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
 * 'src_bytes': 'abc' is not a number (the column is numeric)}); reading goes on after them. A bad
 * line is: malformed JSON or CSV, a line longer than {@link FileOptions#maxLineChars()}, no payload
 * (no text, no vector, no field with a value), an empty text (when there is no vector or field), a
 * vector of another width than the first good row's (or the configured one), a vector value that
 * is not a finite number, a non-number in a forced numeric column, an array or object where a
 * value belongs, a duplicate id.
 * (A row whose label is empty, blank, absent or JSON null is kept, unlabelled.)
 * Blank lines are ignored. A problem of the whole file (missing, no such column, a header that
 * disagrees with the configured names) is a {@link DatasetException} naming the file.
 *
 * <p>Everything is read into memory at construction (a field value as an int code into its column's
 * distinct values); immutable and thread-safe afterwards.
 *
 * <p>Its length (about 620 lines, 360 of code, with the records of its options and the enum of formats): most of it
 * is the user documentation of what a row may hold and why one is refused, kept next to the code that decides it.
 */
public final class TabularSource implements ExampleSource {
  /** The logger of a tabular load: what reading a file warns about (CsvRows, Inputs, TabularLoader) is said here. */
  static final Logger LOGGER = LoggerFactory.getLogger(TabularSource.class);
  /**
   * The share of the heap a file's rows may take, in percent: a 1.3 GB CSV of 6,000,000 texts (about 2.2 GB held,
   * as estimated) was read, and its teacher trained, in a 4 GB heap; in 1.5 GB the reading ran out of memory.
   */
  static final int HEAP_PERCENT = 60;

  /** The bytes a data set held in memory may take: {@value #HEAP_PERCENT}% of this JVM's heap. */
  static long memoryBudget() {
    return Runtime.getRuntime().maxMemory() / 100 * HEAP_PERCENT;
  }

  /** The heap to ask for when a data set does not fit: {@code JAVA_OPTS=-Xmx...}, twice this one's, at least 2g. */
  static String largerHeap() {
    return "JAVA_OPTS=-Xmx" + Math.max(2, 2 * ((Runtime.getRuntime().maxMemory() >> 30) + 1)) + "g";
  }
  /** The values of a field that mean "missing". */
  public static final Set<String> MISSING = Set.of("", "?", "NA", "N/A", "NaN", "null");

  /** The file formats. */
  public enum Format {
    /**
     * One JSON object per line ({@code .jsonl}, {@code .ndjson}, {@code .json-lines}, {@code .json}), or a JSON
     * array of objects (whatever the extension: told by its first character, {@code [}).
     */
    JSON_LINES,
    /**
     * Comma-separated values, RFC 4180 quoting ({@code .csv}), with a header row or not; also
     * tab-separated ({@code .tsv}, {@code .tab}) and other delimiters ({@link FileOptions#delimiter}).
     */
    CSV,
    /**
     * fastText's supervised format ({@code __label__pos a text ...}, one example a line): columns {@code label}
     * and {@code text} ({@link FastTextRows}). Told by its first characters, or {@code --format fasttext}.
     */
    FASTTEXT,
    /**
     * Weka's ARFF ({@code .arff}, as OpenML serves data sets): the columns its {@code @attribute} lines name, the
     * records after {@code @data} ({@link ArffRows}).
     */
    ARFF,
    /**
     * Apache Parquet ({@code .parquet}, or told by its magic bytes), as pandas, pyarrow and HuggingFace's datasets
     * write tables: each row read as the JSON object it would be ({@link ParquetRows}).
     */
    PARQUET,
    /**
     * An Excel workbook ({@code .xlsx}, {@code .xlsm}): its first sheet, its first row the columns' names
     * ({@link ExcelRows}). The older binary {@code .xls} is not read.
     */
    EXCEL;

    /**
     * The format a file name's extension stands for; a trailing {@code .gz}, {@code .bz2} or {@code .zst} is ignored.
     *
     * @throws IllegalArgumentException when the extension is none of the known ones
     */
    public static Format fromFileName(String fileName) {
      String lower = Inputs.baseName(fileName).toLowerCase(Locale.ROOT);
      if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson") || lower.endsWith(".json-lines")
          || lower.endsWith(".json")) {
        return JSON_LINES;
      }
      if (lower.endsWith(".csv") || lower.endsWith(".tsv") || lower.endsWith(".tab")) {
        return CSV;
      }
      if (lower.endsWith(".arff")) {
        return ARFF;
      }
      if (lower.endsWith(".parquet") || lower.endsWith(".pq")) {
        return PARQUET;
      }
      if (lower.endsWith(".xlsx") || lower.endsWith(".xlsm")) {
        return EXCEL;
      }
      throw new IllegalArgumentException("cannot tell the format of '" + fileName + "' from its extension:"
          + " expected .csv, .tsv, .jsonl, .ndjson, .json-lines, .json, .arff (optionally .gz, .bz2 or .zst),"
          + " .parquet or .xlsx; give the format explicitly (--format csv, for any delimited text, or --format jsonl)");
    }

    /** The endings of tables in a binary format pandas writes, which this reader does not read. */
    static final List<String> BINARY_TABLES = List.of(".xls", ".feather", ".arrow");

    /** Whether a file of this name holds a table: one {@link #fromFileName} tells, or a binary one. */
    static boolean namesTable(String fileName) {
      try {
        fromFileName(fileName);
        return true;
      } catch (IllegalArgumentException notOurs) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        return BINARY_TABLES.stream().anyMatch(lower::endsWith);
      }
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
   * @param delimiter CSV: the field separator, or 0 to tell it by the extension ({@code .tsv}: tab)
   *     or from the first lines ({@link Delimiters})
   * @param sample the rows kept at most, a uniform random sample of the file's good rows (every row is read; the
   *     same sample each time), in the file's order; 0 keeps every row
   */
  public record FileOptions(Format format, boolean header, List<String> columnNames, String name,
      int maxLineChars, char delimiter, int sample) {
    /** By the file name, with a header, its names, lines up to {@link LineReader#DEFAULT_MAX_CHARS}. */
    public static final FileOptions DEFAULT = new FileOptions(null, true, List.of(), null,
        LineReader.DEFAULT_MAX_CHARS, Delimiters.AUTO);
    /** CSV with a header. */
    public static final FileOptions CSV = DEFAULT.withFormat(Format.CSV);

    public FileOptions {
      columnNames = ColumnRules.fileColumnNames(columnNames);
      ColumnRules.checkName("name", name);
      if (maxLineChars <= 0) {
        throw new IllegalArgumentException("maxLineChars must be positive, was " + maxLineChars);
      }
      if (sample < 0) {
        throw new IllegalArgumentException("sample must be 0 (every row) or positive, was " + sample);
      }
    }

    /** Every row kept. */
    public FileOptions(Format format, boolean header, List<String> columnNames, String name, int maxLineChars,
        char delimiter) {
      this(format, header, columnNames, name, maxLineChars, delimiter, 0);
    }

    public FileOptions withFormat(Format newFormat) {
      return new FileOptions(newFormat, header, columnNames, name, maxLineChars, delimiter, sample);
    }

    /** CSV: the first line is data. */
    public FileOptions withoutHeader() {
      return new FileOptions(format, false, columnNames, name, maxLineChars, delimiter, sample);
    }

    public FileOptions withColumnNames(List<String> names) {
      return new FileOptions(format, header, names, name, maxLineChars, delimiter, sample);
    }

    public FileOptions withName(String newName) {
      return new FileOptions(format, header, columnNames, newName, maxLineChars, delimiter, sample);
    }

    public FileOptions withMaxLineChars(int chars) {
      return new FileOptions(format, header, columnNames, name, chars, delimiter, sample);
    }

    /** At most {@code rows} rows kept, a uniform random sample (0: every row). */
    public FileOptions withSample(int rows) {
      return new FileOptions(format, header, columnNames, name, maxLineChars, delimiter, rows);
    }
  }

  /**
   * Which columns (CSV column names, JSON keys) hold what. Text, vector and fields are each
   * optional, but at least one of them must be configured; the vector's columns are named
   * explicitly or by a prefix.
   *
   * @param text the columns holding the text, in order; several (a title and a body) are one text, their
   *     values joined by a line break; empty when not used
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
   * @param labelFlags instead of a label column, columns of 0/1 flags whose names are the classes (one-hot labels,
   *     or a multi-label set such as toxic, obscene, insult): a row's class is the first column holding 1 (a row
   *     with several counts as holding several classes), {@value #NO_FLAG} when none does; empty when not used
   */
  public record Columns(List<String> text, List<String> vector, String vectorPrefix, String label, String id,
      int vectorWidth, List<String> fields, boolean allFields, List<String> categorical, List<String> numeric,
      List<String> labelFlags) {

    /** The class of a row none of whose {@link #labelFlags} is set. */
    public static final String NO_FLAG = "none";

    public Columns {
      labelFlags = ColumnRules.names("labelFlags", labelFlags);
      if (!labelFlags.isEmpty() && (label != null || labelFlags.size() < 2)) {
        throw new IllegalArgumentException("labelFlags: two flag columns at least, and no label column beside them"
            + " (label " + label + ", flags " + labelFlags + ")");
      }
      for (String flag : labelFlags) {
        if ((text != null && text.contains(flag)) || flag.equals(id) || (vector != null && vector.contains(flag))
            || (fields != null && fields.contains(flag))) {
          throw new IllegalArgumentException("labelFlags: column '" + flag + "' has another role too");
        }
      }
      text = ColumnRules.names("text", text);
      ColumnRules.checkName("vectorPrefix", vectorPrefix);
      ColumnRules.checkName("label", label);
      ColumnRules.checkName("id", id);
      vector = ColumnRules.names("vector", vector);
      fields = ColumnRules.names("fields", fields);
      categorical = ColumnRules.names("categorical", categorical);
      numeric = ColumnRules.names("numeric", numeric);
      ColumnRules.check(text, vector, vectorPrefix, label, id, vectorWidth, fields, allFields, categorical,
          numeric);
    }

    /** The columns without structured fields, as before there were any. */
    public Columns(List<String> text, List<String> vector, String vectorPrefix, String label, String id,
        int vectorWidth) {
      this(text, vector, vectorPrefix, label, id, vectorWidth, List.of(), false, List.of(), List.of());
    }

    /** The columns with a label column (or none), no flags. */
    public Columns(List<String> text, List<String> vector, String vectorPrefix, String label, String id,
        int vectorWidth, List<String> fields, boolean allFields, List<String> categorical, List<String> numeric) {
      this(text, vector, vectorPrefix, label, id, vectorWidth, fields, allFields, categorical, numeric, List.of());
    }

    /** Text from these columns (several: their values joined by a line break), nothing else yet. */
    public static Columns ofText(String... columns) {
      return new Columns(Arrays.asList(columns), List.of(), null, null, null, 0);
    }

    /** A vector from these columns, in this order (one column may hold the whole vector as a list). */
    public static Columns ofVector(String... columns) {
      return new Columns(List.of(), Arrays.asList(columns), null, null, null, 0);
    }

    /** A vector from every column whose name starts with {@code prefix}, in natural order. */
    public static Columns ofVectorPrefix(String prefix) {
      return new Columns(List.of(), List.of(), prefix, null, null, 0);
    }

    /** A structured record of these columns, in this order. */
    public static Columns ofFields(String... columns) {
      return new Columns(List.of(), List.of(), null, null, null, 0, Arrays.asList(columns), false, List.of(),
          List.of());
    }

    /** A structured record of every column that has no other role, in the file's order. */
    public static Columns ofAllFields() {
      return new Columns(List.of(), List.of(), null, null, null, 0, List.of(), true, List.of(), List.of());
    }

    // The with... methods return a copy with one setting changed, validated like any new Columns.

    public Columns withText(String... columns) {
      return new Columns(Arrays.asList(columns), vector, vectorPrefix, label, id, vectorWidth, fields, allFields,
          categorical, numeric, labelFlags);
    }

    public Columns withVector(String... columns) {
      return new Columns(text, Arrays.asList(columns), null, label, id, vectorWidth, fields, allFields,
          categorical, numeric, labelFlags);
    }

    public Columns withVectorPrefix(String prefix) {
      return new Columns(text, List.of(), prefix, label, id, vectorWidth, fields, allFields, categorical, numeric,
          labelFlags);
    }

    public Columns withLabel(String column) {
      return new Columns(text, vector, vectorPrefix, column, id, vectorWidth, fields, allFields, categorical,
          numeric, column == null ? labelFlags : List.of());
    }

    /** The class from these 0/1 flag columns (the first set; {@value #NO_FLAG} when none is) rather than a label. */
    public Columns withLabelFlags(String... columns) {
      return new Columns(text, vector, vectorPrefix, null, id, vectorWidth, fields, allFields, categorical,
          numeric, Arrays.asList(columns));
    }

    /** Whether the class comes from a label column or from flag columns. */
    public boolean hasLabel() {
      return label != null || !labelFlags.isEmpty();
    }

    public Columns withId(String column) {
      return new Columns(text, vector, vectorPrefix, label, column, vectorWidth, fields, allFields, categorical,
          numeric, labelFlags);
    }

    public Columns withVectorWidth(int width) {
      return new Columns(text, vector, vectorPrefix, label, id, width, fields, allFields, categorical, numeric,
          labelFlags);
    }

    public Columns withFields(String... columns) {
      return new Columns(text, vector, vectorPrefix, label, id, vectorWidth, Arrays.asList(columns), false,
          categorical, numeric, labelFlags);
    }

    public Columns withAllFields() {
      return new Columns(text, vector, vectorPrefix, label, id, vectorWidth, List.of(), true, categorical,
          numeric, labelFlags);
    }

    public Columns withCategorical(String... columns) {
      return new Columns(text, vector, vectorPrefix, label, id, vectorWidth, fields, allFields,
          Arrays.asList(columns), numeric, labelFlags);
    }

    public Columns withNumeric(String... columns) {
      return new Columns(text, vector, vectorPrefix, label, id, vectorWidth, fields, allFields, categorical,
          Arrays.asList(columns), labelFlags);
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
        if (column.startsWith(vectorPrefix) && !text.contains(column) && !column.equals(label)
            && !column.equals(id) && !labelFlags.contains(column)) {
          matching.add(column);
        }
      }
      matching.sort(NATURAL_ORDER);
      return matching;
    }

    /** Whether {@code column} has a role other than field (with a prefix, any column that has it). */
    boolean hasOtherRole(String column) {
      return text.contains(column) || column.equals(label) || column.equals(id) || vector.contains(column)
          || (vectorPrefix != null && column.startsWith(vectorPrefix)) || labelFlags.contains(column);
    }
  }

  /** Compares names so that digit runs compare as numbers: px2 before px10. */
  static final Comparator<String> NATURAL_ORDER = NaturalOrder.COMPARATOR;

  // CsvRows or JsonLinesRows feed a TabularLoader (typing fields with FieldColumn, vectors with
  // VectorValues); what it kept becomes the TabularExamples this source reads from.
  private final TabularExamples examples;

  private TabularSource(TabularExamples examples) {
    this.examples = examples;
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
    return read(file, columns, options, memoryBudget(), null);
  }

  /**
   * As {@link #read(Path, Columns, FileOptions)}, telling {@code progress} how far the reading is every ten seconds
   * while it lasts longer.
   */
  public static TabularSource read(Path file, Columns columns, FileOptions options, Consumer<String> progress) {
    return read(file, columns, options, memoryBudget(), progress);
  }

  /**
   * As {@link #read(Path, Columns, FileOptions)}, the rows kept holding at most about {@code memoryBudget} bytes.
   *
   * @throws DatasetException when they would hold more, saying what to do
   */
  static TabularSource read(Path file, Columns columns, FileOptions options, long memoryBudget) {
    return read(file, columns, options, memoryBudget, null);
  }

  private static TabularSource read(Path file, Columns columns, FileOptions options, long memoryBudget,
      Consumer<String> progress) {
    Objects.requireNonNull(columns, "columns");
    Objects.requireNonNull(options, "options");
    Format format = options.format() != null ? options.format() : Format.fromFileName(file.getFileName().toString());
    if (format != Format.CSV && (!options.header() || !options.columnNames().isEmpty())) {
      throw new IllegalArgumentException(file + ": a header line and column names apply to CSV files only; "
          + FileFormats.notCsv(format));
    }
    long started = System.nanoTime();
    String fileName = file.getFileName().toString();
    TabularLoader loader = load(file, columns, options, format, memoryBudget, Integer.MAX_VALUE, progress);
    TabularSource source = new TabularSource(new TabularExamples(loader.sourceName, loader));
    if (source.skipped().count() > 0) {
      LOGGER.atWarn().addKeyValue("source", fileName).addKeyValue("skipped", source.skipped().count())
          .log("lines skipped: " + source.skipped());
    }
    LOGGER.atInfo().addKeyValue("source", fileName).addKeyValue("format", format)
        .addKeyValue("examples", source.size()).addKeyValue("skipped", source.skipped().count())
        .addKeyValue("fields", source.fieldTypes().size())
        .addKeyValue("millis", (System.nanoTime() - started) / 1_000_000).log("tabular data set read");
    return source;
  }

  /**
   * Reads the rows of {@code file} into a loader, at most {@code maxRows} kept (the first rows of a file are a
   * sample of its columns: {@link PayloadGuess}).
   */
  static TabularLoader load(Path file, Columns columns, FileOptions options, Format format, long memoryBudget,
      int maxRows) {
    return load(file, columns, options, format, memoryBudget, maxRows, null);
  }

  private static TabularLoader load(Path file, Columns columns, FileOptions options, Format format,
      long memoryBudget, int maxRows, Consumer<String> progress) {
    String fileName = file.getFileName().toString();
    String name = options.name() != null ? options.name() : fileName;
    // A guess's first rows are the file's first rows, not a sample of them.
    TabularLoader loader = new TabularLoader(fileName, name, columns, memoryBudget, maxRows,
        maxRows == Integer.MAX_VALUE ? options.sample() : 0);
    loader.progress = new ReadingProgress(progress);
    List<Path> shards = Shards.of(file);
    if (shards.size() > 1 && maxRows == Integer.MAX_VALUE) {
      String said = String.format(Locale.ROOT, "%s is one of %d shards of a split: reading them all (%s ... %s)",
          fileName, shards.size(), shards.get(0).getFileName(), shards.get(shards.size() - 1).getFileName());
      LOGGER.atInfo().addKeyValue("source", fileName).addKeyValue("shards", shards.size()).log(said);
      if (progress != null) {
        progress.accept("  " + said);
      }
    }
    for (Path shard : shards) {
      if (loader.full()) {
        break;
      }
      loader.nextFile(shard.getFileName().toString());
      readInto(shard, options, format, loader);
    }
    loader.finish(file);
    return loader;
  }

  /** Feeds the rows of one file (or shard) to {@code loader}. */
  private static void readInto(Path file, FileOptions options, Format format, TabularLoader loader) {
    if (format == Format.PARQUET || format == Format.EXCEL) {
      try {
        if (format == Format.PARQUET) {
          ParquetRows.read(file, loader);
        } else {
          ExcelRows.read(file, loader);
        }
      } catch (NoSuchFileException e) {
        throw new DatasetException(file + " does not exist", e);
      } catch (IOException e) {
        throw new DatasetException("cannot read " + file + ": " + e.getMessage(), e);
      }
      return;
    }
    try (Reader in = new BufferedReader(Inputs.openText(file), Delimiters.SNIFF_CHARS)) {
      if (format == Format.CSV) {
        char delimiter = Delimiters.choose(file, in, options.delimiter());
        if (delimiter == ';' && Delimiters.writesDecimalCommas(in)) {
          loader.useDecimalComma();
        }
        CsvRows.read(file, new CsvReader(in, options.maxLineChars(), delimiter), options, loader);
      } else if (format == Format.ARFF) {
        ArffRows.read(file, new LineReader(in, options.maxLineChars()), loader);
      } else if (format == Format.FASTTEXT) {
        FastTextRows.read(file, new LineReader(in, options.maxLineChars()), loader);
      } else if (JsonDocument.isDocument(file, options.maxLineChars())) {
        JsonLinesRows.readDocument(file, loader);
      } else if (JsonLinesRows.startsArray(in)) {
        JsonLinesRows.readArray(in, loader);
      } else {
        JsonLinesRows.read(new LineReader(in, options.maxLineChars()), loader);
      }
    } catch (NoSuchFileException e) {
      throw new DatasetException(file + " does not exist", e);
    } catch (IOException e) {
      throw new DatasetException("cannot read " + file + ": " + e, e);
    }
  }

  @Override
  public String name() {
    return examples.name;
  }

  @Override
  public int size() {
    return examples.size();
  }

  /**
   * The example at {@code index}; its vector is shared, callers must not change it. Its fields, when
   * the source has any, are a new unmodifiable map in the columns' order with every field (null
   * when missing), equal to any map of the same entries.
   */
  @Override
  public Example get(int index) {
    return examples.get(index);
  }

  @Override
  public String label(int index) {
    return examples.label(index);
  }

  /** The distinct labels in the order they were first seen. */
  @Override
  public List<String> classes() {
    return examples.classes;
  }

  /** The lines that were skipped; filled while reading, not changed afterwards. */
  @Override
  public SkipReport skipped() {
    return examples.skipped;
  }

  /** The field columns and their types, in the file's order (see the class comment for the rule). */
  @Override
  public Map<String, FieldType> fieldTypes() {
    return examples.fieldTypes;
  }
}
