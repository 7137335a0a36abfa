package io.streamdistill.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RelationalLossTest {
  @Test
  void shouldBeZeroForTheSameStructureAtAnotherScaleAndWidth() {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      NDArray teacher = random(manager, 16, 5, 1);
      // Scaled by 3 and embedded in 8 dimensions (zeros appended): the same distances up to their
      // mean, the same angles.
      NDArray student = teacher.mul(3).concat(manager.zeros(new Shape(16, 3)), 1);
      assertEquals(0f, RelationalLoss.distance(student, teacher).getFloat(), 1e-5f);
      assertEquals(0f, RelationalLoss.angle(student, teacher).getFloat(), 1e-5f);
      NDArray unrelated = random(manager, 16, 8, 2);
      float loss = RelationalLoss.of(unrelated, teacher).getFloat();
      assertTrue(loss > 0.01f, "unrelated structures: " + loss);
    }
  }

  @Test
  void shouldBeQuadraticNearZeroAndLinearBeyondOne() {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      NDArray a = manager.create(new float[] {0.5f, 3f});
      NDArray huber = RelationalLoss.huber(a, manager.zeros(new Shape(2)));
      assertEquals(0.125f, huber.getFloat(0), 1e-6f);
      assertEquals(2.5f, huber.getFloat(1), 1e-6f);
    }
  }

  private static NDArray random(NDManager manager, int n, int d, long seed) {
    Random random = new Random(seed);
    float[] values = new float[n * d];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return manager.create(values, new Shape(n, d));
  }
}
