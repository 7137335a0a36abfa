package io.streamdistill.datasets;

import java.util.List;
import java.util.Objects;

/**
 * A table whose vector is an image's pixels, one column each (a CSV of {@code label,pixel0,...,pixel783}, as MNIST
 * and Fashion-MNIST circulate on Kaggle): the same examples, known as images of {@link #imageShape()} so that a
 * teacher and a student can be convolutional, their values brought into [0, 1] as image folders' and IDX files' are
 * (divided by 255 when the table's values go above 1). Read-only and thread-safe when the table is.
 */
public final class ImageRows implements ExampleSource {
  private final ExampleSource rows;
  private final int[] shape;
  private final float scale;

  private ImageRows(ExampleSource rows, int[] shape, float scale) {
    this.rows = rows;
    this.shape = shape.clone();
    this.scale = scale;
  }

  /**
   * The table's rows as images of {@code shape} ({@code [rows, cols]}, or {@code [channels, rows, cols]} with each
   * channel's plane after the other).
   *
   * @throws IllegalArgumentException when the table's vectors are not of the shape's size, or hold values outside
   *     [0, 255] (no pixels as image files hold them)
   */
  public static ImageRows of(ExampleSource rows, int[] shape) {
    Objects.requireNonNull(rows, "rows");
    long size = 1;
    for (int dim : shape) {
      size *= dim;
    }
    float max = 0;
    for (int i = 0; i < rows.size(); i++) {
      float[] vector = rows.get(i).vector();
      if (vector == null || vector.length != size) {
        throw new IllegalArgumentException(rows.name() + ": an image of " + shape(shape) + " is " + size + " values,"
            + " but the vector of " + rows.get(i).id() + " has " + (vector == null ? "none" : vector.length));
      }
      for (float v : vector) {
        if (v < 0 || v > 255) {
          throw new IllegalArgumentException(rows.name() + ": " + rows.get(i).id() + " holds " + v + ", which is no"
              + " pixel (0 to 1, or 0 to 255)");
        }
        max = Math.max(max, v);
      }
    }
    return new ImageRows(rows, shape, max > 1 ? 1f / 255 : 1f);
  }

  private static String shape(int[] shape) {
    StringBuilder text = new StringBuilder();
    for (int dim : shape) {
      text.append(text.length() == 0 ? "" : "x").append(dim);
    }
    return text.toString();
  }

  /** The factor every value is multiplied by: 1/255 for pixels of 0-255, else 1. */
  public float scale() {
    return scale;
  }

  @Override
  public String name() {
    return rows.name();
  }

  @Override
  public int size() {
    return rows.size();
  }

  /** The row's example, its vector scaled into a new array. */
  @Override
  public Example get(int index) {
    Example row = rows.get(index);
    if (scale == 1f) {
      return row;
    }
    float[] pixels = row.vector().clone();
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] *= scale;
    }
    return new Example(row.id(), row.text(), pixels, row.fields(), row.label());
  }

  @Override
  public String label(int index) {
    return rows.label(index);
  }

  @Override
  public List<String> classes() {
    return rows.classes();
  }

  @Override
  public SkipReport skipped() {
    return rows.skipped();
  }

  @Override
  public int[] imageShape() {
    return shape.clone();
  }
}
