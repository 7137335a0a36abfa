package io.streamdistill.student;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A student's hot path allocates its answer and little else (issue 17: no allocation per request
 * beyond the answer): the n-gram featurizer's working arrays and bucket ids, and the MLPs' hidden
 * activations and int8 codes, live in buffers per thread. Measured with the JVM's per-thread
 * allocation counter, after a warm-up.
 */
class InferenceAllocationTest {
  private static final NgramSpec SPEC = new NgramSpec(List.of("ham", "spam"), NgramFeaturizer.Settings.defaults(), 16);

  @Test
  void shouldAllocateLittleMoreThanTheAnswerPerTwoKilobyteMail() {
    StudentWeights weights = StudentFixtures.randomWeights(SPEC, 3, 0.05f);
    StudentInput mail = StudentInput.ofText(("Subject: Quarterly report attached, please review before Friday. "
        + "Regards, the finance team. ").repeat(30).substring(0, 2048));
    // The answer (2 floats) and the mean of the rows (16 floats) with their headers: about 120 bytes.
    // A 2 KB mail's ids alone would be about 18 KB, its lower-cased copy 2 KB and its characters 4 KB.
    assertAllocatesUnder(512, StudentModel.create(SPEC, weights), mail);
    assertAllocatesUnder(512, StudentModel.create(SPEC, QuantizedWeights.quantize(weights)), mail);
  }

  @Test
  void shouldAllocateLittleMoreThanTheAnswerPerDigit() {
    MlpSpec spec = new MlpSpec(StudentFixtures.DIGITS, 784, List.of(64));
    StudentWeights weights = StudentFixtures.randomWeights(spec, 5, 0.05f);
    float[] pixels = new float[784];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (i * 37 % 101) / 100f;
    }
    StudentInput digit = StudentInput.ofVector(pixels);
    // The answer is 10 floats (56 bytes); the int8 codes of the input alone would be 3 KB.
    assertAllocatesUnder(256, StudentModel.create(spec, weights), digit);
    assertAllocatesUnder(256, StudentModel.create(spec, QuantizedWeights.quantize(weights)), digit);
  }

  private static void assertAllocatesUnder(int bytes, StudentModel model, StudentInput input) {
    float[] first = model.logits(input);
    for (int i = 0; i < 20_000; i++) {
      model.logits(input); // warm up: the JIT, and the thread's buffers grown to this input
    }
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    int calls = 2_000;
    long before = threads.getThreadAllocatedBytes(thread);
    float[] last = null;
    for (int i = 0; i < calls; i++) {
      last = model.logits(input);
    }
    double perCall = (threads.getThreadAllocatedBytes(thread) - before) / (double) calls;
    assertArrayEquals(first, last, 0f, "the same input, the same logits");
    assertTrue(perCall < bytes, model.getClass().getSimpleName() + " allocated " + perCall + " bytes per call");
  }
}
