package io.streamdistill.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InputScalingTest {
  @Test
  void shouldLeaveVectorsOnAUnitScaleAndBatchesWithoutSpreadAlone() {
    assertNull(InputScaling.estimate(List.of(new float[] {0.5f, -7.9f}, new float[] {1f, 8f}), 2));
    assertNull(InputScaling.estimate(List.of(new float[] {300f, 5f}, new float[] {300f, 5f}), 2));
  }

  @Test
  void shouldStandardiseEachComponentAndGiveAConstantOneTheTypicalSpread() {
    // Component 0: 100 ± 10; component 1: 1,000 ± 1,000; component 2: constant 0 (an image's border).
    InputScaling scaling = InputScaling.estimate(List.of(new float[] {90, 0, 0}, new float[] {110, 2000, 0}), 3);
    assertNotNull(scaling);
    float[] out = new float[3];
    scaling.apply(new float[] {110, 2000, 0}, out, 0);
    assertEquals(1f, out[0], 1e-6);
    assertEquals(1f, out[1], 1e-6);
    assertEquals(0f, out[2], 1e-6);
    // The typical spread is the root mean square of (10, 1000, 0): a value of it on the constant component reads 1.
    float typical = (float) Math.sqrt((10 * 10 + 1000 * 1000) / 3.0);
    scaling.apply(new float[] {100, 1000, typical}, out, 0);
    assertEquals(1f, out[2], 1e-5);
  }

  @Test
  void shouldNotTakeAnySpreadAsLessThanAHundredthOfTheTypicalOne() {
    // Component 1 spreads by 0.5 where component 0 spreads by 1,000: read as if it spread by 7.07, a hundredth
    // of the typical 707.
    InputScaling scaling = InputScaling.estimate(List.of(new float[] {-1000, 9.5f}, new float[] {1000, 10.5f}), 2);
    float[] out = new float[2];
    scaling.apply(new float[] {0, 10 + 7.071068f}, out, 0);
    assertEquals(1f, out[1], 1e-4);
  }

  @Test
  void shouldFoldIntoAFirstLayerThatReadsRawVectorsAsTheScaledLayerReadsScaledOnes() {
    Random random = new Random(1);
    float[][] batch = new float[16][5];
    for (float[] v : batch) {
      for (int i = 0; i < v.length; i++) {
        v[i] = 40 * i + 255 * random.nextFloat();
      }
    }
    InputScaling scaling = InputScaling.estimate(List.of(batch), 5);
    float[] weight = new float[3 * 5];
    float[] bias = {0.1f, -0.2f, 0.3f};
    for (int i = 0; i < weight.length; i++) {
      weight[i] = (float) random.nextGaussian();
    }
    float[] folded = weight.clone();
    float[] foldedBias = bias.clone();
    scaling.fold(folded, foldedBias);
    float[] scaled = new float[5];
    for (float[] x : batch) {
      scaling.apply(x, scaled, 0);
      for (int o = 0; o < 3; o++) {
        double onScaled = bias[o];
        double onRaw = foldedBias[o];
        for (int i = 0; i < 5; i++) {
          onScaled += weight[o * 5 + i] * scaled[i];
          onRaw += folded[o * 5 + i] * x[i];
        }
        assertEquals(onScaled, onRaw, 1e-3 * Math.max(1, Math.abs(onScaled)));
      }
    }
    scaling.unfold(folded, foldedBias);
    for (int i = 0; i < weight.length; i++) {
      assertEquals(weight[i], folded[i], 1e-5 * Math.max(1, Math.abs(weight[i])));
    }
    for (int o = 0; o < 3; o++) {
      assertEquals(bias[o], foldedBias[o], 1e-3);
    }
  }
}
