package io.streamdistill.trainer.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the student learns from, beyond the classic loss: the options of every distillation method
 * the trainer has. Immutable; each {@code with...} returns a copy. The defaults are classic
 * distillation (Hinton et al. 2015) with one teacher or the mean of several.
 *
 * @param temperature T of the soft term
 * @param alpha weight of the soft term at the start (1 − α on the hard term)
 * @param fade how α moves towards ground truth as labels accumulate
 * @param combination how several teachers of one event are combined
 * @param selfWeight self-distillation: the share of the soft target that comes from the student
 *     version in service (its probabilities at T), 0 for none. It pulls a new version towards what
 *     the previous one answered, which lowers churn between versions.
 * @param hintWeight FitNets' hint: weight of the mean squared error between the student's hidden
 *     layer, through a learned linear projection, and the teacher's embedding; 0 for none
 * @param hintWidth width of the teacher's embedding the projection maps to (0 when no hint)
 * @param relationalWeight Park et al.'s relational distillation: weight of the distance-wise plus
 *     twice the angle-wise Huber loss between the pairwise structure of the student's hidden layer
 *     and of the teacher's embeddings within a batch; 0 for none
 * @param autoTune pick T and α by a search on the held-out slice at the start
 */
public record DistillationMethod(float temperature, float alpha, AlphaFade fade, TeacherCombination combination,
    float selfWeight, float hintWeight, int hintWidth, float relationalWeight, boolean autoTune) {

  public DistillationMethod {
    require(temperature > 0 && Float.isFinite(temperature), "temperature must be positive, got " + temperature);
    require(alpha >= 0 && alpha <= 1, "alpha must be in [0, 1], got " + alpha);
    require(fade != null && combination != null, "fade and combination are needed");
    require(selfWeight >= 0 && selfWeight < 1, "self-distillation weight must be in [0, 1), got " + selfWeight);
    require(hintWeight >= 0 && Float.isFinite(hintWeight), "hint weight must be >= 0, got " + hintWeight);
    require(hintWeight == 0 || hintWidth > 0, "a hint needs the teacher's embedding width (--hint-width)");
    require(hintWidth >= 0, "hint width must be >= 0, got " + hintWidth);
    require(relationalWeight >= 0 && Float.isFinite(relationalWeight),
        "relational weight must be >= 0, got " + relationalWeight);
  }

  /** Classic distillation at temperature T with soft-term weight α. */
  public static DistillationMethod classic(float temperature, float alpha) {
    return new DistillationMethod(temperature, alpha, AlphaFade.NONE, TeacherCombination.MEAN, 0f, 0f, 0, 0f, false);
  }

  public DistillationMethod withDistillation(float t, float a) {
    return new DistillationMethod(t, a, fade, combination, selfWeight, hintWeight, hintWidth, relationalWeight,
        autoTune);
  }

  public DistillationMethod withFade(AlphaFade f) {
    return new DistillationMethod(temperature, alpha, f, combination, selfWeight, hintWeight, hintWidth,
        relationalWeight, autoTune);
  }

  public DistillationMethod withCombination(TeacherCombination c) {
    return new DistillationMethod(temperature, alpha, fade, c, selfWeight, hintWeight, hintWidth, relationalWeight,
        autoTune);
  }

  public DistillationMethod withSelf(float weight) {
    return new DistillationMethod(temperature, alpha, fade, combination, weight, hintWeight, hintWidth,
        relationalWeight, autoTune);
  }

  public DistillationMethod withHint(float weight, int width) {
    return new DistillationMethod(temperature, alpha, fade, combination, selfWeight, weight, width,
        relationalWeight, autoTune);
  }

  public DistillationMethod withRelational(float weight) {
    return new DistillationMethod(temperature, alpha, fade, combination, selfWeight, hintWeight, hintWidth, weight,
        autoTune);
  }

  public DistillationMethod withAutoTune(boolean on) {
    return new DistillationMethod(temperature, alpha, fade, combination, selfWeight, hintWeight, hintWidth,
        relationalWeight, on);
  }

  /** Whether the soft labels must carry the teacher's embedding. */
  public boolean needsEmbedding() {
    return hintWeight > 0 || relationalWeight > 0;
  }

  /**
   * The embedding width soft labels must have, for {@link
   * io.streamdistill.trainer.stream.SoftLabelReader}: the hint's width, 0 for any width (relational
   * only), -1 when no embedding is needed.
   */
  public int requiredEmbeddingWidth() {
    return hintWeight > 0 ? hintWidth : needsEmbedding() ? 0 : -1;
  }

  /** A short description, e.g. {@code T=4 α=0.9 mean self=0.5}: for logs and version metadata. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    parts.add(String.format(Locale.ROOT, "T=%s α=%s", temperature, alpha));
    parts.add(combination.name().toLowerCase(Locale.ROOT));
    if (fade.kind() != AlphaFade.Kind.NONE) {
      parts.add("fade=" + fade);
    }
    if (selfWeight > 0) {
      parts.add("self=" + selfWeight);
    }
    if (hintWeight > 0) {
      parts.add("hint=" + hintWeight + "x" + hintWidth);
    }
    if (relationalWeight > 0) {
      parts.add("relational=" + relationalWeight);
    }
    if (autoTune) {
      parts.add("auto-tuned");
    }
    return String.join(" ", parts);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
