package io.streamdistill.datasets;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Reads RFC 4180 CSV record by record and survives bad records: a malformed record is returned with
 * the reason, and the lines it swallowed after its first one are read again as records of their
 * own, so that one stray quote never costs the rest of the file.
 *
 * <p>Fields are separated by commas; a field in double quotes may hold commas, line breaks and
 * doubled quotes ({@code ""}). Malformed: a quoted field that is not closed (within
 * {@value #MAX_LINES_PER_RECORD} lines or by the end of the file), text after a closing quote, a
 * quote inside an unquoted field, a record with another number of fields than the header. Blank
 * lines are ignored. Line numbers count physical lines from 1 (the header).
 *
 * <p>Not thread-safe; owns nothing (the caller closes the reader).
 */
final class CsvReader {
  /** How far a quoted field may reach; bounds the cost of re-reading after an unclosed quote. */
  static final int MAX_LINES_PER_RECORD = 1000;

  /** A record: its first line, and either its fields or why it is malformed. */
  record Record(int line, List<String> fields, String error) {
    boolean malformed() {
      return error != null;
    }
  }

  private record Line(int number, String text) {
  }

  private final BufferedReader in;
  private final Deque<Line> pushedBack = new ArrayDeque<>();
  private int lastLineNumber;
  private int fieldCount = -1;

  CsvReader(BufferedReader in) {
    this.in = in;
  }

  /**
   * Reads the header record, which fixes the number of fields every later record must have.
   *
   * @return the header's fields, or null when the file has no (non-blank) line
   * @throws DatasetException when the header itself is malformed
   */
  List<String> readHeader() throws IOException {
    Record header = next();
    if (header == null) {
      return null;
    }
    if (header.malformed()) {
      throw new DatasetException("line " + header.line + " (the header) is malformed: " + header.error);
    }
    fieldCount = header.fields.size();
    return header.fields;
  }

  /** The next record, malformed or not; null at the end of the input. */
  Record next() throws IOException {
    Line first = nextNonBlankLine();
    if (first == null) {
      return null;
    }
    List<Line> consumed = new ArrayList<>();
    consumed.add(first);
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    String text = first.text;
    int pos = 0;
    while (true) {
      // At the start of a field.
      if (pos < text.length() && text.charAt(pos) == '"') {
        pos++;
        while (true) {
          int quote = text.indexOf('"', pos);
          if (quote < 0) {
            // The quoted field goes on on the next line.
            field.append(text, pos, text.length()).append('\n');
            Line more = consumed.size() < MAX_LINES_PER_RECORD ? nextLine() : null;
            if (more == null) {
              return malformed(consumed, consumed.size() < MAX_LINES_PER_RECORD
                  ? "a quoted field is never closed" : "a quoted field is not closed within "
                  + MAX_LINES_PER_RECORD + " lines");
            }
            consumed.add(more);
            text = more.text;
            pos = 0;
          } else if (quote + 1 < text.length() && text.charAt(quote + 1) == '"') {
            field.append(text, pos, quote).append('"');
            pos = quote + 2;
          } else {
            field.append(text, pos, quote);
            pos = quote + 1;
            break;
          }
        }
        if (pos < text.length() && text.charAt(pos) != ',') {
          return malformed(consumed, "text after a closing quote (field " + (fields.size() + 1) + ")");
        }
      } else {
        int comma = text.indexOf(',', pos);
        int end = comma < 0 ? text.length() : comma;
        if (text.indexOf('"', pos) >= 0 && text.indexOf('"', pos) < end) {
          return malformed(consumed, "a quote inside an unquoted field (field " + (fields.size() + 1)
              + "); quote the whole field and double the quotes in it");
        }
        field.append(text, pos, end);
        pos = end;
      }
      fields.add(field.toString());
      field.setLength(0);
      if (pos >= text.length()) {
        break;
      }
      pos++; // the comma; a comma at the end of the line starts one more, empty field
    }
    if (fieldCount >= 0 && fields.size() != fieldCount) {
      String error = "has " + fields.size() + " fields, the header has " + fieldCount;
      // A record over several lines with the wrong width is more likely a stray quote than data.
      return consumed.size() > 1 ? malformed(consumed, error) : new Record(first.number, null, error);
    }
    return new Record(first.number, fields, null);
  }

  /** A malformed record; the lines after its first are read again. */
  private Record malformed(List<Line> consumed, String error) {
    for (int i = consumed.size() - 1; i >= 1; i--) {
      pushedBack.push(consumed.get(i));
    }
    return new Record(consumed.get(0).number, null, error);
  }

  private Line nextNonBlankLine() throws IOException {
    Line line;
    do {
      line = nextLine();
    } while (line != null && line.text.isBlank());
    return line;
  }

  private Line nextLine() throws IOException {
    if (!pushedBack.isEmpty()) {
      return pushedBack.pop();
    }
    String text = in.readLine();
    if (text == null) {
      return null;
    }
    lastLineNumber++;
    if (lastLineNumber == 1 && text.startsWith("\uFEFF")) {
      text = text.substring(1); // a byte order mark, as spreadsheet programs write
    }
    return new Line(lastLineNumber, text);
  }
}
