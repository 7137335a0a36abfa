package io.streamdistill.trainer;

import io.streamdistill.schemas.Topics;
import io.streamdistill.student.StudentSpec;
import io.streamdistill.trainer.model.DistillationMethod;
import io.streamdistill.trainer.model.LearnerOptions;
import io.streamdistill.trainer.stream.Compression;
import io.streamdistill.trainer.stream.DeadLetterLimits;
import io.streamdistill.trainer.stream.VersionGate;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Everything the online trainer is told, validated when built: a bad value fails with a message that
 * names the flag of {@code ./distill train} that sets it. Immutable.
 *
 * @param modelName the student line; key of its versions on the models topic
 * @param spec architecture and featurizer of the student
 * @param softLabelTopic where soft labels are read
 * @param modelTopic where versions are published
 * @param deadLetterTopic where bad soft labels go, with the reason
 * @param groupId consumer group whose offsets are committed with each version
 * @param transactionalId transactional id of the publisher: one trainer per model, a restarted one
 *     fences the old
 * @param method the distillation method: T, α and every option beyond the classic loss
 * @param learning how the student learns from the stream: Adam's step size, its schedule, an
 *     averaged copy of the weights as what is published, replay, the embedding's optimizer
 * @param batchSize samples per training step
 * @param publishEverySamples a candidate every this many consumed soft labels...
 * @param publishInterval ...or every this long, whichever comes first
 * @param heldOutPercent share of events (by id hash) never trained on
 * @param heldOutWindow how many recent held-out samples candidates are compared on
 * @param gate what a candidate must reach to be published
 * @param knownTeachers teacher ids to learn from (empty: all)
 * @param signingKeys the Ed25519 key pair versions are signed with
 * @param trustedKeys public keys whose versions may be resumed from (the signing key is always trusted)
 * @param seed random seed of the initial weights
 * @param compression pruning during training and the weight format shipped
 * @param restartAfterRejections after this many candidates in a row were refused, the learner starts
 *     again from the version in service (its weights, a fresh optimizer); 0 never. A learner that
 *     fell below the version in service (a burst of bad labels, units that stopped firing) would
 *     otherwise keep training from the worse point
 * @param deadLetterLimits when bad soft labels are written on their own rather than with the next
 *     version, so that a gate refusing every candidate cannot make the trainer hold them without bound
 * @param fullVersionEvery every this many versions one is published whole; those between are patches to
 *     their parent ({@code VersionDeltas}) when that is under 90% of the weights. 1: every version whole
 * @param cascadeAgreement each version is calibrated for a cascade ({@code CascadeCalibration}): the lowest
 *     confidence from which its held-out answers agree with the teacher this often, shipped in its metrics
 *     for edge nodes in calibrated mode
 */
public record TrainerConfig(String modelName, StudentSpec spec, String softLabelTopic, String modelTopic,
    String deadLetterTopic, String groupId, String transactionalId, DistillationMethod method,
    LearnerOptions learning, int batchSize, long publishEverySamples, Duration publishInterval, double heldOutPercent,
    int heldOutWindow, VersionGate gate, Set<String> knownTeachers, KeyPair signingKeys, List<PublicKey> trustedKeys,
    long seed, Compression compression, int restartAfterRejections, DeadLetterLimits deadLetterLimits,
    int fullVersionEvery, double cascadeAgreement) {

  /**
   * Default distillation temperature. On mnist-64 (60,000 events, 5 seeds, the 117-error teacher,
   * learning rate 0.005, averaged weights, replay) T=2 α=0.9 made 275.8 ± 12.8 test errors, T=4
   * 360-380 (at 0.002), and hard labels with the same levers 296.6 ± 5.8.
   */
  public static final String DEFAULT_TEMPERATURE = "2";
  /** Default weight of the soft (teacher) term; 1-α goes to the hard label. */
  public static final String DEFAULT_ALPHA = "0.9";

  /** {@link #fullVersionEvery}'s default, as the command's flag shows it. */
  public static final String DEFAULT_FULL_VERSION_EVERY = "10";

  /**
   * Default learning-rate schedule ({@link LearnerOptions.Schedule#parse}): constant. inverse-sqrt
   * over a tenth of the budget cost mnist-64 160 more test errors in 60,000 events (5 seeds).
   */
  public static final String DEFAULT_SCHEDULE = "constant";
  /**
   * Default decay of the averaged weights a candidate publishes; 0 publishes the last weights. On
   * mnist-64 (60,000 events, 5 seeds) with replay: 392 ± 14 test errors against 403 ± 14 without,
   * and a third less churn between versions.
   */
  public static final String DEFAULT_AVERAGING = "0.999";
  /**
   * Default replay buffer (samples); 0 for none. On mnist-64 (60,000 events, 5 seeds) one replayed
   * step per fresh one from the last 10,000 took classic distillation from 491 ± 21 test errors to
   * 403 ± 14, for twice the training work per soft label.
   */
  public static final String DEFAULT_REPLAY = "10000";
  /** Default replayed steps per fresh one. */
  public static final String DEFAULT_REPLAY_RATIO = "1";
  /**
   * Default idle replay: while caught up with the stream, replayed steps until there are this many per
   * fresh one (the regular ones included). The MNIST demo (20,000 images at 500/s, 18,000 trained)
   * ended at 95.4% held-out agreement with one replayed step per fresh one and at 96.4% with four.
   */
  public static final String DEFAULT_IDLE_REPLAY_RATIO = "4";
  /**
   * Default optimizer of a hashed n-gram student's embedding table: Adagrad at {@link
   * LearnerOptions#ADAGRAD_RATE}, so that a rare n-gram's first gradients take full steps. The mail
   * student (one pass, 5 seeds, with averaged weights and replay) passed 95% held-out agreement after
   * 768-1,024 soft labels; under Adam at 0.01 after about 2,000 (README, issue 16).
   */
  public static final String DEFAULT_EMBEDDING_OPTIMIZER = "adagrad";
  /**
   * Default agreement with the teacher a version's lone answers are calibrated for: a student answering
   * 85% of requests alone at 99.5% agreement costs the cascade at most about 0.4 points of the teacher's
   * accuracy.
   */
  public static final String DEFAULT_CASCADE_AGREEMENT = "0.995";
  /** {@code --learning-rate}'s default: a step size for the student's kind ({@link #defaultLearningRate}). */
  public static final String AUTO_LEARNING_RATE = "auto";
  /** Default samples per training step. */
  public static final int DEFAULT_BATCH_SIZE = 64;

  /**
   * The step size a student of this kind learns a short stream well with: 0.005 for a network over
   * vectors or fields (a records student at 0.001 stayed below the majority class for 2,700 soft
   * labels where 0.005 reached 98% agreement after 9,000, both with batch 64: a new user's trial),
   * 0.01 for a hashed n-gram table (the mail preset's; at 0.001 a text student learned the classes but
   * stayed far too unsure for the edge to answer alone).
   */
  public static float defaultLearningRate(StudentSpec spec) {
    return spec.inputKind() == StudentSpec.InputKind.TEXT ? 0.01f : 0.005f;
  }

  /** The learner options of the defaults above, at this learning rate. */
  public static LearnerOptions defaultLearning(float learningRate) {
    return new LearnerOptions(learningRate, LearnerOptions.Schedule.parse(DEFAULT_SCHEDULE),
        Float.parseFloat(DEFAULT_AVERAGING), Integer.parseInt(DEFAULT_REPLAY), Float.parseFloat(DEFAULT_REPLAY_RATIO),
        Float.parseFloat(DEFAULT_IDLE_REPLAY_RATIO), DEFAULT_EMBEDDING_OPTIMIZER, 0f);
  }

  public TrainerConfig {
    require(modelName != null && modelName.matches("[A-Za-z0-9._-]+"),
        "--model-name must be letters, digits, . _ -, got " + modelName);
    require(spec != null, "a student spec is needed");
    require(method != null, "a distillation method is needed");
    require(compression != null, "a compression setting is needed (Compression.NONE for none)");
    require(learning != null, "learner options are needed (LearnerOptions.plain(rate) for Adam alone)");
    require(batchSize >= 1, "--batch-size must be positive, got " + batchSize);
    require(publishEverySamples >= 1, "--publish-every must be positive, got " + publishEverySamples);
    require(publishInterval != null && !publishInterval.isNegative() && !publishInterval.isZero(),
        "--publish-interval must be positive, got " + publishInterval);
    require(heldOutPercent > 0 && heldOutPercent <= 50, "--held-out-percent must be in (0, 50], got " + heldOutPercent);
    require(heldOutWindow >= gate.minHeldOut(), "--held-out-window (" + heldOutWindow
        + ") must be at least --min-held-out (" + gate.minHeldOut() + ")");
    require(signingKeys != null, "a signing key pair is needed (--keys; ./distill keygen makes one)");
    require(fullVersionEvery >= 1, "--full-version-every must be at least 1 (every version whole), got "
        + fullVersionEvery);
    require(restartAfterRejections >= 0, "--restart-after-rejections must be 0 (never) or positive, got "
        + restartAfterRejections);
    require(cascadeAgreement > 0 && cascadeAgreement <= 1, "--cascade-agreement must be in (0, 1], got "
        + cascadeAgreement);
    require(deadLetterLimits != null, "dead-letter limits are needed (DeadLetterLimits.defaults())");
    knownTeachers = Set.copyOf(knownTeachers);
    trustedKeys = List.copyOf(trustedKeys);
  }

  /** Adam's step size (before warm-up and schedule). */
  public float learningRate() {
    return learning.learningRate();
  }

  /** T of the soft term, as configured (automated tuning may choose another). */
  public float temperature() {
    return method.temperature();
  }

  /** Weight of the soft term at the start, as configured. */
  public float alpha() {
    return method.alpha();
  }

  /**
   * Defaults for a model: {@link #DEFAULT_TEMPERATURE}, {@link #DEFAULT_ALPHA}, Adam at {@link
   * #defaultLearningRate} with the default learner options above (averaged weights, replay), batch
   * {@value #DEFAULT_BATCH_SIZE}, a candidate every 20,000 samples or 30 s, a restart from the
   * version in service after one refused candidate.
   */
  public static Builder builder(String modelName, StudentSpec spec, KeyPair signingKeys) {
    return new Builder(modelName, spec, signingKeys);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Fluent construction with the defaults above; {@link #build()} validates. */
  public static final class Builder {
    private final String modelName;
    private final StudentSpec spec;
    private final KeyPair signingKeys;
    private String softLabelTopic = Topics.SOFT_LABELS;
    private String modelTopic = Topics.STUDENT_MODELS;
    private String deadLetterTopic = Topics.DEAD_LETTERS;
    private String groupId;
    private String transactionalId;
    private DistillationMethod method =
        DistillationMethod.classic(Float.parseFloat(DEFAULT_TEMPERATURE), Float.parseFloat(DEFAULT_ALPHA));
    /** Null until set: then {@link Compression#defaultFor} the spec. */
    private Compression compression;
    private LearnerOptions learning;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private long publishEverySamples = 20_000;
    private Duration publishInterval = Duration.ofSeconds(30);
    private double heldOutPercent = 10;
    private int heldOutWindow = 2_000;
    private VersionGate gate = VersionGate.defaults();
    private Set<String> knownTeachers = Set.of();
    private List<PublicKey> trustedKeys = List.of();
    private long seed = 42;
    private int restartAfterRejections = 1;
    private int fullVersionEvery = Integer.parseInt(DEFAULT_FULL_VERSION_EVERY);
    private DeadLetterLimits deadLetterLimits = DeadLetterLimits.defaults();
    private double cascadeAgreement = Double.parseDouble(DEFAULT_CASCADE_AGREEMENT);

    private Builder(String modelName, StudentSpec spec, KeyPair signingKeys) {
      this.modelName = modelName;
      this.spec = spec;
      this.signingKeys = signingKeys;
      this.learning = defaultLearning(spec == null ? 1e-3f : defaultLearningRate(spec));
    }

    public Builder topics(String softLabels, String models, String deadLetters) {
      this.softLabelTopic = softLabels;
      this.modelTopic = models;
      this.deadLetterTopic = deadLetters;
      return this;
    }

    public Builder groupId(String groupId) {
      this.groupId = groupId;
      return this;
    }

    public Builder transactionalId(String transactionalId) {
      this.transactionalId = transactionalId;
      return this;
    }

    public Builder distillation(float temperature, float alpha) {
      this.method = method.withDistillation(temperature, alpha);
      return this;
    }

    public Builder method(DistillationMethod method) {
      this.method = method;
      return this;
    }

    public Builder compression(Compression compression) {
      this.compression = compression;
      return this;
    }

    public Builder learningRate(float learningRate) {
      this.learning = learning.withLearningRate(learningRate);
      return this;
    }

    /** Every learner option at once (its learning rate included). */
    public Builder learning(LearnerOptions options) {
      this.learning = options;
      return this;
    }

    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    public Builder publishEvery(long samples, Duration interval) {
      this.publishEverySamples = samples;
      this.publishInterval = interval;
      return this;
    }

    public Builder heldOut(double percent, int window) {
      this.heldOutPercent = percent;
      this.heldOutWindow = window;
      return this;
    }

    public Builder gate(VersionGate gate) {
      this.gate = gate;
      return this;
    }

    public Builder knownTeachers(Set<String> teachers) {
      this.knownTeachers = teachers;
      return this;
    }

    public Builder trustedKeys(List<PublicKey> keys) {
      this.trustedKeys = keys;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder restartAfterRejections(int rejections) {
      this.restartAfterRejections = rejections;
      return this;
    }

    public Builder fullVersionEvery(int versions) {
      this.fullVersionEvery = versions;
      return this;
    }

    public Builder deadLetterLimits(DeadLetterLimits limits) {
      this.deadLetterLimits = limits;
      return this;
    }

    public Builder cascadeAgreement(double agreement) {
      this.cascadeAgreement = agreement;
      return this;
    }

    public TrainerConfig build() {
      String group = groupId != null ? groupId : "distill-trainer-" + modelName;
      String txId = transactionalId != null ? transactionalId : "distill-trainer-" + modelName;
      return new TrainerConfig(modelName, spec, softLabelTopic, modelTopic, deadLetterTopic, group, txId, method,
          learning, batchSize, publishEverySamples, publishInterval, heldOutPercent, heldOutWindow, gate,
          knownTeachers, signingKeys, trustedKeys, seed,
          compression != null ? compression : Compression.defaultFor(spec), restartAfterRejections, deadLetterLimits,
          fullVersionEvery, cascadeAgreement);
    }
  }
}
