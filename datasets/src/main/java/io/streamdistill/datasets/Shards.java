package io.streamdistill.datasets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A split written in shards, as HuggingFace's hub and {@code datasets} write a large one: {@code
 * train-00000-of-00004.parquet} ... {@code train-00003-of-00004.parquet}, any prefix, any extension. Naming any one
 * of them names the split: every shard is read, in order.
 */
final class Shards {
  /** {@code PREFIX-INDEX-of-COUNT.EXT}, as {@code datasets} names them (five digits each, but any number is read). */
  private static final Pattern SHARD = Pattern.compile("(.*)-(\\d+)-of-(\\d+)(\\..+)?");

  private Shards() {}

  /**
   * The shards of the split {@code file} belongs to, in order; {@code file} alone when it is no shard or the only
   * one.
   *
   * @throws DatasetException when a shard of the split is missing, naming it
   */
  static List<Path> of(Path file) {
    Path name = file.getFileName();
    Matcher shard = name == null ? null : SHARD.matcher(name.toString());
    if (shard == null || !shard.matches()) {
      return List.of(file);
    }
    int count;
    try {
      count = Integer.parseInt(shard.group(3));
    } catch (NumberFormatException e) {
      return List.of(file);
    }
    if (count <= 1 || count > 100_000) {
      return List.of(file);
    }
    int width = shard.group(2).length();
    String extension = shard.group(4) == null ? "" : shard.group(4);
    List<Path> shards = new ArrayList<>(count);
    List<String> missing = new ArrayList<>();
    Path dir = file.toAbsolutePath().getParent();
    for (int i = 0; i < count; i++) {
      String sibling = String.format(Locale.ROOT, "%s-%0" + width + "d-of-%s%s", shard.group(1), i, shard.group(3),
          extension);
      Path path = file.resolveSibling(sibling);
      if (Files.isRegularFile(path)) {
        shards.add(path);
      } else {
        missing.add(sibling);
      }
    }
    if (!missing.isEmpty()) {
      throw new DatasetException(file + " is shard " + (Integer.parseInt(shard.group(2)) + 1) + " of " + count
          + " of a split, and " + missing.size() + " of them " + (missing.size() == 1 ? "is" : "are") + " not in "
          + dir + ": " + String.join(", ", missing.subList(0, Math.min(3, missing.size())))
          + (missing.size() > 3 ? ", ..." : "") + ". Download every shard (the split is read whole), or give one"
          + " shard alone under another name (cp " + name + " part.parquet)" + otherShards(dir, shard.group(1)));
    }
    return shards;
  }

  /**
   * The split a file of a data set belongs to: its path without the shard's number and extension ({@code
   * data/train-00001-of-00004.parquet} is {@code data/train}); a file that is no shard is its own split.
   */
  static String split(String path) {
    Matcher shard = SHARD.matcher(path);
    return shard.matches() ? shard.group(1) : path;
  }

  /** " (read with the other N shards of its split)" for a shard of several, else "". */
  static String together(Path file) {
    try {
      int count = of(file).size();
      return count > 2 ? " (read with the other " + (count - 1) + " shards of its split)"
          : count == 2 ? " (read with the other shard of its split)" : "";
    } catch (DatasetException e) {
      return "";
    }
  }

  /** ", beside shards of another count (...)" when the folder holds such files, else "". */
  private static String otherShards(Path dir, String prefix) {
    if (dir == null) {
      return "";
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<String> others = files.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(prefix + "-") && SHARD.matcher(n).matches()).sorted(NaturalOrder::compare)
          .limit(3).toList();
      return others.isEmpty() ? "" : "; found: " + String.join(", ", others);
    } catch (IOException | UncheckedIOException e) {
      return "";
    }
  }
}
