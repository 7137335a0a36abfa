package io.streamdistill.datasets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A folder of examples with one subfolder per class ({@code FOLDER/cat/1.png}: label {@code cat}), as
 * {@link ImageFolderSource} and {@link TextFolderSource} read it: its files, each file's id and its class.
 * Stateless.
 */
final class ClassFolders {
  /** How deep below the folder files are looked for (a class folder may hold subfolders of its own). */
  static final int MAX_DEPTH = 16;

  private ClassFolders() {}

  /** Subfolder names that are splits of a data set, not classes. */
  static final Set<String> SPLIT_NAMES = Set.of("train", "training", "test", "testing", "val", "valid", "validation",
      "dev", "eval");

  /**
   * The files under {@code dir}, hidden ones (any part of the path starting with a dot) left out, in natural order.
   *
   * @throws DatasetException when the folder cannot be listed, or when its subfolders are a data set's splits
   *     ({@code train/}, {@code test/}, each with class folders): their names would be read as two classes
   */
  static List<Path> files(Path dir) {
    requireClassFolders(dir);
    try (Stream<Path> walk = Files.walk(dir, MAX_DEPTH)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> !isHidden(dir, p))
          .sorted((a, b) -> NaturalOrder.compare(id(dir, a), id(dir, b)))
          .toList();
    } catch (IOException | UncheckedIOException e) {
      throw new DatasetException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void requireClassFolders(Path dir) {
    List<Path> subfolders;
    try (Stream<Path> list = Files.list(dir)) {
      subfolders = list.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).toList();
    } catch (IOException | UncheckedIOException e) {
      throw new DatasetException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    List<String> names = subfolders.stream().map(p -> p.getFileName().toString()).sorted().toList();
    requireNoTables(dir, !names.isEmpty());
    boolean splits = !names.isEmpty() && names.stream().allMatch(n -> SPLIT_NAMES.contains(n.toLowerCase(Locale.ROOT)))
        && subfolders.stream().allMatch(ClassFolders::hasSubfolder);
    if (splits) {
      String train = startingWith(names, "train", null, names.get(0));
      String test = startingWith(names, "test", train, names.stream().filter(n -> !n.equals(train)).findFirst()
          .orElse(null));
      throw new DatasetException(dir + " holds the splits " + String.join(", ", names) + ", each with its own"
          + " folders: its subfolders would be read as " + names.size() + " classes named after them. Give one"
          + " split: --source " + dir.resolve(train) + (test == null ? "" : " (the demo can take another as its"
          + " requests: --test-source " + dir.resolve(test) + ")"));
    }
  }

  /**
   * Refuses a folder that holds tables (Kaggle's layout: {@code train.csv}, {@code test.csv}; with {@code deep}, in
   * subfolders too, where nothing but tables named as splits and their documents is: a HuggingFace data set's
   * download, {@code plain_text/train-00000-of-00001.parquet} beside its {@code README.md}): each table would be
   * read as one text of no class.
   */
  private static void requireNoTables(Path dir, boolean deep) {
    List<String> tables;
    boolean others;
    try (Stream<Path> walk = Files.walk(dir, deep ? MAX_DEPTH : 1)) {
      List<String> files = walk.filter(Files::isRegularFile).filter(p -> !isHidden(dir, p)).map(p -> id(dir, p))
          .filter(id -> !DOCUMENTS.matcher(id.substring(id.lastIndexOf('/') + 1)).matches()).toList();
      tables = files.stream().filter(TabularSource.Format::namesTable).sorted(NaturalOrder::compare).toList();
      others = tables.size() < files.size();
    } catch (IOException | UncheckedIOException e) {
      throw new DatasetException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    // In subfolders, tables named as splits (train-00000-of-00001.parquet, test.csv) are a data set's files; other
    // tables in class folders (walk/recording1.csv) may be one text each, as before.
    boolean splitFiles = tables.stream().allMatch(t -> SPLIT_FILES.matcher(t.substring(t.lastIndexOf('/') + 1))
        .matches());
    if (!tables.isEmpty() && !(deep && (others || !splitFiles))) {
      String train = startingWith(tables, "train", null, tables.get(0));
      String test = startingWith(tables, "test", train, null);
      throw new DatasetException(dir + " holds " + (tables.size() == 1 ? "the table " : "the tables ")
          + String.join(", ", tables) + ", not one example a file in a subfolder per class. Give a file: --source "
          + dir.resolve(train) + Shards.together(dir.resolve(train)) + (test == null ? "" : " (and, if " + test
          + " has labels, --test-source " + dir.resolve(test) + " for the demo's requests)"));
    }
  }

  /**
   * A uniform random sample of {@code n} of {@code files}, in their order (seeded: the same files each run); all of
   * them when {@code n} is 0 or not less than their number ({@code --sample} for a folder).
   */
  static List<Path> sample(List<Path> files, int n) {
    if (n <= 0 || n >= files.size()) {
      return files;
    }
    List<Integer> order = new java.util.ArrayList<>(java.util.stream.IntStream.range(0, files.size()).boxed().toList());
    java.util.Collections.shuffle(order, new java.util.Random(KeptRows.SEED));
    return order.subList(0, n).stream().sorted().map(files::get).toList();
  }

  /** A split's table: {@code train.csv}, HuggingFace's shards {@code train-00000-of-00002.parquet}. */
  private static final java.util.regex.Pattern SPLIT_FILES = java.util.regex.Pattern.compile(
      "(?i)(train|training|test|testing|val|valid|validation|dev|eval|unsupervised|unlabeled|unlabelled)([-_.].*)?");

  /** A data set's documents beside its tables (a HuggingFace download's README.md, a LICENSE). */
  static final java.util.regex.Pattern DOCUMENTS = java.util.regex.Pattern.compile(
      "(?i)(readme|license|licence|citation|changelog)(\\..*)?|.*\\.(md|yaml|yml|py)$");

  /**
   * The first path whose file name starts with {@code prefix} (any case) other than {@code not}, else {@code
   * otherwise}.
   */
  private static String startingWith(List<String> names, String prefix, String not, String otherwise) {
    return names.stream().filter(n -> !n.equals(not)
        && n.substring(n.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT).startsWith(prefix)).findFirst()
        .orElse(otherwise);
  }

  static boolean hasSubfolder(Path dir) {
    try (Stream<Path> list = Files.list(dir)) {
      return list.anyMatch(p -> Files.isDirectory(p) && !p.getFileName().toString().startsWith("."));
    } catch (IOException | UncheckedIOException e) {
      return false;
    }
  }

  static boolean isHidden(Path dir, Path file) {
    for (Path part : dir.relativize(file)) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  /** A file's id: its path under {@code dir}, with forward slashes ({@code cat/1.png}). */
  static String id(Path dir, Path file) {
    return dir.relativize(file).toString().replace('\\', '/');
  }

  /** Subfolder names that hold examples without a class (IMDB's {@code train/unsup/}), not a class. */
  static final Set<String> UNLABELLED_NAMES = Set.of("unsup", "unlabeled", "unlabelled");

  /**
   * The class of a file: the first folder under {@code dir} on its path; null directly in it, or in a folder named
   * as {@link #UNLABELLED_NAMES} (its examples are replayed for the teacher to label, never asked as requests).
   */
  static String label(Path dir, Path file) {
    Path relative = dir.relativize(file);
    if (relative.getNameCount() < 2) {
      return null;
    }
    String folder = relative.getName(0).toString();
    return UNLABELLED_NAMES.contains(folder.toLowerCase(Locale.ROOT)) ? null : folder;
  }

  /** The most classes file names are taken for ({@link #labelsOf}). */
  static final int MAX_NAMED_CLASSES = 1_000;
  /** The files a class named by file names has on average, at least ({@link #labelsOf}). */
  static final int MIN_FILES_A_NAMED_CLASS = 5;
  /** What is left of a file's name once its extension and its trailing number go: its class, if the names say. */
  private static final Pattern NUMBERED = Pattern.compile("(.*?\\p{L}.*?)[._ -]?[0-9]+");

  /**
   * The class of each of {@code files} ({@link #label}); in a folder without subfolders, when the names are a class
   * and a number ({@code cat.0.jpg}, {@code dog.1.jpg} as Kaggle's Dogs vs. Cats; {@code Abyssinian_1.jpg} as the
   * Oxford-IIIT Pets; {@code n02085620_10074.jpg} as ImageNet's), the name before the number: said to {@code notes}
   * when so. Names are taken for classes only when nine files in ten have one, there are 2 to {@value
   * #MAX_NAMED_CLASSES} and {@value #MIN_FILES_A_NAMED_CLASS} files a class on average at least ({@code
   * IMG_0001.jpg}, or ids, are no classes).
   */
  static List<String> labelsOf(Path dir, List<Path> files, Consumer<String> notes) {
    List<String> byFolder = files.stream().map(f -> label(dir, f)).toList();
    if (files.isEmpty() || byFolder.stream().anyMatch(Objects::nonNull)
        || files.stream().anyMatch(f -> dir.relativize(f).getNameCount() > 1)) {
      return byFolder;
    }
    List<String> byName = new ArrayList<>(files.size());
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Path file : files) {
      String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
      Matcher matcher = NUMBERED.matcher(stem);
      String name = matcher.matches() ? matcher.group(1).strip() : null;
      byName.add(name);
      if (name != null) {
        counts.merge(name, 1, Integer::sum);
      }
    }
    long named = byName.stream().filter(Objects::nonNull).count();
    if (named * 10 < files.size() * 9L || counts.size() < 2 || counts.size() > MAX_NAMED_CLASSES
        || named < (long) counts.size() * MIN_FILES_A_NAMED_CLASS) {
      return byFolder;
    }
    String example = files.get(byName.indexOf(counts.keySet().iterator().next())).getFileName().toString();
    notes.accept(dir.getFileName() + " has no subfolders, one per class: each file's class is its name before"
        + " the number (" + example + ": " + counts.keySet().iterator().next() + "), " + counts.size() + " classes"
        + (named < files.size() ? "; " + (files.size() - named) + " files with no such name have none" : ""));
    return byName;
  }

  /** The name of a folder source: the folder's own name, or {@code fallback} for a root. */
  static String name(Path dir, String fallback) {
    Path name = dir.toAbsolutePath().normalize().getFileName();
    return name == null ? fallback : name.toString();
  }
}
