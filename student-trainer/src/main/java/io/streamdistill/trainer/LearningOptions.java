package io.streamdistill.trainer;

import io.streamdistill.student.StudentSpec;
import io.streamdistill.trainer.model.LearnerOptions;
import picocli.CommandLine.Option;

/**
 * How the student learns from a stream that never ends, as command-line options of {@code ./distill
 * train} (a picocli mixin): the learning rate and its schedule, weight averaging, replay, and a hashed
 * n-gram student's embedding optimizer. The values are checked where the options are made ({@link
 * LearnerOptions}), with messages that name the flags.
 */
public final class LearningOptions {
  @Option(names = "--learning-rate", defaultValue = TrainerConfig.AUTO_LEARNING_RATE, paramLabel = "LR|auto",
      description = "Adam's step size; auto: 0.005 for a network over vectors or fields, 0.01 for hashed n-grams."
          + " Default: ${DEFAULT-VALUE}.")
  private String learningRate;

  @Option(names = "--learning-rate-schedule", defaultValue = TrainerConfig.DEFAULT_SCHEDULE, paramLabel = "SCHEDULE",
      description = "constant, or inverse-sqrt:N (the rate times sqrt(N/(N+trained)), never below a tenth of it)."
          + " Default: ${DEFAULT-VALUE}.")
  private String schedule;

  @Option(names = "--average-weights", defaultValue = TrainerConfig.DEFAULT_AVERAGING, paramLabel = "DECAY",
      description = "Polyak averaging: candidates publish (and are judged by) an exponential moving average of the"
          + " weights with this decay per step; 0 publishes the last weights. Default: ${DEFAULT-VALUE}.")
  private float averaging;

  @Option(names = "--replay", defaultValue = TrainerConfig.DEFAULT_REPLAY, paramLabel = "N",
      description = "A buffer of the last N trained soft labels; each training step is followed by --replay-ratio"
          + " steps on batches drawn from it at random. 0 for none. Default: ${DEFAULT-VALUE}.")
  private int replay;

  @Option(names = "--replay-ratio", defaultValue = TrainerConfig.DEFAULT_REPLAY_RATIO, paramLabel = "R",
      description = "Replayed steps per fresh step (fractions accumulate). Default: ${DEFAULT-VALUE}.")
  private float replayRatio;

  @Option(names = "--idle-replay-ratio", defaultValue = TrainerConfig.DEFAULT_IDLE_REPLAY_RATIO, paramLabel = "R",
      description = "While the trainer has caught up with the stream it keeps learning from the replay buffer, until"
          + " there are R replayed steps per fresh one (the --replay-ratio ones included); then it waits. A trainer"
          + " faster than its stream learns more from each soft label. 0 for none. Default: ${DEFAULT-VALUE}.")
  private float idleReplayRatio;

  @Option(names = "--embedding-optimizer", defaultValue = TrainerConfig.DEFAULT_EMBEDDING_OPTIMIZER,
      paramLabel = "adam|adagrad",
      description = "What updates a hashed n-gram student's embedding table, on the rows a batch holds only: adam"
          + " (lazy, as PyTorch's SparseAdam), or adagrad (rare n-grams take full steps). Default: ${DEFAULT-VALUE}.")
  private String embeddingOptimizer;

  @Option(names = "--embedding-learning-rate", defaultValue = "0", paramLabel = "LR",
      description = "The embedding table's step size; 0 for --learning-rate under adam, 0.1 under adagrad."
          + " Default: ${DEFAULT-VALUE}.")
  private float embeddingLearningRate;

  /** The options these flags describe, for this student ({@code --learning-rate auto} depends on its kind). */
  public LearnerOptions options(StudentSpec spec) {
    return new LearnerOptions(learningRate(spec), LearnerOptions.Schedule.parse(schedule), averaging, replay,
        replayRatio, idleReplayRatio, embeddingOptimizer, embeddingLearningRate);
  }

  /** {@code --learning-rate}: a positive number, or auto for the student's kind. */
  private float learningRate(StudentSpec spec) {
    if (learningRate.trim().equalsIgnoreCase(TrainerConfig.AUTO_LEARNING_RATE)) {
      return TrainerConfig.defaultLearningRate(spec);
    }
    try {
      return Float.parseFloat(learningRate.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--learning-rate must be a positive number or auto, not '" + learningRate
          + "'");
    }
  }
}
