package io.streamdistill.compose;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code compose/commands.txt}, the table both launchers read ({@code ./distill} and the images'
 * {@code compose/bin/distill}): one {@link Row} per command, read the way the launchers read it
 * (blank lines and {@code #} comments skipped, columns separated by white space, the options the rest
 * of the line).
 */
record CommandTable(List<Row> rows) {
  /** In an argument column: the row matches any first argument (or none), which is passed on. */
  static final String ANY = "-";

  /**
   * A command.
   *
   * @param command the first word
   * @param argument the second word that picks this row and is not passed on, or {@link #ANY}
   * @param module the module whose class path runs
   * @param children modules the command starts as child processes (built too, not on the class path)
   * @param main the main class
   * @param options the JVM options, in order
   */
  record Row(String command, String argument, String module, List<String> children, String main,
      List<String> options) {
    /** The words that select this row: {@code teacher}, {@code train-teacher mail}. */
    List<String> words() {
      return argument.equals(ANY) ? List.of(command) : List.of(command, argument);
    }
  }

  static CommandTable read(Path file) throws IOException {
    List<Row> rows = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      String trimmed = line.trim();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      String[] words = trimmed.split("\\s+");
      if (words.length < 4) {
        throw new IllegalArgumentException(file + ": fewer than 4 columns in '" + line + "'");
      }
      String[] modules = words[2].split(",");
      rows.add(new Row(words[0], words[1], modules[0], List.of(modules).subList(1, modules.length), words[3],
          List.of(words).subList(4, words.length)));
    }
    return new CommandTable(List.copyOf(rows));
  }

  /** The row the launchers pick for these words: the one naming the argument, else the command's {@link #ANY}. */
  Row select(String command, String argument) {
    Row any = null;
    for (Row row : rows) {
      if (row.command().equals(command)) {
        if (!row.argument().equals(ANY) && row.argument().equals(argument)) {
          return row;
        }
        if (row.argument().equals(ANY)) {
          any = row;
        }
      }
    }
    return any;
  }
}
