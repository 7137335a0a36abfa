package io.streamdistill.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.student.MlpSpec;
import io.streamdistill.student.NgramFeaturizer;
import io.streamdistill.student.NgramSpec;
import io.streamdistill.student.Softmax;
import io.streamdistill.student.StudentFixtures;
import io.streamdistill.student.StudentInput;
import io.streamdistill.student.StudentModel;
import io.streamdistill.student.StudentWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The online-learning levers: averaged weights, replay, the schedule, Adagrad for the embedding, the target fade. */
class LearnerOptionsTest {
  private static final MlpSpec SPEC = new MlpSpec(List.of("a", "b", "c"), 6, List.of(16));

  @Test
  void shouldPublishAndJudgeTheSameAveragedWeights() {
    List<TrainingSample> samples = stream(new Random(1), 6_400);
    List<TrainingSample> heldOut = stream(new Random(2), 300);
    LearnerOptions averaged = LearnerOptions.plain(0.03f).withAveraging(0.98f);
    try (StudentLearner learner = new StudentLearner(SPEC, DistillationMethod.classic(2f, 0.9f), averaged, 3);
        StudentLearner live = new StudentLearner(SPEC, DistillationMethod.classic(2f, 0.9f), 0.03f, 3)) {
      train(learner, samples);
      train(live, samples);
      StudentWeights published = learner.weights();
      assertFalse(java.util.Arrays.equals(live.weights().get(MlpSpec.weightName(0)).values(),
          published.get(MlpSpec.weightName(0)).values()), "the average is not the last weights");
      StudentModel edge = StudentModel.create(SPEC, published);
      int[] judged = learner.predictions(heldOut, 128);
      for (int i = 0; i < heldOut.size(); i++) {
        assertEquals(judged[i], Softmax.argMax(edge.logits(StudentInput.ofVector(heldOut.get(i).vector()))),
            "sample " + i + ": the candidate is judged on the weights it publishes");
      }
      double average = learner.evaluate(heldOut, 128).agreement();
      double last = live.evaluate(heldOut, 128).agreement();
      assertTrue(average > 0.8 && average > last - 0.05, "the average has learned the rule too: " + average
          + ", the last weights " + last);
      // Judging does not disturb the live weights: training goes on from where it was.
      StepResult next = learner.trainStep(samples.subList(0, 64));
      StepResult same = live.trainStep(samples.subList(0, 64));
      assertEquals(same.agreed(), next.agreed(), "the live weights score the next batch as without averaging");
    }
  }

  @Test
  void shouldStartTheAverageAgainFromLoadedWeights() {
    StudentWeights given = StudentFixtures.randomWeights(SPEC, 11, 0.3f);
    try (StudentLearner learner = new StudentLearner(SPEC, DistillationMethod.classic(2f, 0.9f),
        LearnerOptions.plain(0.01f).withAveraging(0.999f), 3)) {
      train(learner, stream(new Random(1), 640));
      learner.load(given);
      assertArrayEquals(given.get(MlpSpec.weightName(0)).values(),
          learner.weights().get(MlpSpec.weightName(0)).values());
    }
  }

  @Test
  void shouldLearnASmallStreamBetterWhenEachSoftLabelIsReplayed() {
    List<TrainingSample> samples = stream(new Random(4), 640);
    List<TrainingSample> heldOut = stream(new Random(5), 600);
    double without;
    double with;
    try (StudentLearner plain = new StudentLearner(SPEC, DistillationMethod.classic(2f, 0.9f), 0.01f, 3)) {
      train(plain, samples);
      without = plain.evaluate(heldOut, 256).agreement();
    }
    try (StudentLearner replaying = new StudentLearner(SPEC, DistillationMethod.classic(2f, 0.9f),
        LearnerOptions.plain(0.01f).withReplay(1_000, 3f), 3)) {
      StepResult first = replaying.trainStep(samples.subList(0, 64));
      assertEquals(64, first.samples(), "the prequential score counts the fresh samples only");
      train(replaying, samples.subList(64, samples.size()));
      with = replaying.evaluate(heldOut, 256).agreement();
    }
    assertTrue(with > without + 0.02, "held-out agreement with replay " + with + ", without " + without);
  }

  @Test
  void shouldReplayWhileIdleUpToItsBudgetAndLearnFromIt() {
    List<TrainingSample> samples = stream(new Random(4), 640);
    List<TrainingSample> heldOut = stream(new Random(5), 600);
    double without;
    double with;
    try (StudentLearner plain = new StudentLearner(SPEC, DistillationMethod.classic(2f, 0.9f),
        LearnerOptions.plain(0.01f).withReplay(1_000, 1f), 3)) {
      assertFalse(plain.idleReplayStep(), "idle replay 0: never");
      train(plain, samples);
      assertFalse(plain.idleReplayStep(), "idle replay 0: never");
      without = plain.evaluate(heldOut, 256).agreement();
    }
    try (StudentLearner idle = new StudentLearner(SPEC, DistillationMethod.classic(2f, 0.9f),
        LearnerOptions.plain(0.01f).withReplay(1_000, 1f).withIdleReplay(4f), 3)) {
      assertFalse(idle.idleReplayStep(), "nothing to replay before the first fresh step");
      int idleSteps = 0;
      for (int from = 0; from < samples.size(); from += 64) {
        idle.trainStep(samples.subList(from, from + 64));
        // The stream pauses after each batch: replay until the budget says stop.
        while (idle.idleReplayStep()) {
          idleSteps++;
        }
      }
      // 10 fresh steps: 9 regular replayed ones (none before the buffer held anything), so 31 more up to 4 per fresh.
      assertEquals(4 * 10 - 9, idleSteps);
      assertArrayEquals(new long[] {10, 40, 31}, idle.stepCounts());
      assertFalse(idle.idleReplayStep(), "the budget is spent until more fresh steps come");
      with = idle.evaluate(heldOut, 256).agreement();
    }
    assertTrue(with > without + 0.02, "held-out agreement with idle replay " + with + ", without " + without);
    assertThrows(IllegalArgumentException.class, () -> LearnerOptions.plain(0.01f).withIdleReplay(-1f));
    assertThrows(IllegalArgumentException.class, () -> LearnerOptions.plain(0.01f).withIdleReplay(17f));
  }

  @Test
  void shouldLowerTheRateWithTheInverseSquareRootScheduleDownToItsFloor() {
    LearnerOptions.Schedule schedule = LearnerOptions.Schedule.parse("inverse-sqrt:1000");
    assertEquals(1f, schedule.factor(0));
    assertEquals((float) Math.sqrt(0.5), schedule.factor(1_000), 1e-6f);
    assertEquals(LearnerOptions.Schedule.FLOOR, schedule.factor(1_000_000_000L));
    assertEquals(1f, LearnerOptions.Schedule.CONSTANT.factor(1_000_000));
    assertEquals("inverse-sqrt:1000", schedule.toString());
    assertThrows(IllegalArgumentException.class, () -> LearnerOptions.Schedule.parse("inverse-sqrt:0"));
    assertThrows(IllegalArgumentException.class, () -> LearnerOptions.Schedule.parse("cosine"));
    assertThrows(IllegalArgumentException.class, () -> LearnerOptions.Schedule.parse("constant:"));
    assertThrows(IllegalArgumentException.class, () -> LearnerOptions.Schedule.parse("inverse-sqrt:1000:"));
    assertThrows(IllegalArgumentException.class, () -> LearnerOptions.plain(0.01f).withEmbedding("sgd", 0f));
    assertThrows(IllegalArgumentException.class, () -> LearnerOptions.plain(0.01f).withAveraging(1f));
  }

  /**
   * Over four streams (one run each varies by several points: PyTorch's CPU reductions are not
   * deterministic across thread schedules, and one stream is 200 held-out texts), so the means.
   */
  @Test
  void shouldLearnRareNgramsQuicklyWithAdagradOnTheEmbedding() {
    NgramSpec spec = StudentFixtures.tinyNgram();
    NgramFeaturizer featurizer = new NgramFeaturizer(spec.featurizer());
    double adam = 0;
    double adagrad = 0;
    int streams = 4;
    for (int seed = 6; seed < 6 + streams; seed++) {
      // Every text is a few random filler words and one marker word seen only a few times in all.
      Random random = new Random(seed);
      List<TrainingSample> train = new ArrayList<>();
      List<TrainingSample> heldOut = new ArrayList<>();
      for (int i = 0; i < 1_200; i++) {
        int marker = random.nextInt(200);
        int label = marker % 2;
        String text = "filler" + random.nextInt(5) + " marker" + marker + " filler" + random.nextInt(5);
        float[] logits = label == 0 ? new float[] {3f, 0f} : new float[] {0f, 3f};
        TrainingSample s = new TrainingSample(null, featurizer.features(text), new float[][] {logits}, label, -1, null);
        (i < 1_000 ? train : heldOut).add(s);
      }
      adam += ngramAgreement(spec, LearnerOptions.plain(0.01f), train, heldOut) / streams;
      adagrad += ngramAgreement(spec, LearnerOptions.plain(0.01f).withEmbedding("adagrad", 0.1f), train, heldOut)
          / streams;
    }
    // Measured here once: Adagrad 0.844, Adam 0.704 (means of four; single Adam runs from 0.60 to 0.84,
    // and 0.93 for the first stream in a CI run).
    assertTrue(adagrad > 0.8, "mean agreement with Adagrad on the embedding " + adagrad);
    assertTrue(adagrad > adam + 0.05, "mean agreement: Adagrad " + adagrad + ", Adam " + adam);
  }

  /**
   * The trainer learns on a thread of its own, where PyTorch's grad mode starts on: Adagrad's in-place update of
   * the table was refused there ("a leaf Variable that requires grad is being used in an in-place operation"),
   * and the demo's trainer died on its first step.
   */
  @Test
  void shouldUpdateTheTableWithAdagradOnAFreshThread() throws Exception {
    NgramSpec spec = StudentFixtures.tinyNgram();
    NgramFeaturizer featurizer = new NgramFeaturizer(spec.featurizer());
    List<TrainingSample> batch = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      batch.add(new TrainingSample(null, featurizer.features("word" + i + " other" + (i % 3)),
          new float[][] {i % 2 == 0 ? new float[] {2f, 0f} : new float[] {0f, 2f}}, i % 2, -1, null));
    }
    java.util.concurrent.atomic.AtomicReference<Throwable> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    float[] before = new float[1];
    float[] after = new float[1];
    // Made on this thread, trained on another: as the trainer's.
    try (StudentLearner learner = new StudentLearner(spec, DistillationMethod.classic(2f, 0.9f),
        LearnerOptions.plain(0.01f).withEmbedding("adagrad", 0f).withAveraging(0.999f), 1)) {
      Thread trainer = new Thread(() -> {
        try {
          before[0] = sumOfSquares(learner.weights().get(NgramSpec.EMBEDDING).values());
          learner.trainStep(batch);
          learner.trainStep(batch);
          after[0] = sumOfSquares(learner.weights().get(NgramSpec.EMBEDDING).values());
        } catch (Throwable t) {
          failure.set(t);
        }
      }, "fresh-trainer-thread");
      trainer.start();
      trainer.join();
    }
    assertEquals(null, failure.get(), "training on a fresh thread");
    assertTrue(after[0] != before[0], "the table moved");
    assertEquals(LearnerOptions.ADAGRAD_RATE, LearnerOptions.plain(0.01f).withEmbedding("adagrad", 0f).embeddingRate());
    assertEquals(0.01f, LearnerOptions.plain(0.01f).embeddingRate(), "Adam's table: the learning rate");
  }

  private static float sumOfSquares(float[] values) {
    float sum = 0;
    for (float v : values) {
      sum += v * v;
    }
    return sum;
  }

  @Test
  void shouldFadeTheTargetNotTheLossWeights() {
    DistillationMethod faded = DistillationMethod.classic(2f, 0.9f).withFade(AlphaFade.parse("labelled:100:0.3"));
    assertEquals(AlphaFade.Mix.TARGET, faded.fade().mix());
    assertEquals(AlphaFade.Mix.WEIGHT, AlphaFade.parse("labelled:100:0.3:weight").mix());
    assertEquals("labelled:100:0.3:weight", AlphaFade.parse("labelled:100:0.3:weight").toString());
    // The teacher calls every "b" an "a"; ground truth, on every sample, is right.
    List<TrainingSample> wrongTeacher = new ArrayList<>();
    Random random = new Random(7);
    for (int i = 0; i < 2_560; i++) {
      TrainingSample s = stream(random, 1).get(0);
      int truth = s.teacherClass();
      int said = truth == 1 ? 0 : truth;
      float[] logits = new float[3];
      logits[said] = 3f;
      wrongTeacher.add(new TrainingSample(s.vector(), null, new float[][] {logits}, said, truth, null));
    }
    try (StudentLearner learner = new StudentLearner(SPEC, faded, 0.01f, 3);
        StudentLearner unfaded = new StudentLearner(SPEC, DistillationMethod.classic(2f, 0.9f), 0.01f, 3)) {
      train(learner, wrongTeacher);
      train(unfaded, wrongTeacher);
      assertEquals(0.9f, learner.loss().alpha(), "the loss's weights stay");
      assertEquals(0.3f, learner.fadedAlpha(), 1e-6f);
      List<TrainingSample> heldOut = wrongTeacher.subList(0, 600);
      double fadedAccuracy = learner.evaluate(heldOut, 256).accuracy();
      double unfadedAccuracy = unfaded.evaluate(heldOut, 256).accuracy();
      assertTrue(fadedAccuracy > unfadedAccuracy + 0.1, "accuracy faded " + fadedAccuracy + ", unfaded "
          + unfadedAccuracy);
    }
  }

  private static double ngramAgreement(NgramSpec spec, LearnerOptions options, List<TrainingSample> train,
      List<TrainingSample> heldOut) {
    try (StudentLearner learner = new StudentLearner(spec, DistillationMethod.classic(2f, 0.9f), options, 1)) {
      for (int from = 0; from < train.size(); from += 32) {
        learner.trainStep(train.subList(from, Math.min(train.size(), from + 32)));
      }
      return learner.evaluate(heldOut, 256).agreement();
    }
  }

  /** A teacher that knows the rule (which third of [0, 1) the mean of the first two values is in); no ground truth. */
  private static List<TrainingSample> stream(Random random, int n) {
    List<TrainingSample> samples = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] x = StudentFixtures.randomVector(random, 6);
      int said = Math.min(2, (int) ((x[0] + x[1]) / 2 * 3));
      float[] logits = new float[3];
      logits[said] = 3f;
      samples.add(new TrainingSample(x, null, new float[][] {logits}, said, -1, null));
    }
    return samples;
  }

  private static void train(StudentLearner learner, List<TrainingSample> samples) {
    for (int from = 0; from < samples.size(); from += 64) {
      learner.trainStep(samples.subList(from, Math.min(samples.size(), from + 64)));
    }
  }
}
