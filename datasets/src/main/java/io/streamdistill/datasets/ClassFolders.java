package io.streamdistill.datasets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A folder of examples with one subfolder per class ({@code FOLDER/cat/1.png}: label {@code cat}), as
 * {@link ImageFolderSource} and {@link TextFolderSource} read it: its files, each file's id and its class.
 * Stateless.
 */
final class ClassFolders {
  /** How deep below the folder files are looked for (a class folder may hold subfolders of its own). */
  private static final int MAX_DEPTH = 16;

  private ClassFolders() {}

  /** The files under {@code dir}, hidden ones (any part of the path starting with a dot) left out, in natural order. */
  static List<Path> files(Path dir) {
    try (Stream<Path> walk = Files.walk(dir, MAX_DEPTH)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> !isHidden(dir, p))
          .sorted((a, b) -> NaturalOrder.compare(id(dir, a), id(dir, b)))
          .toList();
    } catch (IOException | UncheckedIOException e) {
      throw new DatasetException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  private static boolean isHidden(Path dir, Path file) {
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

  /** The class of a file: the first folder under {@code dir} on its path, or null directly in it. */
  static String label(Path dir, Path file) {
    Path relative = dir.relativize(file);
    return relative.getNameCount() < 2 ? null : relative.getName(0).toString();
  }

  /** The name of a folder source: the folder's own name, or {@code fallback} for a root. */
  static String name(Path dir, String fallback) {
    Path name = dir.toAbsolutePath().normalize().getFileName();
    return name == null ? fallback : name.toString();
  }
}
