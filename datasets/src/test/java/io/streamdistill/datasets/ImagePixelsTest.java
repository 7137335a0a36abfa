package io.streamdistill.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An image's bytes decoded as the edge decodes them, against the same file read from a folder. */
class ImagePixelsTest {
  @Test
  void shouldGiveTheValuesTheFolderReaderGivesForTheSameFile(@TempDir Path dir) throws IOException {
    BufferedImage image = new BufferedImage(23, 17, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(3);
    for (int y = 0; y < 17; y++) {
      for (int x = 0; x < 23; x++) {
        image.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    Path file = dir.resolve("photos/cat/1.png");
    Files.createDirectories(file.getParent());
    assertTrue(ImageIO.write(image, "png", file.toFile()));
    for (String color : new String[] {"rgb", "gray"}) {
      ImageFolderSource folder = ImageFolderSource.read(dir.resolve("photos"),
          ImageFolderSource.Options.parse("9x11", color));

      float[] decoded = ImagePixels.decode(Files.readAllBytes(file), color.equals("rgb") ? 3 : 1, 9, 11);

      assertArrayEquals(folder.get(0).vector(), decoded, 0f, color);
    }
  }

  @Test
  void shouldRefuseWhatIsNoImageAndAnImageOverTheBoundBeforeDecodingIt() throws IOException {
    IllegalArgumentException text = assertThrows(IllegalArgumentException.class,
        () -> ImagePixels.decode("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 1, 4, 4));
    assertTrue(text.getMessage().startsWith("not an image Java decodes"), text.getMessage());
    // 3000 x 3000 of one gray: a small file, a large image (a decompression bomb at the edge, if decoded).
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(new BufferedImage(3000, 3000, BufferedImage.TYPE_BYTE_GRAY), "png", png));
    IllegalArgumentException large = assertThrows(IllegalArgumentException.class,
        () -> ImagePixels.decode(png.toByteArray(), 1, 28, 28));
    assertTrue(large.getMessage().startsWith("the image is 3000x3000, over the 4,194,304 pixels read at most"),
        large.getMessage());
    assertTrue(png.size() < 100_000, "the file is small: " + png.size());
  }

  /** An 8x6 image, its left half red and its right half blue, as cwebp wrote it lossless and lossy (quality 90). */
  private static final String LOSSLESS_WEBP = "UklGRiQAAABXRUJQVlA4TBcAAAAvB0ABAA8Q87//8x8OAIJI8N9rIqL/IQA=";
  private static final String LOSSY_WEBP = "UklGRloAAABXRUJQVlA4IE4AAAAwAwCdASoIAAYAAMASJagCdLoB+AFGA/ACu/9wABGB"
      + "3KzAAP79nr/+cyG3/7tkSYKRP+uiftsiTBSJ//Wjn/41LKEjlc3+NSyhI5feAAA=";

  @Test
  void shouldDecodeWebpLosslessAndLossyInAFolderAndInATable(@TempDir Path dir) throws IOException {
    for (String webp : new String[] {LOSSLESS_WEBP, LOSSY_WEBP}) {
      float[] rgb = ImagePixels.decode(java.util.Base64.getDecoder().decode(webp), 3, 6, 8);
      // Planes R, G, B of 6x8: the top-left pixel red, the top-right blue (lossy: within a few steps of 255).
      assertTrue(rgb[0] > 0.9f && rgb[48] < 0.1f && rgb[96] < 0.1f, webp + ": top-left " + rgb[0] + ","
          + rgb[48] + "," + rgb[96]);
      assertTrue(rgb[7] < 0.1f && rgb[48 + 7] < 0.1f && rgb[96 + 7] > 0.9f, webp + ": top-right");
    }
    Path photos = dir.resolve("photos");
    Files.createDirectories(photos.resolve("red"));
    Files.createDirectories(photos.resolve("blue"));
    Files.write(photos.resolve("red/1.webp"), java.util.Base64.getDecoder().decode(LOSSLESS_WEBP));
    Files.write(photos.resolve("blue/2.webp"), java.util.Base64.getDecoder().decode(LOSSY_WEBP));
    ImageFolderSource folder = ImageFolderSource.read(photos, ImageFolderSource.Options.parse("6x8", "rgb"));
    assertEquals(2, folder.size());
    assertEquals(0, folder.skipped().count(), folder.skipped().toString());
    assertTrue(ImageInput.embedded("data:image/webp;base64," + LOSSY_WEBP) && ImageInput.embedded(LOSSY_WEBP));
  }
}
