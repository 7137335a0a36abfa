package io.streamdistill.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
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

  /**
   * The gradient with respect to the logits, {@code α·T·(softmax(z/T) - p_t) + (1-α)·(softmax(z) - y)},
   * again and again with a GC and fresh direct buffers between the forward and the backward pass. With
   * DJL's own {@code mul(Number)} the backward read numbers whose buffers the GC had freed, and came
   * back NaN or scaled in about one pass in twelve (see {@link Scalars}).
   */
  @Test
  void shouldGiveTheSameGradientWhateverTheGarbageCollectorFreesBeforeTheBackwardPass() throws InterruptedException {
    float t = 2f;
    float alpha = 0.8f;
    double[] softAtT = softmax(STUDENT[0] / t, STUDENT[1] / t);
    double[] soft = softmax(STUDENT[0], STUDENT[1]);
    double[] expected = new double[2];
    for (int c = 0; c < 2; c++) {
      expected[c] = alpha * t * (softAtT[c] - TEACHER[c]) + (1 - alpha) * (soft[c] - HARD[c]);
    }
    DistillationLoss loss = new DistillationLoss(t, alpha);
    List<ByteBuffer> reusers = new ArrayList<>();
    int wrong = 0;
    String first = null;
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      for (int pass = 0; pass < 60; pass++) {
        try (NDManager step = manager.newSubManager()) {
          NDArray logits = step.create(STUDENT, new Shape(1, 2));
          logits.setRequiresGradient(true);
          NDList labels = labels(step);
          try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray value = loss.evaluate(labels, new NDList(logits));
            System.gc();
            Thread.sleep(2); // the cleaners run on their own thread
            reusers.clear();
            for (int i = 0; i < 64; i++) {
              reusers.add(ByteBuffer.allocateDirect(4).putFloat(0, 1e20f)); // take the freed memory, if any
            }
            try {
              collector.backward(value);
            } finally {
              Reference.reachabilityFence(reusers); // they hold the freed memory until the backward pass is done
            }
          }
          float[] gradient = logits.getGradient().toFloatArray();
          if (Math.abs(gradient[0] - expected[0]) > 1e-5 || Math.abs(gradient[1] - expected[1]) > 1e-5) {
            wrong++;
            first = first != null ? first : "pass " + pass + ": " + gradient[0] + ", " + gradient[1];
          }
        }
      }
    }
    assertTrue(wrong == 0, wrong + " of 60 passes had a wrong gradient, the first " + first + " against "
        + expected[0] + ", " + expected[1]);
  }

  private static double[] softmax(double a, double b) {
    double max = Math.max(a, b);
    double ea = Math.exp(a - max);
    double eb = Math.exp(b - max);
    return new double[] {ea / (ea + eb), eb / (ea + eb)};
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
      return new DistillationLoss(temperature, alpha).evaluate(labels(manager),
          new NDList(manager.create(STUDENT, new Shape(1, 2)))).getFloat();
    }
  }

  /** The one sample's labels: p_t, log p_t and the hard target. */
  private static NDList labels(NDManager manager) {
    float[] logTeacher = {(float) Math.log(TEACHER[0]), (float) Math.log(TEACHER[1])};
    return new NDList(manager.create(TEACHER, new Shape(1, 2)), manager.create(logTeacher, new Shape(1, 2)),
        manager.create(HARD, new Shape(1, 2)));
  }
}
