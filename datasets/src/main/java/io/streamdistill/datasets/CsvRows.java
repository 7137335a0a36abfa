package io.streamdistill.datasets;

import static io.streamdistill.datasets.TabularValues.NUMBER;

import io.streamdistill.datasets.TabularSource.Columns;
import io.streamdistill.datasets.TabularSource.FileOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;

/**
 * Reads a CSV file into a {@link TabularLoader}: the columns' names from the header, the given
 * names or {@code c0, c1, ...}, checked against the configured columns; malformed records skipped.
 */
final class CsvRows {
  private static final int LISTED_COLUMNS = 20;
  private static final Logger LOGGER = TabularSource.LOGGER;

  private CsvRows() {}

  /**
   * A header's names, stripped, each distinct, as pandas names them: a blank one {@code Unnamed: i} (its index
   * from 0), a repeated one {@code name.1}, {@code name.2}, ... (Kaggle's {@code spam.csv} has three blank ones;
   * a headerless file read with a header repeats its first row's values, which the payload guess then tells
   * apart from names).
   */
  static List<String> headerNames(Path file, List<String> header) {
    List<String> names = new ArrayList<>(header.size());
    Set<String> taken = new HashSet<>();
    header.forEach(name -> taken.add(name.strip()));
    List<String> renamed = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < header.size(); i++) {
      String name = header.get(i).strip();
      String given = name;
      if (name.isEmpty()) {
        given = "Unnamed: " + i;
      } else if (!seen.add(name)) {
        for (int k = 1; taken.contains(given); k++) {
          given = name + "." + k;
        }
      }
      if (!given.equals(name)) {
        taken.add(given);
        seen.add(given);
        renamed.add("column " + (i + 1) + (name.isEmpty() ? " (no name)" : " ('" + name + "' again)") + " is '"
            + given + "'");
      }
      names.add(given);
    }
    if (!renamed.isEmpty()) {
      LOGGER.atWarn().addKeyValue("file", file).log("header names renamed: " + String.join(", ", renamed));
    }
    return names;
  }

  static void read(Path file, CsvReader csv, FileOptions options, TabularLoader loader) throws IOException {
    List<String> names = options.columnNames();
    CsvReader.CsvRecord firstData = null;
    CsvReader.CsvRecord secondData = null;
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
        names = headerNames(file, header);
      } else if (names.size() != header.size()) {
        throw new DatasetException(file + ": its header has " + header.size() + " columns but " + names.size()
            + " column names are given; give one name per column, or --no-header if the first line is data");
      }
    } else {
      // Without a header, the first well-formed record fixes the width (or must match the names).
      firstData = nextWellFormed(csv, loader);
      if (firstData == null) {
        throw new DatasetException(file + (loader.skipped.count() == 0 ? " is empty"
            : " has no well-formed CSV record; the first reasons: " + loader.skipped.firstReasons()));
      }
      if (names.isEmpty() && firstData.fields().size() <= TITLE_FIELDS) {
        // UCI's adult.test opens with "|1x3 Cross validator": a title line, whose one field would fix the width.
        secondData = nextWellFormed(csv, loader);
        if (secondData != null && secondData.fields().size() > firstData.fields().size()) {
          loader.skip(firstData.line(), null, "a title line: " + firstData.fields().size() + " field"
              + (firstData.fields().size() == 1 ? "" : "s") + " where the next line has " + secondData.fields().size());
          firstData = secondData;
          secondData = null;
        }
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
    if (firstData != null && repeats(firstData.fields(), names)) {
      // --no-header on a file whose first line names the columns given: that line is a header, not a row of
      // one more class; skipped and counted, with the reason.
      loader.skip(firstData.line(), null, "the line repeats the column names given, so it is a header; without"
          + " --no-header it is read as one");
      firstData = null;
    }
    if (firstData != null) {
      loader.accept(firstData.line(), new CsvRow(index, firstData.fields()));
    }
    if (secondData != null) {
      // Read ahead to tell a title line (it was none): checked as the reader checks every later record.
      if (secondData.fields().size() != names.size()) {
        loader.skip(secondData.line(), null, "malformed CSV: has " + secondData.fields().size() + " fields, line "
            + firstData.line() + " has " + names.size());
      } else {
        loader.accept(secondData.line(), new CsvRow(index, secondData.fields()));
      }
    }
    List<String> headerLike = firstData != null && !anyNumber(firstData.fields()) ? firstData.fields() : null;
    for (CsvReader.CsvRecord record = csv.next(); record != null && !loader.full(); record = csv.next()) {
      if (record.malformed()) {
        loader.skip(record.line(), null, "malformed CSV: " + record.error());
      } else {
        if (headerLike != null) {
          warnIfHeader(file, firstData.line(), headerLike, record.fields(), names);
          headerLike = null;
        }
        loader.accept(record.line(), new CsvRow(index, record.fields()));
      }
    }
  }

  /** The fields a headerless file's first line has at most to be taken for a title when the next line has more. */
  static final int TITLE_FIELDS = 1;

  /** The next well-formed record, the malformed ones before it skipped with their reasons; null at the end. */
  private static CsvReader.CsvRecord nextWellFormed(CsvReader csv, TabularLoader loader) throws IOException {
    for (CsvReader.CsvRecord record = csv.next(); record != null; record = csv.next()) {
      if (!record.malformed()) {
        return record;
      }
      loader.skip(record.line(), null, "malformed CSV: " + record.error());
    }
    return null;
  }

  /** Whether a record holds exactly the column names (a header line), ignoring case and spaces around them. */
  private static boolean repeats(List<String> fields, List<String> names) {
    if (fields.size() != names.size()) {
      return false;
    }
    for (int i = 0; i < fields.size(); i++) {
      String field = fields.get(i);
      if (field == null || !field.strip().equalsIgnoreCase(names.get(i).strip())) {
        return false;
      }
    }
    return true;
  }

  private static boolean anyNumber(List<String> fields) {
    return fields.stream().anyMatch(CsvRows::isNumber);
  }

  private static boolean isNumber(String value) {
    return value != null && NUMBER.matcher(value.strip()).matches();
  }

  /**
   * With --no-header, the first line is read as data; when it holds no number but the next line has one
   * where the first has text, it is likely a header: said, not decided (a line of text values can be data).
   */
  private static void warnIfHeader(Path file, int line, List<String> first, List<String> next, List<String> names) {
    for (int i = 0; i < Math.min(first.size(), next.size()); i++) {
      String value = next.get(i);
      String above = first.get(i);
      if (isNumber(value) && above != null && !above.isBlank()) {
        LOGGER.atWarn().addKeyValue("file", file).log("line " + line + " looks like a header: its column "
            + names.get(i) + " holds '" + above.strip() + "' where the next line has the number " + value.strip()
            + "; it is read as data (--no-header): if it names the columns, drop --no-header (a label column's"
            + " value there would be a class of one example)");
        return;
      }
    }
  }

  /** Fails, naming the file, when a configured column is not among the file's. */
  static void checkColumns(Path file, boolean fromHeader, Set<String> available, Columns columns) {
    List<String> missing = new ArrayList<>();
    List<String> wanted = new ArrayList<>(columns.text());
    wanted.addAll(Arrays.asList(columns.label(), columns.id()));
    wanted.addAll(columns.labelFlags());
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
      throw new MissingColumnException(file + " has no column " + String.join(", ", missing) + listed
          + (headerLooksLikeData ? " (numbers: if its first line is data, not names, give --no-header)" : ""));
    }
    if (columns.vectorPrefix() != null && columns.vectorColumns(available).isEmpty()) {
      throw new MissingColumnException(file + " has no column starting with '" + columns.vectorPrefix()
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
  record CsvRow(Map<String, Integer> index, List<String> fields) implements TabularRow {
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
}
