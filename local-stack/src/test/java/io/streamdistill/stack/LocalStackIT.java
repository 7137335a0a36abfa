package io.streamdistill.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.registry.RestSchemaRegistryClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LocalStackIT {

  @Test
  void shouldServeBrokerAndRegistryAndLeaveNothingBehindAfterClose() throws Exception {
    long brokerPid;
    long registryPid;
    int brokerPort;
    int registryPort;
    Path workDir;
    try (LocalStack stack = LocalStack.builder().start()) {
      brokerPid = stack.broker().pid();
      registryPid = stack.registry().pid();
      brokerPort = stack.broker().port();
      registryPort = stack.registry().port();
      workDir = stack.workDir();
      assertTrue(ProcessHandle.of(brokerPid).map(ProcessHandle::isAlive).orElse(false));
      assertTrue(ProcessHandle.of(registryPid).map(ProcessHandle::isAlive).orElse(false));

      stack.createTopics(LocalStack.defaultTopics(2));
      stack.createTopics(LocalStack.defaultTopics(2)); // idempotent
      try (Admin admin = Admin.create(stack.clientConfig())) {
        Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        assertTrue(names.containsAll(Topics.ALL), names.toString());
      }

      String topic = "local-stack-it";
      stack.createTopics(List.of(new NewTopic(topic, 1, (short) 1)));
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
          ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>(topic, "k", "hello")).get(30, TimeUnit.SECONDS);
      }
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
          ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
          ConsumerConfig.GROUP_ID_CONFIG, "local-stack-it",
          ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
        consumer.subscribe(List.of(topic));
        Optional<ConsumerRecord<String, String>> first = Optional.empty();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (first.isEmpty() && System.nanoTime() < deadline) {
          var records = consumer.poll(Duration.ofMillis(200));
          first = records.isEmpty() ? Optional.empty() : Optional.of(records.iterator().next());
        }
        assertEquals("hello", first.orElseThrow().value());
      }

      RestSchemaRegistryClient registry = new RestSchemaRegistryClient(
          RestSchemaRegistryClient.Settings.of(stack.schemaRegistryUrl()));
      Schema schema = Schema.createRecord("Probe", null, "it", false,
          List.of(new Schema.Field("a", Schema.create(Schema.Type.INT))));
      int id = registry.register("probe-value", schema);
      assertEquals(schema, registry.schemaById(id));
      assertTrue(registry.subjects().contains("probe-value"));
    }

    assertFalse(ProcessHandle.of(brokerPid).map(ProcessHandle::isAlive).orElse(false), "broker still running");
    assertFalse(ProcessHandle.of(registryPid).map(ProcessHandle::isAlive).orElse(false), "registry still running");
    assertFalse(Ports.isListening(brokerPort), "broker port still open");
    assertFalse(Ports.isListening(registryPort), "registry port still open");
    assertFalse(Files.exists(workDir), "work directory left behind");
  }

  /**
   * Topics created one after another answer at once: each round's first produce to every partition
   * succeeds within a delivery timeout far below the five minutes a produce to a not-yet-applied
   * partition could hang (KAFKA-15591), and no round fails while the admin client's metadata lags.
   */
  @Test
  void shouldCreateTopicsThatTakeRecordsAtOnceManyTimesInARow() throws Exception {
    try (LocalStack stack = LocalStack.builder().start()) {
      Map<String, Object> producerConfig = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
          ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
          ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
        for (int round = 0; round < 20; round++) {
          String topic = "in-a-row-" + round;
          stack.createTopics(List.of(new NewTopic(topic, 3, (short) 1)));
          List<Future<RecordMetadata>> sent = new ArrayList<>();
          for (int partition = 0; partition < 3; partition++) {
            sent.add(producer.send(new ProducerRecord<>(topic, partition, "k", "v" + partition)));
          }
          for (var future : sent) {
            assertEquals(0L, future.get(15, TimeUnit.SECONDS).offset(), topic);
          }
        }
      }
    }
  }

  @Test
  void shouldKeepTopicsOffsetsAndPortWhenTheBrokerRestarts() throws Exception {
    try (LocalStack stack = LocalStack.builder().start()) {
      String topic = "restart-it";
      stack.createTopics(List.of(new NewTopic(topic, 1, (short) 1)));
      Map<String, Object> producerConfig = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
          ProducerConfig.ACKS_CONFIG, "all");
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>(topic, "k", "before")).get(30, TimeUnit.SECONDS);
      }
      Map<String, Object> consumerConfig = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
          ConsumerConfig.GROUP_ID_CONFIG, "restart-it", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
          ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      try (KafkaConsumer<String, String> consumer =
          new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
        consumer.subscribe(List.of(topic));
        assertEquals(List.of("before"), pollValues(consumer, 1));
        consumer.commitSync();
      }
      long pid = stack.broker().pid();
      String bootstrap = stack.bootstrapServers();

      stack.restartBroker();

      assertEquals(bootstrap, stack.bootstrapServers(), "same address");
      assertTrue(stack.broker().pid() != pid, "a new broker process");
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the old one is gone");
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>(topic, "k", "after")).get(30, TimeUnit.SECONDS);
      }
      try (KafkaConsumer<String, String> consumer =
          new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
        consumer.subscribe(List.of(topic));
        // The group's committed offset survived: only the record written after the restart is new.
        assertEquals(List.of("after"), pollValues(consumer, 1));
      }
    }
  }

  private static List<String> pollValues(KafkaConsumer<String, String> consumer, int n) {
    List<String> values = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (values.size() < n && System.nanoTime() < deadline) {
      consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
    }
    return values;
  }
}
