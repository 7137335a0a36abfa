package io.streamdistill.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamdistill.schemas.DeploymentEvent;
import io.streamdistill.schemas.DeploymentStatus;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.LocalStackExtension;
import io.streamdistill.student.VersionDeltas;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Five edge nodes follow one models topic while versions are published (whole ones and patches, and tampered ones
 * among them): one node is restarted, one is cut off from the broker for a while (its follower's polls answer
 * nothing). None ever serves a version that was not published valid, all converge to the newest, and each reports
 * it on the deployments topic. A restarted node whose tail starts at a tampered whole record waits for the next
 * whole version (the patches after it cannot be rebuilt): it still converges.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@ExtendWith(LocalStackExtension.class)
class EdgeFleetIT {
  private static final int NODES = 5;
  private static final int VERSIONS = 40;

  /** A consumer whose polls answer nothing while {@code cut} is set: a node partitioned from the broker. */
  private static final class CuttableConsumer extends KafkaConsumer<String, byte[]> {
    private final AtomicBoolean cut;

    CuttableConsumer(Map<String, Object> config, AtomicBoolean cut) {
      super(config, new StringDeserializer(), new ByteArrayDeserializer());
      this.cut = cut;
    }

    @Override
    public ConsumerRecords<String, byte[]> poll(Duration timeout) {
      if (cut.get()) {
        try {
          Thread.sleep(timeout.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return ConsumerRecords.empty();
      }
      ConsumerRecords<String, byte[]> records = super.poll(timeout);
      if (cut.get() && !records.isEmpty()) {
        // The cut came while this poll waited (a version published after it, v12, was served once): what the poll
        // fetched never arrived. Read again from there once the cut ends.
        for (TopicPartition partition : records.partitions()) {
          seek(partition, records.records(partition).get(0).offset());
        }
        return ConsumerRecords.empty();
      }
      return records;
    }
  }

  @Test
  void fiveNodesConvergeThroughARestartAndAPartitionAndNeverServeAnUnverifiedVersion(LocalStack stack)
      throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String models = "fleet-models-" + suffix;
    String deployments = "fleet-deployments-" + suffix;
    stack.createTopics(List.of(new NewTopic(models, 1, (short) 1).configs(Topics.studentModelTopicConfig()),
        new NewTopic(deployments, 1, (short) 1), new NewTopic("fleet-inputs-" + suffix, 1, (short) 1)));
    AtomicBoolean cut = new AtomicBoolean();
    List<EdgeConfig> configs = new ArrayList<>();
    for (int n = 1; n <= NODES; n++) {
      configs.add(EdgeConfig.defaults("fleet-" + n, TestVersions.MODEL, List.of(TestVersions.KEYS.getPublic()))
          .withTopics(models, deployments, "fleet-inputs-" + suffix).withClientConfig(stack.clientConfig()));
    }
    EdgeNode[] nodes = new EdgeNode[NODES];
    for (int n = 0; n < NODES; n++) {
      nodes[n] = n == 3 ? EdgeNode.start(configs.get(n), new SimpleMeterRegistry(),
          config -> new CuttableConsumer(config, cut)) : EdgeNode.start(configs.get(n), new SimpleMeterRegistry());
    }
    // Versions 1..40, whole every eighth and patches between; before every fifth, a tampered one (a byte flipped
    // after signing) numbered 1000 + its number, which no node may ever serve.
    Set<Long> valid = ConcurrentHashMap.newKeySet();
    List<String> violations = new ArrayList<>();
    long servedWhileCut = -1;
    long uncutAt = 0;
    long caughtUpMillis = -1;
    try (KafkaProducer<String, StudentModelVersion> producer = producer(stack)) {
      List<StudentModelVersion> chain = TestVersions.chain(VERSIONS, 8);
      for (int i = 0; i < VERSIONS; i++) {
        if ((i + 1) % 5 == 0) {
          publish(producer, models, TestVersions.withFlippedWeightByte(TestVersions.random(1_000 + i + 1, i), 40));
        }
        publish(producer, models, chain.get(i));
        valid.add(chain.get(i).getVersion());
        if (i == 10) {
          cut.set(true); // node 4 hears nothing from here...
        }
        if (i == 18) {
          nodes[2].close(); // ...node 3 goes down...
        }
        if (i == 24) {
          nodes[2] = EdgeNode.start(configs.get(2), new SimpleMeterRegistry()); // ...and comes back cold
        }
        if (i == 30) {
          servedWhileCut = nodes[3].status().servedVersion();
          cut.set(false); // ...node 4 hears again
          uncutAt = System.nanoTime();
        }
        Thread.sleep(150);
        if (uncutAt > 0 && caughtUpMillis < 0 && nodes[3].status().servedVersion() >= 31) {
          caughtUpMillis = (System.nanoTime() - uncutAt) / 1_000_000;
        }
        for (EdgeNode node : nodes) {
          long served = node.status().servedVersion();
          if (served > 0 && !valid.contains(served)) {
            violations.add(node.status().nodeId() + " served v" + served);
          }
        }
      }
    }
    long newest = valid.stream().mapToLong(Long::longValue).max().orElseThrow();
    try {
      assertTrue(servedWhileCut > 0 && servedWhileCut <= 11, "the cut-off node stayed where the cut found it: v"
          + servedWhileCut);
      long published = System.nanoTime();
      long deadline = published + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline && !allServe(nodes, newest)) {
        Thread.sleep(100);
      }
      System.out.printf("all %d nodes served v%d %d ms after it was published; the cut-off node served v31 or later"
          + " within %d ms of hearing the broker again%n", NODES, newest, (System.nanoTime() - published) / 1_000_000,
          caughtUpMillis);
      for (EdgeNode node : nodes) {
        assertEquals(newest, node.status().servedVersion(), node.status().nodeId() + ": " + node.status());
      }
      assertEquals(List.of(), violations, "no node served a version that was not published valid");

      // Each node said so on the deployments topic: its last LOADED is the newest; tampered ones were REJECTED.
      Map<String, Long> lastLoaded = new HashMap<>();
      Map<String, Integer> rejected = new HashMap<>();
      deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline && !(lastLoaded.size() == NODES
          && lastLoaded.values().stream().allMatch(v -> v == newest))) {
        lastLoaded.clear();
        rejected.clear();
        for (DeploymentEvent event : events(stack, deployments)) {
          if (event.getStatus() == DeploymentStatus.LOADED) {
            lastLoaded.merge(event.getNodeId(), event.getVersion(), Math::max);
          } else if (event.getStatus() == DeploymentStatus.REJECTED) {
            rejected.merge(event.getNodeId(), 1, Integer::sum);
            assertTrue(event.getVersion() > 1_000 || event.getReason().contains("does not hold"),
                "rejected only tampered versions (or a patch whose base a node missed): " + event);
          }
        }
        Thread.sleep(200);
      }
      for (int n = 1; n <= NODES; n++) {
        assertEquals(newest, lastLoaded.get("fleet-" + n), "fleet-" + n + " reports the newest version: " + lastLoaded);
      }
      assertTrue(rejected.getOrDefault("fleet-1", 0) >= VERSIONS / 5, "a node that saw all rejected the tampered: "
          + rejected);
    } finally {
      for (EdgeNode node : nodes) {
        node.close();
      }
    }
  }

  private static boolean allServe(EdgeNode[] nodes, long version) {
    for (EdgeNode node : nodes) {
      if (node.status().servedVersion() != version) {
        return false;
      }
    }
    return true;
  }

  private static void publish(KafkaProducer<String, StudentModelVersion> producer, String topic,
      StudentModelVersion version) throws Exception {
    ProducerRecord<String, StudentModelVersion> record = new ProducerRecord<>(topic, TestVersions.MODEL, version);
    record.headers().add(Topics.WEIGHTS_HEADER, (VersionDeltas.isDelta(version) ? Topics.WEIGHTS_DELTA
        : Topics.WEIGHTS_WHOLE).getBytes(StandardCharsets.US_ASCII));
    producer.send(record).get();
  }

  private static KafkaProducer<String, StudentModelVersion> producer(LocalStack stack) {
    Map<String, Object> config = new HashMap<>(stack.clientConfig());
    config.putAll(Topics.studentModelProducerConfig());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(config, new StringSerializer(),
        AvroSerde.forValues(StudentModelVersion.class, stack.clientConfig()).serializer());
  }

  private static List<DeploymentEvent> events(LocalStack stack, String topic) {
    Map<String, Object> config = new HashMap<>(stack.clientConfig());
    List<DeploymentEvent> events = new ArrayList<>();
    try (AvroSerde<DeploymentEvent> serde = AvroSerde.forValues(DeploymentEvent.class, stack.clientConfig());
        KafkaConsumer<String, DeploymentEvent> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
            serde.deserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      while (consumer.position(partition) < end) {
        for (ConsumerRecord<String, DeploymentEvent> record : consumer.poll(Duration.ofMillis(200))) {
          events.add(record.value());
        }
      }
    }
    return events;
  }
}
