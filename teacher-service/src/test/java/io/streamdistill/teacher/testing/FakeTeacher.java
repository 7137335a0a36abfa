package io.streamdistill.teacher.testing;

import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import io.streamdistill.teacher.model.TeacherUnavailableException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A deterministic stand-in teacher for topology unit tests (the integration tests use real
 * models): logits are (sum, -sum) of the vector, or (length, -length) of the text, times a
 * factor; it records the size and the thread of every model call, and can hold calls until told.
 */
public final class FakeTeacher implements Teacher {
  /** The size of every model call, in order. */
  public final List<Integer> callSizes = Collections.synchronizedList(new ArrayList<>());
  /** The name of the thread that made every model call, in order. */
  public final List<String> callThreads = Collections.synchronizedList(new ArrayList<>());
  private volatile CountDownLatch held = new CountDownLatch(0);
  private volatile boolean down;
  /** What {@link #batchLimit} answers at most: as a remote teacher slowed down by its server would. */
  public volatile int limit = Integer.MAX_VALUE;
  private final TeacherDescriptor descriptor;
  private final float factor;

  private FakeTeacher(TeacherDescriptor descriptor, float factor) {
    this.descriptor = descriptor;
    this.factor = factor;
  }

  public static FakeTeacher vector(String id, int width, float factor) {
    return new FakeTeacher(new TeacherDescriptor(id, "v1", "fake", List.of("a", "b"), TeacherDescriptor.VECTOR,
        width, 0, Map.of("weights", "00"), Map.of(), Map.of()), factor);
  }

  public static FakeTeacher text(String id) {
    return new FakeTeacher(new TeacherDescriptor(id, "v1", "fake", List.of("a", "b"), TeacherDescriptor.TEXT,
        0, 2, Map.of("weights", "00"), Map.of(), Map.of()), 1f);
  }

  /** Model calls from now on wait until {@link #releaseCalls()}. */
  public void holdCalls() {
    held = new CountDownLatch(1);
  }

  public void releaseCalls() {
    held.countDown();
  }

  /** Model calls from now on fail as a remote teacher's do in an outage ({@code true}), or answer again. */
  public void down(boolean down) {
    this.down = down;
  }

  public static float[] expectedLogits(float[] vector, float factor) {
    float sum = 0;
    for (float v : vector) {
      sum += v;
    }
    return new float[] {sum * factor, -sum * factor};
  }

  @Override
  public TeacherDescriptor descriptor() {
    return descriptor;
  }

  @Override
  public TeacherPredictor newPredictor() {
    return new TeacherPredictor() {
      @Override
      public List<Prediction> predict(List<TeacherInput> batch) {
        callSizes.add(batch.size());
        callThreads.add(Thread.currentThread().getName());
        try {
          if (!held.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("a held model call was not released within 30 s");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while held", e);
        }
        if (down) {
          throw new TeacherUnavailableException("fake outage");
        }
        List<Prediction> predictions = new ArrayList<>();
        for (TeacherInput input : batch) {
          if (input.text() != null) {
            if (input.text().contains("BOOM")) {
              throw new IllegalStateException("the model chokes on BOOM");
            }
            float n = input.text().length();
            predictions.add(new Prediction(new float[] {n, -n}, new float[] {1f, 0f}));
          } else {
            predictions.add(new Prediction(expectedLogits(input.vector(), factor), null));
          }
        }
        return predictions;
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public int batchLimit(int batchSize) {
    return Math.min(batchSize, limit);
  }

  @Override
  public void close() {}
}
