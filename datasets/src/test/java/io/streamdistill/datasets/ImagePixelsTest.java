package io.streamdistill.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
}
