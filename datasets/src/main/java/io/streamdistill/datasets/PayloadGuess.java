package io.streamdistill.datasets;

import io.streamdistill.datasets.TabularSource.Columns;
import io.streamdistill.datasets.TabularSource.FileOptions;
import io.streamdistill.datasets.TabularSource.Format;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a CSV or JSON Lines file holds when no flag names its payload, told from its first {@value #SAMPLE_ROWS}
 * rows, so that {@code ./distill demo --source reviews.csv} runs on a file nobody described:
 *
 * <ul>
 *   <li>a CSV whose header line holds a number (UCI's files) has <b>no header</b>: its columns are c0, c1, ...;
 *   <li>the <b>label</b>, when not named, is the column called {@code label}, {@code labels}, {@code class},
 *       {@code target}, {@code y}, {@code category}, {@code sentiment} or another name a label goes by in public
 *       data sets ({@link #LABEL_NAMES}, in that order of preference, any case), else the last column when it
 *       holds a few classes ({@link ColumnLooks#looksLikeLabel}: not decimals, not dates, not text), else the
 *       first, else the one column of a few named classes among numbers;
 *   <li>a column whose values name image files ({@code images/0a1b.jpg}, nine in ten at least), or are the names
 *       image files have beside the table ({@code train/1.png} for an id 1: {@link ImageFileNames}), makes the
 *       examples those <b>images</b> ({@code Guess.imagePaths}); the one other column, if any, is then the label;
 *   <li>columns of <b>text</b> are those whose values are words: not numbers, at least {@value #TEXT_WORDS} words
 *       a value on average, and mostly distinct (a fifth of the values at least: a category such as "New York
 *       City" repeats). Several are one text (a title and a body, joined by a line break). A file whose only
 *       column besides the label is of mostly distinct single words (names) is text too;
 *   <li>without text, JSON Lines keys holding arrays of numbers are the <b>vector</b> when nothing else is left;
 *   <li>columns {@code pixel0} to {@code pixel783} (any prefix, a square of 8x8 or more, numbers from 0 to 255) are
 *       an <b>image</b>'s pixels, row by row: the vector, known as an image ({@link ImageRows});
 *   <li>else every column but the label and the id is a field of a <b>structured record</b>
 *       ({@code --fields-all}: numbers are numeric fields, the rest categorical, an id-like column is left out by
 *       the student; a column named as an id with a different value in every row, a number or not, is left out
 *       here). Columns of text are fields of words in the record, rather than the payload, when they are short
 *       (fewer than {@value #RECORD_TEXT_WORDS} words together) and {@value #MIN_RECORD_FIELDS} other fields at
 *       least stand beside them.
 * </ul>
 *
 * <p>A column that is the label by another name (one value a class, one class a value: {@code label_text} beside
 * {@code label}) is left out whatever the payload. What was guessed is said in one sentence, with what was left
 * out and the flags that choose otherwise. Stateless.
 */
final class PayloadGuess {
  /** The rows read to guess from. */
  static final int SAMPLE_ROWS = 2_000;
  /** The most classes a label guessed by its place (the last column) may have. */
  static final int MAX_GUESSED_CLASSES = 100;
  /** Words a text column's values have on average, at least. */
  static final double TEXT_WORDS = 3;
  /**
   * Words the text columns have together on average below which they are fields of a record, when there are at
   * least {@value #MIN_RECORD_FIELDS} other fields beside them: a name or a title among fields says less alone
   * than the record does.
   */
  static final double RECORD_TEXT_WORDS = 10;
  /** The other fields a short text needs beside it to be read as one field of a record. */
  static final int MIN_RECORD_FIELDS = 2;
  /** The names a label column goes by, most telling first. */
  static final List<String> LABEL_NAMES = List.of("label", "labels", "class", "target", "y", "category",
      "sentiment", "intent", "topic", "emotion", "genre", "species", "diagnosis", "outcome", "survived", "churn",
      "exited", "income", "fraud", "is_fraud", "spam", "polarity", "rating", "stars");

  /**
   * The columns, guessed, and what was said about them.
   *
   * @param columns the columns to read the file with
   * @param options the file's layout to read it with: the one given, or without a header when its first line
   *     was data
   * @param said one sentence for the user: what each column was taken for, and how to choose otherwise
   * @param imageShape the image the vector is, {@code [rows, cols]}, when its columns are a square's pixels; else
   *     empty
   * @param imagePaths whether the text column names image files (as {@link ImageFileNames#find} finds them),
   *     the examples being those images
   */
  record Guess(Columns columns, FileOptions options, String said, int[] imageShape, boolean imagePaths) {}

  private PayloadGuess() {}

  /**
   * Guesses the payload (and, when {@code label} is null, the label column) of {@code file}.
   *
   * @param label the label column named by the user, or null
   * @param id the id column named by the user, or null
   * @throws MissingColumnException when a named column is not in the file
   * @throws DatasetException when the file cannot be read, or its first rows hold no column to guess from
   */
  static Guess guess(Path file, FileOptions options, Format format, String label, String id) {
    return guess(file, options, format, label, List.of(), id);
  }

  /**
   * As {@link #guess(Path, FileOptions, Format, String, String)}, the class from the user's flag columns when
   * {@code flags} names them ({@code --label-column toxic,obscene,insult}).
   */
  static Guess guess(Path file, FileOptions options, Format format, String label, List<String> flags, String id) {
    Columns all = flags.isEmpty() ? Columns.ofAllFields().withLabel(label).withId(id)
        : Columns.ofAllFields().withLabelFlags(flags.toArray(String[]::new)).withId(id);
    TabularLoader sample = TabularSource.load(file, all, options, format, Long.MAX_VALUE, SAMPLE_ROWS);
    List<String> said = new ArrayList<>();
    if (format == Format.CSV && options.header() && options.columnNames().isEmpty() && label == null && id == null
        && sample.fieldColumns.stream().anyMatch(c -> TabularValues.NUMBER.matcher(c.name).matches())) {
      // A number where a column's name goes: the first line is data (UCI's files have no header line).
      options = options.withoutHeader();
      sample = TabularSource.load(file, all, options, format, Long.MAX_VALUE, SAMPLE_ROWS);
      said.add("no header line (its first line holds numbers): columns c0 to c" + (sample.fieldColumns.size() - 1));
    }
    if (sample.kept.ids.isEmpty() && sample.skipped.count() == 0) {
      // Nothing to guess from (a header line alone): said as such, not as a guess about no values.
      throw new DatasetException(file + " has no rows" + (format == Format.CSV && options.header()
          ? " after its header line (" + String.join(",", sample.fieldColumns.stream().map(c -> c.name).toList())
          + ")" : ""));
    }
    String chosenLabel = label;
    List<String> chosenFlags = flags;
    int labelSaid = -1;
    if (label == null && flags.isEmpty()) {
      chosenLabel = labelByName(sample.fieldColumns);
      String how = "by its name";
      if (chosenLabel == null) {
        // HuggingFace's multi-label sets written as JSON ("labels": [27]): a key of lists, named as a label.
        Set<String> lists = sample.nestedLeftOut;
        chosenLabel = LABEL_NAMES.stream().flatMap(name -> lists.stream()
            .filter(key -> key.strip().toLowerCase(Locale.ROOT).equals(name))).findFirst().orElse(null);
        if (chosenLabel != null) {
          how = "by its name; a list of classes a row, the first of each read";
        }
      }
      boolean byName = chosenLabel != null;
      List<FieldColumn> read = sample.fieldColumns;
      // By its place: the last column (UCI's files, most tables), else the first (the SMS Spam Collection).
      for (int end = 0; end < 2 && chosenLabel == null && read.size() > 1; end++) {
        FieldColumn column = read.get(end == 0 ? read.size() - 1 : 0);
        if (ColumnLooks.looksLikeLabel(column)) {
          chosenLabel = column.name;
          how = (end == 0 ? "the last column, " : "the first column, ") + column.written.size() + " values";
        }
      }
      if (chosenLabel == null) {
        // wdbc.data's layout (an id, the diagnosis, 30 measures): the one column of a few named classes.
        List<FieldColumn> named = read.stream().filter(c -> c.otherCells > 0 && ColumnLooks.looksLikeLabel(c)).toList();
        if (named.size() == 1) {
          chosenLabel = named.get(0).name;
          how = "the only column of a few named classes, " + named.get(0).written.size() + " values";
          FieldColumn last = read.get(read.size() - 1);
          boolean namedColumns = format != Format.CSV || (options.header() && options.columnNames().isEmpty());
          if (namedColumns && last.otherCells == 0 && last != named.get(0)) {
            // A house-price table: the price is what its user most likely wants predicted.
            how += "; the last column, '" + last.name + "', holds numbers to predict, which --label-column "
                + last.name + " --label-bins 5 reads as five ranges of its values";
          }
        }
      }
      // One class in several columns of 0/1 (one-hot, or a multi-label set such as toxic, obscene, insult): taken by
      // its place, one of them would be the label and the others would give it away as fields.
      List<FieldColumn> flagged = ColumnLooks.flagColumns(read);
      String byPlace = chosenLabel;
      if (!flagged.isEmpty() && (chosenLabel == null || (!byName
          && flagged.stream().anyMatch(c -> c.name.equals(byPlace))))) {
        chosenFlags = flagged.stream().map(c -> c.name).toList();
        chosenLabel = null;
        how = ColumnLooks.oneHot(sample, flagged) ? "one-hot: the class is the column holding 1"
            : "0/1 flags, any number a row: the class is the first set, '" + Columns.NO_FLAG + "' when none is";
      }
      labelSaid = said.size();
      said.add(!chosenFlags.isEmpty() ? "label: the flag columns '" + String.join("', '", chosenFlags) + "' (" + how
          + "; --label-column NAME takes one instead)"
          : chosenLabel == null ? "no label column (none is called " + String.join(", ", LABEL_NAMES.subList(0, 7))
          + " or another name a label goes by, and neither the last nor the first holds a few classes)"
          : "label: column '" + chosenLabel + "' (" + how + ")");
    }
    if (label == null && chosenLabel != null) {
      // HuggingFace's label (0, 1, 2) beside label_text (joy, anger, fear): the classes by their names, so that
      // the edge answers "joy", and an exported model's id2label names match them. Named after the label (label_text,
      // class_name): a feature that happens to pair with it (Sex with Survived in a few rows) is no name.
      String codes = chosenLabel;
      TabularLoader rows = sample;
      FieldColumn coded = rows.fieldsByName.get(codes);
      Optional<FieldColumn> names = coded == null || coded.otherCells > 0 ? Optional.empty()
          : rows.fieldColumns.stream().filter(c -> c != coded && c.numericCells == 0 && c.otherCells > 0
              && c.name.toLowerCase(Locale.ROOT).contains(codes.strip().toLowerCase(Locale.ROOT))
              && namesTheLabel(rows, c, codes)).findFirst();
      if (names.isPresent()) {
        chosenLabel = names.get().name;
        said.set(labelSaid, "label: column '" + chosenLabel + "' (the names of the classes '" + codes
            + "' numbers)");
      }
    }
    List<String> nested = new ArrayList<>(sample.nestedLeftOut);
    nested.remove(chosenLabel);
    List<FieldColumn> candidates = new ArrayList<>();
    List<String> leftOut = new ArrayList<>();
    for (FieldColumn column : sample.fieldColumns) {
      if (column.name.equals(chosenLabel) || chosenFlags.contains(column.name)) {
        continue;
      }
      if (chosenLabel != null && namesTheLabel(sample, column, chosenLabel)) {
        // HuggingFace's label_text beside label: a model given it would learn nothing but to read it.
        leftOut.add(column.name + " (the label again: one value a class)");
      } else {
        candidates.add(column);
      }
    }
    List<String> text = new ArrayList<>();
    for (FieldColumn column : candidates) {
      if (ColumnLooks.isText(column)) {
        text.add(column.name);
      }
    }
    if (text.isEmpty() && candidates.size() == 1 && nested.isEmpty()
        && ColumnLooks.isWords(candidates.get(0))) {
      text.add(candidates.get(0).name);
    }
    // The images themselves before names of files (HuggingFace's beans: image_file_path, where no file is, beside
    // image.bytes).
    List<FieldColumn> holdingImages = candidates.stream().filter(ColumnLooks::holdsImages).toList();
    List<FieldColumn> imagesFirst = java.util.stream.Stream.concat(holdingImages.stream(),
        candidates.stream().filter(c -> !holdingImages.contains(c))).toList();
    for (FieldColumn column : imagesFirst) {
      // Kaggle's image sets: a table of file names, or of the ids the files are named by, beside the images.
      boolean embedded = holdingImages.contains(column);
      Optional<ImageFileNames> names = embedded ? Optional.empty() : ColumnLooks.namesImages(column)
          ? Optional.of(ImageFileNames.near(file, column.written))
          : ColumnLooks.isMostlyDistinct(column) ? ImageFileNames.find(file, column.written) : Optional.empty();
      if (names.isEmpty() && !embedded) {
        continue;
      }
      String path = column.name;
      List<FieldColumn> others = candidates.stream().filter(c -> c != column).toList();
      List<String> notRead = new ArrayList<>(leftOut);
      if (chosenLabel == null && chosenFlags.isEmpty() && others.size() == 1
          && !ColumnLooks.isMostlyDistinct(others.get(0))) {
        // The dog breeds' labels.csv (id, breed): 120 classes, more than a last column is taken for by its place.
        chosenLabel = others.get(0).name;
        said.set(labelSaid, "label: column '" + chosenLabel + "' (the only other column, "
            + others.get(0).written.size() + " values)");
        others = List.of();
      }
      said.add(0, embedded ? "images: those column '" + path + "' holds (each an image file's bytes)"
          : "images: the files column '" + path + "' names (" + names.get().describe(file) + ")");
      others.forEach(c -> notRead.add(c.name));
      if (!notRead.isEmpty()) {
        said.add("left out: " + String.join(", ", notRead));
      }
      return new Guess(labelled(Columns.ofText(path), chosenLabel, chosenFlags).withId(id), options,
          sentence(file, said, label, "; --image-size, --image-color as for a folder of images"), new int[0], true);
    }
    Columns columns;
    int[] image = new int[0];
    int side = text.isEmpty() ? ColumnLooks.pixelSide(candidates) : 0;
    long rows = sample.kept.lines.size();
    List<FieldColumn> identifiers = candidates.stream().filter(ColumnLooks::isIdentifier).toList();
    long beside = candidates.stream()
        .filter(c -> !text.contains(c.name) && !identifiers.contains(c) && ColumnLooks.isField(c, rows)).count();
    // A short text among fields (the Titanic table's passenger names) is one field of words in a record.
    boolean textAlone = !text.isEmpty()
        && (beside < MIN_RECORD_FIELDS || ColumnLooks.meanWords(candidates, text) >= RECORD_TEXT_WORDS);
    if (textAlone) {
      columns = Columns.ofText(text.toArray(String[]::new));
      said.add(0, (text.size() == 1 ? "text: column '" + text.get(0) + "' (" : "text: columns '"
          + String.join("', '", text) + "', joined (") + String.format(Locale.ROOT, "%.1f words a %s)",
          ColumnLooks.meanWords(candidates, text), text.size() == 1 ? "value" : "text"));
      candidates.stream().map(c -> c.name).filter(c -> !text.contains(c)).forEach(leftOut::add);
      leftOut.addAll(nested);
    } else if (text.isEmpty() && !nested.isEmpty() && candidates.isEmpty()) {
      List<String> arrays = List.copyOf(nested);
      columns = Columns.ofVector(arrays.toArray(String[]::new));
      said.add(0, "vector: " + (arrays.size() == 1 ? "key '" : "keys '") + String.join("', '", arrays)
          + "' (arrays of numbers)");
    } else if (side > 0) {
      String prefix = ColumnLooks.prefix(candidates.get(0).name);
      columns = Columns.ofVectorPrefix(prefix);
      image = new int[] {side, side};
      said.add(0, String.format(Locale.ROOT, "an image of %dx%d pixels in gray: the %d columns %s to %s", side, side,
          candidates.size(), candidates.get(0).name, candidates.get(candidates.size() - 1).name));
    } else if (candidates.size() > identifiers.size()) {
      List<FieldColumn> fields = candidates.stream().filter(c -> !identifiers.contains(c)).toList();
      // Named, so that the identifiers stay out (a number, an id would be a numeric field).
      columns = identifiers.isEmpty() && leftOut.isEmpty() ? Columns.ofAllFields()
          : Columns.ofFields(fields.stream().map(c -> c.name).toArray(String[]::new));
      long numeric = fields.stream().filter(c -> c.type() == FieldType.NUMERIC).count();
      said.add(0, String.format(Locale.ROOT, "a structured record of the %d other columns (%d numeric, %d"
          + " categorical%s)", fields.size(), numeric, fields.size() - numeric - text.size(), text.isEmpty() ? ""
          : String.format(Locale.ROOT, ", %d of words: '%s', %.1f words a value, read as a field beside the others;"
              + " --text-column %s reads %s alone", text.size(), String.join("', '", text),
              ColumnLooks.meanWords(candidates, text) / text.size(), String.join(",", text),
              text.size() == 1 ? "it" : "them")));
      identifiers.forEach(c -> leftOut.add(c.name + " (an id)"));
      leftOut.addAll(nested);
    } else {
      throw new DatasetException(file + ": its first rows hold no column but the label and the id to learn from");
    }
    columns = labelled(columns, chosenLabel, chosenFlags).withId(id);
    if (!leftOut.isEmpty()) {
      said.add("left out: " + String.join(", ", leftOut));
    }
    return new Guess(columns, options, sentence(file, said, label, image.length > 0 ? ", and --image-size" : ""),
        image, false);
  }

  /** {@code columns} with the label column, or the flag columns when there are some. */
  private static Columns labelled(Columns columns, String label, List<String> flags) {
    return flags.isEmpty() ? columns.withLabel(label) : columns.withLabelFlags(flags.toArray(String[]::new));
  }

  /** What was guessed, said in one sentence with the flags that choose otherwise ({@code more} at its end). */
  private static String sentence(Path file, List<String> said, String label, String more) {
    return "No payload named, so guessed from the first rows of " + file.getFileName() + ": " + String.join("; ", said)
        + ". Choose yourself with --text-column, --vector-column, --field-columns or --fields-all"
        + (label == null ? ", and --label-column" : "") + more + ".";
  }

  /**
   * Whether {@code column} is the label by another name over the sample's rows: one value for each class, one class
   * for each value (HuggingFace's {@code label_text} beside {@code label}, a {@code class_id} beside {@code class}),
   * 2 classes at least, over {@value #MIN_COUNTED_ROWS} rows at least.
   */
  private static boolean namesTheLabel(TabularLoader sample, FieldColumn column, String label) {
    FieldColumn labelColumn = sample.fieldsByName.get(label);
    int at = sample.fieldColumns.indexOf(column);
    int labelAt = sample.fieldColumns.indexOf(labelColumn);
    Map<Integer, String> classOf = new HashMap<>();
    Map<String, Integer> valueOf = new HashMap<>();
    int paired = 0;
    for (int r = 0; r < sample.kept.fieldCodes.size(); r++) {
      int[] codes = sample.kept.fieldCodes.get(r);
      int code = at < codes.length ? codes[at] : -1;
      String named = labelColumn == null ? sample.kept.labels.get(r)
          : labelAt < codes.length && codes[labelAt] >= 0 ? labelColumn.written.get(codes[labelAt]) : null;
      if (code < 0 || named == null) {
        continue;
      }
      if (!named.equals(classOf.computeIfAbsent(code, c -> named))
          || valueOf.computeIfAbsent(named, n -> code) != code) {
        return false;
      }
      paired++;
    }
    return paired >= ColumnLooks.MIN_COUNTED_ROWS && valueOf.size() >= 2;
  }

  /** The first column, by {@link #LABEL_NAMES}' order, whose name is a label's; null when none is. */
  private static String labelByName(List<FieldColumn> columns) {
    for (String name : LABEL_NAMES) {
      for (FieldColumn column : columns) {
        if (column.name.strip().toLowerCase(Locale.ROOT).equals(name)) {
          return column.name;
        }
      }
    }
    // A label's name as one word of the column's (AG News' "Class Index", the airline tweets' airline_sentiment),
    // when the column holds a few classes (not airline_sentiment_confidence, a decimal); "y" is too short for it.
    for (String name : LABEL_NAMES) {
      for (FieldColumn column : columns) {
        if (!name.equals("y") && words(column.name).contains(name) && ColumnLooks.looksLikeLabel(column)) {
          return column.name;
        }
      }
    }
    return null;
  }

  /** The words of a column's name, lower case: {@code airline_sentiment}, {@code Class Index}, {@code isFraud}. */
  private static List<String> words(String name) {
    return List.of(name.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT).split("[^a-z0-9]+"));
  }
}
