package io.streamdistill.trainer.model;

import java.util.List;
import java.util.Locale;

/**
 * How a student learns from a stream that never ends, apart from what it learns (that is the
 * {@link DistillationMethod}). Immutable; each {@code with...} returns a copy.
 *
 * @param learningRate Adam's step size (after the warm-up, before the schedule)
 * @param schedule how the step size moves with the samples trained ({@link Schedule})
 * @param averaging Polyak averaging: the decay per step of an exponential moving average of the
 *     weights, which is what the learner publishes and is judged by ({@link StudentLearner#weights},
 *     {@link StudentLearner#predictions}); 0 for none (the last weights)
 * @param replayCapacity a bounded buffer of the most recent trained samples; 0 for none
 * @param replayRatio replayed steps per fresh step (fractions accumulate), each on as many samples
 *     as the fresh batch drawn uniformly from the buffer, so that a soft label is learned from more
 *     than once; the prequential score and the schedule count the fresh samples only
 * @param idleReplayRatio while the stream has nothing new (the trainer caught up), more replayed steps,
 *     until all replayed steps reach this many per fresh step: a trainer that is faster than its
 *     stream learns more from each soft label instead of waiting, and stops when the budget is spent
 *     (a stream that went quiet is not learned by heart); 0 for none
 * @param embeddingOptimizer what updates a hashed n-gram student's embedding table, on the rows a
 *     batch holds only ({@link EmbeddingTable}): {@code adam} (lazy: a row's moments move when it has a
 *     gradient, as PyTorch's SparseAdam) or {@code adagrad} (per-row accumulated squared gradients, so a
 *     rare n-gram's first gradients take full steps: the classic optimiser for sparse features)
 * @param embeddingLearningRate the embedding table's step size; 0 for the default: the learning rate
 *     under Adam, {@value #ADAGRAD_RATE} under Adagrad
 */
public record LearnerOptions(float learningRate, Schedule schedule, float averaging, int replayCapacity,
    float replayRatio, float idleReplayRatio, String embeddingOptimizer, float embeddingLearningRate) {
  public static final List<String> EMBEDDING_OPTIMIZERS = List.of("adam", "adagrad");
  /**
   * Adagrad's default step size for an n-gram table: its first step on a row moves each entry by
   * about this much. With it the mail student passed 95% held-out agreement after 768-1,024 soft
   * labels (5 seeds; the methods benchmark).
   */
  public static final float ADAGRAD_RATE = 0.1f;

  public LearnerOptions {
    require(learningRate > 0 && Float.isFinite(learningRate), "--learning-rate must be positive, got " + learningRate);
    require(schedule != null, "a learning-rate schedule is needed (Schedule.CONSTANT for none)");
    require(averaging >= 0 && averaging < 1, "--average-weights must be in [0, 1), got " + averaging);
    require(replayCapacity >= 0, "--replay must be >= 0, got " + replayCapacity);
    require(replayRatio >= 0 && replayRatio <= 8, "--replay-ratio must be in [0, 8], got " + replayRatio);
    require(idleReplayRatio >= 0 && idleReplayRatio <= 16, "--idle-replay-ratio must be in [0, 16], got "
        + idleReplayRatio);
    require(EMBEDDING_OPTIMIZERS.contains(embeddingOptimizer), "--embedding-optimizer must be one of "
        + EMBEDDING_OPTIMIZERS + ", got " + embeddingOptimizer);
    require(embeddingLearningRate >= 0 && Float.isFinite(embeddingLearningRate),
        "--embedding-learning-rate must be >= 0, got " + embeddingLearningRate);
  }

  /** Adam at this rate, constant, the last weights, no replay: the learner as it was. */
  public static LearnerOptions plain(float learningRate) {
    return new LearnerOptions(learningRate, Schedule.CONSTANT, 0f, 0, 0f, 0f, "adam", 0f);
  }

  public LearnerOptions withLearningRate(float rate) {
    return new LearnerOptions(rate, schedule, averaging, replayCapacity, replayRatio, idleReplayRatio,
        embeddingOptimizer, embeddingLearningRate);
  }

  public LearnerOptions withSchedule(Schedule s) {
    return new LearnerOptions(learningRate, s, averaging, replayCapacity, replayRatio, idleReplayRatio,
        embeddingOptimizer, embeddingLearningRate);
  }

  public LearnerOptions withAveraging(float decay) {
    return new LearnerOptions(learningRate, schedule, decay, replayCapacity, replayRatio, idleReplayRatio,
        embeddingOptimizer, embeddingLearningRate);
  }

  public LearnerOptions withReplay(int capacity, float ratio) {
    return new LearnerOptions(learningRate, schedule, averaging, capacity, ratio, idleReplayRatio,
        embeddingOptimizer, embeddingLearningRate);
  }

  public LearnerOptions withIdleReplay(float ratio) {
    return new LearnerOptions(learningRate, schedule, averaging, replayCapacity, replayRatio, ratio,
        embeddingOptimizer, embeddingLearningRate);
  }

  public LearnerOptions withEmbedding(String optimizer, float rate) {
    return new LearnerOptions(learningRate, schedule, averaging, replayCapacity, replayRatio, idleReplayRatio,
        optimizer, rate);
  }

  /** Whether each step adds replayed samples. */
  public boolean replays() {
    return replayCapacity > 0 && replayRatio > 0;
  }

  /** The embedding table's step size. */
  public float embeddingRate() {
    if (embeddingLearningRate > 0) {
      return embeddingLearningRate;
    }
    return embeddingOptimizer.equals("adagrad") ? ADAGRAD_RATE : learningRate;
  }

  /** A short description, e.g. {@code lr=0.001 inverse-sqrt:20000 ema=0.999 replay=10000x1.0}. */
  public String describe() {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "lr=%s %s", learningRate, schedule));
    if (averaging > 0) {
      s.append(" ema=").append(averaging);
    }
    if (replays()) {
      s.append(" replay=").append(replayCapacity).append('x').append(replayRatio);
      if (idleReplayRatio > 0) {
        s.append(" idle-replay=x").append(idleReplayRatio);
      }
    }
    if (!embeddingOptimizer.equals("adam") || embeddingLearningRate > 0) {
      s.append(" embedding=").append(embeddingOptimizer).append('@').append(embeddingRate());
    }
    return s.toString();
  }

  /**
   * The step size against the samples trained: {@code constant}, or {@code inverse-sqrt:N}, the
   * rate times {@code sqrt(N / (N + trained))}, never below {@value #FLOOR} of it: large early, when
   * the student knows nothing, smaller later, so that it settles without ever freezing on a stream
   * that may drift.
   */
  public record Schedule(long halfLife) {
    public static final Schedule CONSTANT = new Schedule(0);
    public static final float FLOOR = 0.1f;

    public Schedule {
      require(halfLife >= 0, "schedule samples must be >= 0, got " + halfLife);
    }

    public static Schedule parse(String text) {
      // Empty parts kept: "constant:" or "inverse-sqrt:100:" is a mistake, not "constant" or "inverse-sqrt:100".
      String[] parts = text.trim().toLowerCase(Locale.ROOT).split(":", -1);
      if (parts.length == 1 && parts[0].equals("constant")) {
        return CONSTANT;
      }
      if (parts.length == 2 && parts[0].equals("inverse-sqrt")) {
        try {
          long n = Long.parseLong(parts[1]);
          require(n > 0, "inverse-sqrt needs a positive number of samples, got " + n);
          return new Schedule(n);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("learning-rate schedule '" + text + "': " + e.getMessage());
        }
      }
      throw new IllegalArgumentException("learning-rate schedule '" + text + "' is not constant or inverse-sqrt:N");
    }

    /** The share of the base rate after {@code trained} samples. */
    public float factor(long trained) {
      return halfLife == 0 ? 1f : Math.max(FLOOR, (float) Math.sqrt((double) halfLife / (halfLife + trained)));
    }

    @Override
    public String toString() {
      return halfLife == 0 ? "constant" : "inverse-sqrt:" + halfLife;
    }
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
