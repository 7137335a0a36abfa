package io.streamdistill.student;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hashed n-gram student's hot path allocates its answer and little else: the featurizer's
 * working arrays and the bucket ids live in a buffer per thread (issue 17: no allocation per request
 * beyond the answer). Measured with the JVM's per-thread allocation counter.
 */
class NgramAllocationTest {
  private static final NgramSpec SPEC = new NgramSpec(List.of("ham", "spam"), NgramFeaturizer.Settings.defaults(), 16);

  @Test
  void shouldAllocateLittleMoreThanTheAnswerPerTwoKilobyteMail() {
    StudentWeights weights = StudentFixtures.randomWeights(SPEC, 3, 0.05f);
    StudentInput mail = StudentInput.ofText(("Subject: Quarterly report attached, please review before Friday. "
        + "Regards, the finance team. ").repeat(30).substring(0, 2048));
    for (StudentModel model : List.of(StudentModel.create(SPEC, weights),
        StudentModel.create(SPEC, QuantizedWeights.quantize(weights)))) {
      float[] first = model.logits(mail);
      for (int i = 0; i < 20_000; i++) {
        model.logits(mail); // warm up: the JIT, and the thread's buffers grown to this mail
      }
      com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long thread = Thread.currentThread().getId();
      int calls = 2_000;
      long before = threads.getThreadAllocatedBytes(thread);
      float[] last = null;
      for (int i = 0; i < calls; i++) {
        last = model.logits(mail);
      }
      double perCall = (threads.getThreadAllocatedBytes(thread) - before) / (double) calls;
      assertArrayEquals(first, last, 0f, "the same mail, the same logits");
      // The answer (2 floats) and the mean of the rows (16 floats) with their headers: about 120 bytes.
      // A 2 KB mail's ids alone would be about 18 KB, its lower-cased copy 2 KB and its characters 4 KB.
      assertTrue(perCall < 512, model.getClass().getSimpleName() + " allocated " + perCall + " bytes per mail");
    }
  }
}
