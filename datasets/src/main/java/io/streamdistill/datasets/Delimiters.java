package io.streamdistill.datasets;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The field separator of a delimited text file: given ({@code --delimiter}), told by the extension
 * ({@code .tsv} and {@code .tab}: tab), or sniffed from its first lines: of comma, tab, semicolon and
 * pipe, the one that splits the most of those lines into the same number (more than one) of fields,
 * quotes respected. On a tie tab wins, then semicolon, then comma (free text often has a comma on
 * every line, rarely a tab or a semicolon); comma when nothing splits (one column). Stateless.
 *
 * <p>With tab, quotes are ordinary characters (tab-separated values have no quoting, and free text
 * with quotes in it is common there); with the others, RFC 4180 quoting applies.
 */
final class Delimiters {
  /** Not given: told by the extension or sniffed. */
  static final char AUTO = 0;
  static final char TAB = '\t';
  /** The candidates, in the order a tie is settled. */
  private static final char[] CANDIDATES = {TAB, ';', ',', '|'};
  /** How much of the file's start is looked at, and how many of its lines. */
  static final int SNIFF_CHARS = 256 * 1024;
  private static final int SNIFF_LINES = 50;

  private static final Logger LOGGER = LoggerFactory.getLogger(Delimiters.class);

  private Delimiters() {}

  /**
   * The separator {@code --delimiter} names: {@code auto}, {@code ,} or {@code comma}, {@code tab} (or
   * a tab, or {@code \t}), {@code ;} or {@code semicolon}, {@code |} or {@code pipe}, or another single
   * character that is not a letter, digit, quote or space.
   *
   * @throws IllegalArgumentException for anything else, naming the flag
   */
  static char parse(String value) {
    if (value == null) {
      return AUTO;
    }
    String v = value.toLowerCase(Locale.ROOT);
    return switch (v) {
      case "auto" -> AUTO;
      case "tab", "\\t", "\t" -> TAB;
      case "comma" -> ',';
      case "semicolon" -> ';';
      case "pipe" -> '|';
      default -> singleCharacter(value, v);
    };
  }

  /** A {@code --delimiter} of one character (lower-cased: {@code v}) that is not a letter, digit, quote or space. */
  private static char singleCharacter(String value, String v) {
    if (v.length() == 1) {
      char c = v.charAt(0);
      if (!Character.isLetterOrDigit(c) && c != '"' && c != ' ' && c != '\n' && c != '\r') {
        return c;
      }
    }
    throw new IllegalArgumentException("--delimiter must be auto, a single character such as , ; | or tab,"
        + " not '" + value + "'");
  }

  /** How a separator is named in messages: {@code tab}, or the character in quotes. */
  static String describe(char delimiter) {
    return delimiter == TAB ? "tab" : "'" + delimiter + "'";
  }

  /**
   * The separator a file name's extension fixes ({@code .tsv}, {@code .tab}; a trailing .gz or .bz2 ignored), else
   * AUTO.
   */
  static char ofFileName(String fileName) {
    String lower = Inputs.baseName(fileName).toLowerCase(Locale.ROOT);
    return lower.endsWith(".tsv") || lower.endsWith(".tab") ? TAB : AUTO;
  }

  /**
   * The separator of {@code file}: {@code given} unless AUTO, else the extension's, else sniffed from
   * the start of {@code in}, which is read and reset (it must support a mark of {@link #SNIFF_CHARS}).
   * A sniffed choice is logged.
   */
  static char choose(Path file, Reader in, char given) throws IOException {
    if (given != AUTO) {
      return given;
    }
    char byName = ofFileName(file.getFileName().toString());
    if (byName != AUTO) {
      return byName;
    }
    in.mark(SNIFF_CHARS);
    char sniffed = sniff(in);
    in.reset();
    LOGGER.atInfo().addKeyValue("file", file.getFileName()).addKeyValue("delimiter", describe(sniffed))
        .log("field delimiter told from the first lines (--delimiter to choose it)");
    return sniffed;
  }

  /** A number with a decimal comma: {@code 4,03}, {@code -1.234,5}. */
  private static final Pattern COMMA_DECIMAL = Pattern.compile("[+-]?\\d[\\d.]*,\\d+");
  /** A number with a decimal point: {@code 0.522}, {@code 7.25}, {@code 1.001}. */
  private static final Pattern POINT_DECIMAL = Pattern.compile("[+-]?\\d+\\.\\d+");
  /** What a dot grouping thousands could also write: {@code 1.001}, {@code 12.500.000}. */
  private static final Pattern DOT_GROUPS = Pattern.compile("[+-]?[1-9]\\d{0,2}(\\.\\d{3})+");

  /**
   * Whether a file delimited by semicolons writes its decimals with commas, as spreadsheets set to most European
   * languages do ({@code 4,03}; dots then group thousands), judged on its first lines (the caller's reader is
   * marked and reset here): yes when a value is such a number; no when none is and one is a number with a decimal
   * point that no grouping of thousands explains ({@code 0.522}, {@code 7.25}: UCI's wine quality files are
   * delimited by semicolons with decimal points); else (whole numbers alone) yes, as before.
   */
  static boolean writesDecimalCommas(Reader in) throws IOException {
    in.mark(SNIFF_CHARS);
    char[] buffer = new char[SNIFF_CHARS];
    int filled = 0;
    for (int n; filled < buffer.length && (n = in.read(buffer, filled, buffer.length - filled)) > 0; ) {
      filled += n;
    }
    in.reset();
    boolean point = false;
    int lines = 0;
    for (String line : new String(buffer, 0, filled).split("\n", -1)) {
      if (++lines > SNIFF_LINES * 20) {
        break;
      }
      for (String field : line.split(";", -1)) {
        String value = field.strip();
        if (value.length() > 1 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1).strip();
        }
        if (COMMA_DECIMAL.matcher(value).matches()) {
          return true;
        }
        point |= POINT_DECIMAL.matcher(value).matches() && !DOT_GROUPS.matcher(value).matches();
      }
    }
    return !point;
  }

  /**
   * Reads the start of {@code in} (at most {@link #SNIFF_CHARS} characters; the caller marks and resets
   * it) and sniffs the separator from its first complete lines.
   */
  static char sniff(Reader in) throws IOException {
    char[] buffer = new char[SNIFF_CHARS];
    int filled = 0;
    for (int n; filled < buffer.length && (n = in.read(buffer, filled, buffer.length - filled)) > 0; ) {
      filled += n;
    }
    String start = new String(buffer, 0, filled);
    List<String> lines = new ArrayList<>();
    int from = start.startsWith("\uFEFF") ? 1 : 0;
    while (lines.size() < SNIFF_LINES) {
      int end = start.indexOf('\n', from);
      if (end < 0) {
        if (filled < buffer.length && from < start.length()) {
          lines.add(start.substring(from)); // the file's last line, complete
        }
        break;
      }
      String line = start.substring(from, end);
      if (!line.isBlank()) {
        lines.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
      }
      from = end + 1;
    }
    return sniff(lines);
  }

  /** The separator that splits the most {@code lines} into the same number of fields (more than one). */
  static char sniff(List<String> lines) {
    char best = ',';
    int bestAgreeing = 0;
    for (char candidate : CANDIDATES) {
      Map<Integer, Integer> widths = new HashMap<>();
      for (String line : lines) {
        widths.merge(fields(line, candidate), 1, Integer::sum);
      }
      int agreeing = widths.entrySet().stream().filter(e -> e.getKey() > 1).mapToInt(Map.Entry::getValue).max()
          .orElse(0);
      if (agreeing > bestAgreeing) {
        best = candidate;
        bestAgreeing = agreeing;
      }
    }
    return best;
  }

  /** How many fields {@code delimiter} splits {@code line} into (quotes respected except with tab). */
  private static int fields(String line, char delimiter) {
    int count = 1;
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"' && delimiter != TAB) {
        quoted = !quoted;
      } else if (c == delimiter && !quoted) {
        count++;
      }
    }
    return count;
  }
}
