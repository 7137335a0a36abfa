package io.streamdistill.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The sparse table against the dense computation it replaces: every row updated and averaged at every step. */
class EmbeddingTableTest {
  private static final int ROWS = 60;
  private static final int DIM = 4;

  @Test
  void shouldUpdateAndAverageExactlyAsTheDenseAdagradAndPolyakAverageDo() {
    EmbeddingTable table = new EmbeddingTable(ROWS, DIM, EmbeddingTable.Optimizer.ADAGRAD, 7);
    float[] values = table.values().clone();
    float[] sum = new float[ROWS * DIM];
    float[] mean = null;
    Random random = new Random(3);
    float rate = 0.1f;
    for (int step = 1; step <= 200; step++) {
      // A few texts over a few rows, with repeats inside a text: most rows go untouched for many steps.
      List<int[]> texts = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        int[] buckets = new int[1 + random.nextInt(6)];
        for (int j = 0; j < buckets.length; j++) {
          buckets[j] = random.nextInt(step < 100 ? ROWS : 10);
        }
        texts.add(buckets);
      }
      float[] bagGradients = new float[texts.size() * DIM];
      for (int i = 0; i < bagGradients.length; i++) {
        bagGradients[i] = (float) random.nextGaussian();
      }
      assertArrayEquals(denseBags(values, texts), table.bags(texts, false), 1e-6f, "step " + step);
      table.update(texts, bagGradients, rate);
      float decay = Math.min(0.99f, (1f + step) / (10f + step));
      table.average(decay);

      // The dense reference: a gradient for every row (zero for most), Adagrad on all, the average of all.
      float[] gradient = new float[ROWS * DIM];
      for (int i = 0; i < texts.size(); i++) {
        for (int bucket : texts.get(i)) {
          for (int k = 0; k < DIM; k++) {
            gradient[bucket * DIM + k] += bagGradients[i * DIM + k] / texts.get(i).length;
          }
        }
      }
      for (int i = 0; i < values.length; i++) {
        sum[i] += gradient[i] * gradient[i];
        values[i] -= rate * gradient[i] / ((float) Math.sqrt(sum[i]) + 1e-8f);
      }
      if (mean == null) {
        mean = values.clone();
      } else {
        for (int i = 0; i < mean.length; i++) {
          mean[i] = decay * mean[i] + (1 - decay) * values[i];
        }
      }
      if (step % 50 == 0) {
        assertArrayEquals(values, table.values(), 1e-5f, "live values at step " + step);
        assertArrayEquals(mean, table.averagedCopy(), 1e-5f, "averaged values at step " + step);
        assertArrayEquals(denseBags(mean, texts), table.bags(texts, true), 1e-5f, "averaged bags at step " + step);
      }
    }
  }

  @Test
  void shouldMoveOnlyTheRowsABatchHoldsUnderLazyAdamAndStartAgainFromLoadedValues() {
    EmbeddingTable table = new EmbeddingTable(ROWS, DIM, EmbeddingTable.Optimizer.LAZY_ADAM, 7);
    float[] before = table.values().clone();
    table.update(List.of(new int[] {5, 5, 9}), new float[] {1, -1, 0.5f, 0}, 0.01f);
    for (int row = 0; row < ROWS; row++) {
      for (int k = 0; k < DIM; k++) {
        int i = row * DIM + k;
        boolean held = (row == 5 || row == 9) && k != 3;
        assertEquals(held, before[i] != table.values()[i], "row " + row + " dim " + k);
      }
    }
    // Adam's first step moves each entry by about the rate, whatever the gradient's size.
    assertEquals(0.01f, before[5 * DIM] - table.values()[5 * DIM], 1e-4f);
    table.average(0.5f);
    float[] loaded = new float[ROWS * DIM];
    table.load(loaded);
    assertArrayEquals(loaded, table.averagedCopy(), "a load starts the average again");
    assertThrows(IllegalArgumentException.class, () -> table.load(new float[3]));
  }

  private static float[] denseBags(float[] values, List<int[]> texts) {
    float[] bags = new float[texts.size() * DIM];
    for (int i = 0; i < texts.size(); i++) {
      for (int bucket : texts.get(i)) {
        for (int k = 0; k < DIM; k++) {
          bags[i * DIM + k] += values[bucket * DIM + k] / texts.get(i).length;
        }
      }
    }
    return bags;
  }
}
