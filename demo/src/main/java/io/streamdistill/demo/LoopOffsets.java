package io.streamdistill.demo;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/** Where the loop stands on its topics, read with the admin client: how the demo knows the loop has settled. */
final class LoopOffsets {
  private LoopOffsets() {}

  /** The topic's end offsets, read committed (what a read_committed consumer reaches). */
  static Map<TopicPartition, Long> end(Admin admin, String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (var partition : admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()) {
      request.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> end = new HashMap<>();
    admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get()
        .forEach((tp, info) -> end.put(tp, info.offset()));
    return end;
  }

  /** Whether the group's committed offsets reach {@code target} on every partition. */
  static boolean reached(Admin admin, String group, Map<TopicPartition, Long> target) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    for (var entry : target.entrySet()) {
      OffsetAndMetadata offset = committed.get(entry.getKey());
      if (entry.getValue() > 0 && (offset == null || offset.offset() < entry.getValue())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Waits up to {@code timeout} for the group's committed offsets to reach {@code topic}'s end as it is now; returns
   * whether they did.
   */
  static boolean awaitCaughtUp(Admin admin, String group, String topic, Duration timeout) throws Exception {
    Map<TopicPartition, Long> target = end(admin, topic);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!reached(admin, group, target)) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      Thread.sleep(100);
    }
    return true;
  }

  /** Whether a consumer that has read through {@code readThrough} (partition to next offset) is past {@code target}. */
  static boolean readPast(Map<Integer, Long> readThrough, Map<TopicPartition, Long> target) {
    for (var entry : target.entrySet()) {
      Long read = readThrough.get(entry.getKey().partition());
      if (entry.getValue() > 0 && (read == null || read < entry.getValue())) {
        return false;
      }
    }
    return true;
  }
}
