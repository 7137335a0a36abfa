package io.streamdistill.teacher.mnist;

import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.teacher.model.TeacherException;
import java.util.List;
import java.util.Random;

/**
 * MNIST images held as one byte per pixel (47 MB for the training set rather than 188 MB of
 * floats), with their labels as class indexes, and the two things training does to them: jitter
 * and stacking into a batch. Immutable after construction.
 */
final class MnistImages {
  static final int SIDE = 28;
  static final int PIXELS = SIDE * SIDE;
  static final List<String> CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

  private final byte[] pixels;
  private final int[] labels;

  private MnistImages(byte[] pixels, int[] labels) {
    this.pixels = pixels;
    this.labels = labels;
  }

  /**
   * The first {@code limit} examples of {@code source} (all of them when limit is 0 or larger than
   * the source). Each vector must be 784 values in [0, 1] that are multiples of 1/255, as
   * {@code MnistSource} makes them, so that the bytes hold them exactly.
   */
  static MnistImages of(ExampleSource source, int limit) {
    int count = limit <= 0 ? source.size() : Math.min(limit, source.size());
    if (count == 0) {
      throw new TeacherException(source.name() + " has no examples");
    }
    byte[] pixels = new byte[count * PIXELS];
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      float[] vector = source.get(i).vector();
      if (vector == null || vector.length != PIXELS) {
        throw new TeacherException(source.name() + " example " + i + " is not a 28x28 image ("
            + (vector == null ? "no vector" : vector.length + " values") + ")");
      }
      for (int p = 0; p < PIXELS; p++) {
        float v = vector[p];
        if (!(v >= 0f && v <= 1f)) {
          throw new TeacherException(source.name() + " example " + i + " has pixel " + p + " = " + v
              + ", outside [0, 1]");
        }
        pixels[i * PIXELS + p] = (byte) Math.round(v * 255f);
      }
      labels[i] = classIndex(source.label(i), source.name(), i);
    }
    return new MnistImages(pixels, labels);
  }

  private static int classIndex(String label, String sourceName, int index) {
    int cls = label == null ? -1 : CLASSES.indexOf(label);
    if (cls < 0) {
      throw new TeacherException(sourceName + " example " + index + " has label " + label + ", not a digit 0-9");
    }
    return cls;
  }

  int size() {
    return labels.length;
  }

  int label(int index) {
    return labels[index];
  }

  /** The image as 784 floats in [0, 1], as {@code MnistSource} gives it. */
  float[] vector(int index) {
    float[] vector = new float[PIXELS];
    int offset = index * PIXELS;
    for (int p = 0; p < PIXELS; p++) {
      vector[p] = (pixels[offset + p] & 0xff) / 255f;
    }
    return vector;
  }

  /**
   * Writes the images {@code order[from..from+count)} into {@code batch} (row after row) and their
   * labels into {@code batchLabels}, each image shifted by a random offset in
   * [-jitter, jitter] on each axis (0 for none); pixels shifted in from outside are 0.
   */
  void fillBatch(int[] order, int from, int count, int jitter, Random random, float[] batch, long[] batchLabels) {
    for (int row = 0; row < count; row++) {
      int index = order[from + row];
      int dx = jitter == 0 ? 0 : random.nextInt(2 * jitter + 1) - jitter;
      int dy = jitter == 0 ? 0 : random.nextInt(2 * jitter + 1) - jitter;
      shift(index, dx, dy, batch, row * PIXELS);
      batchLabels[row] = labels[index];
    }
  }

  /** out[y][x] = image[y - dy][x - dx]: the digit moves right by dx and down by dy. */
  void shift(int index, int dx, int dy, float[] out, int outOffset) {
    int in = index * PIXELS;
    for (int y = 0; y < SIDE; y++) {
      int sy = y - dy;
      int rowOut = outOffset + y * SIDE;
      if (sy < 0 || sy >= SIDE) {
        java.util.Arrays.fill(out, rowOut, rowOut + SIDE, 0f);
        continue;
      }
      int rowIn = in + sy * SIDE;
      for (int x = 0; x < SIDE; x++) {
        int sx = x - dx;
        out[rowOut + x] = sx < 0 || sx >= SIDE ? 0f : (pixels[rowIn + sx] & 0xff) / 255f;
      }
    }
  }
}
