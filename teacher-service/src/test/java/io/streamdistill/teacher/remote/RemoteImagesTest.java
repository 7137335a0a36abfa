package io.streamdistill.teacher.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** An image vector written as the PNG a server reads: every pixel as it was read from the image file. */
class RemoteImagesTest {
  @Test
  void shouldWriteAGrayImageWhosePixelsAreTheVectorsBytes() throws IOException {
    float[] gray = new float[4 * 5];
    for (int i = 0; i < gray.length; i++) {
      gray[i] = (i * 13 % 256) / 255f;
    }
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(RemoteImages.png(gray, new long[] {1, 4, 5})));
    assertEquals(5, image.getWidth());
    assertEquals(4, image.getHeight());
    for (int r = 0; r < 4; r++) {
      for (int c = 0; c < 5; c++) {
        assertEquals((r * 5 + c) * 13 % 256, image.getRaster().getSample(c, r, 0), "pixel " + r + "," + c);
      }
    }
  }

  @Test
  void shouldWriteAnRgbImageFromItsThreePlanesAndRefuseOtherShapes() throws IOException {
    float[] planes = {1f, 0f, 0.2f, 0f, 1f, 0.4f, 0f, 0f, 0.6f}; // 1x3: red, green, a gray-blue
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(RemoteImages.png(planes, new long[] {3, 1, 3})));
    assertEquals(0xff0000, image.getRGB(0, 0) & 0xffffff);
    assertEquals(0x00ff00, image.getRGB(1, 0) & 0xffffff);
    assertEquals((51 << 16) | (102 << 8) | 153, image.getRGB(2, 0) & 0xffffff);
    assertTrue(RemoteImages.pngDataUrl(planes, new long[] {3, 1, 3}).startsWith("data:image/png;base64,iVBOR"));
    assertThrows(IllegalArgumentException.class, () -> RemoteImages.png(planes, new long[] {2, 1, 3}));
    assertThrows(IllegalArgumentException.class, () -> RemoteImages.png(planes, new long[] {3, 2, 3}));
  }
}
