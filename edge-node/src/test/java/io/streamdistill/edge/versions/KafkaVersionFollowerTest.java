package io.streamdistill.edge.versions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamdistill.edge.Await;
import io.streamdistill.edge.TestVersions;
import io.streamdistill.schemas.DeploymentEvent;
import io.streamdistill.schemas.DeploymentStatus;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.student.VersionDeltas;
import io.streamdistill.student.VersionVerifier;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The follower's reading rules on Kafka's MockConsumer and an in-memory registry. */
class KafkaVersionFollowerTest {
  private static final String TOPIC = "models";
  private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

  private final Map<String, Object> serdeConfig = Map.of("schema.registry.url", "mock://follower-" + UUID.randomUUID());
  private final AvroSerde<StudentModelVersion> serde = AvroSerde.forValues(StudentModelVersion.class, serdeConfig);
  private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
  private final List<DeploymentEvent> events = new CopyOnWriteArrayList<>();
  private final VersionHolder holder = new VersionHolder("node-1", TestVersions.MODEL,
      new VersionVerifier(List.of(TestVersions.KEYS.getPublic())), 5, events::add, new SimpleMeterRegistry());
  private KafkaVersionFollower follower;

  @AfterEach
  void close() {
    if (follower != null) {
      follower.close();
    }
    serde.close();
  }

  private ConsumerRecord<String, byte[]> record(long offset, String key, StudentModelVersion version) {
    return new ConsumerRecord<>(TOPIC, 0, offset, key, serde.serializer().serialize(TOPIC, version));
  }

  private void startWith(List<ConsumerRecord<String, byte[]>> records) {
    consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, Node.noNode(), new Node[0], new Node[0])));
    consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
    consumer.updateEndOffsets(Map.of(PARTITION, (long) records.size()));
    // Records can be added only once the follower has assigned the partition: on its first poll.
    consumer.schedulePollTask(() -> records.forEach(consumer::addRecord));
    follower = new KafkaVersionFollower(consumer, AvroSerde.forValues(StudentModelVersion.class, serdeConfig)
        .deserializer(), TOPIC, TestVersions.MODEL, holder, 7);
    follower.start();
  }

  @Test
  void shouldServeTheNewestValidVersionOnceItHasReadToTheEnd() {
    StudentModelVersion otherModel = StudentModelVersion.newBuilder(TestVersions.sure(9, 9)).setModelName("other")
        .build();
    startWith(List.of(
        record(0, TestVersions.MODEL, TestVersions.sure(1, 1)),
        record(1, "other", otherModel),
        record(2, TestVersions.MODEL, TestVersions.sure(2, 2)),
        new ConsumerRecord<>(TOPIC, 0, 3, TestVersions.MODEL, new byte[] {0, 0, 0, 0, 1, 42}),
        record(4, TestVersions.MODEL, TestVersions.withFlippedWeightByte(TestVersions.sure(3, 3), 10))));

    Await.until("the node to catch up", Duration.ofSeconds(10), () -> holder.status().caughtUp());
    // The LOADED event is told after the swap, on the loading thread: wait for it rather than race it.
    Await.until("three deployment events", Duration.ofSeconds(10), () -> events.size() >= 3);
    assertEquals(2, holder.serving().version(), "the newest valid version, not the tampered 3");
    assertEquals(List.of(1L, 2L), holder.status().heldVersions(), "the other model's record is not read");
    assertEquals(List.of(DeploymentStatus.REJECTED, DeploymentStatus.REJECTED, DeploymentStatus.LOADED),
        events.stream().map(DeploymentEvent::getStatus).toList(), "one LOADED, for the version served");
    assertTrue(events.get(0).getReason().contains("offset 3 is not a readable student version"),
        events.get(0).getReason());
    assertTrue(events.get(1).getReason().contains("SHA-256"), events.get(1).getReason());
  }

  @Test
  void shouldReadOnlyTheTailOfALongTopicAndKeepItsNewestVersionsForRollback() {
    List<ConsumerRecord<String, byte[]>> records = new java.util.ArrayList<>();
    for (int v = 1; v <= 60; v++) {
      records.add(record(v - 1, TestVersions.MODEL, TestVersions.sure(v, v % 10)));
    }
    consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, Node.noNode(), new Node[0], new Node[0])));
    consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
    consumer.updateEndOffsets(Map.of(PARTITION, 60L));
    consumer.schedulePollTask(() -> records.forEach(consumer::addRecord));
    follower = new KafkaVersionFollower(consumer, AvroSerde.forValues(StudentModelVersion.class, serdeConfig)
        .deserializer(), TOPIC, TestVersions.MODEL, holder, 7);
    follower.start();

    Await.until("the node to catch up", Duration.ofSeconds(10), () -> holder.status().caughtUp());
    assertEquals(60, holder.serving().version());
    assertEquals(List.of(56L, 57L, 58L, 59L, 60L), holder.status().heldVersions(), "the holder keeps 5");
    assertTrue(follower.recordsRead() <= 7, "read " + follower.recordsRead() + " records of 60");
  }

  @Test
  void shouldStartMidChainFromTheLastWholeVersionAndReadNoFurtherBack() {
    // v1..v40, whole every 10th (v1, v11, v21, v31), patches between, as the trainer writes them (with the header).
    List<StudentModelVersion> wire = TestVersions.chain(40, 10);
    List<ConsumerRecord<String, byte[]>> records = new java.util.ArrayList<>();
    for (int i = 0; i < wire.size(); i++) {
      ConsumerRecord<String, byte[]> record = record(i, TestVersions.MODEL, wire.get(i));
      record.headers().add(Topics.WEIGHTS_HEADER, (VersionDeltas.isDelta(wire.get(i)) ? Topics.WEIGHTS_DELTA
          : Topics.WEIGHTS_WHOLE).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      records.add(record);
    }
    startWith(records);

    Await.until("the node to catch up", Duration.ofSeconds(10), () -> holder.status().caughtUp());
    assertEquals(40, holder.serving().version(), "v40 rebuilt on v31 and the patches after it");
    assertEquals(List.of(36L, 37L, 38L, 39L, 40L), holder.status().heldVersions(), "the holder keeps 5");
    // The 7 newest (v34..v40) start with a patch: it read back to v31, the whole version before them, and no further.
    assertTrue(follower.recordsRead() >= 10 && follower.recordsRead() <= 16,
        "read " + follower.recordsRead() + " records of 40");
    assertTrue(events.stream().noneMatch(e -> e.getStatus() == DeploymentStatus.REJECTED), events.toString());
    assertTrue(follower.bytesRead() > 0);
  }

  @Test
  void shouldServeNothingUntilTheEndOffsetsAreReached() {
    consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, Node.noNode(), new Node[0], new Node[0])));
    consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
    // The topic claims two records, but only one arrives (the second is, say, still being fetched).
    consumer.updateEndOffsets(Map.of(PARTITION, 2L));
    consumer.schedulePollTask(() -> consumer.addRecord(record(0, TestVersions.MODEL, TestVersions.sure(1, 1))));
    follower = new KafkaVersionFollower(consumer, AvroSerde.forValues(StudentModelVersion.class, serdeConfig)
        .deserializer(), TOPIC, TestVersions.MODEL, holder, 7);
    follower.start();

    Await.until("record 0 to be read", Duration.ofSeconds(10), () -> follower.recordsRead() >= 1);
    assertNull(holder.serving());
    assertTrue(!holder.status().caughtUp());
    consumer.schedulePollTask(() -> consumer.addRecord(record(1, TestVersions.MODEL, TestVersions.sure(2, 2))));
    Await.until("the node to serve", Duration.ofSeconds(10), () -> holder.serving() != null);
    assertEquals(2, holder.serving().version());
  }
}
