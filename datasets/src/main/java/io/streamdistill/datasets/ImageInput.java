package io.streamdistill.datasets;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * One image an image source reads: a file (a folder's, or one a table names), or the bytes a table's column holds
 * (HuggingFace's image sets as Parquet hold each PNG or JPEG in the row, as {@code image.bytes}; a JSON or CSV
 * table may hold them in base64, or as {@code data:image/png;base64,...} URIs). Read once, when the source is built.
 */
interface ImageInput {
  /** Why this is no image to read (not an image file, no such file), or null when it may be one. */
  String problem();

  /** The decoded image, or null when its bytes are no image Java decodes. */
  BufferedImage read() throws IOException;

  /** A file, read when it ends in an image extension and exists. */
  static ImageInput of(Path file) {
    return new ImageInput() {
      @Override
      public String problem() {
        return !ImageFolderSource.isImageFile(file) ? "not an image (" + String.join(", ",
            ImageFolderSource.EXTENSIONS.stream().sorted().toList()) + ")"
            : !Files.isRegularFile(file) ? "no such file: " + file : null;
      }

      @Override
      public BufferedImage read() throws IOException {
        return ImageIO.read(file.toFile());
      }
    };
  }

  /** An image a table holds as text: base64 of its file's bytes, or a data URI ({@link #embedded}). */
  static ImageInput ofEmbedded(String value) {
    return new ImageInput() {
      @Override
      public String problem() {
        return value == null || value.isBlank() ? "no image in the row" : !embedded(value)
            ? "not a PNG, JPEG, GIF, BMP, TIFF or WebP image in base64 ('" + TabularValues.abbreviate(value) + "')"
            : null;
      }

      @Override
      public BufferedImage read() throws IOException {
        byte[] bytes;
        try {
          bytes = Base64.getMimeDecoder().decode(payload(value));
        } catch (IllegalArgumentException e) {
          throw new IOException("not base64: " + e.getMessage(), e);
        }
        return ImagePixels.read(bytes);
      }
    };
  }

  /** The starts of an image file's bytes in base64: PNG, JPEG, GIF, BMP, TIFF (both byte orders), WebP (RIFF). */
  List<String> BASE64_MAGIC = List.of("iVBORw0KGgo", "/9j/", "R0lGOD", "Qk", "SUkqA", "TU0AK", "UklGR");

  /**
   * Whether a value is an image file's bytes as text: base64 starting as a PNG, JPEG, GIF, BMP, TIFF or WebP file does,
   * or a {@code data:image/...;base64,} URI; at least 40 characters (a short word such as "Qk" is no image).
   */
  static boolean embedded(String value) {
    String payload = payload(value.strip());
    return payload.length() >= 40 && BASE64_MAGIC.stream().anyMatch(payload::startsWith);
  }

  /** The base64 of a value, its data URI's header removed. */
  private static String payload(String value) {
    if (value.regionMatches(true, 0, "data:image/", 0, 11)) {
      int comma = value.indexOf(',');
      if (comma > 0 && value.substring(0, comma).toLowerCase(Locale.ROOT).endsWith(";base64")) {
        return value.substring(comma + 1);
      }
    }
    return value;
  }
}
