package io.streamdistill.teacher.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.student.NgramFeaturizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

  @Test
  void shouldLearnClassesThatOnlyTheNgramColumnsShow() {
    // Embeddings of pure noise; each text holds a word of its class among common ones. A head on the
    // embedding alone stays near chance; with the n-gram columns it learns the words.
    NgramFeaturizer featurizer = new NgramFeaturizer(new NgramFeaturizer.Settings(1 << 12, 2, 3, 4, true, 500));
    String[][] classWords = {{"zorblat", "quindle", "frabjous"}, {"mimsy", "tulgey", "vorpal"}};
    String[] common = "the a of and to in is it that was for on are with as at one have this from".split(" ", -1);
    SplittableRandom random = new SplittableRandom(3);
    int n = 400;
    float[][] embeddings = new float[n][16];
    List<String> texts = new ArrayList<>();
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 2;
      for (int d = 0; d < 16; d++) {
        embeddings[i][d] = (float) random.nextGaussian();
      }
      StringBuilder text = new StringBuilder();
      for (int w = 0; w < 8; w++) {
        text.append(common[random.nextInt(common.length)]).append(' ');
      }
      texts.add(text + classWords[labels[i]][random.nextInt(3)]);
    }
    HeadTrainer.Settings settings = new HeadTrainer.Settings(1e-4, 500, 1e-6, 1);
    HeadInputs train = HeadInputs.of(Arrays.copyOf(embeddings, 300), texts.subList(0, 300), featurizer);
    HeadInputs test = HeadInputs.of(Arrays.copyOfRange(embeddings, 300, n), texts.subList(300, n), featurizer);
    int[] trainLabels = Arrays.copyOf(labels, 300);
    int[] testLabels = Arrays.copyOfRange(labels, 300, n);

    LogisticHead both = HeadTrainer.train(train, trainLabels, 2, settings).head();
    assertEquals(16 + (1 << 12), both.width());
    double withNgrams = HeadEvaluation.of(both, test, testLabels).accuracy();
    LogisticHead alone = HeadTrainer.train(Arrays.copyOf(embeddings, 300), trainLabels, 2, settings).head();
    double embeddingAlone = HeadEvaluation.of(alone, Arrays.copyOfRange(embeddings, 300, n), testLabels).accuracy();
    assertTrue(withNgrams >= 0.98, "with n-grams " + withNgrams);
    assertTrue(embeddingAlone <= 0.7, "the embedding alone " + embeddingAlone);
    // The head's logits are the sum over both blocks, as the teacher computes them at inference.
    NgramBlock block = test.ngrams(0);
    float[] logits = both.logits(test.embedding(0), block);
    float[] dense = Arrays.copyOf(test.embedding(0), both.width());
    for (int k = 0; k < block.indexes().length; k++) {
      dense[16 + block.indexes()[k]] = block.values()[k];
    }
    assertArrayEquals(both.logits(dense), logits, 1e-5f);
  }

  @Test
  void shouldScaleAnNgramBlockToUnitLengthAndKeepItsBucketsSorted() {
    NgramFeaturizer featurizer = new NgramFeaturizer(new NgramFeaturizer.Settings(1 << 10, 2, 3, 4, true, 500));
    NgramBlock block = NgramBlock.of(featurizer, "spam spam spam eggs");
    double squares = 0;
    for (int k = 0; k < block.indexes().length; k++) {
      squares += block.values()[k] * block.values()[k];
      assertTrue(k == 0 || block.indexes()[k] > block.indexes()[k - 1], "increasing, distinct");
    }
    assertEquals(1.0, squares, 1e-6);
    int spam = featurizer.features("spam")[0];
    int eggs = featurizer.features("eggs")[0];
    // "spam" occurs three times, "eggs" once: three times the value (unless a hash collision joins them).
    assertEquals(3 * value(block, eggs), value(block, spam), 1e-6);
    assertEquals(0, NgramBlock.of(featurizer, "   ").indexes().length);

    NgramFeaturizer.Settings settings = featurizer.settings();
    assertEquals(settings, NgramBlock.parse(NgramBlock.describe(settings)));
    // A teacher made since the CJK rule names it; one made before does not, and reads as it was made.
    NgramFeaturizer.Settings cjk = settings.withCjkCharacters(true);
    assertTrue(NgramBlock.describe(cjk).endsWith(",cjk=true"), NgramBlock.describe(cjk));
    assertEquals(cjk, NgramBlock.parse(NgramBlock.describe(cjk)));
    assertFalse(NgramBlock.parse("buckets=1024,words=2,chars=3-4,lowercase=true,maxTokens=500").cjkCharacters());
    assertTrue(TextTeacherTrainer.ngramFeaturizer(TextTeacherTrainer.DEFAULT_NGRAM_BUCKETS).cjkCharacters());
    var missing = assertThrows(IllegalArgumentException.class, () -> NgramBlock.parse("buckets=16,words=2"));
    assertTrue(missing.getMessage().contains("no chars"), missing.getMessage());
    var notNumber = assertThrows(IllegalArgumentException.class,
        () -> NgramBlock.parse("buckets=lots,words=2,chars=3-4,lowercase=true,maxTokens=500"));
    assertTrue(notNumber.getMessage().contains("lots"), notNumber.getMessage());
  }

  private static float value(NgramBlock block, int bucket) {
    int k = Arrays.binarySearch(block.indexes(), bucket);
    return k < 0 ? 0f : block.values()[k];
  }
}
