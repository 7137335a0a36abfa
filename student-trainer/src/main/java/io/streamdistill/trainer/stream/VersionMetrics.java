package io.streamdistill.trainer.stream;

import io.streamdistill.student.Pruning;
import io.streamdistill.trainer.model.DistillationMethod;
import io.streamdistill.trainer.model.StudentLearner;
import io.streamdistill.trainer.model.TrainingSample;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The metrics a published version carries: how it scored on held-out traffic, what it learned from
 * since its parent, how it was distilled, what shipping it cost. Names are part of the version
 * contract (edge nodes, the demo's report and a resumed trainer read them).
 */
final class VersionMetrics {
  private VersionMetrics() {}

  /**
   * @param judgement the gate's verdict on the candidate
   * @param since the stretch of the stream since the parent version
   * @param trainedTotal samples trained into the whole line, this version's included
   * @param heldOutSamples the held-out window (for the hint and relational errors)
   */
  static Map<String, Double> of(CandidateJudge.Judgement judgement, SinceVersion since, SlidingScore prequential,
      StudentLearner learner, long trainedTotal, List<TrainingSample> heldOutSamples, boolean compresses) {
    Map<String, Double> m = new TreeMap<>();
    m.put("heldout.agreement", judgement.score().agreement());
    m.put("heldout.samples", (double) judgement.heldOut());
    putIfKnown(m, "heldout.accuracy", judgement.score().accuracy());
    putIfKnown(m, "prequential.agreement", prequential.agreement());
    putIfKnown(m, "prequential.accuracy", prequential.accuracy());
    m.put("samples.consumed", (double) since.consumed);
    m.put("samples.trained", (double) since.trained);
    m.put("samples.discarded", (double) since.discarded);
    m.put("steps.nonFinite", (double) learner.nonFiniteSteps());
    m.put("steps.gradientSpikes", (double) learner.gradientSpikes());
    long[] steps = learner.stepCounts();
    m.put("steps.fresh", (double) steps[0]);
    m.put("steps.replayed", (double) steps[1]);
    m.put("steps.replayedIdle", (double) steps[2]);
    m.put("samples.heldout", (double) since.heldOut);
    m.put("samples.dead", (double) since.dead);
    m.put("samples.trained.total", (double) trainedTotal);
    DistillationMethod method = learner.method();
    m.put("distill.temperature", (double) method.temperature());
    m.put("distill.alpha", (double) method.alpha());
    m.put("distill.alpha.now", (double) learner.fadedAlpha());
    putIfKnown(m, "teacher.accuracy.measured", learner.measuredTeacherAccuracy());
    putIfKnown(m, "heldout.churn", judgement.churn());
    if (method.needsEmbedding()) {
      double[] errors = learner.representationErrors(heldOutSamples);
      putIfKnown(m, "heldout.hintError", errors[0]);
      putIfKnown(m, "heldout.relationalError", errors[1]);
    }
    judgement.cascade().ifPresent(c -> m.putAll(c.metrics()));
    m.put("size.bytes", (double) judgement.weights().bytes().length);
    m.put("sparsity", Pruning.sparsity(judgement.weights().floats()));
    if (compresses) {
      m.put("compression.agreementLoss", judgement.agreementLoss());
      putIfKnown(m, "compression.accuracyLoss", judgement.accuracyLoss());
    }
    return m;
  }

  private static void putIfKnown(Map<String, Double> metrics, String name, double value) {
    if (!Double.isNaN(value)) {
      metrics.put(name, value);
    }
  }
}
