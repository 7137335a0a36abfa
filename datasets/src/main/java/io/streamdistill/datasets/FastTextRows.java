package io.streamdistill.datasets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads fastText's supervised format into a {@link TabularLoader}: one example a line, its label first with the
 * prefix {@code __label__}, then the text ({@code __label__2 Great CD: My lovely Pat has ...}, as the Amazon,
 * Yelp and DBpedia review sets circulate for fastText). The columns are {@code label} and {@code text}. A line
 * with several labels (fastText's multi-label data) is read with its first, and said once; a line without one is
 * skipped with the reason; a blank line is no example.
 */
final class FastTextRows {
  /** What starts a label. */
  static final String PREFIX = "__label__";
  /** The columns each line is read into. */
  static final List<String> COLUMNS = List.of("label", "text");

  private FastTextRows() {}

  /** Whether {@code line} starts as a fastText example does (after spaces). */
  static boolean isExample(String line) {
    return line.strip().startsWith(PREFIX);
  }

  static void read(Path file, LineReader in, TabularLoader loader) throws IOException {
    Map<String, Integer> index = new LinkedHashMap<>();
    index.put(COLUMNS.get(0), 0);
    index.put(COLUMNS.get(1), 1);
    CsvRows.checkColumns(file, false, index.keySet(), loader.columns);
    loader.fixFieldColumns(file, index);
    int lineNumber = 0;
    boolean multiSaid = false;
    for (String line = in.readLine(); line != null && !loader.full(); line = in.readLine()) {
      lineNumber++;
      if (in.tooLong()) {
        loader.skip(lineNumber, null, "the line is longer than " + in.maxChars() + " characters");
        continue;
      }
      String rest = (lineNumber == 1 && line.startsWith("\uFEFF") ? line.substring(1) : line).strip();
      if (rest.isEmpty()) {
        continue;
      }
      String label = null;
      int labels = 0;
      while (rest.startsWith(PREFIX)) {
        int end = endOfWord(rest);
        if (label == null) {
          label = rest.substring(PREFIX.length(), end);
        }
        labels++;
        rest = rest.substring(end).strip();
      }
      if (label == null || label.isEmpty()) {
        loader.skip(lineNumber, null, label == null ? "no label: a fastText line starts with " + PREFIX
            + "NAME, then the text" : "an empty label (" + PREFIX + " and no name)");
        continue;
      }
      if (labels > 1 && !multiSaid) {
        multiSaid = true;
        TabularSource.LOGGER.atWarn().addKeyValue("file", file).log("line " + lineNumber + " has " + labels
            + " labels: each line is read with its first (one class an example)");
      }
      loader.accept(lineNumber, new CsvRows.CsvRow(index, List.of(label, rest)));
    }
  }

  private static int endOfWord(String text) {
    int end = 0;
    while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
      end++;
    }
    return end;
  }
}
