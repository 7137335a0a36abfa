package io.streamdistill.datasets;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * An image's pixels as the examples hold them: decoded, in gray or the R, G and B planes, scaled to a size by
 * averaging, each value / 255. One place for it, so that an image sent to the edge ({@link #decode}) becomes the
 * same values as the image file it was trained on ({@link ImageFolderSource}). Stateless.
 */
public final class ImagePixels {
  /** The most pixels an image {@link #decode} takes may have (2048 x 2048): its memory stays bounded. */
  public static final long MAX_PIXELS = 2048L * 2048;

  private ImagePixels() {}

  /**
   * The image file {@code bytes} (PNG, JPEG, BMP, GIF, TIFF or WebP) as {@code channels} planes (1: gray, 3: R, G
   * and B) of rows x cols, each value in [0, 1], as a folder's image is read at that size and colour.
   *
   * @throws IllegalArgumentException when the bytes are no image Java decodes, or channels is not 1 or 3
   */
  public static float[] decode(byte[] bytes, int channels, int rows, int cols) {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("an image is read in gray (1 channel) or colour (3), not " + channels);
    }
    BufferedImage image;
    try {
      image = read(bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage() + " (the student reads " + cols + "x" + rows + ")", e);
    }
    if (image == null) {
      throw new IllegalArgumentException("not an image Java decodes (PNG, JPEG, BMP, GIF, TIFF or WebP; " + bytes.length
          + " bytes)");
    }
    byte[] pixels = new byte[channels * rows * cols];
    pixels(image, rows, cols, channels == 3, pixels, 0);
    return IdxSource.unitFloats(pixels, 0, pixels.length);
  }

  /**
   * The image file {@code bytes} hold, decoded; null when they are no image Java decodes.
   *
   * @throws IOException when the image is over {@link #MAX_PIXELS} (told by its header, before any pixel is
   *     decoded: a small file can hold a huge image, a PNG of one colour), or cannot be decoded
   */
  static BufferedImage read(byte[] bytes) throws IOException {
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        return null;
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
        if (pixels > MAX_PIXELS) {
          throw new IOException(String.format(Locale.ROOT, "the image is %dx%d, over the %,d pixels read at most:"
              + " scale it down first", reader.getWidth(0), reader.getHeight(0), MAX_PIXELS));
        }
        return reader.read(0);
      } catch (RuntimeException e) {
        throw new IOException("the image cannot be decoded: " + e.getMessage(), e);
      } finally {
        reader.dispose();
      }
    }
  }

  /**
   * The image scaled to rows x cols, as bytes at {@code offset}: gray, or the R, G and B planes. The
   * values are the file's own, as Python's PIL reads them (no colour management: Java would take a
   * gray PNG's values as linear light and change them): gray files' samples as they are, colour
   * files' RGB, gray from colour as ITU-R 601 luma, alpha ignored. Scaled by averaging the source
   * pixels each target pixel covers (nearest when enlarging).
   */
  static void pixels(BufferedImage image, int rows, int cols, boolean rgb, byte[] out, int offset) {
    int height = image.getHeight();
    int width = image.getWidth();
    float[][] planes = planes(image, rgb);
    int plane = rows * cols;
    for (int c = 0; c < planes.length; c++) {
      float[] scaled = resize(planes[c], height, width, rows, cols);
      for (int i = 0; i < plane; i++) {
        out[offset + c * plane + i] = (byte) Math.max(0, Math.min(255, Math.round(scaled[i])));
      }
    }
  }

  /** The image's values, 0-255, one plane (gray) or three (R, G, B), each row by row. */
  private static float[][] planes(BufferedImage image, boolean rgb) {
    int height = image.getHeight();
    int width = image.getWidth();
    int n = height * width;
    java.awt.image.Raster raster = image.getRaster();
    boolean grayFile = image.getColorModel().getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY
        && raster.getNumBands() <= 2;
    if (grayFile) {
      int bits = image.getColorModel().getComponentSize(0);
      float scale = 255f / ((1 << bits) - 1);
      float[] gray = new float[n];
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          gray[y * width + x] = raster.getSample(x, y, 0) * scale;
        }
      }
      return rgb ? new float[][] {gray, gray, gray} : new float[][] {gray};
    }
    float[] r = new float[n];
    float[] g = new float[n];
    float[] b = new float[n];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int argb = image.getRGB(x, y);
        int i = y * width + x;
        r[i] = (argb >> 16) & 0xff;
        g[i] = (argb >> 8) & 0xff;
        b[i] = argb & 0xff;
      }
    }
    if (rgb) {
      return new float[][] {r, g, b};
    }
    float[] luma = new float[n];
    for (int i = 0; i < n; i++) {
      luma[i] = 0.299f * r[i] + 0.587f * g[i] + 0.114f * b[i];
    }
    return new float[][] {luma};
  }

  /** {@code in} (h x w, row by row) at rows x cols: each axis by {@link #resample}. */
  private static float[] resize(float[] in, int h, int w, int rows, int cols) {
    if (h == rows && w == cols) {
      return in;
    }
    float[] wide = new float[h * cols];
    float[] line = new float[Math.max(w, h)];
    for (int y = 0; y < h; y++) {
      System.arraycopy(in, y * w, line, 0, w);
      float[] r = resample(line, w, cols);
      System.arraycopy(r, 0, wide, y * cols, cols);
    }
    float[] out = new float[rows * cols];
    for (int x = 0; x < cols; x++) {
      for (int y = 0; y < h; y++) {
        line[y] = wide[y * cols + x];
      }
      float[] r = resample(line, h, rows);
      for (int y = 0; y < rows; y++) {
        out[y * cols + x] = r[y];
      }
    }
    return out;
  }

  /** The first {@code n} values of {@code in} as {@code m}: each the mean of the span of input it covers. */
  private static float[] resample(float[] in, int n, int m) {
    float[] out = new float[m];
    double step = (double) n / m;
    for (int j = 0; j < m; j++) {
      double from = j * step;
      double to = from + step;
      double sum = 0;
      for (int i = (int) from; i < Math.min(n, (int) Math.ceil(to)); i++) {
        double overlap = Math.min(to, i + 1) - Math.max(from, i);
        sum += overlap * in[i];
      }
      out[j] = (float) (sum / step);
    }
    return out;
  }
}
