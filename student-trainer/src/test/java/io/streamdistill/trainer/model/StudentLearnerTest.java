package io.streamdistill.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.student.MlpSpec;
import io.streamdistill.student.StudentFixtures;
import io.streamdistill.student.StudentWeights;
import java.util.ArrayList;
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
      StudentWeights back = learner.weights();
      for (String name : given.tensors().keySet()) {
        assertArrayEquals(given.get(name).values(), back.get(name).values(), name);
      }
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
      for (String name : inService.tensors().keySet()) {
        assertArrayEquals(inService.get(name).values(), learner.weights().get(name).values(), name);
      }
      learner.trainStep(batch(random, 64));
      float largest = largestMove(inService, learner.weights());
      // A fresh optimizer, warming up again: the old moments would move weights by up to the learning rate.
      assertTrue(largest > 0, "it learns after the restart");
      assertTrue(largest <= learningRate * 2 / StudentLearner.WARM_UP_STEPS, "largest first move " + largest);
    }
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
