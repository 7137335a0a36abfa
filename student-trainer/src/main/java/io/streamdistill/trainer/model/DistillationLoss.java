package io.streamdistill.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * Hinton et al.'s distillation loss, averaged over the batch:
 *
 * <pre>
 * loss = α·T²·KL(p_t ‖ softmax(z_s/T)) + (1-α)·CE(y, softmax(z_s))
 * </pre>
 *
 * where {@code p_t} is the teachers' (combined) distribution at temperature T and {@code y} the
 * hard target (ground truth when known, else the teacher's arg max). T² keeps the soft term's
 * gradients on the scale of the hard term's as T changes.
 *
 * <p>Labels, as {@link #evaluate} takes them: {@code p_t (N, C)}, {@code log p_t (N, C)} (0 where
 * {@code p_t} is 0, since {@code 0·log 0 = 0}), and the hard targets one-hot {@code (N, C)}.
 * Predictions: the student's logits first.
 */
public final class DistillationLoss extends Loss {
  private final float temperature;
  private final float alpha;

  public DistillationLoss(float temperature, float alpha) {
    super("distillation");
    if (!(temperature > 0) || !Float.isFinite(temperature)) {
      throw new IllegalArgumentException("temperature must be positive, got " + temperature);
    }
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
    }
    this.temperature = temperature;
    this.alpha = alpha;
  }

  public float temperature() {
    return temperature;
  }

  public float alpha() {
    return alpha;
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    NDArray logits = predictions.head();
    NDArray teacher = labels.get(0);
    NDArray teacherLog = labels.get(1);
    NDArray hard = labels.get(2);
    NDArray loss = null;
    if (alpha > 0) {
      NDArray studentLogSoft = Scalars.over(logits, temperature).logSoftmax(1);
      NDArray kl = teacher.mul(teacherLog.sub(studentLogSoft)).sum(new int[] {1}).mean();
      loss = Scalars.times(kl, alpha * temperature * temperature);
    }
    if (alpha < 1) {
      NDArray ce = hard.mul(logits.logSoftmax(1)).sum(new int[] {1}).mean().neg();
      NDArray weighted = Scalars.times(ce, 1 - alpha);
      loss = loss == null ? weighted : loss.add(weighted);
    }
    return loss;
  }
}
