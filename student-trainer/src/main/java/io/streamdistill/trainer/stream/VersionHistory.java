package io.streamdistill.trainer.stream;

import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.student.VerificationException;
import io.streamdistill.student.VersionDeltas;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The published history of a model, read from the models topic alone: the newest committed version
 * (read_committed, so a version whose transaction was aborted or is still open never counts), with its whole
 * weights (a delta is rebuilt on the versions before it).
 */
public final class VersionHistory {
  private VersionHistory() {}

  /**
   * The version with the highest number for the model, if any was published.
   *
   * @throws IllegalStateException when the topic does not exist or cannot be read to its end in time
   */
  public static Optional<StudentModelVersion> latest(Map<String, Object> clientConfig, String topic, String modelName,
      Duration timeout) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.putAll(Topics.studentModelConsumerConfig());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    StudentModelVersion newest = null;
    long newestNumber = -1;
    String broken = "a delta without its whole version before it";
    try (AvroSerde<StudentModelVersion> serde = AvroSerde.forValues(StudentModelVersion.class, config);
        KafkaConsumer<String, StudentModelVersion> consumer =
            new KafkaConsumer<>(config, new StringDeserializer(), serde.deserializer())) {
      List<PartitionInfo> partitions = consumer.partitionsFor(topic, timeout);
      if (partitions == null || partitions.isEmpty()) {
        throw new IllegalStateException("topic " + topic + " does not exist (./distill stack creates it)");
      }
      List<TopicPartition> assigned = partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(assigned);
      consumer.seekToBeginning(assigned);
      Map<TopicPartition, Long> end = consumer.endOffsets(assigned, timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (assigned.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end within " + timeout);
        }
        for (var record : consumer.poll(Duration.ofMillis(200))) {
          StudentModelVersion version = record.value();
          if (version == null || !modelName.equals(version.getModelName())) {
            continue;
          }
          newestNumber = Math.max(newestNumber, version.getVersion());
          if (VersionDeltas.isDelta(version)) {
            // A patch to its parent: rebuilt on the whole version before it (verified by the caller).
            try {
              newest = VersionDeltas.apply(version, newest);
            } catch (VerificationException e) {
              broken = e.getMessage();
            }
          } else if (newest == null || version.getVersion() > newest.getVersion()) {
            newest = version;
          }
        }
      }
    }
    if (newestNumber >= 0 && (newest == null || newest.getVersion() != newestNumber)) {
      throw new IllegalStateException("the newest version of " + modelName + " on " + topic + " (v" + newestNumber
          + ") cannot be rebuilt from the topic: " + broken);
    }
    return Optional.ofNullable(newest);
  }
}
