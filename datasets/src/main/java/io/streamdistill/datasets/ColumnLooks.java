package io.streamdistill.datasets;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What a column of a file's first rows looks like, told from its values ({@link FieldColumn}): words, a few
 * classes, an id, image file names, an image's pixels. {@link PayloadGuess} decides what the file is from these.
 * Stateless.
 */
final class ColumnLooks {
  private ColumnLooks() {}

  /** Nine values in ten, at least, end in an image file's extension ({@code images/0a1b.jpg}). */
  static boolean namesImages(FieldColumn column) {
    if (column.otherCells == 0 || column.written.isEmpty()) {
      return false;
    }
    long images = column.written.stream().filter(v -> ImageFolderSource.isImageFile(v.strip())).count();
    return images * 10 >= column.written.size() * 9L;
  }

  /**
   * Whether nine values in ten, at least, are images themselves in base64 ({@link ImageInput#embedded}: a Parquet
   * file's bytes, a JSON table's data URIs).
   */
  static boolean holdsImages(FieldColumn column) {
    if (column.otherCells == 0 || column.written.isEmpty()) {
      return false;
    }
    long images = column.written.stream().filter(ImageInput::embedded).count();
    return images * 10 >= column.written.size() * 9L;
  }

  /** Nine values in ten, at least, different from every other: names or ids, one a row. */
  static boolean isMostlyDistinct(FieldColumn column) {
    return column.present() >= 2 && column.written.size() * 10L >= column.present() * 9;
  }

  /**
   * The side of the square image whose pixels the columns are, or 0: at least 8x8 columns named one prefix and
   * their index (from 0 or 1, each once: {@code pixel0} to {@code pixel783}), all numbers from 0 to 255 (or 1).
   */
  static int pixelSide(List<FieldColumn> columns) {
    int n = columns.size();
    int side = (int) Math.round(Math.sqrt(n));
    if (n < 64 || side * side != n) {
      return 0;
    }
    String prefix = prefix(columns.get(0).name);
    java.util.BitSet seen = new java.util.BitSet(n + 1);
    for (FieldColumn column : columns) {
      String name = column.name;
      if (!name.startsWith(prefix) || name.length() == prefix.length() || column.type() != FieldType.NUMERIC
          || !name.substring(prefix.length()).chars().allMatch(Character::isDigit) || name.length() > prefix.length()
          + 7) {
        return 0;
      }
      int index = Integer.parseInt(name.substring(prefix.length()));
      if (index > n || seen.get(index)) {
        return 0;
      }
      seen.set(index);
      for (int code = 0; code < column.written.size(); code++) {
        double value = column.numbers[code];
        if (!(value >= 0 && value <= 255)) {
          return 0;
        }
      }
    }
    boolean fromZero = seen.nextClearBit(0) == n;
    boolean fromOne = !seen.get(0) && seen.nextClearBit(1) == n + 1;
    return fromZero || fromOne ? side : 0;
  }

  /** A name without its trailing digits: {@code pixel} of {@code pixel783}. */
  static String prefix(String name) {
    int end = name.length();
    while (end > 0 && Character.isDigit(name.charAt(end - 1))) {
      end--;
    }
    return name.substring(0, end);
  }

  /**
   * A column of a few classes: from 2 to {@value PayloadGuess#MAX_GUESSED_CLASSES} distinct values, each seen 5
   * times on average at least, not words (a text), and not decimals (a measure; integer codes such as 0 / 1 are
   * classes).
   */
  static boolean looksLikeLabel(FieldColumn column) {
    int distinct = column.written.size();
    if (distinct < 2 || distinct > PayloadGuess.MAX_GUESSED_CLASSES || distinct * 5L > column.present()
        || isText(column) || column.written.stream().filter(v -> DATE.matcher(v).matches()).count() * 2 > distinct) {
      return false;
    }
    return column.otherCells > 0 || column.written.stream().noneMatch(v -> v.contains(".") || v.contains("e"));
  }

  /**
   * Words: not numbers, {@value PayloadGuess#TEXT_WORDS} words a value or more, a fifth of the values distinct at
   * least.
   */
  static boolean isText(FieldColumn column) {
    return column.otherCells > 0 && column.written.size() * 5L >= column.present()
        && meanWords(column) >= PayloadGuess.TEXT_WORDS;
  }

  /**
   * A column that is a field of a record: present in half the rows at least, and not a different value in nearly
   * every row (an id or a code).
   */
  static boolean isField(FieldColumn column, long rows) {
    return column.present() * 2 >= rows
        && (column.type() == FieldType.NUMERIC || column.written.size() * 10L <= column.present() * 9L);
  }

  /**
   * A column named as an id ({@code id}, {@code user_id}, {@code PassengerId}, {@code customerID}) holding a
   * different value in every row, or a first column of whole numbers each larger than the one before (a
   * headerless file's row number or id; a measure the file is sorted by is seldom its first column): a number
   * there is no measure to learn from.
   */
  static boolean isIdentifier(FieldColumn column) {
    if (column.present() < 2 || column.written.size() != column.present()) {
      return false;
    }
    return IDENTIFIER.matcher(column.name.strip()).matches()
        || (column.position == 0 && column.present() >= MIN_COUNTED_ROWS && counts(column))
        || (column.position == 0 && column.present() >= MIN_COUNTED_ROWS && column.numericCells == 0
            && column.written.stream().allMatch(v -> CODE.matcher(v).matches()));
  }

  /** Rows an unnamed column of whole numbers has at least to be taken for a row number by {@link #counts}. */
  static final int MIN_COUNTED_ROWS = 20;

  /** Whole numbers only, each larger than the one before: a row number or an id handed out in order. */
  static boolean counts(FieldColumn column) {
    if (column.otherCells > 0) {
      return false;
    }
    double last = Double.NEGATIVE_INFINITY;
    for (int code = 0; code < column.written.size(); code++) {
      double value = column.numbers[code];
      if (!(value > last) || value != Math.rint(value)) {
        return false;
      }
      last = value;
    }
    return true;
  }

  /** A date (2024-01-31, 31/01/2024, 1/31/24), perhaps with a time after it. */
  static final Pattern DATE =
      Pattern.compile("\\s*(\\d{4}-\\d{1,2}-\\d{1,2}|\\d{1,2}[/.]\\d{1,2}[/.]\\d{2,4})([ T].*)?");

  /** A code of a few letters and a number, as a first column of ids often is: {@code C00017}, {@code INV-2041}. */
  private static final Pattern CODE = Pattern.compile("[A-Za-z]{1,8}[-_]?\\d{3,}");

  static final Pattern IDENTIFIER =
      Pattern.compile("(?i:id)|.*[_\\- .](?i:id)|.*[a-z]I[dD]");

  /** Mostly distinct values that are not numbers (a column of names). */
  static boolean isWords(FieldColumn column) {
    return column.otherCells > 0 && column.written.size() * 2L >= column.present();
  }

  /** The words a distinct value of the column has on average. */
  static double meanWords(FieldColumn column) {
    long words = 0;
    for (String value : column.written) {
      words += wordCount(value);
    }
    return column.written.isEmpty() ? 0 : (double) words / column.written.size();
  }

  static double meanWords(List<FieldColumn> columns, List<String> names) {
    double sum = 0;
    for (FieldColumn column : columns) {
      if (names.contains(column.name)) {
        sum += meanWords(column);
      }
    }
    return sum;
  }

  static int wordCount(String value) {
    int words = 0;
    boolean inWord = false;
    for (int i = 0; i < value.length(); i++) {
      boolean space = Character.isWhitespace(value.charAt(i));
      if (!space && !inWord) {
        words++;
      }
      inWord = !space;
    }
    return words;
  }

  /**
   * The flag columns that end the table: its last run of adjacent columns of 0/1 (or true/false) values, one of them
   * holding both (a flag still unset in the first rows, a rare threat, counts), when two at least; else none.
   */
  static List<FieldColumn> flagColumns(List<FieldColumn> columns) {
    int from = columns.size();
    while (from > 0 && isFlag(columns.get(from - 1))) {
      from--;
    }
    List<FieldColumn> run = columns.subList(from, columns.size());
    boolean bothSomewhere = run.stream().anyMatch(c -> c.written.stream().map(LabelValues::flagValue)
        .filter(java.util.Objects::nonNull).distinct().count() == 2);
    return run.size() >= 2 && bothSomewhere ? List.copyOf(run) : List.of();
  }

  /** 0/1 values (or true/false); one stray value among a hundred 0s and 1s (a bad row) does not make it no flag. */
  private static boolean isFlag(FieldColumn column) {
    long others = column.written.stream().filter(v -> LabelValues.flagValue(v) == null).count();
    return others < column.written.size() && (others == 0 || (others == 1 && column.otherCells * 100
        <= column.present()));
  }

  /** Whether exactly one of the flag columns is set on every sampled row. */
  static boolean oneHot(TabularLoader sample, List<FieldColumn> flags) {
    List<Integer> at = flags.stream().map(sample.fieldColumns::indexOf).toList();
    for (int[] codes : sample.kept.fieldCodes) {
      int set = 0;
      for (int i = 0; i < at.size(); i++) {
        int code = codes != null && at.get(i) < codes.length ? codes[at.get(i)] : -1;
        set += code >= 0 && Integer.valueOf(1).equals(LabelValues.flagValue(flags.get(i).written.get(code))) ? 1 : 0;
      }
      if (set != 1) {
        return false;
      }
    }
    return true;
  }
}
