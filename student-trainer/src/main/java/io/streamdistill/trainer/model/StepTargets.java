package io.streamdistill.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.streamdistill.student.Softmax;
import java.util.List;

/**
 * What a training step learns to match, from its batch: the soft targets (the teachers' combined
 * distribution at T, mixed with the self-teacher's and with ground truth where asked), the loss's
 * labels made of them, and the teachers' embeddings for the hint and relational terms. Stateless.
 */
final class StepTargets {
  private StepTargets() {}

  /**
   * The teachers' combined distribution at T, mixed with the self-teacher's ({@code selfLogits},
   * null without self-distillation) by the method's β, and for labelled samples with their ground truth
   * by {@code truthShare} (the target fade). {@code (N * classes)} row-major.
   */
  static float[] soft(List<TrainingSample> batch, DistillationMethod method, int classes, float[] selfLogits,
      float truthShare) {
    int n = batch.size();
    float[] soft = new float[n * classes];
    float beta = method.selfWeight();
    for (int i = 0; i < n; i++) {
      float[] p = method.combination().combine(batch.get(i).teacherLogits(), method.temperature());
      if (selfLogits != null) {
        float[] own = new float[classes];
        System.arraycopy(selfLogits, i * classes, own, 0, classes);
        float[] q = Softmax.probabilities(own, method.temperature());
        for (int c = 0; c < classes; c++) {
          p[c] = (1 - beta) * p[c] + beta * q[c];
        }
      }
      int label = batch.get(i).label();
      if (truthShare > 0 && label >= 0) {
        for (int c = 0; c < classes; c++) {
          p[c] *= 1 - truthShare;
        }
        p[label] += truthShare;
      }
      System.arraycopy(p, 0, soft, i * classes, classes);
    }
    return soft;
  }

  /**
   * The labels {@link DistillationLoss} reads, each {@code (N, classes)}: the soft targets, their logs
   * (0 where a probability is 0), and the one-hot hard target of each sample.
   */
  static NDList labels(NDManager manager, List<TrainingSample> batch, float[] soft, int classes) {
    int n = batch.size();
    float[] softLog = new float[n * classes];
    float[] hard = new float[n * classes];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < classes; c++) {
        float p = soft[i * classes + c];
        softLog[i * classes + c] = p > 0 ? (float) Math.log(p) : 0f;
      }
      hard[i * classes + batch.get(i).hardTarget()] = 1f;
    }
    Shape shape = new Shape(n, classes);
    return new NDList(OwnedArrays.of(manager, soft, shape), OwnedArrays.of(manager, softLog, shape),
        OwnedArrays.of(manager, hard, shape));
  }

  /** The teachers' embeddings of a batch; null when one of them has none (the terms skip it). */
  static NDArray embeddings(NDManager manager, List<TrainingSample> batch) {
    float[] first = batch.get(0).teacherEmbedding();
    if (first == null) {
      return null;
    }
    int width = first.length;
    float[] all = new float[batch.size() * width];
    for (int i = 0; i < batch.size(); i++) {
      float[] e = batch.get(i).teacherEmbedding();
      if (e == null || e.length != width) {
        return null;
      }
      System.arraycopy(e, 0, all, i * width, width);
    }
    return OwnedArrays.of(manager, all, new Shape(batch.size(), width));
  }
}
