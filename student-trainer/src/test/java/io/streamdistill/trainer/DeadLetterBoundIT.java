package io.streamdistill.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.schemas.DeadLetter;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.LocalStackExtension;
import io.streamdistill.student.SigningKeys;
import io.streamdistill.trainer.stream.DeadLetterLimits;
import io.streamdistill.trainer.stream.VersionGate;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The trainer's memory stays bounded when nothing can be published: 100,000 bad soft labels, no
 * good one, so every candidate waits and no version's transaction ever carries the dead letters.
 * They go out on their own, at most {@link #MAX_WAITING} at a time; a trainer stopped halfway and
 * started again writes none of them twice and loses none.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@ExtendWith(LocalStackExtension.class)
class DeadLetterBoundIT {
  private static final int BAD = 100_000;
  private static final int RECORD_BYTES = 1_000;
  private static final int MAX_WAITING = 1_000;

  @Test
  void shouldWriteEveryBadRecordOnceWithFlatHeapWhenNoCandidateIsPublishable(LocalStack stack) throws Exception {
    TrainerIT.Topics topics = TrainerIT.Topics.create(stack, "bound");
    TrainerIT.produceGarbage(stack, topics.softLabels(), BAD, RECORD_BYTES);
    TrainerConfig config = TrainerConfig.builder("bound", StudentPresets.resolve("mnist-64"), SigningKeys.generate())
        .topics(topics.softLabels(), topics.models(), topics.deadLetters())
        .publishEvery(5_000, Duration.ofSeconds(5))
        .gate(new VersionGate(0.5, 0.01, 200))
        .deadLetterLimits(new DeadLetterLimits(MAX_WAITING, DeadLetterLimits.DEFAULT_MAX_BYTES, Duration.ofSeconds(2)))
        .build();
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    List<Long> heapAfterGc = new ArrayList<>();
    AtomicLong mostWaiting = new AtomicLong();

    // First run: stopped about halfway, with letters still waiting (a stop commits nothing, as a crash).
    try (TrainerIT.Running first = TrainerIT.Running.start(config, stack, new ArrayList<>())) {
      long nextSample = 10_000;
      while (first.trainer().status().consumed() < BAD / 2) {
        mostWaiting.accumulateAndGet(first.trainer().status().deadLettersWaiting(), Math::max);
        if (first.trainer().status().consumed() >= nextSample) {
          heapAfterGc.add(usedAfterGc(memory));
          nextSample += 10_000;
        }
        assertTrue(first.thread().isAlive(), "the trainer stopped: " + first.trainer().status());
        Thread.sleep(5); // sampling the trainer's state
      }
    }
    // Second run: resumes where the first began (no version was ever published), reads everything again.
    try (TrainerIT.Running second = TrainerIT.Running.start(config, stack, new ArrayList<>())) {
      long nextSample = 10_000;
      while (second.trainer().status().consumed() < BAD || second.trainer().status().deadLettersWaiting() > 0) {
        mostWaiting.accumulateAndGet(second.trainer().status().deadLettersWaiting(), Math::max);
        if (second.trainer().status().consumed() >= nextSample) {
          heapAfterGc.add(usedAfterGc(memory));
          nextSample += 10_000;
        }
        assertTrue(second.thread().isAlive(), "the trainer stopped: " + second.trainer().status());
        Thread.sleep(5);
      }
      assertEquals(0, second.trainer().status().published(), "nothing was publishable");
      assertEquals(BAD, second.trainer().status().deadLetters(), "the second run saw every bad record");
    }

    assertTrue(mostWaiting.get() <= MAX_WAITING, "at most " + MAX_WAITING + " letters waited, not " + mostWaiting);
    // 100,000 letters of 1,000 bytes held in memory would be over 100 MB; bounded, the heap stays
    // within the consumer's fetch buffers and the decode queue of where it started.
    long first = heapAfterGc.get(0);
    long most = heapAfterGc.stream().mapToLong(Long::longValue).max().orElseThrow();
    System.out.printf("DeadLetterBoundIT: heap after GC %s MB, most letters waiting %d%n",
        heapAfterGc.stream().map(b -> b / (1024 * 1024)).toList(), mostWaiting.get());
    assertTrue(most - first < 64L * 1024 * 1024, "heap grew from " + first / (1024 * 1024) + " MB to "
        + most / (1024 * 1024) + " MB while bad records streamed through");

    List<DeadLetter> letters = TrainerIT.deadLetters(stack, topics.deadLetters());
    BitSet seen = new BitSet(2 * BAD);
    for (DeadLetter letter : letters) {
      int at = letter.getPartition() * BAD + (int) letter.getOffset();
      assertTrue(!seen.get(at), letter.getPartition() + "@" + letter.getOffset() + " dead-lettered twice");
      seen.set(at);
      assertEquals(RECORD_BYTES, letter.getValue().remaining(), "the original bytes travel with the letter");
    }
    assertEquals(BAD, letters.size(), "every bad record dead-lettered once");
  }

  private static long usedAfterGc(MemoryMXBean memory) {
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }
}
