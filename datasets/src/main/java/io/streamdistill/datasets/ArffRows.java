package io.streamdistill.datasets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads Weka's ARFF files (as OpenML serves its data sets) into a {@link TabularLoader}: the columns named by the
 * header's {@code @attribute} lines, then one record a line after {@code @data}, values separated by commas and
 * quoted with {@code '} or {@code "} (a backslash escapes), {@code ?} missing; {@code %} starts a comment. A sparse
 * record ({@code {0 1, 3 yes}}) or one with another number of values is skipped with the reason.
 */
final class ArffRows {
  private ArffRows() {}

  /** Whether {@code start} (a file's first characters) begins as ARFF does: comments, then {@code @relation}. */
  static boolean looksLikeArff(String start) {
    for (String line : start.lines().toList()) {
      String stripped = line.strip();
      if (!stripped.isEmpty() && !stripped.startsWith("%")) {
        return stripped.toLowerCase(Locale.ROOT).startsWith("@relation");
      }
    }
    return false;
  }

  static void read(Path file, LineReader in, TabularLoader loader) throws IOException {
    Map<String, Integer> index = new LinkedHashMap<>();
    int lineNumber = 0;
    boolean data = false;
    while (!data) {
      String line = in.readLine();
      if (line == null) {
        break;
      }
      lineNumber++;
      String stripped = (lineNumber == 1 && line.startsWith("\uFEFF") ? line.substring(1) : line).strip();
      String lower = stripped.toLowerCase(Locale.ROOT);
      if (lower.startsWith("@attribute")) {
        List<String> parts = split(stripped.substring("@attribute".length()).strip(), ' ', 2);
        String name = parts == null || parts.isEmpty() ? "" : parts.get(0).strip();
        if (name.isEmpty() || index.putIfAbsent(name, index.size()) != null) {
          throw new DatasetException(file + " line " + lineNumber + ": " + (name.isEmpty() ? "an @attribute without"
              + " a name" : "the attribute '" + name + "' is declared twice"));
        }
      } else if (lower.startsWith("@data")) {
        data = true;
      }
    }
    if (!data || index.isEmpty()) {
      throw new DatasetException(file + ": not an ARFF file with data: " + (index.isEmpty() ? "no @attribute line"
          : "no @data line") + " in its header");
    }
    CsvRows.checkColumns(file, true, index.keySet(), loader.columns);
    loader.fixFieldColumns(file, index);
    for (String line = in.readLine(); line != null && !loader.full(); line = in.readLine()) {
      lineNumber++;
      if (in.tooLong()) {
        loader.skip(lineNumber, null, "the line is longer than " + in.maxChars() + " characters");
        continue;
      }
      String stripped = line.strip();
      if (stripped.isEmpty() || stripped.startsWith("%")) {
        continue;
      }
      if (stripped.startsWith("{")) {
        loader.skip(lineNumber, null, "a sparse ARFF record ({index value, ...}) is not read; write the data set"
            + " dense, or as CSV");
        continue;
      }
      List<String> values = split(stripped, ',', Integer.MAX_VALUE);
      if (values == null) {
        loader.skip(lineNumber, null, "a quote is not closed");
        continue;
      }
      if (values.size() != index.size()) {
        loader.skip(lineNumber, null, "has " + values.size() + " values, the header " + index.size()
            + " attributes");
        continue;
      }
      List<String> fields = new ArrayList<>(values.size());
      for (String value : values) {
        String v = value.strip();
        fields.add(v.equals("?") ? "" : v);
      }
      loader.accept(lineNumber, new CsvRows.CsvRow(index, fields));
    }
  }

  /**
   * {@code text} split at {@code separator} outside quotes ({@code '} or {@code "}, a backslash escaping the next
   * character inside them), quotes removed, into {@code limit} parts at most (the last holding the rest as it is);
   * null when a quote is not closed. A space separator also splits at tabs, and runs of them are one.
   */
  static List<String> split(String text, char separator, int limit) {
    List<String> parts = new ArrayList<>();
    StringBuilder part = new StringBuilder();
    char quote = 0;
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == '\\' && i + 1 < text.length()) {
          part.append(text.charAt(++i));
        } else if (c == quote) {
          quote = 0;
        } else {
          part.append(c);
        }
      } else if ((c == '\'' || c == '"') && part.toString().isBlank()) {
        quote = c;
        quoted = true;
        part.setLength(0);
      } else if (c == separator || (separator == ' ' && c == '\t')) {
        if (separator == ' ' && part.isEmpty() && !quoted) {
          continue;
        }
        parts.add(part.toString());
        part.setLength(0);
        quoted = false;
        if (parts.size() == limit - 1) {
          parts.add(text.substring(i + 1));
          return parts;
        }
      } else {
        part.append(c);
      }
    }
    if (quote != 0) {
      return null;
    }
    parts.add(part.toString());
    return parts;
  }
}
