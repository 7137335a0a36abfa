package io.streamdistill.teacher.remote;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;

/**
 * An image event's vector as the image file a server that reads pictures takes: the vector holds the image as its
 * channel planes (each pixel byte / 255, as image folders and IDX files are read), one plane for gray, three for RGB;
 * written as PNG, lossless, so the server sees the pixels the student learns from.
 */
final class RemoteImages {
  private RemoteImages() {}

  /**
   * The PNG of {@code vector} laid out as {@code shape} ({@code channels, rows, cols}).
   *
   * @throws IllegalArgumentException when the shape has other than 1 or 3 channels or another size than the vector
   */
  static byte[] png(float[] vector, long[] shape) {
    if (shape.length != 3 || (shape[0] != 1 && shape[0] != 3)) {
      throw new IllegalArgumentException("an image to send has 1 (gray) or 3 (RGB) channels, as channels,rows,cols;"
          + " the shape is " + java.util.Arrays.toString(shape));
    }
    int channels = (int) shape[0];
    int rows = (int) shape[1];
    int cols = (int) shape[2];
    int plane = rows * cols;
    if ((long) channels * plane != vector.length) {
      throw new IllegalArgumentException("the vector has " + vector.length + " values, not the " + channels * plane
          + " of a " + channels + "x" + rows + "x" + cols + " image");
    }
    BufferedImage image = new BufferedImage(cols, rows, channels == 1 ? BufferedImage.TYPE_BYTE_GRAY
        : BufferedImage.TYPE_INT_RGB);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int at = r * cols + c;
        if (channels == 1) {
          image.getRaster().setSample(c, r, 0, pixel(vector[at]));
        } else {
          int red = pixel(vector[at]);
          int green = pixel(vector[plane + at]);
          image.setRGB(c, r, (red << 16) | (green << 8) | pixel(vector[2 * plane + at]));
        }
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(plane * channels / 2 + 128);
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a PNG", e);
    }
    return out.toByteArray();
  }

  /** The PNG of {@code vector} as a {@code data:} URL, as OpenAI's chat API takes an image. */
  static String pngDataUrl(float[] vector, long[] shape) {
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(png(vector, shape));
  }

  private static int pixel(float value) {
    return Math.max(0, Math.min(255, Math.round(value * 255f)));
  }
}
