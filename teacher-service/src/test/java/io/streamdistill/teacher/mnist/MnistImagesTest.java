package io.streamdistill.teacher.mnist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.datasets.SkipReport;
import io.streamdistill.teacher.model.TeacherException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MnistImagesTest {

  @Test
  void shouldHoldThePixelsExactly() {
    float[] image = image(3, 4, 200);
    image[0] = 1f / 255f;
    MnistImages images = MnistImages.of(source(image, "7"), 0);

    assertArrayEquals(image, images.vector(0));
    assertEquals(7, images.label(0));
  }

  @Test
  void shouldShiftTheDigitRightAndDownFillingWithZeros() {
    MnistImages images = MnistImages.of(source(image(10, 20, 255), "1"), 0);
    float[] out = new float[MnistImages.PIXELS];

    images.shift(0, 2, -1, out, 0);

    // The pixel at (x=10, y=20) moves to (x=12, y=19); everything else is 0.
    assertEquals(1f, out[19 * 28 + 12]);
    assertEquals(1, count(out));
  }

  @Test
  void shouldJitterEachImageByAtMostTheGivenPixels() {
    MnistImages images = MnistImages.of(source(image(14, 14, 255), "3"), 0);
    int rows = 64;
    float[] batch = new float[rows * MnistImages.PIXELS];
    long[] labels = new long[rows];
    images.fillBatch(new int[rows], 0, rows, 2, new Random(1), batch, labels);
    boolean moved = false;
    for (int row = 0; row < rows; row++) {
      int at = -1;
      for (int p = 0; p < MnistImages.PIXELS; p++) {
        if (batch[row * MnistImages.PIXELS + p] != 0f) {
          at = p;
        }
      }
      int x = at % 28;
      int y = at / 28;
      assertTrue(Math.abs(x - 14) <= 2 && Math.abs(y - 14) <= 2, "pixel moved to " + x + "," + y);
      moved |= x != 14 || y != 14;
      assertEquals(3, labels[row]);
    }
    assertTrue(moved, "no image was shifted");
  }

  @Test
  void shouldRefuseImagesThatAreNotMnist() {
    assertThrows(TeacherException.class, () -> MnistImages.of(source(new float[10], "1"), 0));
    assertThrows(TeacherException.class, () -> MnistImages.of(source(image(1, 1, 255), "x"), 0));
  }

  private static int count(float[] values) {
    int n = 0;
    for (float v : values) {
      n += v != 0f ? 1 : 0;
    }
    return n;
  }

  private static float[] image(int x, int y, int value) {
    float[] image = new float[MnistImages.PIXELS];
    image[y * 28 + x] = value / 255f;
    return image;
  }

  private static ExampleSource source(float[] vector, String label) {
    return new ExampleSource() {
      @Override
      public String name() {
        return "one";
      }

      @Override
      public int size() {
        return 1;
      }

      @Override
      public Example get(int index) {
        return new Example("one-0", null, vector.clone(), label);
      }

      @Override
      public String label(int index) {
        return label;
      }

      @Override
      public List<String> classes() {
        return MnistImages.CLASSES;
      }

      @Override
      public SkipReport skipped() {
        return new SkipReport();
      }
    };
  }
}
