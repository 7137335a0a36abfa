package io.streamdistill.datasets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What to read when the source is a folder laid out as a data set's download rather than a folder of examples: a
 * HuggingFace repository or a Kaggle competition's files (its train table), a folder of splits ({@code train/},
 * {@code test/}, each of class folders: its train split), or images beside the table that names them (the table).
 * Each reading says what was chosen and what the user may give instead. Stateless.
 */
final class FolderLayouts {
  /** What to read instead of the folder, and the sentence that says so. */
  record Reading(Path source, String said) {}

  private FolderLayouts() {}

  /**
   * The reading of {@code dir} when it is laid out as a download, else empty (a folder of examples, read as such).
   *
   * @param namesImages whether a table beside images names them, as the guess reads it
   */
  static Optional<Reading> of(Path dir, Predicate<Path> namesImages) {
    Optional<Path> train = trainTable(dir);
    if (train.isPresent()) {
      // A folder of tables would otherwise be read as one text a table.
      Path test = testTable(dir, train.get());
      return Optional.of(new Reading(train.get(), dir + " is a data set's download: reading its train split, "
          + dir.relativize(train.get()) + Shards.together(train.get()) + (test == null ? "" : " (if "
          + dir.relativize(test) + " has labels, --test-source " + test + " asks the edge those)")));
    }
    Optional<Path> trainSplit = trainSplitFolder(dir);
    if (trainSplit.isPresent()) {
      Path other = otherSplit(dir, trainSplit.get());
      return Optional.of(new Reading(trainSplit.get(), dir + " holds a data set's splits: reading its train split, "
          + trainSplit.get().getFileName() + "/" + (other == null ? "" : " (--test-source " + other + " asks the"
          + " edge the examples of " + other.getFileName() + "/)")));
    }
    for (Path table : tablesBesideImages(dir)) {
      if (namesImages.test(table)) {
        return Optional.of(new Reading(table, dir + " holds images and " + table.getFileName() + ", which names"
            + " them with their classes: reading the images it names (--source " + table + " says so; the folder's"
            + " subfolders are no classes here)"));
      }
    }
    return Optional.empty();
  }

  /**
   * The train split of a data set's download (a HuggingFace repository: {@code plain_text/train-00000-of-00002.parquet}
   * and its other shard, {@code test-...}, beside {@code README.md}; {@code data/train.jsonl}; a Kaggle competition's
   * {@code train.csv} beside {@code test.csv} and {@code sample_submission.csv}): the folder holds nothing but tables
   * and documents, and its tables named {@code train...} are one split (one folder, one name before the shard
   * number). Empty for any other folder, or when that is ambiguous (two configurations, each with its train split):
   * {@link ClassFolders} then names the files to choose from.
   */
  private static Optional<Path> trainTable(Path dir) {
    List<String> files;
    try (Stream<Path> walk = Files.walk(dir, ClassFolders.MAX_DEPTH)) {
      files = walk.filter(Files::isRegularFile).filter(p -> !ClassFolders.isHidden(dir, p))
          .map(p -> ClassFolders.id(dir, p))
          .filter(id -> !ClassFolders.DOCUMENTS.matcher(id.substring(id.lastIndexOf('/') + 1)).matches()).toList();
    } catch (IOException | UncheckedIOException e) {
      return Optional.empty();
    }
    if (files.isEmpty() || !files.stream().allMatch(TabularSource.Format::namesTable)) {
      return Optional.empty();
    }
    List<String> train = files.stream().filter(f -> f.substring(f.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT)
        .startsWith("train")).sorted(NaturalOrder::compare).toList();
    long splits = train.stream().map(Shards::split).distinct().count();
    return splits == 1 ? Optional.of(dir.resolve(train.get(0))) : Optional.empty();
  }

  /**
   * The train split of a folder of splits ({@code aclImdb/train/pos/1.txt} beside {@code aclImdb/test/...}, an image
   * set's {@code train/cat/} beside {@code val/cat/}): every subfolder is named as a split and holds class folders,
   * and one is named {@code train} or {@code training}. Empty otherwise.
   */
  private static Optional<Path> trainSplitFolder(Path dir) {
    List<Path> subfolders;
    try (Stream<Path> list = Files.list(dir)) {
      subfolders = list.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).toList();
    } catch (IOException | UncheckedIOException e) {
      return Optional.empty();
    }
    boolean splits = !subfolders.isEmpty() && subfolders.stream().allMatch(p -> ClassFolders.SPLIT_NAMES.contains(
        p.getFileName().toString().toLowerCase(Locale.ROOT)) && ClassFolders.hasSubfolder(p));
    return splits ? subfolders.stream().filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT)
        .startsWith("train")).findFirst() : Optional.empty();
  }

  /** The split beside {@code train} to ask as requests: test, else val/validation/dev/eval; or null. */
  private static Path otherSplit(Path dir, Path train) {
    try (Stream<Path> list = Files.list(dir)) {
      List<Path> others = list.filter(Files::isDirectory).filter(p -> !p.equals(train)).sorted(
          Comparator.comparing((Path p) -> p.getFileName().toString().toLowerCase(Locale.ROOT)
              .startsWith("test") ? 0 : 1).thenComparing(p -> p.getFileName().toString())).toList();
      return others.isEmpty() ? null : others.get(0);
    } catch (IOException | UncheckedIOException e) {
      return null;
    }
  }

  /**
   * The tables at the top of a folder that also holds images below it (Kaggle's {@code labels.csv} beside {@code
   * train/}), those that may label them first ({@code labels}, {@code train} in their names), tests and submission
   * samples left out; empty when the folder holds no image or no such table.
   */
  private static List<Path> tablesBesideImages(Path dir) {
    List<Path> tables;
    try (Stream<Path> list = Files.list(dir)) {
      tables = list.filter(Files::isRegularFile).filter(p -> {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !name.startsWith(".") && TabularSource.Format.namesTable(name) && !name.startsWith("test")
            && !name.contains("submission");
      }).sorted(Comparator.comparing((Path p) -> {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.contains("label") ? 0 : name.contains("train") ? 1 : 2;
      }).thenComparing(p -> p.getFileName().toString())).toList();
    } catch (IOException | UncheckedIOException e) {
      return List.of();
    }
    if (tables.isEmpty()) {
      return tables;
    }
    try (Stream<Path> walk = Files.walk(dir, ClassFolders.MAX_DEPTH)) {
      return walk.anyMatch(p -> Files.isRegularFile(p) && ImageFolderSource.isImageFile(p)) ? tables : List.of();
    } catch (IOException | UncheckedIOException e) {
      return List.of();
    }
  }

  /** The first table named as a test split beside {@code train} (its folder first), or null. */
  private static Path testTable(Path dir, Path train) {
    try (Stream<Path> walk = Files.walk(dir, ClassFolders.MAX_DEPTH)) {
      List<Path> tests = walk.filter(Files::isRegularFile).filter(p -> !ClassFolders.isHidden(dir, p))
          .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).startsWith("test")
              && TabularSource.Format.namesTable(p.getFileName().toString()))
          .sorted((a, b) -> NaturalOrder.compare(ClassFolders.id(dir, a), ClassFolders.id(dir, b))).toList();
      return tests.stream().filter(p -> p.getParent().equals(train.getParent())).findFirst()
          .orElse(tests.isEmpty() ? null : tests.get(0));
    } catch (IOException | UncheckedIOException e) {
      return null;
    }
  }
}
