package io.streamdistill.student;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PruningTest {
  @Test
  void shouldKeepExactlyTheRequestedCountOfLargestMagnitudes() {
    Random random = new Random(3);
    float[] values = new float[10_007];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextGaussian();
    }
    for (double sparsity : new double[] {0.0, 0.5, 0.8, 0.95, 1.0}) {
      boolean[] keep = Pruning.magnitudeMask(values, sparsity);
      int expected = (int) Math.round(values.length * (1 - sparsity));
      float smallestKept = Float.POSITIVE_INFINITY;
      float largestPruned = 0f;
      int kept = 0;
      for (int i = 0; i < values.length; i++) {
        if (keep[i]) {
          kept++;
          smallestKept = Math.min(smallestKept, Math.abs(values[i]));
        } else {
          largestPruned = Math.max(largestPruned, Math.abs(values[i]));
        }
      }
      assertEquals(expected, kept, "kept at sparsity " + sparsity);
      assertTrue(largestPruned <= smallestKept, "sparsity " + sparsity + ": pruned " + largestPruned
          + " while keeping " + smallestKept);
    }
  }

  @Test
  void shouldBreakTiesByKeepingTheLowerIndex() {
    float[] values = {0.5f, -1f, 0.5f, -0.5f, 1f, 0f, -0f};
    // Keep round(7 * 0.5) = 4 (3.5 rounds up): both 1s, then the first two of the three 0.5s.
    assertArrayEquals(new boolean[] {true, true, true, false, true, false, false}, Pruning.magnitudeMask(values, 0.5));
    assertArrayEquals(Pruning.magnitudeMask(values, 0.5), Pruning.magnitudeMask(values.clone(), 0.5), "deterministic");
  }

  @Test
  void shouldFollowTheCubicScheduleFromZeroToTheFinalSparsity() {
    assertEquals(0.0, Pruning.sparsityAt(0, 1_000, 11_000, 0.8));
    assertEquals(0.0, Pruning.sparsityAt(1_000, 1_000, 11_000, 0.8), "starts at 0");
    // Half way, (1 - 1/2)^3 = 1/8 of the way is left: 0.8 * 7/8.
    assertEquals(0.7, Pruning.sparsityAt(6_000, 1_000, 11_000, 0.8), 1e-12);
    assertEquals(0.8, Pruning.sparsityAt(11_000, 1_000, 11_000, 0.8), "ends at the final sparsity");
    assertEquals(0.8, Pruning.sparsityAt(50_000, 1_000, 11_000, 0.8), "and stays there");
    double previous = 0;
    double previousIncrease = Double.POSITIVE_INFINITY;
    for (long step = 1_000; step <= 11_000; step += 1_000) {
      double s = Pruning.sparsityAt(step, 1_000, 11_000, 0.8);
      assertTrue(s - previous <= previousIncrease + 1e-12, "prunes fastest first, step " + step);
      previousIncrease = step == 1_000 ? Double.POSITIVE_INFINITY : s - previous;
      previous = s;
    }
    assertThrows(IllegalArgumentException.class, () -> Pruning.sparsityAt(5, 10, 9, 0.5));
    assertThrows(IllegalArgumentException.class, () -> Pruning.sparsityAt(5, 0, 9, 1.5));
  }

  @Test
  void shouldMeasureSparsityOverWeightMatricesOnly() {
    StudentWeights weights = new StudentWeights()
        .put("dense0.weight", new int[] {2, 3}, new float[] {0, 1, 0, 2, -0f, 3})
        .put("dense0.bias", new int[] {2}, new float[] {0, 0})
        .put("dense1.weight", new int[] {1, 2}, new float[] {0, 4});
    assertEquals(4.0 / 8, Pruning.sparsity(weights), 1e-12);
  }

  @Test
  void shouldPruneEachMatrixAndLeaveBiasesAndTheOriginalAlone() {
    StudentWeights weights = StudentFixtures.randomWeights(StudentFixtures.tinyMlp(), 6, 0.1f);
    StudentWeights pruned = Pruning.prune(weights, 0.9);
    assertEquals(0.9, Pruning.sparsity(pruned), 1e-4);
    assertEquals(0.0, Pruning.sparsity(weights), "the original is untouched");
    assertArrayEquals(weights.get("dense1.bias").values(), pruned.get("dense1.bias").values());
    int zeros = 0;
    for (float v : pruned.get("dense1.weight").values()) {
      zeros += v == 0f ? 1 : 0;
    }
    assertEquals(144, zeros, "each layer to its own 90%: 160 weights, 16 kept");
  }

  @Test
  void shouldRefuseASparsityOutsideZeroToOneAndNaNValues() {
    assertThrows(IllegalArgumentException.class, () -> Pruning.magnitudeMask(new float[3], -0.1));
    assertThrows(IllegalArgumentException.class, () -> Pruning.magnitudeMask(new float[3], Double.NaN));
    var e = assertThrows(IllegalArgumentException.class, () -> Pruning.magnitudeMask(new float[] {1, Float.NaN}, 0.5));
    assertTrue(e.getMessage().contains("value 1 is NaN"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Pruning.applyMask(new float[3], new boolean[2]));
  }
}
