package io.streamdistill.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class DistillationLossTest {
  // One sample, two classes: student logits z_s = [1, 0]; teacher distribution at T: p_t = [0.2, 0.8];
  // hard target class 0.
  private static final float[] STUDENT = {1f, 0f};
  private static final float[] TEACHER = {0.2f, 0.8f};
  private static final float[] HARD = {1f, 0f};

  @Test
  void shouldScaleTheSoftTermByTemperatureSquared() {
    float t = 2f;
    // softmax([0.5, 0]) = [e^.5, 1] / (e^.5 + 1)
    double q0 = Math.exp(0.5) / (Math.exp(0.5) + 1);
    double q1 = 1 / (Math.exp(0.5) + 1);
    double kl = 0.2 * Math.log(0.2 / q0) + 0.8 * Math.log(0.8 / q1);
    assertEquals(t * t * kl, loss(t, 1f), 1e-5);
  }

  @Test
  void shouldBeCrossEntropyWithTheHardTargetWhenAlphaIsZero() {
    double ce = -Math.log(Math.exp(1) / (Math.exp(1) + 1));
    assertEquals(ce, loss(7f, 0f), 1e-5);
  }

  @Test
  void shouldMixBothTermsByAlpha() {
    float t = 4f;
    float alpha = 0.3f;
    double q0 = Math.exp(0.25) / (Math.exp(0.25) + 1);
    double q1 = 1 / (Math.exp(0.25) + 1);
    double kl = 0.2 * Math.log(0.2 / q0) + 0.8 * Math.log(0.8 / q1);
    double ce = -Math.log(Math.exp(1) / (Math.exp(1) + 1));
    assertEquals(alpha * t * t * kl + (1 - alpha) * ce, loss(t, alpha), 1e-5);
  }

  @Test
  void shouldAverageOverTheBatchAndBeZeroWhenTheStudentIsTheTeacher() {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      // The student's logits reproduce p_t at T=1 exactly: KL = 0.
      float[] logits = {(float) Math.log(0.2), (float) Math.log(0.8), (float) Math.log(0.2), (float) Math.log(0.8)};
      float[] p = {0.2f, 0.8f, 0.2f, 0.8f};
      float[] logP = {(float) Math.log(0.2), (float) Math.log(0.8), (float) Math.log(0.2), (float) Math.log(0.8)};
      NDList labels = new NDList(manager.create(p, new Shape(2, 2)), manager.create(logP, new Shape(2, 2)),
          manager.create(new float[] {0, 1, 0, 1}, new Shape(2, 2)));
      float value = new DistillationLoss(1f, 1f).evaluate(labels, new NDList(manager.create(logits, new Shape(2, 2))))
          .getFloat();
      assertEquals(0.0, value, 1e-6);
    }
  }

  @Test
  void shouldRefuseNonsenseSettings() {
    assertThrows(IllegalArgumentException.class, () -> new DistillationLoss(0f, 0.5f));
    assertThrows(IllegalArgumentException.class, () -> new DistillationLoss(2f, 1.5f));
  }

  private static double loss(float temperature, float alpha) {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      float[] logTeacher = {(float) Math.log(TEACHER[0]), (float) Math.log(TEACHER[1])};
      NDList labels = new NDList(manager.create(TEACHER, new Shape(1, 2)), manager.create(logTeacher, new Shape(1, 2)),
          manager.create(HARD, new Shape(1, 2)));
      return new DistillationLoss(temperature, alpha).evaluate(labels,
          new NDList(manager.create(STUDENT, new Shape(1, 2)))).getFloat();
    }
  }
}
