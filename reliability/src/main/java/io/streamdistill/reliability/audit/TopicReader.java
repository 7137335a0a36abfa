package io.streamdistill.reliability.audit;

import io.streamdistill.reliability.CampaignException;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.stack.CommittedRecords;
import io.streamdistill.stack.LocalStackException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads what a topic holds, for audits: every committed record ({@link CommittedRecords}), decoded
 * values, the newest value of a models topic, offsets. read_committed, no consumer group.
 */
public final class TopicReader {
  private static final Duration READ_TIMEOUT = Duration.ofMinutes(3);

  private TopicReader() {}

  /** Every committed record, in partition order then offset order. */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(Map<String, Object> clientConfig, String topic) {
    try {
      return CommittedRecords.readAll(clientConfig, topic, READ_TIMEOUT);
    } catch (LocalStackException e) {
      throw new CampaignException(e.getMessage(), e);
    }
  }

  /** Every committed record's value, decoded; records that do not decode are left out. */
  public static <T extends SpecificRecord> List<T> readValues(Map<String, Object> clientConfig, String topic,
      Class<T> type) {
    List<T> values = new ArrayList<>();
    try (AvroSerde<T> serde = AvroSerde.forValues(type, clientConfig)) {
      for (ConsumerRecord<byte[], byte[]> record : readAll(clientConfig, topic)) {
        if (record.value() == null) {
          continue;
        }
        try {
          values.add(serde.deserializer().deserialize(topic, record.value()));
        } catch (RuntimeException e) {
          // not a record of this type: the audits count those separately where they matter
        }
      }
    }
    return values;
  }

  /**
   * The newest committed value of a one-partition topic (a models topic), or null when it has none.
   * Reads only the last few records, so that it can be polled: each version is followed by its
   * transaction's marker, so the last record is at most a few offsets before the end.
   */
  public static <T extends SpecificRecord> T latestValue(Map<String, Object> clientConfig, String topic,
      Class<T> type) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(clientConfig);
        AvroSerde<T> serde = AvroSerde.forValues(type, clientConfig)) {
      List<TopicPartition> partitions = partitions(consumer, topic);
      if (partitions.size() != 1) {
        throw new IllegalArgumentException(topic + " has " + partitions.size() + " partitions, not one");
      }
      TopicPartition tp = partitions.get(0);
      consumer.assign(partitions);
      long end = consumer.endOffsets(partitions).get(tp);
      long begin = consumer.beginningOffsets(partitions).get(tp);
      ConsumerRecord<byte[], byte[]> last = null;
      for (long back = 4; ; back *= 4) {
        long from = Math.max(begin, end - back);
        consumer.seek(tp, from);
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (consumer.position(tp) < end && System.nanoTime() < deadline) {
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            last = record;
          }
        }
        if (last != null || from == begin) {
          break;
        }
      }
      return last == null ? null : serde.deserializer().deserialize(topic, last.value());
    }
  }

  /** Per partition, the offsets of the committed records. */
  public static Map<Integer, List<Long>> offsets(List<ConsumerRecord<byte[], byte[]>> records) {
    Map<Integer, List<Long>> offsets = new TreeMap<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      offsets.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record.offset());
    }
    return offsets;
  }

  /** Per partition, the end offset a read_committed consumer sees now (the last stable offset). */
  public static Map<Integer, Long> endOffsets(Map<String, Object> clientConfig, String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(clientConfig)) {
      Map<Integer, Long> end = new TreeMap<>();
      consumer.endOffsets(partitions(consumer, topic)).forEach((tp, offset) -> end.put(tp.partition(), offset));
      return end;
    }
  }

  private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
    return consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
  }

  private static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> clientConfig) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // Sized for the largest records the system carries (student versions).
    config.putAll(Topics.studentModelConsumerConfig());
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
