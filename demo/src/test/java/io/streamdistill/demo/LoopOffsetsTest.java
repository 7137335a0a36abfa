package io.streamdistill.demo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class LoopOffsetsTest {
  private static final Map<TopicPartition, Long> END = Map.of(new TopicPartition("soft", 0), 120L,
      new TopicPartition("soft", 1), 80L, new TopicPartition("soft", 2), 0L);

  @Test
  void shouldBePastTheEndOnlyWhenEveryPartitionWithRecordsIsReadThroughIt() {
    assertTrue(LoopOffsets.readPast(Map.of(0, 120L, 1, 95L), END), "at the end of 0, past it on 1; 2 is empty");
    assertFalse(LoopOffsets.readPast(Map.of(0, 119L, 1, 95L), END), "one record of partition 0 still unread");
    assertFalse(LoopOffsets.readPast(Map.of(0, 500L), END), "nothing read on partition 1");
    assertTrue(LoopOffsets.readPast(Map.of(), Map.of(new TopicPartition("soft", 0), 0L)), "an empty topic");
  }
}
