package io.streamdistill.teacher.remote;

import io.streamdistill.teacher.model.TeacherDescriptor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * An image event's vector as the image file a server that reads pictures takes: the vector holds the image as its
 * channel planes (each pixel byte / 255, as image folders and IDX files are read), one plane for gray, three for RGB;
 * written as PNG, lossless, so the server sees the pixels the student learns from.
 */
final class RemoteImages {
  /** The teacher.json option giving the images' shape, as the vector kinds spell it. */
  static final String SHAPE_OPTION = "inputShape";

  private RemoteImages() {}

  /** An image's channels (1 gray, 3 RGB), rows and columns, as {@value #SHAPE_OPTION} gives them. */
  record Shape(int channels, int rows, int cols) {
    long[] dims() {
      return new long[] {channels, rows, cols};
    }

    /** The number of values an image of this shape holds. */
    int width() {
      return channels * rows * cols;
    }

    /**
     * The images a vector teacher's inputs hold, from {@value #SHAPE_OPTION}: 1 or 3 channels, rows, cols, as many
     * values as the vector width.
     *
     * @param who the teacher in words, for the message ("an LLM")
     * @throws IllegalArgumentException when the option is missing or does not describe the vectors as images
     */
    static Shape of(TeacherDescriptor descriptor, Map<String, String> options, String who) {
      String given = options.get(SHAPE_OPTION);
      Shape shape = parse(given, who);
      if (shape.width() != descriptor.vectorWidth()) {
        throw new IllegalArgumentException("teacher.json options: " + SHAPE_OPTION + " " + given + " holds "
            + shape.width() + " values, but vectorWidth is " + descriptor.vectorWidth());
      }
      return shape;
    }

    /**
     * The shape {@code given} names ({@code CHANNELS,ROWS,COLS}, 1 or 3 channels).
     *
     * @throws IllegalArgumentException when it is missing or names no such shape
     */
    static Shape parse(String given, String who) {
      String[] parts = given == null ? new String[0] : given.toLowerCase(Locale.ROOT).split("[,x]", -1);
      int[] dims = new int[parts.length];
      try {
        for (int i = 0; i < parts.length; i++) {
          dims[i] = Integer.parseInt(parts[i].strip());
        }
      } catch (NumberFormatException e) {
        dims = new int[0];
      }
      if (dims.length != 3 || (dims[0] != 1 && dims[0] != 3) || dims[1] < 1 || dims[2] < 1) {
        throw new IllegalArgumentException(who + " reads vectors only as the images they hold: teacher.json options: "
            + SHAPE_OPTION + " must be CHANNELS,ROWS,COLS with 1 (gray) or 3 (RGB) channels, e.g. 3,224,224 (the"
            + " size and colour the demo's --image-size and --image-color give), is " + (given == null ? "missing"
            : "'" + given + "'"));
      }
      return new Shape(dims[0], dims[1], dims[2]);
    }
  }

  /** The base64 of a black image of {@code shape}: what import's probe sends an image model. */
  static String blackPngBase64(Shape shape) {
    return Base64.getEncoder().encodeToString(png(new float[shape.width()], shape.dims()));
  }

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
