package io.streamdistill.trainer.model;

import io.streamdistill.student.StudentSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Automated tuning of T and α: a small grid search at the start of a stream. Every pair of the grid
 * trains a fresh student, from the same seed, over the same first samples of the stream ({@value
 * #PASSES} passes in batches of at most {@value #MAX_BATCH}, so that each trial takes well over a
 * hundred steps on 2,000 samples, far past the learner's warm-up), and is scored on the held-out
 * slice: by accuracy where at least {@value #MIN_LABELLED} held-out samples carry ground truth, else
 * by agreement with the teacher. The grid holds α=0 (hard labels alone, where T plays no part), so
 * the search can say that distillation does not pay. The best pair wins; ties go to the earlier pair
 * of the grid (lower T, then lower α, α=0 last).
 *
 * <p>What it cannot see: a pair that learns slowly but ends higher after much more traffic. The
 * grid is therefore small and starts from settings known to work (Hinton et al. use T from 2 to 20).
 */
public final class TemperatureAlphaSearch {
  public static final List<Float> TEMPERATURES = List.of(1f, 2f, 4f, 8f, 20f);
  public static final List<Float> ALPHAS = List.of(0.5f, 0.9f, 1f);
  /** Passes over the tuning samples per trial. */
  public static final int PASSES = 2;
  /** The largest batch a trial trains with: smaller batches give the trials more steps. */
  public static final int MAX_BATCH = 32;
  /** Labelled held-out samples needed to score by accuracy rather than agreement. */
  public static final int MIN_LABELLED = 100;

  private TemperatureAlphaSearch() {}

  /** One pair of the grid and its held-out score. */
  public record Trial(float temperature, float alpha, double score) {}

  /**
   * The search's outcome: the winning pair and every trial.
   *
   * @param chosen the base method with the winning T and α
   * @param criterion {@code accuracy} or {@code agreement}
   */
  public record Result(DistillationMethod chosen, List<Trial> trials, String criterion) {}

  public static Result search(StudentSpec spec, DistillationMethod base, float learningRate, long seed,
      int batchSize, List<TrainingSample> train, List<TrainingSample> heldOut) {
    return search(spec, base, LearnerOptions.plain(learningRate), seed, batchSize, train, heldOut);
  }

  /** The search with the learner's options (its rate, optimizer, schedule; averaging and replay too). */
  public static Result search(StudentSpec spec, DistillationMethod base, LearnerOptions options, long seed,
      int batchSize, List<TrainingSample> train, List<TrainingSample> heldOut) {
    if (train.isEmpty() || heldOut.isEmpty()) {
      throw new IllegalArgumentException("the search needs training and held-out samples, got " + train.size()
          + " and " + heldOut.size());
    }
    long labelled = heldOut.stream().filter(s -> s.label() >= 0).count();
    boolean byAccuracy = labelled >= MIN_LABELLED;
    int batch = Math.min(batchSize, MAX_BATCH);
    List<float[]> grid = new ArrayList<>();
    for (float t : TEMPERATURES) {
      for (float a : ALPHAS) {
        grid.add(new float[] {t, a});
      }
    }
    grid.add(new float[] {TEMPERATURES.get(0), 0f});
    List<Trial> trials = new ArrayList<>();
    Trial best = null;
    for (float[] pair : grid) {
      DistillationMethod candidate = base.withDistillation(pair[0], pair[1]);
      try (StudentLearner learner = new StudentLearner(spec, candidate, options, seed)) {
        for (int pass = 0; pass < PASSES; pass++) {
          for (int from = 0; from < train.size(); from += batch) {
            learner.trainStep(train.subList(from, Math.min(train.size(), from + batch)));
          }
        }
        StepResult score = learner.evaluate(heldOut, 512);
        Trial trial = new Trial(pair[0], pair[1], byAccuracy ? score.accuracy() : score.agreement());
        trials.add(trial);
        if (best == null || trial.score() > best.score()) {
          best = trial;
        }
      }
    }
    return new Result(base.withDistillation(best.temperature(), best.alpha()), trials,
        byAccuracy ? "accuracy" : "agreement");
  }
}
