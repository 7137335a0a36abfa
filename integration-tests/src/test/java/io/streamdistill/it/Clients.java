package io.streamdistill.it;

import io.streamdistill.stack.LocalStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;

/** Small helpers shared by the integration tests: unique topics, client configs, bounded consumption. */
final class Clients {
  private Clients() {}

  /** A new topic with one partition, unique to the calling test. */
  static String newTopic(LocalStack stack, String prefix) {
    String topic = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    stack.createTopics(List.of(new NewTopic(topic, 1, (short) 1)));
    return topic;
  }

  static Map<String, Object> producerConfig(LocalStack stack) {
    Map<String, Object> config = new HashMap<>(stack.clientConfig());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return config;
  }

  static Map<String, Object> consumerConfig(LocalStack stack) {
    Map<String, Object> config = new HashMap<>(stack.clientConfig());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return config;
  }

  /** Polls until {@code count} records arrived or the timeout passed; returns what arrived. */
  static <K, V> List<ConsumerRecord<K, V>> consume(KafkaConsumer<K, V> consumer, String topic, int count,
      Duration timeout) {
    consumer.subscribe(List.of(topic));
    List<ConsumerRecord<K, V>> records = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (records.size() < count && System.nanoTime() < deadline) {
      consumer.poll(Duration.ofMillis(200)).forEach(records::add);
    }
    return records;
  }
}
