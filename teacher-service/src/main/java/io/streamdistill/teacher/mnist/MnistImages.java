package io.streamdistill.teacher.mnist;

import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.teacher.model.TeacherException;
import java.util.List;

/**
 * MNIST images held as one byte per pixel (47 MB for the training set rather than 188 MB of
 * floats), with their labels as class indexes, checked to be MNIST-shaped; the generic trainer
 * reads them as float rows. Immutable after construction.
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

  /** The class index of every image, in order. */
  int[] labels() {
    return labels.clone();
  }

  /** Every image as 784 floats in [0, 1], one after the other: what the network trainer reads. */
  float[] rows() {
    float[] rows = new float[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      rows[i] = (pixels[i] & 0xff) / 255f;
    }
    return rows;
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
}
