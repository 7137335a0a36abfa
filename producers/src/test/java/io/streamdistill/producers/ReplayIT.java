package io.streamdistill.producers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.datasets.DatasetCache;
import io.streamdistill.datasets.MnistSource;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.serde.registry.RestSchemaRegistryClient;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.LocalStackExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Replays into the real broker, read back through the real registry: real MNIST examples, and a
 * user's headerless CSV of structured records through the produce command.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@ExtendWith(LocalStackExtension.class)
class ReplayIT {
  private static MnistSource mnist;

  @BeforeAll
  static void loadMnist() {
    mnist = MnistSource.test(DatasetCache.atDefaultDirectory());
  }

  @Test
  void shouldReadBackExactlyTheEventsReplayed(LocalStack stack) throws Exception {
    String topic = newTopic(stack, "replay", 3);
    int n = 2_000;
    ReplayResult result = replay(stack,
        ReplayOptions.defaults(topic).withCount(n).withScenario(new Scenario.Steady(), true));
    assertEquals(n, result.sent());
    assertEquals(0, result.failed());

    List<ConsumerRecord<String, InputEvent>> records = consume(stack, topic, n);
    assertEquals(n, records.size(), "read back");
    Set<String> ids = new HashSet<>();
    records.forEach(r -> ids.add(r.value().getId()));
    assertEquals(n, ids.size(), "no event twice");
    InputEvent first = records.get(0).value();
    assertEquals(784, first.getVector().size());
    assertEquals(first.getId(), records.get(0).key());
    assertEquals(mnist.name(), first.getSource());

    // The schema is in the real registry under <topic>-value.
    RestSchemaRegistryClient registry =
        new RestSchemaRegistryClient(RestSchemaRegistryClient.Settings.of(stack.schemaRegistryUrl()));
    assertEquals(InputEvent.getClassSchema(), registry.latest(Topics.valueSubject(topic)).schema());
  }

  @Test
  void shouldSendNoEventOfTheOmittedClassBeforeTheSwitchPoint(LocalStack stack) throws Exception {
    String topic = newTopic(stack, "omit3", 1); // one partition: the broker keeps the send order
    int n = 3_000;
    Scenario.OmitClass omit3 = new Scenario.OmitClass("3", 0.6);
    ReplayResult result = replay(stack, ReplayOptions.defaults(topic).withCount(n).withScenario(omit3, true));
    assertEquals(n, result.sent());

    List<ConsumerRecord<String, InputEvent>> records = consume(stack, topic, n);
    assertEquals(n, records.size());
    long switchPosition = omit3.switchPosition(n);
    for (ConsumerRecord<String, InputEvent> record : records) {
      if (record.offset() < switchPosition) {
        assertNotEquals("3", record.value().getLabel(), "a 3 at offset " + record.offset());
      }
    }
    long threesAfter = records.stream().filter(r -> r.offset() >= switchPosition)
        .filter(r -> "3".equals(r.value().getLabel())).count();
    assertTrue(threesAfter > 50, "the 3s appear after the switch: " + threesAfter);
  }

  @Test
  void shouldCarryAStructuredRecordWithItsTypedFieldsFromAHeaderlessCsv(LocalStack stack, @TempDir Path dir)
      throws Exception {
    String topic = newTopic(stack, "flows", 1);
    // Network flows as KDD-99 writes them: no header, numeric and categorical fields, missing values,
    // one bad line in the middle.
    Path flows = Files.writeString(dir.resolve("flows.csv"), """
        0,tcp,http,SF,181,5450,normal.
        2,udp,private,SF,?,146,normal.
        1,tcp,smtp,S0,lots,0
        3,icmp,ecr_i,,1032,,smurf.
        """);
    StringWriter out = new StringWriter();
    CommandLine cli = ProduceCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(out));

    int exit = cli.execute("--source", flows.toString(), "--no-header", "--label-column", "c6", "--fields-all",
        "--topic", topic, "--bootstrap-servers", stack.bootstrapServers(),
        "--schema-registry-url", stack.schemaRegistryUrl());

    assertEquals(0, exit, out.toString());
    assertTrue(out.toString().contains("flows.csv line 3: malformed CSV: has 6 fields, line 1 has 7"), out.toString());
    assertTrue(out.toString().contains("Structured fields: 6, 3 numeric, 3 categorical (c1, c2, c3)"), out.toString());
    List<ConsumerRecord<String, InputEvent>> records = consume(stack, topic, 3);
    assertEquals(List.of("flows.csv:1", "flows.csv:2", "flows.csv:4"),
        records.stream().map(r -> r.value().getId()).toList(), "the line after the bad one is kept");
    InputEvent first = records.get(0).value();
    assertNull(first.getText());
    assertNull(first.getVector());
    assertEquals("normal.", first.getLabel());
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("c0", 0.0);
    expected.put("c1", "tcp");
    expected.put("c2", "http");
    expected.put("c3", "SF");
    expected.put("c4", 181.0);
    expected.put("c5", 5450.0);
    assertEquals(expected, first.getStructured(), "numbers as doubles, categories as strings");
    Map<String, Object> last = records.get(2).value().getStructured();
    assertEquals("icmp", last.get("c1"));
    assertTrue(last.containsKey("c3") && last.get("c3") == null, "a missing category travels as null");
    assertTrue(last.containsKey("c5") && last.get("c5") == null, "a missing number travels as null");
    assertNull(records.get(1).value().getStructured().get("c4"), "? is missing");
    assertEquals(2.0, records.get(1).value().getStructured().get("c0"));
  }

  private static ReplayResult replay(LocalStack stack, ReplayOptions options) {
    Map<String, Object> config = new HashMap<>(ProduceCommand.producerDefaults());
    config.putAll(stack.clientConfig());
    try (AvroSerde<InputEvent> serde = AvroSerde.forValues(InputEvent.class, stack.clientConfig());
        KafkaProducer<String, InputEvent> producer =
            new KafkaProducer<>(config, new StringSerializer(), serde.serializer())) {
      return new Replay(mnist, producer, options, 0).run((a, b, c, d) -> {});
    }
  }

  private static List<ConsumerRecord<String, InputEvent>> consume(LocalStack stack, String topic, int expected) {
    Map<String, Object> config = new HashMap<>(stack.clientConfig());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "replay-it-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<ConsumerRecord<String, InputEvent>> records = new ArrayList<>();
    try (AvroSerde<InputEvent> serde = AvroSerde.forValues(InputEvent.class, stack.clientConfig());
        KafkaConsumer<String, InputEvent> consumer =
            new KafkaConsumer<>(config, new StringDeserializer(), serde.deserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      // Read until nothing more arrives for a while after the expected count, so that extra events would be seen.
      long quietSince = System.nanoTime();
      while (System.nanoTime() < deadline) {
        var batch = consumer.poll(Duration.ofMillis(200));
        batch.forEach(records::add);
        if (!batch.isEmpty()) {
          quietSince = System.nanoTime();
        } else if (records.size() >= expected && System.nanoTime() - quietSince > Duration.ofSeconds(2).toNanos()) {
          break;
        }
      }
    }
    return records;
  }

  private static String newTopic(LocalStack stack, String prefix, int partitions) {
    String topic = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    stack.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)));
    return topic;
  }
}
