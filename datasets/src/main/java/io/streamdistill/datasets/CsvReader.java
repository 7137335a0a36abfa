package io.streamdistill.datasets;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * Reads RFC 4180 CSV record by record and survives bad records: a malformed record is returned with
 * the reason, and the lines it swallowed after its first one are read again as records of their
 * own, so that one stray quote never costs the rest of the file.
 *
 * <p>Fields are separated by commas, or another delimiter ({@link Delimiters}); a field in double
 * quotes may hold delimiters, line breaks and doubled quotes ({@code ""}). With tab as the delimiter
 * quotes are ordinary characters and a record is one line. Malformed: a quoted field that is not closed (within
 * {@value #MAX_LINES_PER_RECORD} lines or by the end of the file), text after a closing quote, a
 * quote inside an unquoted field, a record with another number of fields than the header (or than
 * {@link #expectFields} says), a line longer than the limit (read to its end and dropped, so that
 * memory stays bounded), a record longer than the limit. Blank lines are ignored. Line numbers count
 * physical lines from 1.
 *
 * <p>Not thread-safe; owns nothing (the caller closes the reader).
 */
final class CsvReader {
  /** How far a quoted field may reach; bounds the cost of re-reading after an unclosed quote. */
  static final int MAX_LINES_PER_RECORD = 1000;

  /** A record: its first line, and either its fields or why it is malformed. */
  record CsvRecord(int line, List<String> fields, String error) {
    boolean malformed() {
      return error != null;
    }
  }

  /** A physical line; {@code tooLong} when it was longer than the limit and its text dropped. */
  private record Line(int number, String text, boolean tooLong) {
  }

  private final LineReader in;
  private final char delimiter;
  private final Deque<Line> pushedBack = new ArrayDeque<>();
  private int lastLineNumber;
  private int fieldCount = -1;
  private String fieldCountSource;

  CsvReader(Reader in) {
    this(in, LineReader.DEFAULT_MAX_CHARS);
  }

  /** A reader of comma-separated values that keeps no line, and no record, longer than {@code maxChars} characters. */
  CsvReader(Reader in, int maxChars) {
    this(in, maxChars, ',');
  }

  /** The same with fields separated by {@code delimiter} (tab: no quoting). */
  CsvReader(Reader in, int maxChars, char delimiter) {
    this.in = new LineReader(in, maxChars);
    this.delimiter = delimiter;
  }

  /**
   * Fixes the number of fields every later record must have, for a file without a header.
   *
   * @param source what fixed it, for the error of a record of another width: a format with one
   *     {@code %d} for the count (e.g. "line 1 has %d")
   */
  void expectFields(int count, String source) {
    fieldCount = count;
    fieldCountSource = source;
  }

  /**
   * Reads the header record, which fixes the number of fields every later record must have.
   *
   * @return the header's fields, or null when the file has no (non-blank) line
   * @throws DatasetException when the header itself is malformed
   */
  List<String> readHeader() throws IOException {
    CsvRecord header = next();
    if (header == null) {
      return null;
    }
    if (header.malformed()) {
      throw new DatasetException("line " + header.line + " (the header) is malformed: " + header.error);
    }
    expectFields(header.fields.size(), "the header has %d");
    return header.fields;
  }

  /** The next record, malformed or not; null at the end of the input. */
  CsvRecord next() throws IOException {
    Line first = nextNonBlankLine();
    if (first == null) {
      return null;
    }
    if (first.tooLong) {
      return new CsvRecord(first.number, null, "the line is longer than " + in.maxChars() + " characters");
    }
    if (delimiter == Delimiters.TAB) {
      return checked(List.of(first), new ArrayList<>(Arrays.asList(first.text.split("\t", -1))));
    }
    List<Line> consumed = new ArrayList<>();
    consumed.add(first);
    int recordChars = first.text.length();
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
            recordChars += more.text.length();
            if (more.tooLong || recordChars > in.maxChars()) {
              // The too-long line is read again as a record of its own, and reported as such.
              return malformed(consumed, "a quoted field makes the record longer than " + in.maxChars()
                  + " characters");
            }
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
        if (pos < text.length() && text.charAt(pos) != delimiter) {
          return malformed(consumed, "text after a closing quote (field " + (fields.size() + 1) + ")");
        }
      } else {
        int next = text.indexOf(delimiter, pos);
        int end = next < 0 ? text.length() : next;
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
      pos++; // the delimiter; one at the end of the line starts one more, empty field
    }
    return checked(consumed, fields);
  }

  /** The record of {@code fields} read from {@code consumed} lines, or malformed when its width is wrong. */
  private CsvRecord checked(List<Line> consumed, List<String> fields) {
    Line first = consumed.get(0);
    if (fieldCount >= 0 && fields.size() != fieldCount) {
      String error = "has " + fields.size() + " fields, " + String.format(fieldCountSource, fieldCount);
      // A record over several lines with the wrong width is more likely a stray quote than data.
      return consumed.size() > 1 ? malformed(consumed, error) : new CsvRecord(first.number, null, error);
    }
    return new CsvRecord(first.number, fields, null);
  }

  /** A malformed record; the lines after its first are read again. */
  private CsvRecord malformed(List<Line> consumed, String error) {
    for (int i = consumed.size() - 1; i >= 1; i--) {
      pushedBack.push(consumed.get(i));
    }
    return new CsvRecord(consumed.get(0).number, null, error);
  }

  private Line nextNonBlankLine() throws IOException {
    Line line;
    do {
      line = nextLine();
    } while (line != null && !line.tooLong && line.text.isBlank());
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
    return new Line(lastLineNumber, text, in.tooLong());
  }
}
