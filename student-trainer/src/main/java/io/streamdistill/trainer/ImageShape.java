package io.streamdistill.trainer;

import java.util.Locale;

/**
 * The shape of the images a stream's vectors hold: {@code channels} planes of {@code rows x cols}
 * values, each plane row by row (as the data sets write them). With it, {@code --student auto} picks a
 * convolutional student for vectors of {@link #size} values. Immutable.
 */
public record ImageShape(int rows, int cols, int channels) {
  public ImageShape {
    if (rows < 1 || cols < 1 || channels < 1) {
      throw new IllegalArgumentException("an image shape needs positive rows, columns and channels, got " + rows
          + "x" + cols + "x" + channels);
    }
  }

  /** Values in one image's vector. */
  public int size() {
    return rows * cols * channels;
  }

  /**
   * The shape a data set's {@code imageShape()} reports: {@code [rows, cols]} in gray, {@code [channels, rows,
   * cols]} in colour; null for an empty array (not images).
   */
  public static ImageShape of(int[] shape) {
    return switch (shape.length) {
      case 0 -> null;
      case 2 -> new ImageShape(shape[0], shape[1], 1);
      case 3 -> new ImageShape(shape[1], shape[2], shape[0]);
      default -> throw new IllegalArgumentException("an image shape has 2 or 3 dimensions, got " + shape.length);
    };
  }

  /**
   * {@code ROWSxCOLS} (gray) or {@code ROWSxCOLSxCHANNELS}, e.g. {@code 32x32x3}.
   *
   * @throws IllegalArgumentException naming {@code flag} when the text is not one
   */
  public static ImageShape parse(String flag, String text) {
    String[] parts = text.toLowerCase(Locale.ROOT).split("x", -1);
    try {
      if (parts.length == 2 || parts.length == 3) {
        return new ImageShape(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip()),
            parts.length == 3 ? Integer.parseInt(parts[2].strip()) : 1);
      }
    } catch (IllegalArgumentException e) {
      // below
    }
    throw new IllegalArgumentException(flag + " must be ROWSxCOLS or ROWSxCOLSxCHANNELS of positive numbers, e.g."
        + " 28x28 or 32x32x3, not '" + text + "'");
  }

  @Override
  public String toString() {
    return rows + "x" + cols + "x" + channels;
  }
}
