package io.streamdistill.trainer.model;

import io.streamdistill.student.StudentSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Automated tuning of T and α: a small grid search at the start of a stream. Every pair of the grid
 * trains a fresh student, from the same seed, over the same first samples of the stream (one pass),
 * and is scored on the held-out slice: by accuracy where at least half of the held-out samples carry
 * ground truth, else by agreement with the teacher. The best pair wins; ties go to the earlier pair
 * of the grid (lower T, then lower α).
 *
 * <p>What it cannot see: a pair that learns slowly but ends higher after much more traffic. The
 * grid is therefore small and starts from settings known to work (Hinton et al. use T from 2 to 20).
 */
public final class TemperatureAlphaSearch {
  public static final List<Float> TEMPERATURES = List.of(1f, 2f, 4f, 8f, 20f);
  public static final List<Float> ALPHAS = List.of(0.5f, 0.9f, 1f);

  private TemperatureAlphaSearch() {}

  /** One pair of the grid and its held-out score. */
  public record Trial(float temperature, float alpha, double score) {}

  /**
   * @param chosen the base method with the winning T and α
   * @param criterion {@code accuracy} or {@code agreement}
   */
  public record Result(DistillationMethod chosen, List<Trial> trials, String criterion) {}

  public static Result search(StudentSpec spec, DistillationMethod base, float learningRate, long seed,
      int batchSize, List<TrainingSample> train, List<TrainingSample> heldOut) {
    if (train.isEmpty() || heldOut.isEmpty()) {
      throw new IllegalArgumentException("the search needs training and held-out samples, got " + train.size()
          + " and " + heldOut.size());
    }
    long labelled = heldOut.stream().filter(s -> s.label() >= 0).count();
    boolean byAccuracy = labelled * 2 >= heldOut.size();
    List<Trial> trials = new ArrayList<>();
    Trial best = null;
    for (float t : TEMPERATURES) {
      for (float a : ALPHAS) {
        DistillationMethod candidate = base.withDistillation(t, a);
        try (StudentLearner learner = new StudentLearner(spec, candidate, learningRate, seed)) {
          for (int from = 0; from < train.size(); from += batchSize) {
            learner.trainStep(train.subList(from, Math.min(train.size(), from + batchSize)));
          }
          StepResult score = learner.evaluate(heldOut, 512);
          Trial trial = new Trial(t, a, byAccuracy ? score.accuracy() : score.agreement());
          trials.add(trial);
          if (best == null || trial.score() > best.score()) {
            best = trial;
          }
        }
      }
    }
    return new Result(base.withDistillation(best.temperature(), best.alpha()), trials,
        byAccuracy ? "accuracy" : "agreement");
  }
}
