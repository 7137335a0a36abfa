package io.streamdistill.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.student.MlpSpec;
import io.streamdistill.student.StudentFixtures;
import io.streamdistill.student.StudentInput;
import io.streamdistill.student.StudentModel;
import io.streamdistill.student.StudentWeights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StudentLearnerTest {
  private static final MlpSpec SPEC = new MlpSpec(List.of("low", "high"), 4, List.of(16));

  @Test
  void shouldLearnToAgreeWithTheTeacherAndScoreEachBatchBeforeLearningIt() {
    Random random = new Random(3);
    try (StudentLearner learner = new StudentLearner(SPEC, new DistillationLoss(2f, 0.8f), 0.01f, 7)) {
      StepResult first = learner.trainStep(batch(random, 64));
      StepResult last = first;
      for (int i = 0; i < 400; i++) {
        last = learner.trainStep(batch(random, 64));
      }
      assertEquals(64, last.samples());
      assertTrue(last.agreed() >= 56, "agreement on the last batch (scored before learning it): " + last.agreed());
      assertTrue(last.loss() < first.loss(), "loss fell from " + first.loss() + " to " + last.loss());
      assertEquals(64, last.labelled(), "every sample of this stream is labelled");
    }
  }

  @Test
  void shouldMakeNoUpdateFromABatchWhoseLossIsFiniteButWhoseGradientsAreNot() {
    // A first layer of 1e-20 and a second of ±100 on inputs near the float range's end: the logits and
    // the loss stay finite (about 1e22), while the first layer's gradient (the second layer times the
    // inputs) overflows to infinity, and Adam would turn it into NaN weights for good.
    StudentWeights given = new StudentWeights();
    given.put("dense0.weight", new int[] {16, 4}, filled(64, 1e-20f));
    given.put("dense0.bias", new int[] {16}, new float[16]);
    float[] second = filled(32, 100f);
    Arrays.fill(second, 16, 32, -100f);
    given.put("dense1.weight", new int[] {2, 16}, second);
    given.put("dense1.bias", new int[] {2}, new float[2]);
    List<TrainingSample> overflowing = new ArrayList<>();
    float[][] sure = TrainingSample.logitsOf(new float[] {0.1f, 0.9f});
    for (int i = 0; i < 64; i++) {
      overflowing.add(new TrainingSample(filled(4, 3e38f), null, sure, 1, 1, null));
    }
    try (StudentLearner learner = new StudentLearner(SPEC, new DistillationLoss(2f, 0.8f), 0.01f, 7)) {
      learner.load(given);
      StepResult step = learner.trainStep(overflowing);
      assertTrue(Double.isFinite(step.loss()), "the loss is finite: " + step.loss());
      assertEquals(1, learner.nonFiniteSteps());
      assertSameWeights(given, learner.weights());
      StepResult next = learner.trainStep(batch(new Random(5), 64));
      assertTrue(Double.isFinite(next.loss()), "and it learns on: " + next.loss());
      assertEquals(1, learner.nonFiniteSteps());
    }
  }

  @Test
  void shouldMakeNoUpdateFromABatchWhoseGradientIsAThousandfoldTheRunningMean() {
    Random random = new Random(5);
    try (StudentLearner learner = new StudentLearner(SPEC, new DistillationLoss(2f, 0.8f), 0.01f, 7)) {
      for (int i = 0; i < 30; i++) {
        learner.trainStep(batch(random, 64));
      }
      StudentWeights before = learner.weights();
      // Inputs a million times the usual: the first layer's gradient grows with them. Taken, Adam's second
      // moment would hold its steps near zero for thousands of batches.
      List<TrainingSample> wild = new ArrayList<>();
      for (TrainingSample s : batch(random, 64)) {
        float[] x = s.vector().clone();
        for (int j = 0; j < x.length; j++) {
          x[j] *= 1e6f;
        }
        wild.add(new TrainingSample(x, null, s.teacherLogits(), s.teacherClass(), s.label(), null));
      }
      StepResult step = learner.trainStep(wild);
      assertTrue(Double.isFinite(step.loss()), "the loss is finite: " + step.loss());
      assertEquals(1, learner.gradientSpikes());
      assertEquals(0, learner.nonFiniteSteps());
      assertSameWeights(before, learner.weights());
      learner.trainStep(batch(random, 64));
      assertEquals(1, learner.gradientSpikes(), "the next ordinary batch is taken");
      assertTrue(largestMove(before, learner.weights()) > 0, "and learned from");
    }
  }

  /** Every tensor of {@code expected} has exactly its values in {@code actual}. */
  private static void assertSameWeights(StudentWeights expected, StudentWeights actual) {
    for (String name : expected.tensors().keySet()) {
      assertArrayEquals(expected.get(name).values(), actual.get(name).values(), name);
    }
  }

  private static float[] filled(int n, float value) {
    float[] values = new float[n];
    Arrays.fill(values, value);
    return values;
  }

  @Test
  void shouldTakeAFirstNgramStepWhoseGradientsSumToExactlyZero() {
    // Texts without a single n-gram: the bags are zero, the logits the zero bias, p = (0.5, 0.5) exactly, and the
    // softmax layer's gradients (p - target per class) sum to exactly zero. DJL's first step refuses such
    // gradients unless the learner skips its check (the methods benchmark died on it).
    List<TrainingSample> empty = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      empty.add(new TrainingSample(null, new int[0], new float[][] {{0f, 0f}}, i % 2, i % 2, null));
    }
    try (StudentLearner learner = new StudentLearner(StudentFixtures.tinyNgram(), DistillationMethod.classic(2f, 0.9f),
        LearnerOptions.plain(0.01f), 1)) {
      StepResult first = learner.trainStep(empty);
      assertEquals(8, first.samples());
      assertTrue(Double.isFinite(first.loss()), "loss " + first.loss());
    }
  }

  @Test
  void shouldRestoreExactlyTheWeightsItIsGiven() {
    StudentWeights given = StudentFixtures.randomWeights(SPEC, 11, 0.3f);
    try (StudentLearner learner = new StudentLearner(SPEC, new DistillationLoss(2f, 0.5f), 0.01f, 1)) {
      learner.trainStep(batch(new Random(1), 8));
      learner.load(given);
      assertSameWeights(given, learner.weights());
      // And it keeps learning from there.
      learner.trainStep(batch(new Random(2), 8));
      assertTrue(learner.weights().get("dense0.weight").values()[0] != given.get("dense0.weight").values()[0]);
    }
  }

  @Test
  void shouldNotJoltResumedWeightsWithAdamsFirstFullSizedSteps() {
    StudentWeights published = StudentFixtures.randomWeights(SPEC, 5, 0.3f);
    float learningRate = 0.01f;
    try (StudentLearner resumed = new StudentLearner(SPEC, new DistillationLoss(2f, 0.5f), learningRate, 1)) {
      resumed.load(published);
      resumed.trainStep(batch(new Random(4), 64));
      float largest = largestMove(published, resumed.weights());
      // Without the warm-up, Adam's first step moves weights by about the whole learning rate.
      assertTrue(largest > 0, "it learned");
      assertTrue(largest <= learningRate * 2 / StudentLearner.WARM_UP_STEPS, "largest first move " + largest);
    }
  }

  @Test
  void shouldLearnAtTheFullRateFromTheFirstStepWhenFresh() {
    float learningRate = 0.01f;
    try (StudentLearner fresh = new StudentLearner(SPEC, new DistillationLoss(2f, 0.5f), learningRate, 1)) {
      StudentWeights initial = fresh.weights();
      fresh.trainStep(batch(new Random(4), 64));
      // Nothing to undo: Adam's first step moves the weights with a gradient by about the learning rate.
      float largest = largestMove(initial, fresh.weights());
      assertTrue(largest > learningRate / 2, "largest first move " + largest);
    }
  }

  @Test
  void shouldRestartFromTheGivenWeightsWithAFreshOptimizerDroppingWhatItLearnedSince() {
    StudentWeights inService = StudentFixtures.randomWeights(SPEC, 6, 0.3f);
    float learningRate = 0.01f;
    try (StudentLearner learner = new StudentLearner(SPEC, new DistillationLoss(2f, 0.5f), learningRate, 1)) {
      Random random = new Random(7);
      for (int i = 0; i < 50; i++) {
        learner.trainStep(batch(random, 64)); // far from inService, with Adam's moments built up
      }
      learner.restartFrom(inService);
      assertSameWeights(inService, learner.weights());
      learner.trainStep(batch(random, 64));
      float largest = largestMove(inService, learner.weights());
      // A fresh optimizer, warming up again: the old moments would move weights by up to the learning rate.
      assertTrue(largest > 0, "it learns after the restart");
      assertTrue(largest <= learningRate * 2 / StudentLearner.WARM_UP_STEPS, "largest first move " + largest);
    }
  }

  @Test
  void shouldLearnFromVectorsOnARawScaleAndPublishWeightsThatReadThemRaw() {
    Random random = new Random(3);
    try (StudentLearner learner = new StudentLearner(SPEC, new DistillationLoss(2f, 0.8f), 0.01f, 7)) {
      StepResult last = null;
      for (int i = 0; i < 400; i++) {
        last = learner.trainStep(raw(batch(random, 64)));
      }
      // Unscaled, inputs of 0 to 255 (plus 1,000) make Adam's steps move the first layer's outputs by hundreds.
      assertTrue(last.agreed() >= 56, "agreement on the last raw batch: " + last.agreed());
      // The published weights read raw vectors: the edge's plain-Java MLP answers as the learner does.
      List<TrainingSample> test = raw(batch(new Random(9), 64));
      float[] logits = learner.logits(test);
      StudentModel edge = StudentModel.create(SPEC, StudentWeights.decode(learner.weights().encode()));
      for (int i = 0; i < test.size(); i++) {
        float[] plain = edge.logits(StudentInput.ofVector(test.get(i).vector()));
        for (int c = 0; c < 2; c++) {
          assertEquals(logits[i * 2 + c], plain[c], 1e-3 * Math.max(1, Math.abs(plain[c])), "sample " + i);
        }
      }
    }
  }

  @Test
  void shouldResumeRawScaleWeightsAsTheSameFunctionAndRestartFromThem() {
    Random random = new Random(4);
    List<TrainingSample> test = raw(batch(new Random(10), 64));
    try (StudentLearner first = new StudentLearner(SPEC, new DistillationLoss(2f, 0.8f), 0.01f, 7);
        StudentLearner resumed = new StudentLearner(SPEC, new DistillationLoss(2f, 0.8f), 0.01f, 8)) {
      for (int i = 0; i < 200; i++) {
        first.trainStep(raw(batch(random, 64)));
      }
      StudentWeights published = first.weights();
      float[] before = first.logits(test);
      // Loaded before it has seen a batch, the resumed learner reads raw vectors with the published weights...
      resumed.load(published);
      assertLogitsClose(before, resumed.logits(test), 1e-3);
      // ... and its first step scales its inputs and re-expresses those weights: the same function, then a
      // warmed-up step. Read as scaled (no re-expression), the weights would give logits in the hundreds.
      resumed.trainStep(raw(batch(random, 64)));
      assertLogitsClose(before, resumed.logits(test), 0.2);
      // A restart from a version once the scaling is decided: the version's function exactly.
      for (int i = 0; i < 20; i++) {
        resumed.trainStep(raw(batch(random, 64)));
      }
      resumed.restartFrom(published);
      assertLogitsClose(before, resumed.logits(test), 1e-3);
    }
  }

  private static void assertLogitsClose(float[] expected, float[] actual, double tolerance) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], tolerance * Math.max(1, Math.abs(expected[i])), "logit " + i);
    }
  }

  /** The samples with their vectors on a raw scale: 1,000 plus 255 times the values. */
  private static List<TrainingSample> raw(List<TrainingSample> samples) {
    List<TrainingSample> raw = new ArrayList<>();
    for (TrainingSample s : samples) {
      float[] x = s.vector().clone();
      for (int i = 0; i < x.length; i++) {
        x[i] = 1000 + 255 * x[i];
      }
      raw.add(new TrainingSample(x, null, s.teacherLogits(), s.teacherClass(), s.label(), null));
    }
    return raw;
  }

  /** The largest change of any single weight between two sets of the same tensors. */
  private static float largestMove(StudentWeights before, StudentWeights after) {
    float largest = 0;
    for (String name : before.tensors().keySet()) {
      float[] from = before.get(name).values();
      float[] to = after.get(name).values();
      for (int i = 0; i < from.length; i++) {
        largest = Math.max(largest, Math.abs(to[i] - from[i]));
      }
    }
    return largest;
  }

  /** The class is "high" when the sum of the 4 inputs exceeds 2; the teacher is sure of it. */
  private static List<TrainingSample> batch(Random random, int n) {
    List<TrainingSample> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] x = StudentFixtures.randomVector(random, 4);
      int y = x[0] + x[1] + x[2] + x[3] > 2 ? 1 : 0;
      float[] soft = y == 1 ? new float[] {0.1f, 0.9f} : new float[] {0.9f, 0.1f};
      batch.add(new TrainingSample(x, null, TrainingSample.logitsOf(soft), y, y, null));
    }
    return batch;
  }
}
