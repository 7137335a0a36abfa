package io.streamdistill.datasets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the image files a table's column names lie, as public image sets ship them: the names relative to the
 * table's folder ({@code images/0a1b.jpg}), or in one of its subfolders ({@code train.csv} of {@code 0a1b.jpg}
 * beside {@code train/}), with their extension or without it (Kaggle's CIFAR-10: {@code trainLabels.csv} of ids
 * {@code 1, 2, ...} beside {@code train/1.png}, ...; the dog breeds' {@code labels.csv} of hex ids beside
 * {@code train/<id>.jpg}).
 *
 * @param folder the folder the names are relative to
 * @param extension what each name is completed with ({@code ".png"}), empty when the names carry theirs
 */
record ImageFileNames(Path folder, String extension) {
  /** The values {@link #find} looks for. */
  static final int SAMPLE = 20;
  /** The subfolders of the table's folder {@link #find} looks into, at most. */
  static final int MAX_FOLDERS = 200;

  /** The file {@code value} names (a NUL in it, which no path holds, as {@code _}: that file does not exist). */
  Path resolve(String value) {
    Path named = Path.of(value.strip().replace('\0', '_') + extension);
    return named.isAbsolute() ? named : folder.resolve(named);
  }

  /** Where the files are, said for a user: "in the table's folder" or "in train/, each name + .png". */
  String describe(Path table) {
    Path tableFolder = table.toAbsolutePath().getParent();
    String where = folder.equals(tableFolder) ? "relative to the table's folder"
        : "in " + tableFolder.relativize(folder) + "/";
    return extension.isEmpty() ? where : where + ", each name + " + extension;
  }

  /**
   * The folder and extension under which nine in ten of {@code values}' first {@value #SAMPLE} non-blank values
   * are image files: the table's folder first, then its subfolders (those the table's name starts with first:
   * {@code train/} for {@code train_labels.csv}), each name as it is when it ends in an image extension, else
   * with each image extension added; empty when there is none.
   */
  static Optional<ImageFileNames> find(Path table, List<String> values) {
    List<String> sample = values.stream().map(String::strip).filter(v -> !v.isEmpty()).limit(SAMPLE).toList();
    if (sample.isEmpty()) {
      return Optional.empty();
    }
    Path tableFolder = table.toAbsolutePath().getParent();
    List<Path> folders = new ArrayList<>();
    folders.add(tableFolder);
    folders.addAll(subfolders(tableFolder, table.getFileName().toString()));
    List<String> extensions = new ArrayList<>();
    if (ImageFolderSource.isImageFile(sample.get(0))) {
      extensions.add("");
    } else {
      for (String extension : ImageFolderSource.EXTENSIONS.stream().sorted().toList()) {
        extensions.add("." + extension);
        extensions.add("." + extension.toUpperCase(Locale.ROOT));
      }
    }
    for (Path folder : folders) {
      for (String extension : extensions) {
        ImageFileNames names = new ImageFileNames(folder, extension);
        if (names.isFile(sample.get(0)) && sample.stream().filter(names::isFile).count() * 10 >= sample.size() * 9L) {
          return Optional.of(names);
        }
      }
    }
    return Optional.empty();
  }

  /** Where {@link #find} finds {@code values}' files, else the table's folder with the names as they are. */
  static ImageFileNames near(Path table, List<String> values) {
    return find(table, values).orElse(new ImageFileNames(table.toAbsolutePath().getParent(), ""));
  }

  private boolean isFile(String value) {
    try {
      return Files.isRegularFile(resolve(value));
    } catch (InvalidPathException e) {
      return false;
    }
  }

  /**
   * {@code folder}'s subfolders, those {@code tableName} starts with first, then by name; at most
   * {@value #MAX_FOLDERS}.
   */
  private static List<Path> subfolders(Path folder, String tableName) {
    String stem = tableName.toLowerCase(Locale.ROOT);
    try (Stream<Path> entries = Files.list(folder)) {
      return entries.filter(Files::isDirectory)
          .sorted(Comparator.comparing((Path p) -> !stem.startsWith(lowerName(p))).thenComparing(p -> lowerName(p)))
          .limit(MAX_FOLDERS).toList();
    } catch (IOException e) {
      throw new DatasetException("cannot list " + folder + ": " + e.getMessage(), e);
    }
  }

  private static String lowerName(Path path) {
    return path.getFileName().toString().toLowerCase(Locale.ROOT);
  }
}
