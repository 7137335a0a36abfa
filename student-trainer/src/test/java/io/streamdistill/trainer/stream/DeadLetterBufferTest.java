package io.streamdistill.trainer.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.Test;

class DeadLetterBufferTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void shouldBeDueAtTheRecordBoundTheByteBoundOrTheWaitWhicheverComesFirst() {
    DeadLetterBuffer byCount = new DeadLetterBuffer(new DeadLetterLimits(3, 1 << 20, Duration.ofSeconds(10)));
    assertFalse(byCount.due(0), "nothing waits");
    byCount.add(letter(0, 10), 0);
    byCount.add(letter(1, 10), 0);
    assertFalse(byCount.due(SECOND));
    byCount.add(letter(2, 10), 0);
    assertTrue(byCount.due(SECOND), "three letters");

    DeadLetterBuffer byBytes = new DeadLetterBuffer(new DeadLetterLimits(1_000, 5_000, Duration.ofSeconds(10)));
    byBytes.add(letter(0, 3_000), 0);
    assertFalse(byBytes.due(0));
    byBytes.add(letter(1, 3_000), 0);
    assertTrue(byBytes.due(0), "over 5,000 bytes of original records");

    DeadLetterBuffer byWait = new DeadLetterBuffer(new DeadLetterLimits(1_000, 1 << 20, Duration.ofSeconds(10)));
    byWait.add(letter(0, 10), 5 * SECOND);
    byWait.add(letter(1, 10), 14 * SECOND);
    assertFalse(byWait.due(14 * SECOND));
    assertTrue(byWait.due(15 * SECOND), "the oldest waited 10 s");
  }

  @Test
  void shouldKeepTheOrderAndStartAfreshWhenCleared() {
    DeadLetterBuffer buffer = new DeadLetterBuffer(new DeadLetterLimits(2, 1 << 20, Duration.ofSeconds(10)));
    buffer.add(letter(7, 1), 0);
    buffer.add(letter(8, 1), 0);
    assertEquals(List.of(7L, 8L), buffer.letters().stream().map(DeadLetter::getOffset).toList());
    buffer.clear();
    assertTrue(buffer.isEmpty());
    buffer.add(letter(9, 1), 100 * SECOND);
    assertFalse(buffer.due(101 * SECOND), "the wait counts from the oldest letter since the clear");
    assertEquals(1, buffer.size());
  }

  @Test
  void shouldRefuseLimitsThatBoundNothingNamingTheFlag() {
    var e = assertThrows(IllegalArgumentException.class, () -> new DeadLetterLimits(0, 1, Duration.ofSeconds(1)));
    assertTrue(e.getMessage().contains("--dead-letters-max-waiting"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new DeadLetterLimits(1, 1, Duration.ZERO));
    assertTrue(e.getMessage().contains("--dead-letters-max-wait"), e.getMessage());
  }

  @Test
  void shouldSkipOnlyTheBadRecordsBelowAMarkOnResumeAndNeverCommitAMarkBack() {
    assertTrue(VersionPublisher.marksDeadLetters(new OffsetAndMetadata(40, VersionPublisher.DEAD_LETTERS_MARK
        + " (m v3 in service)")));
    assertFalse(VersionPublisher.marksDeadLetters(new OffsetAndMetadata(40, "m v3")), "a version's lineage");
    assertFalse(VersionPublisher.marksDeadLetters(null));
    ResumePoint point = new ResumePoint(null, null, Map.of(0, 10L, 1, 0L), Map.of(0, 40L));
    assertTrue(point.alreadyDeadLettered(0, 39));
    assertFalse(point.alreadyDeadLettered(0, 40), "at the mark: not yet written");
    assertFalse(point.alreadyDeadLettered(1, 5), "no mark on partition 1");
    // A run that has read partition 0 only to 25 must not commit its mark back from 40.
    assertEquals(Map.of(0, 40L, 1, 7L), point.committable(Map.of(0, 25L, 1, 7L)));
    assertEquals(Map.of(0, 41L, 1, 7L), point.committable(Map.of(0, 41L, 1, 7L)));
  }

  private static DeadLetter letter(long offset, int bytes) {
    return DeadLetter.newBuilder().setService("student-trainer").setReason("bad").setTopic("t").setPartition(0)
        .setOffset(offset).setValue(ByteBuffer.wrap(new byte[bytes])).setTimestamp(Instant.EPOCH).build();
  }
}
