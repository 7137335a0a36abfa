package io.streamdistill.teacher.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Batches and image jitter, on 28x28 images with a single lit pixel. */
class DenseDataTest {
  private static final int SIDE = 28;

  private static DenseData onePixel(int x, int y, int label) {
    float[] image = new float[SIDE * SIDE];
    image[y * SIDE + x] = 1f;
    return new DenseData(image, new int[] {label}, SIDE * SIDE);
  }

  @Test
  void shouldShiftTheImageRightAndDownFillingWithZeros() {
    float[] out = new float[SIDE * SIDE];

    onePixel(10, 20, 1).shift(0, SIDE, SIDE, 2, -1, out, 0);

    // The pixel at (x=10, y=20) moves to (x=12, y=19); everything else is 0.
    assertEquals(1f, out[19 * SIDE + 12]);
    float sum = 0;
    for (float v : out) {
      sum += v;
    }
    assertEquals(1f, sum);
  }

  @Test
  void shouldShiftEachColourPlaneOfANonSquareImageAlike() {
    // 3 planes of 2 rows x 3 columns; each plane holds its number at (x=0, y=0).
    float[] image = new float[3 * 6];
    image[0] = 1f;
    image[6] = 2f;
    image[12] = 3f;
    float[] out = new float[18];

    new DenseData(image, new int[] {0}, 18).shift(0, 2, 3, 1, 1, out, 0);

    // Each moves to (x=1, y=1): index 1 * 3 + 1 = 4 within its plane.
    float[] expected = new float[18];
    expected[4] = 1f;
    expected[10] = 2f;
    expected[16] = 3f;
    assertArrayEquals(expected, out);
  }

  @Test
  void shouldJitterEachImageByAtMostTheGivenPixels() {
    DenseData data = onePixel(14, 14, 3);
    int rows = 64;
    float[] batch = new float[rows * SIDE * SIDE];
    long[] labels = new long[rows];

    data.fillBatch(new int[rows], 0, rows, SIDE, SIDE, 2, new Random(1), batch, labels);

    boolean moved = false;
    for (int row = 0; row < rows; row++) {
      int at = -1;
      for (int p = 0; p < SIDE * SIDE; p++) {
        if (batch[row * SIDE * SIDE + p] != 0f) {
          at = p;
        }
      }
      int x = at % SIDE;
      int y = at / SIDE;
      assertTrue(Math.abs(x - 14) <= 2 && Math.abs(y - 14) <= 2, "pixel moved to " + x + "," + y);
      moved |= x != 14 || y != 14;
      assertEquals(3, labels[row]);
    }
    assertTrue(moved, "no image was shifted");
  }

  @Test
  void shouldCopyRowsAsTheyAreWithoutJitter() {
    DenseData data = new DenseData(new float[] {1, 2, 3, 4, 5, 6}, new int[] {0, 1, 0}, 2);
    float[] batch = new float[4];
    long[] labels = new long[2];

    data.fillBatch(new int[] {2, 0, 1}, 0, 2, 0, 0, 0, new Random(1), batch, labels);

    assertArrayEquals(new float[] {5, 6, 1, 2}, batch);
    assertArrayEquals(new long[] {0, 0}, labels);
  }
}
