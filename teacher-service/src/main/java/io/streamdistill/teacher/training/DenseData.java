package io.streamdistill.teacher.training;

import java.util.Arrays;
import java.util.Random;

/**
 * Feature rows and their class indexes, held flat ({@code n * width} floats), and the one thing
 * training does to them: stacking shuffled rows into a batch, images shifted by a random jitter.
 * Immutable after construction.
 */
final class DenseData {
  private final float[] x;
  private final int[] y;
  private final int width;

  DenseData(float[] x, int[] y, int width) {
    if (x.length != (long) y.length * width) {
      throw new IllegalArgumentException(x.length + " values are not " + y.length + " rows of " + width);
    }
    this.x = x;
    this.y = y;
    this.width = width;
  }

  /**
   * Splits the rows in two by a seeded shuffle: {@code {rest, kept}} where {@code kept} holds about
   * {@code percent}% of them (at least one when percent is positive), each part in the original order.
   */
  DenseData[] splitOff(int percent, long seed) {
    int n = size();
    int keep = percent <= 0 ? 0 : Math.max(1, (int) Math.round(n * percent / 100.0));
    int[] order = new int[n];
    Arrays.setAll(order, i -> i);
    Random random = new Random(seed ^ 0x5eed_1da7L);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    boolean[] kept = new boolean[n];
    for (int i = 0; i < keep; i++) {
      kept[order[i]] = true;
    }
    return new DenseData[] {subset(kept, false, n - keep), subset(kept, true, keep)};
  }

  private DenseData subset(boolean[] kept, boolean which, int count) {
    float[] xs = new float[count * width];
    int[] ys = new int[count];
    int at = 0;
    for (int i = 0; i < y.length; i++) {
      if (kept[i] == which) {
        System.arraycopy(x, i * width, xs, at * width, width);
        ys[at++] = y[i];
      }
    }
    return new DenseData(xs, ys, width);
  }

  int size() {
    return y.length;
  }

  int width() {
    return width;
  }

  int label(int row) {
    return y[row];
  }

  /** Rows {@code from..from+count)} in their order, flat. */
  float[] rows(int from, int count) {
    return Arrays.copyOfRange(x, from * width, (from + count) * width);
  }

  float[] row(int index) {
    return rows(index, 1);
  }

  /**
   * Writes rows {@code order[from..from+count)} into {@code batch} and their labels into
   * {@code labels}. With {@code rows > 0} and {@code jitter > 0} each row is an image of
   * {@code rows x width/rows} shifted by a random offset in [-jitter, jitter] on each axis; pixels
   * shifted in from outside are 0.
   */
  void fillBatch(int[] order, int from, int count, int rows, int cols, int jitter, Random random, float[] batch,
      long[] labels) {
    for (int r = 0; r < count; r++) {
      int index = order[from + r];
      labels[r] = y[index];
      if (rows > 0 && jitter > 0) {
        int dx = random.nextInt(2 * jitter + 1) - jitter;
        int dy = random.nextInt(2 * jitter + 1) - jitter;
        shift(index, rows, cols, dx, dy, batch, r * width);
      } else {
        System.arraycopy(x, index * width, batch, r * width, width);
      }
    }
  }

  /**
   * out[c][y][x] = image[c][y - dy][x - dx]: the image (each of its planes: one gray, or red, green
   * and blue) moves right by dx and down by dy.
   */
  void shift(int index, int rows, int cols, int dx, int dy, float[] out, int outOffset) {
    int plane = rows * cols;
    for (int p = 0; p < width / plane; p++) {
      int in = index * width + p * plane;
      for (int row = 0; row < rows; row++) {
        int sy = row - dy;
        int rowOut = outOffset + p * plane + row * cols;
        if (sy < 0 || sy >= rows) {
          Arrays.fill(out, rowOut, rowOut + cols, 0f);
          continue;
        }
        int rowIn = in + sy * cols;
        for (int col = 0; col < cols; col++) {
          int sx = col - dx;
          out[rowOut + col] = sx < 0 || sx >= cols ? 0f : x[rowIn + sx];
        }
      }
    }
  }
}
