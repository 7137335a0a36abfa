package io.streamdistill.teacher.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamdistill.schemas.DeadLetter;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.serde.registry.MockSchemaRegistry;
import io.streamdistill.serde.registry.SchemaRegistryClient;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.streams.LabellingConfig;
import io.streamdistill.teacher.streams.LabellingTopology;
import io.streamdistill.teacher.streams.TeacherMetrics;
import io.streamdistill.teacher.testing.FakeTeacher;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A local and a remote teacher in one ensemble, through the real topology (no broker): both label
 * each event; when the remote fails, the batch is held in the store, nothing is dead-lettered, and it is
 * labelled by both once the remote answers again.
 */
class RemoteOutageTopologyTest {
  private final String scope = "remote-outage-" + UUID.randomUUID();
  private final SchemaRegistryClient registry = MockSchemaRegistry.forScope(scope);
  private final AvroSerde<InputEvent> events = new AvroSerde<>(InputEvent.class, registry);
  private final OipStub stub = new OipStub();
  private TopologyTestDriver driver;
  private RemoteTeacher remote;

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
    if (remote != null) {
      remote.close();
    }
    stub.close();
    MockSchemaRegistry.dropScope(scope);
  }

  /** A 503 is an outage by default; Triton's transient 500 is one too once {@code retryStatus} lists it. */
  @ParameterizedTest(name = "HTTP {0}, retryStatus {1}")
  @CsvSource({"503,", "500, '429,500,502,503,504'"})
  void shouldLabelWithBothKindsAndNeverDeadLetterForARemoteOutage(int failStatus, String retryStatus)
      throws Exception {
    stub.start();
    Map<String, String> settings = new HashMap<>(Map.of("url", "http://127.0.0.1:" + stub.port(), "model", "m",
        "retries", "1", "backoffMs", "1", "breakerFailures", "2", "breakerOpenMs", "100"));
    if (retryStatus != null) {
      settings.put("retryStatus", retryStatus);
    }
    OipOptions options = OipOptions.parse(settings);
    remote = OipTeacherLoader.load(new TeacherDescriptor("remote", "?", "oip", List.of("a", "b"),
        TeacherDescriptor.VECTOR, 2, 0, Map.of(), Map.of(), Map.of()), options);
    FakeTeacher local = FakeTeacher.vector("local", 2, 1f);
    LabellingConfig config = LabellingConfig.defaults().withTopics("in", "out", "dlq")
        .withBatching(4, Duration.ofSeconds(10)).withBatchesInFlight(0);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "remote-outage");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(LabellingTopology.build(List.<Teacher>of(local, remote), config,
        new TeacherMetrics(new SimpleMeterRegistry()), registry), props);
    TestInputTopic<String, byte[]> input = driver.createInputTopic("in", new StringSerializer(),
        new ByteArraySerializer());
    AvroSerde<SoftLabel> labels = new AvroSerde<>(SoftLabel.class, registry);
    AvroSerde<DeadLetter> letters = new AvroSerde<>(DeadLetter.class, registry);
    TestOutputTopic<String, SoftLabel> out = driver.createOutputTopic("out", new StringDeserializer(),
        labels.deserializer());
    TestOutputTopic<String, DeadLetter> dlq = driver.createOutputTopic("dlq", new StringDeserializer(),
        letters.deserializer());

    for (int i = 0; i < 4; i++) {
      send(input, "ok-" + i, i, 1);
    }
    List<SoftLabel> labelled = out.readValuesToList();
    assertEquals(4, labelled.size());
    for (SoftLabel label : labelled) {
      assertEquals(List.of("local", "remote"), label.getTeachers().stream().map(t -> t.getTeacherId()).toList());
      assertEquals("7", label.getTeachers().get(1).getTeacherVersion(), "the remote's version from its metadata");
      assertEquals(label.getTeachers().get(0).getLogits(), label.getTeachers().get(1).getLogits(), "same function");
    }

    stub.failStatus = failStatus;
    stub.failures.set(Integer.MAX_VALUE);
    for (int i = 0; i < 3; i++) {
      send(input, "outage-" + i, i, 2);
    }
    send(input, "outage-3", 3, 2);
    assertTrue(out.isEmpty(), "no label without the remote");
    assertTrue(dlq.isEmpty(), "and no dead letter: the outage is not the events' fault");
    KeyValueStore<Long, byte[]> waiting = driver.getKeyValueStore("teacher-batch");
    assertEquals(4, count(waiting), "the batch's events stay in the store, held");
    assertEquals(CircuitBreaker.State.OPEN, remote.breakerState());

    stub.failures.set(0);
    driver.advanceWallClockTime(Duration.ofMillis(1_100)); // past the labeller's hold; the breaker's probe follows
    List<SoftLabel> after = out.readValuesToList();
    assertEquals(List.of("outage-0", "outage-1", "outage-2", "outage-3"),
        after.stream().map(l -> l.getEvent().getId()).toList(), "the held batch, once the remote answers");
    assertTrue(after.stream().allMatch(l -> l.getTeachers().size() == 2), "labelled by both");
    assertTrue(dlq.isEmpty());
    assertEquals(0, count(waiting));
    assertEquals(CircuitBreaker.State.CLOSED, remote.breakerState());
  }

  private void send(TestInputTopic<String, byte[]> input, String id, float x, float y) {
    InputEvent event = InputEvent.newBuilder().setId(id).setTimestamp(Instant.EPOCH).setSource("test")
        .setVector(List.of(x, y)).build();
    input.pipeInput(id, events.serializer().serialize("in", event));
  }

  private static int count(KeyValueStore<Long, byte[]> store) {
    int n = 0;
    try (var all = store.all()) {
      while (all.hasNext()) {
        all.next();
        n++;
      }
    }
    return n;
  }
}
