package io.streamdistill.datasets;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * The rows a {@link TabularLoader} keeps, one slot a row in parallel lists, and where the next good row goes: after
 * them, or, when they are a sample ({@code --sample N}), into a slot of a uniform random sample of every good row
 * read (reservoir sampling, Algorithm R: the memory is N rows whatever the file's size). Not thread-safe.
 */
final class KeptRows {
  /** {@link #place()}: the row goes after the kept ones. */
  static final int APPEND = -1;
  /** {@link #place()}: the row is not in the sample. */
  static final int LEAVE = -2;

  final List<String> ids = new ArrayList<>();
  final List<Integer> lines = new ArrayList<>();
  final List<String> texts = new ArrayList<>();
  final List<float[]> vectors = new ArrayList<>();
  final List<String> labels = new ArrayList<>();
  final List<int[]> fieldCodes = new ArrayList<>();

  /** The rows kept at most, as a sample of the good rows; 0 keeps them all. */
  private final int sample;
  /**
   * The seed of every {@code --sample}: the same file or folder gives the same sample each run (a teacher's cache, a
   * test split by id, stay valid).
   */
  static final long SEED = 0x5A3B1E;

  private final Random sampler = new Random(SEED);
  /** The good rows placed, kept or not. */
  private long goodRows;

  KeptRows(int sample) {
    this.sample = sample;
  }

  int size() {
    return ids.size();
  }

  /** The good rows seen: more than {@link #size()} when some fell out of the sample. */
  long goodRows() {
    return goodRows;
  }

  /** Whether some good rows were left out of a sample. */
  boolean sampled() {
    return goodRows > ids.size();
  }

  /** The rows kept at most, or 0 for all. */
  int sample() {
    return sample;
  }

  /** Where the next good row goes, counted as seen: {@link #APPEND}, {@link #LEAVE}, or the slot it replaces. */
  int place() {
    long seen = goodRows++;
    if (sample == 0 || ids.size() < sample) {
      return APPEND;
    }
    long drawn = (long) (sampler.nextDouble() * (seen + 1));
    return drawn < sample ? (int) drawn : LEAVE;
  }

  /** Keeps a row at {@code slot} ({@link #APPEND}, or the slot {@link #place()} gave). */
  void put(int slot, String id, int line, String text, float[] vector, String label, int[] codes) {
    if (slot == APPEND) {
      ids.add(id);
      lines.add(line);
      texts.add(text);
      vectors.add(vector);
      labels.add(label);
      fieldCodes.add(codes);
    } else {
      ids.set(slot, id);
      lines.set(slot, line);
      texts.set(slot, text);
      vectors.set(slot, vector);
      labels.set(slot, label);
      fieldCodes.set(slot, codes);
    }
  }

  /** The kept rows sorted back into the file's order (a sample's slots hold them in no order). */
  void inFileOrder() {
    Integer[] order = new Integer[ids.size()];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparingInt(lines::get));
    for (List<?> list : List.of(ids, lines, texts, vectors, labels, fieldCodes)) {
      reorder(list, order);
    }
  }

  private static <T> void reorder(List<T> list, Integer[] order) {
    List<T> sorted = new ArrayList<>(list.size());
    for (Integer i : order) {
      sorted.add(list.get(i));
    }
    for (int i = 0; i < sorted.size(); i++) {
      list.set(i, sorted.get(i));
    }
  }
}
