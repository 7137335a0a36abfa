package io.streamdistill.teacher.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The logistic head's training on synthetic, unit-length embeddings. */
class HeadTrainerTest {
  private static final int WIDTH = 384;

  /** Two classes around two directions, with noise, normalised like sentence embeddings. */
  private record Data(float[][] x, int[] y) {}

  private static Data blobs(int n, double noise, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[][] centers = new float[2][WIDTH];
    SplittableRandom fixed = new SplittableRandom(7);
    for (int c = 0; c < 2; c++) {
      for (int d = 0; d < WIDTH; d++) {
        centers[c][d] = (float) fixed.nextGaussian();
      }
    }
    float[][] x = new float[n][WIDTH];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 2;
      double norm = 0;
      for (int d = 0; d < WIDTH; d++) {
        x[i][d] = (float) (centers[y[i]][d] + noise * random.nextGaussian());
        norm += x[i][d] * x[i][d];
      }
      for (int d = 0; d < WIDTH; d++) {
        x[i][d] /= (float) Math.sqrt(norm);
      }
    }
    return new Data(x, y);
  }

  @Test
  void shouldLearnToSeparateTwoClassesClearlyAboveChance() {
    Data train = blobs(400, 4.0, 1);
    Data test = blobs(400, 4.0, 2);
    HeadTrainer.Result result =
        HeadTrainer.train(train.x(), train.y(), 2, new HeadTrainer.Settings(1e-4, 500, 1e-6, 42));
    assertTrue(result.converged(), "converged in " + result.iterations() + " iterations");
    double accuracy = HeadEvaluation.of(result.head(), test.x(), test.y()).accuracy();
    assertTrue(accuracy > 0.9, "accuracy " + accuracy);
  }

  @Test
  void shouldReachTheSameOptimumFromAnySeed() {
    Data train = blobs(300, 6.0, 3);
    LogisticHead a = HeadTrainer.train(train.x(), train.y(), 2, new HeadTrainer.Settings(1e-3, 1000, 1e-7, 1)).head();
    LogisticHead b = HeadTrainer.train(train.x(), train.y(), 2, new HeadTrainer.Settings(1e-3, 1000, 1e-7, 2)).head();
    for (int i = 0; i < 20; i++) {
      assertArrayEquals(a.logits(train.x()[i]), b.logits(train.x()[i]), 1e-3f);
    }
  }

  @Test
  void shouldGiveTheSameHeadForTheSameDataAndSeed() {
    Data train = blobs(200, 4.0, 4);
    HeadTrainer.Settings settings = new HeadTrainer.Settings(1e-4, 300, 1e-6, 42);
    LogisticHead a = HeadTrainer.train(train.x(), train.y(), 2, settings).head();
    LogisticHead b = HeadTrainer.train(train.x(), train.y(), 2, settings).head();
    for (int i = 0; i < 20; i++) {
      assertArrayEquals(a.logits(train.x()[i]), b.logits(train.x()[i]));
    }
  }

  @Test
  void shouldShrinkWeightsAsTheL2PenaltyGrows() {
    Data train = blobs(300, 4.0, 5);
    double weak = logitSpread(
        HeadTrainer.train(train.x(), train.y(), 2, new HeadTrainer.Settings(1e-5, 1000, 1e-7, 1)).head(), train);
    double strong = logitSpread(
        HeadTrainer.train(train.x(), train.y(), 2, new HeadTrainer.Settings(1e-1, 1000, 1e-7, 1)).head(), train);
    assertTrue(strong < weak / 5, "logit spread " + strong + " with l2 0.1, " + weak + " with 1e-5");
  }

  private static double logitSpread(LogisticHead head, Data data) {
    double sum = 0;
    for (float[] x : data.x()) {
      float[] logits = head.logits(x);
      sum += Math.abs(logits[1] - logits[0]);
    }
    return sum / data.x().length;
  }

  @Test
  void shouldRefuseLabelsThatAreNotClasses() {
    float[][] x = {{1, 0}, {0, 1}};
    assertThrows(IllegalArgumentException.class,
        () -> HeadTrainer.train(x, new int[] {0, 2}, 2, new HeadTrainer.Settings(1e-4, 10, 1e-6, 1)));
    assertThrows(IllegalArgumentException.class,
        () -> HeadTrainer.train(x, new int[] {0}, 2, new HeadTrainer.Settings(1e-4, 10, 1e-6, 1)));
  }

  @Test
  void shouldFindTheBiasOfAConstantFeatureExactly() {
    // With one constant feature and l2 on the weights only, the optimum predicts the class frequency.
    float[][] x = new float[100][];
    int[] y = new int[100];
    for (int i = 0; i < 100; i++) {
      x[i] = new float[] {0};
      y[i] = i < 25 ? 1 : 0;
    }
    LogisticHead head = HeadTrainer.train(x, y, 2, new HeadTrainer.Settings(1e-4, 200, 1e-9, 1)).head();
    float[] logits = head.logits(new float[] {0});
    assertEquals(Math.log(0.25 / 0.75), logits[1] - logits[0], 1e-5);
  }
}
