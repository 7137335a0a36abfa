package io.streamdistill.trainer.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.student.CascadeCalibration;
import io.streamdistill.student.MlpSpec;
import io.streamdistill.student.SigningKeys;
import io.streamdistill.student.StudentFixtures;
import io.streamdistill.trainer.TrainerConfig;
import io.streamdistill.trainer.model.Predictions;
import io.streamdistill.trainer.model.StudentLearner;
import io.streamdistill.trainer.model.TrainingSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The candidate's judgement and the metrics a published version carries, on a real DJL student. */
class CandidateJudgeTest {
  private static final MlpSpec SPEC = new MlpSpec(List.of("a", "b", "c"), 6, List.of(8));
  private static final TrainerConfig CONFIG = TrainerConfig.builder("judge", SPEC, SigningKeys.generate())
      .gate(new VersionGate(0.5, 0.01, 50)).heldOut(10, 100).build();

  @Test
  void shouldJudgeTheFirstCandidateAloneAndLaterOnesAgainstTheVersionInService() {
    Random random = new Random(5);
    List<TrainingSample> heldOut = samples(random, 100);
    try (StudentLearner learner = new StudentLearner(SPEC, CONFIG.method(), CONFIG.learning(), 3);
        CandidateJudge judge = new CandidateJudge(CONFIG)) {
      for (int i = 0; i < 60; i++) {
        learner.trainStep(samples(random, 32));
      }
      CandidateJudge.Judgement first = judge.judge(learner, heldOut);
      assertFalse(first.servingAgreement().isPresent(), "no version in service yet");
      assertTrue(Double.isNaN(first.churn()));
      assertEquals(100, first.heldOut());
      assertEquals(VersionGate.Outcome.PUBLISH, first.decision().outcome(), first.decision().reason());
      assertCalibrated(first.cascade().orElseThrow(), learner, heldOut);

      judge.inService(first.weights().floats(), first.weights().quantized());
      CandidateJudge.Judgement same = judge.judge(learner, heldOut);
      assertEquals(first.score().agreement(), same.servingAgreement().getAsDouble(), 1e-9,
          "the version in service is the same weights");
      assertEquals(0.0, same.churn(), 1e-9);
      assertEquals(0.0, same.agreementLoss(), 1e-9, "float weights ship as they are");

      SinceVersion since = new SinceVersion();
      since.consumed = 2_000;
      since.trained = 1_700;
      since.heldOut = 200;
      since.dead = 100;
      Map<String, Double> metrics = VersionMetrics.of(same, since, new SlidingScore(10), learner, 5_000, heldOut,
          false);
      assertEquals(2_000.0, metrics.get("samples.consumed"));
      assertEquals(1_700.0, metrics.get("samples.trained"));
      assertEquals(100.0, metrics.get("samples.dead"));
      assertEquals(5_000.0, metrics.get("samples.trained.total"));
      assertEquals(same.score().agreement(), metrics.get("heldout.agreement"));
      assertEquals((double) same.weights().bytes().length, metrics.get("size.bytes"));
      assertFalse(metrics.containsKey("compression.agreementLoss"), "nothing compressed");
      assertFalse(metrics.containsKey("heldout.accuracy"), "no ground truth: no accuracy");
      assertEquals(same.cascade().orElseThrow().threshold(), metrics.get(CascadeCalibration.THRESHOLD));
      assertEquals(same.cascade().orElseThrow().coverage(), metrics.get(CascadeCalibration.COVERAGE));
      assertEquals(0.995, metrics.get(CascadeCalibration.TARGET));
    }
  }

  @Test
  void shouldNotCalibrateOnFewerHeldOutSamplesThanTheGateNeeds() {
    Random random = new Random(6);
    try (StudentLearner learner = new StudentLearner(SPEC, CONFIG.method(), CONFIG.learning(), 3);
        CandidateJudge judge = new CandidateJudge(CONFIG)) {
      learner.trainStep(samples(random, 32));
      assertTrue(judge.judge(learner, samples(random, 49)).cascade().isEmpty(), "the gate's minimum is 50");
    }
  }

  /** The threshold is the lowest confidence from which the held-out answers agree with the teacher as asked. */
  private static void assertCalibrated(CascadeCalibration.Result cascade, StudentLearner learner,
      List<TrainingSample> heldOut) {
    Predictions predicted = learner.predict(heldOut, 64);
    int alone = 0;
    int agreed = 0;
    float below = 0;
    for (int i = 0; i < heldOut.size(); i++) {
      if (predicted.confidences()[i] >= cascade.threshold()) {
        alone++;
        agreed += predicted.classes()[i] == heldOut.get(i).teacherClass() ? 1 : 0;
      } else {
        below = Math.max(below, predicted.confidences()[i]);
      }
    }
    assertEquals((double) alone / heldOut.size(), cascade.coverage(), 1e-12);
    assertTrue(alone > 0, "a trained student answers some alone: " + cascade);
    assertTrue(agreed >= CONFIG.cascadeAgreement() * alone, agreed + " of " + alone);
    if (alone < heldOut.size()) {
      // One more sample (the most confident below) would have broken the target, or tied with others that do.
      int withNext = 0;
      int agreedWithNext = 0;
      for (int i = 0; i < heldOut.size(); i++) {
        if (predicted.confidences()[i] >= below) {
          withNext++;
          agreedWithNext += predicted.classes()[i] == heldOut.get(i).teacherClass() ? 1 : 0;
        }
      }
      assertTrue(agreedWithNext < CONFIG.cascadeAgreement() * withNext, "a lower threshold was safe too");
    }
  }

  @Test
  void shouldStartEachStretchSinceAVersionFromNothing() {
    SinceVersion since = new SinceVersion();
    assertFalse(since.somethingNew());
    since.consumed = 10;
    since.trained = 8;
    assertTrue(since.somethingNew());
    since.candidateAtConsumed = 10;
    assertFalse(since.somethingNew(), "nothing read since the last candidate");
    since.learningDropped();
    assertEquals(8, since.discarded);
  }

  /** Three classes by the sign pattern of the first two inputs; the teacher is right. */
  private static List<TrainingSample> samples(Random random, int n) {
    List<TrainingSample> samples = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] x = StudentFixtures.randomVector(random, 6);
      int c = x[0] > 0 ? 0 : x[1] > 0 ? 1 : 2;
      float[] logits = new float[3];
      logits[c] = 4f;
      samples.add(new TrainingSample(x, null, new float[][] {logits}, c, -1, null));
    }
    return samples;
  }
}
