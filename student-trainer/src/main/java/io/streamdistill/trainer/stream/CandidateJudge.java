package io.streamdistill.trainer.stream;

import io.streamdistill.student.CascadeCalibration;
import io.streamdistill.student.QuantizedWeights;
import io.streamdistill.student.StudentWeights;
import io.streamdistill.trainer.TrainerConfig;
import io.streamdistill.trainer.model.Predictions;
import io.streamdistill.trainer.model.StepResult;
import io.streamdistill.trainer.model.StudentLearner;
import io.streamdistill.trainer.model.TrainingSample;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Judges a candidate against the version in service on the held-out window: scores the learner as
 * it would ship (int8 when versions are quantized), scores the version in service on the same
 * samples, measures the churn between the two, asks the {@link VersionGate}, and calibrates the
 * candidate for the edge's cascade. Owns the two
 * evaluators it needs (the version in service, and the shipped weights when they differ from the
 * learner's), each a DJL model. Owned by the trainer's thread; not thread-safe.
 */
final class CandidateJudge implements AutoCloseable {
  /** Held-out samples per forward pass. */
  private static final int EVALUATION_CHUNK = 512;

  private final TrainerConfig config;
  private final StudentLearner serving;
  private final StudentLearner shipped;
  private boolean inService;
  private long inServiceSinceNanos;
  private QuantizedWeights shippedInService;

  CandidateJudge(TrainerConfig config) {
    this.config = config;
    StudentLearner servingModel = new StudentLearner(config.spec(), config.method(), config.learningRate(),
        config.seed());
    try {
      this.shipped = config.compression().int8()
          ? new StudentLearner(config.spec(), config.method(), config.learningRate(), config.seed()) : null;
    } catch (RuntimeException e) {
      servingModel.close();
      throw e;
    }
    this.serving = servingModel;
  }

  /**
   * The version in service changed (published, or resumed from): its weights, and its int8 ones (null for
   * float versions), which the next candidates keep where they did not move.
   */
  void inService(StudentWeights weights, QuantizedWeights shipped) {
    serving.load(weights);
    inService = true;
    inServiceSinceNanos = System.nanoTime();
    shippedInService = shipped;
  }

  /** The version in service as a model (for self-distillation), or null before the first version. */
  StudentLearner servingModel() {
    return inService ? serving : null;
  }

  /**
   * The verdict on the learner's current weights, which must have learned everything read so far.
   *
   * @param heldOut the held-out window's samples
   */
  Judgement judge(StudentLearner learner, List<TrainingSample> heldOut) {
    // One pass over the held-out window per student: the scores and the churn come from the same predictions.
    Predictions floatPredicted = learner.predict(heldOut, EVALUATION_CHUNK);
    StepResult floatScore = StepResult.of(heldOut, floatPredicted.classes(), Double.NaN);
    ShippedWeights weights = ShippedWeights.of(learner.weights(), config.compression().int8(), shippedInService);
    // What ships is what is judged: the int8 weights when the versions are quantized.
    Predictions shippedPredicted = floatPredicted;
    if (shipped != null) {
      shipped.load(weights.floats());
      shippedPredicted = shipped.predict(heldOut, EVALUATION_CHUNK);
    }
    StepResult score = StepResult.of(heldOut, shippedPredicted.classes(), Double.NaN);
    int[] servingPredicted = inService ? serving.predictions(heldOut, EVALUATION_CHUNK) : null;
    OptionalDouble servingAgreement = servingPredicted == null ? OptionalDouble.empty()
        : OptionalDouble.of(StepResult.of(heldOut, servingPredicted, Double.NaN).agreement());
    VersionGate.Decision decision = config.gate().decideCompressed(heldOut.size(), score.agreement(),
        floatScore.agreement(), config.compression().maxLoss(), servingAgreement,
        Duration.ofNanos(System.nanoTime() - inServiceSinceNanos));
    double churn = servingPredicted == null || heldOut.isEmpty() ? Double.NaN
        : StepResult.churn(servingPredicted, shippedPredicted.classes());
    return new Judgement(decision, score, heldOut.size(), servingAgreement, weights,
        floatScore.agreement() - score.agreement(), floatScore.accuracy() - score.accuracy(), churn,
        calibrate(heldOut, shippedPredicted));
  }

  /** Where the shipped weights' answers can be trusted alone (empty below the gate's minimum held-out samples). */
  private Optional<CascadeCalibration.Result> calibrate(List<TrainingSample> heldOut, Predictions predicted) {
    int[] teacher = new int[heldOut.size()];
    for (int i = 0; i < teacher.length; i++) {
      teacher[i] = heldOut.get(i).teacherClass();
    }
    return CascadeCalibration.calibrate(predicted.classes(), teacher, predicted.confidences(),
        config.cascadeAgreement(), config.gate().minHeldOut());
  }

  // The learners are resources only to be closed: each (shipped may be null) even when the other fails to close.
  @Override
  @SuppressWarnings("try")
  public void close() {
    try (StudentLearner s = serving; StudentLearner q = shipped) {
      // Both closed, the shipped one first.
    }
  }

  /**
   * A candidate's verdict and what it would ship.
   *
   * @param decision the gate's
   * @param score the shipped weights' agreement and accuracy on the held-out window
   * @param heldOut how many held-out samples
   * @param servingAgreement the version in service's agreement on them (empty before the first version)
   * @param weights what would ship
   * @param agreementLoss what shipping cost in agreement (float minus shipped; 0 without compression)
   * @param accuracyLoss the same in accuracy (NaN without labels)
   * @param churn share of held-out samples whose answer changes from the version in service (NaN before it)
   * @param cascade the shipped weights' calibration for the edge's cascade (empty with too few held-out samples)
   */
  record Judgement(VersionGate.Decision decision, StepResult score, int heldOut, OptionalDouble servingAgreement,
      ShippedWeights weights, double agreementLoss, double accuracyLoss, double churn,
      Optional<CascadeCalibration.Result> cascade) {}
}
