package io.streamdistill.trainer;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamdistill.datasets.MnistSource;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.LocalStackExtension;
import io.streamdistill.student.SigningKeys;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The trainer's native memory stays bounded while it trains: the Hinton student (784-800-800-10) on
 * 24,000 real MNIST soft labels of the real teacher (labelled in this JVM first, as the demo does), this
 * JVM's resident memory outside the Java heap sampled each second. Under glibc's allocator without a
 * periodic trim it grew by about 65 MB a second, 2.6 GB over these 20,000 soft labels (the Hinton
 * benchmark: 1.3 to 9.3 GB over 60,000, an OOM kill at 23.7 GB over ten passes; glibc's malloc_info then
 * showed 6.2 of its 6.4 GB free, in chunks it kept): the tensors a step frees stayed in glibc's heap.
 * The build runs the tests, and {@code ./distill} the PyTorch and ONNX services, with {@code
 * -XX:TrimNativeHeapInterval=5000} (compose/commands.txt): 135 MB of growth here. {@code
 * -Dtest.trim.interval=0} turns the trim off, and this test fails.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@ExtendWith(LocalStackExtension.class)
class TrainerMemoryIT {
  private static final KeyPair KEYS = SigningKeys.generate();
  private static final int EVENTS = 24_000;
  /** Growth allowed after the first 4,000 soft labels: a trim every 5 s gives back about 250 MB each time. */
  private static final long ALLOWED_GROWTH = 800L << 20;

  @Test
  void shouldKeepTheTrainersNativeMemoryBoundedWhileItTrains(LocalStack stack) throws Exception {
    Path status = Path.of("/proc/self/status");
    assumeTrue(Files.isReadable(status), "Linux: /proc/self/status");
    // The trainer's deployed setting (./distill train --torch-threads 1), read when PyTorch loads (in a JVM
    // where another test loaded it first, its setting stays).
    System.setProperty("ai.djl.pytorch.num_threads", "1");
    TrainerIT.Topics topics = TrainerIT.Topics.create(stack, "memory");
    MnistSource train = MnistSoftLabels.train();
    for (int from = 0; from < EVENTS; from += 4_000) {
      MnistSoftLabels.produce(stack, topics.softLabels(), MnistSoftLabels.label(train, from, 4_000, true));
    }
    TrainerConfig config = TrainerConfig.builder("memory", StudentPresets.resolve("mnist-800"), KEYS)
        .topics(topics.softLabels(), topics.models(), topics.deadLetters())
        .groupId("memory").transactionalId("memory")
        .batchSize(128)
        .heldOut(1, 2_000)
        .publishEvery(1_000_000, Duration.ofHours(1)) // nothing to judge here: training alone
        .build();
    List<StudentModelVersion> published = new CopyOnWriteArrayList<>();
    // Resident memory less the heap's committed size is negative while the committed heap is not all touched yet:
    // the growth from the first sample after 4,000 is what is judged, whatever the sign of the samples.
    Long baseline = null;
    long peak = Long.MIN_VALUE;
    long baselineAt = 0;
    List<String> samples = new ArrayList<>();
    try (TrainerIT.Running running = TrainerIT.Running.start(config, stack, published)) {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(6);
      long consumed = 0;
      while (consumed < EVENTS && System.nanoTime() < deadline && running.thread().isAlive()) {
        Thread.sleep(1_000);
        consumed = running.trainer().status().consumed();
        long nativeBytes = nativeResident(status);
        samples.add(consumed + ":" + (nativeBytes >> 20) + "MB");
        if (consumed < 4_000) {
          continue;
        }
        if (baseline == null) {
          baseline = nativeBytes;
          baselineAt = consumed;
        }
        peak = Math.max(peak, nativeBytes);
      }
    }
    assertTrue(samples.get(samples.size() - 1).startsWith(EVENTS + ":"), "the trainer read every soft label: "
        + samples);
    assertTrue(baseline != null, "sampled after the first 4,000 soft labels: " + samples);
    long growth = peak - baseline;
    System.out.printf("native resident memory: %d MB after %,d soft labels, peak %d MB by %,d (growth %d MB)%n",
        baseline >> 20, baselineAt, peak >> 20, EVENTS, growth >> 20);
    assertTrue(growth < ALLOWED_GROWTH, "native memory outside the Java heap grew by " + (growth >> 20)
        + " MB while training (consumed:native each second: " + samples + ")");
  }

  /** Resident anonymous memory less the Java heap's committed size: what native code holds. */
  private static long nativeResident(Path status) throws IOException {
    long anonKb = Files.readAllLines(status).stream().filter(l -> l.startsWith("RssAnon:"))
        .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElseThrow();
    return anonKb * 1024 - ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
  }
}
