package io.streamdistill.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.dhatim.fastexcel.reader.Cell;
import org.dhatim.fastexcel.reader.ExcelReaderException;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.ReadingOptions;
import org.dhatim.fastexcel.reader.Row;
import org.dhatim.fastexcel.reader.Sheet;

/**
 * Reads an Excel workbook ({@code .xlsx}, {@code .xlsm}: Office Open XML, as Excel, LibreOffice and pandas'
 * {@code to_excel} write it) into a {@link TabularLoader}: its first sheet, streamed row by row; its first row that
 * is not empty (nor a title: one cell, where the next row has more) names the columns (a blank name is {@code cN},
 * a repeated one gets {@code .1}, as pandas names them), each later row is the JSON object it would be, numbers as
 * numbers, text as text, booleans as booleans, dates (a number in a date format) as ISO text, a formula as its last
 * computed value; error and empty cells are missing. An empty row is no example. Rows are numbered as Excel numbers
 * them. Stateless.
 */
final class ExcelRows {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** A number format that shows a date or a time: y, m, d, h or s outside quotes, brackets and escapes. */
  private static final Pattern DATE_PARTS = Pattern.compile("[ymdhsYMDHS]");

  /** Whether each number format of the workbook shows a date: told once a format, not once a cell. */
  private final Map<String, Boolean> dateFormats = new HashMap<>();

  private ExcelRows() {}

  static void read(Path file, TabularLoader loader) throws IOException {
    loader.rowName = "row";
    ExcelRows cells = new ExcelRows();
    Set<String> keys = new LinkedHashSet<>();
    try (ReadableWorkbook book = new ReadableWorkbook(file.toFile(), new ReadingOptions(true, false))) {
      List<Sheet> sheets = book.getSheets().toList();
      Sheet sheet = book.getFirstSheet();
      if (sheets.size() > 1) {
        TabularSource.LOGGER.atInfo().addKeyValue("file", file.getFileName()).log("the workbook has " + sheets.size()
            + " sheets; its first, '" + sheet.getName() + "', is read (save another as its own file to read it)");
      }
      try (Stream<Row> rows = sheet.openStream()) {
        Iterator<Row> each = rows.iterator();
        List<JsonNode> first = null;
        int firstRow = 0;
        List<String> names = null;
        while (each.hasNext() && !loader.full()) {
          Row row = each.next();
          List<JsonNode> values = cells.values(row);
          int filled = filled(values);
          if (filled == 0) {
            continue;
          }
          if (first == null || (names == null && filled(first) == 1 && filled > 1)) {
            if (first != null) {
              // A title above the table ("Sales 2024"): one cell, where the next row has more.
              TabularSource.LOGGER.atInfo().addKeyValue("file", file.getFileName()).log("row " + firstRow
                  + " is a title (one cell, where the next row has " + filled + "), not the column names");
            }
            first = values;
            firstRow = row.getRowNum();
            continue;
          }
          if (names == null) {
            names = header(first);
          }
          JsonLinesRows.acceptObject(row.getRowNum(), objectOf(values, names), keys, loader);
        }
      }
    } catch (java.nio.file.NoSuchFileException e) {
      throw e;
    } catch (IOException | ExcelReaderException | IllegalStateException e) {
      // An .xlsx is a zip of XML parts: a CSV saved under that name fails as a zip.
      byte[] head = Inputs.head(file, 2);
      throw new DatasetException(file + " cannot be read as an Excel workbook (.xlsx): " + e.getMessage()
          + (head.length == 2 && (head[0] != 'P' || head[1] != 'K') ? "; it is no zip file, as an .xlsx is (if it is"
          + " delimited text, give --format csv)" : ""), e);
    }
    JsonLinesRows.requireNamedKeys(keys, loader);
  }

  /** A row's cells as JSON values, one a column, null where a cell holds none. */
  private List<JsonNode> values(Row row) {
    List<JsonNode> values = new ArrayList<>(row.getCellCount());
    for (int c = 0; c < row.getCellCount(); c++) {
      Cell cell = row.getCell(c);
      values.add(cell == null ? null : valueOf(cell));
    }
    return values;
  }

  /** How many of a row's cells hold a value. */
  private static int filled(List<JsonNode> values) {
    return (int) values.stream().filter(java.util.Objects::nonNull).count();
  }

  /** The columns' names: each cell's text, {@code cN} when blank, {@code name.1} when already taken. */
  private static List<String> header(List<JsonNode> values) {
    List<String> names = new ArrayList<>();
    Set<String> taken = new HashSet<>();
    for (int c = 0; c < values.size(); c++) {
      JsonNode value = values.get(c);
      String name = value == null || value.asText().isBlank() ? "c" + c : value.asText().strip();
      String unique = name;
      for (int n = 1; !taken.add(unique); n++) {
        unique = name + "." + n;
      }
      names.add(unique);
    }
    return names;
  }

  private static ObjectNode objectOf(List<JsonNode> values, List<String> names) {
    ObjectNode object = NODES.objectNode();
    for (int c = 0; c < values.size(); c++) {
      JsonNode value = values.get(c);
      if (value != null) {
        object.set(c < names.size() ? names.get(c) : "c" + c, value); // a cell right of the named ones: cN
      }
    }
    return object;
  }

  /** A cell's value as JSON, or null when it has none (empty, an error such as {@code #N/A}). */
  private JsonNode valueOf(Cell cell) {
    return switch (cell.getType()) {
      case NUMBER -> isDate(cell) ? NODES.textNode(dateText(cell)) : NODES.numberNode(cell.asNumber());
      case STRING -> cell.asString().isEmpty() ? null : NODES.textNode(cell.asString());
      case BOOLEAN -> NODES.booleanNode(cell.asBoolean());
      case FORMULA -> formulaValue(cell);
      case ERROR, EMPTY -> null;
    };
  }

  /** A formula's value as Excel last computed it (kept in the file), a number when it reads as one. */
  private static JsonNode formulaValue(Cell cell) {
    String raw = cell.getRawValue();
    if (raw == null || raw.isEmpty() || raw.startsWith("#")) {
      return null;
    }
    return TabularValues.NUMBER.matcher(raw).matches() ? NODES.numberNode(new java.math.BigDecimal(raw))
        : NODES.textNode(raw);
  }

  private boolean isDate(Cell cell) {
    Integer id = cell.getDataFormatId();
    if (id != null && ((id >= 14 && id <= 22) || (id >= 45 && id <= 47))) {
      return true; // Excel's built-in date and time formats
    }
    String format = cell.getDataFormatString();
    if (format == null || format.equalsIgnoreCase("General")) {
      return false;
    }
    return dateFormats.computeIfAbsent(format,
        f -> DATE_PARTS.matcher(f.replaceAll("\"[^\"]*\"|\\[[^\\]]*\\]|\\\\.", "")).find());
  }

  /** A date cell as ISO text: the date alone when it has no time of day. */
  private static String dateText(Cell cell) {
    java.time.LocalDateTime when = cell.asDate();
    return when.toLocalTime().equals(java.time.LocalTime.MIDNIGHT) ? when.toLocalDate().toString() : when.toString();
  }
}
