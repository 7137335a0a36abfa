package io.streamdistill.teacher.streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamdistill.schemas.DeadLetter;
import io.streamdistill.schemas.EventKind;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.serde.registry.MockSchemaRegistry;
import io.streamdistill.serde.registry.SchemaRegistryClient;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.testing.FakeTeacher;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LabellingTopologyTest {
  private static final String IN = "in";
  private static final String OUT = "out";
  private static final String DLQ = "dlq";

  private final String scope = "teacher-topology-" + UUID.randomUUID();
  private final SchemaRegistryClient registry = MockSchemaRegistry.forScope(scope);
  private final AvroSerde<InputEvent> events = new AvroSerde<>(InputEvent.class, registry);
  private final AvroSerde<SoftLabel> softLabels = new AvroSerde<>(SoftLabel.class, registry);
  private final AvroSerde<DeadLetter> deadLetters = new AvroSerde<>(DeadLetter.class, registry);
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> input;
  private TestOutputTopic<String, SoftLabel> output;
  private TestOutputTopic<String, DeadLetter> dlq;
  /** The pauses the labellers asked for. */
  private final List<Duration> pauses = new java.util.concurrent.CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
    MockSchemaRegistry.dropScope(scope);
  }

  /**
   * Starts the topology with the model calls on the stream thread, so that a released batch's
   * labels are out when the driver returns. The pipelined tests use {@link #startPipelined}.
   */
  private void start(List<Teacher> teachers, LabellingConfig config) {
    startPipelined(teachers, config.withBatchesInFlight(0));
  }

  private void startPipelined(List<Teacher> teachers, LabellingConfig config) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "teacher-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(LabellingTopology.build(teachers, config.withTopics(IN, OUT, DLQ),
        new TeacherMetrics(meters), registry, pauses::add), props, Instant.parse("2026-11-23T12:00:00Z"));
    input = driver.createInputTopic(IN, new org.apache.kafka.common.serialization.StringSerializer(),
        new ByteArraySerializer());
    output = driver.createOutputTopic(OUT, new StringDeserializer(), softLabels.deserializer());
    dlq = driver.createOutputTopic(DLQ, new StringDeserializer(), deadLetters.deserializer());
  }

  private static InputEvent vectorEvent(String id, float... vector) {
    List<Float> values = new ArrayList<>();
    for (float v : vector) {
      values.add(v);
    }
    return InputEvent.newBuilder().setId(id).setTimestamp(Instant.EPOCH).setSource("test").setVector(values).build();
  }

  private static InputEvent textEvent(String id, String text) {
    return InputEvent.newBuilder().setId(id).setTimestamp(Instant.EPOCH).setSource("test").setText(text).build();
  }

  private void send(InputEvent event) {
    input.pipeInput(event.getId(), events.serializer().serialize(IN, event));
  }

  @Test
  void shouldAssignTasksOnlyToCaughtUpStandbysUnlessToldOtherwise() {
    Properties plain = LabellingTopology.streamsConfig("app", LabellingConfig.defaults(), Map.of());
    assertNull(plain.get(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG), "no standbys: Streams' default");
    Properties standby = LabellingTopology.streamsConfig("app", LabellingConfig.defaults(),
        Map.of(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "1"));
    assertEquals(0L, standby.get(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG));
    assertEquals(StreamsConfig.EXACTLY_ONCE_V2, standby.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    Properties told = LabellingTopology.streamsConfig("app", LabellingConfig.defaults(),
        Map.of(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 2, StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG, "500"));
    assertEquals("500", told.get(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG), "the user's own setting stands");
  }

  @Test
  void shouldSizeTransactionsForATeacherThatMayWaitLongOnABatchKeepingTheUsersOwnSetting() {
    Properties local = LabellingTopology.streamsConfig("app", LabellingConfig.defaults(), Map.of());
    assertEquals(java.util.Optional.empty(), LabellingTopology.sizeTransactions(local, Duration.ofSeconds(4)),
        "a batch that fits Streams' 10 s changes nothing");
    assertNull(local.get("producer.transaction.timeout.ms"));

    Properties remote = LabellingTopology.streamsConfig("app", LabellingConfig.defaults(), Map.of());
    assertEquals("transaction.timeout.ms=32000", LabellingTopology.sizeTransactions(remote, Duration.ofSeconds(27))
        .orElseThrow());
    assertEquals(32_000, remote.get("producer.transaction.timeout.ms"));
    assertNull(remote.get("main.consumer.max.poll.interval.ms"), "32 s is inside the 300 s poll interval");

    Properties slow = LabellingTopology.streamsConfig("app", LabellingConfig.defaults(), Map.of());
    LabellingTopology.sizeTransactions(slow, Duration.ofHours(1));
    assertEquals(900_000, slow.get("producer.transaction.timeout.ms"), "at most the broker's 15 minutes");
    assertEquals(930_000, slow.get("main.consumer.max.poll.interval.ms"), "the stream thread may wait that long");

    Properties told = LabellingTopology.streamsConfig("app", LabellingConfig.defaults(),
        Map.of("transaction.timeout.ms", "20000"));
    assertEquals(java.util.Optional.empty(), LabellingTopology.sizeTransactions(told, Duration.ofSeconds(60)));
    assertEquals("20000", told.get("transaction.timeout.ms"), "the user's own setting stands");
  }

  @Test
  void shouldPublishOneSoftLabelPerInputWithEveryTeachersLogits() {
    FakeTeacher one = FakeTeacher.vector("one", 3, 1f);
    FakeTeacher two = FakeTeacher.vector("two", 3, 2f);
    start(List.of(one, two), LabellingConfig.defaults().withBatching(4, Duration.ofMillis(100)));
    for (int i = 0; i < 10; i++) {
      send(vectorEvent("e" + i, i, 1, 2));
    }
    driver.advanceWallClockTime(Duration.ofMillis(200));

    List<SoftLabel> labels = output.readValuesToList();
    assertEquals(10, labels.size());
    for (int i = 0; i < 10; i++) {
      SoftLabel label = labels.get(i);
      assertEquals("e" + i, label.getEvent().getId());
      assertEquals(List.of("a", "b"), label.getClasses());
      assertEquals(2, label.getTeachers().size(), "one output per teacher");
      assertEquals("one", label.getTeachers().get(0).getTeacherId());
      assertEquals("two", label.getTeachers().get(1).getTeacherId());
      assertEquals(List.of(i + 3f, -(i + 3f)), label.getTeachers().get(0).getLogits());
      assertEquals(List.of(2 * (i + 3f), -2 * (i + 3f)), label.getTeachers().get(1).getLogits());
      assertEquals(IN, label.getInput().getTopic());
      assertEquals(i, label.getInput().getOffset());
    }
    assertTrue(dlq.isEmpty());
    assertEquals(List.of(4, 4, 2), one.callSizes, "one model call per batch");
    assertEquals(List.of(4, 4, 2), two.callSizes);
    assertEquals(10.0, meters.get("distill.teacher.events.labelled").counter().count());
  }

  /**
   * Pipelined: moves the wall clock on in small steps (the timer forwards returned calls) until
   * {@code n} labels are out.
   */
  private List<SoftLabel> awaitLabels(int n) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (output.getQueueSize() < n && System.nanoTime() < deadline) {
      driver.advanceWallClockTime(Duration.ofMillis(5));
      LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
    }
    assertEquals(n, output.getQueueSize(), "labels out within 10 s");
    return output.readValuesToList();
  }

  @Test
  void shouldLabelEveryEventInOrderWhenTheModelCallsArePipelined() {
    FakeTeacher one = FakeTeacher.vector("one", 3, 1f);
    FakeTeacher two = FakeTeacher.vector("two", 3, 2f);
    startPipelined(List.of(one, two), LabellingConfig.defaults().withBatching(4, Duration.ofMillis(100)));
    for (int i = 0; i < 10; i++) {
      send(vectorEvent("e" + i, i, 1, 2));
    }

    List<SoftLabel> labels = awaitLabels(10);
    for (int i = 0; i < 10; i++) {
      SoftLabel label = labels.get(i);
      assertEquals("e" + i, label.getEvent().getId());
      assertEquals(List.of(i + 3f, -(i + 3f)), label.getTeachers().get(0).getLogits());
      assertEquals(List.of(2 * (i + 3f), -2 * (i + 3f)), label.getTeachers().get(1).getLogits());
      assertEquals(i, label.getInput().getOffset());
    }
    assertEquals(List.of(4, 4, 2), one.callSizes, "one model call per batch");
    assertTrue(one.callThreads.stream().allMatch(name -> name.startsWith("teacher-inference-teacher-test-0_0")),
        "the calls ran on the task's inference thread: " + one.callThreads);
    assertEquals(0, pending(), "labelled events leave the store");
  }

  @Test
  void shouldReadOnWhileABatchIsWithTheTeacherAndKeepItInTheStoreUntilItsLabelsAreOut() {
    FakeTeacher teacher = FakeTeacher.vector("t", 1, 1f);
    startPipelined(List.of(teacher), LabellingConfig.defaults().withBatching(3, Duration.ofHours(1)));
    teacher.holdCalls();
    for (String id : List.of("a", "b", "c", "d", "e")) {
      send(vectorEvent(id, 1));
    }
    // a, b, c are with the (held) teacher, d and e wait for the next batch: the stream thread went on.
    driver.advanceWallClockTime(Duration.ofMillis(50));
    assertTrue(output.isEmpty(), "nothing forwarded while the call is held");
    assertEquals(5, pending(), "every consumed event is still in the store, in flight or waiting");

    teacher.releaseCalls();
    assertEquals(List.of("a", "b", "c"), awaitLabels(3).stream().map(l -> l.getEvent().getId()).toList());
    assertEquals(2, pending());
    send(vectorEvent("f", 1));
    assertEquals(List.of("d", "e", "f"), awaitLabels(3).stream().map(l -> l.getEvent().getId()).toList());
    assertEquals(List.of(3, 3), teacher.callSizes);
    assertEquals(0, pending());
  }

  @Test
  void shouldWaitForTheOldestBatchWhenAsManyAsAllowedAreInFlight() throws InterruptedException {
    FakeTeacher teacher = FakeTeacher.vector("t", 1, 1f);
    startPipelined(List.of(teacher), LabellingConfig.defaults().withBatching(1, Duration.ofHours(1))
        .withBatchesInFlight(1));
    teacher.holdCalls();
    send(vectorEvent("a", 1)); // in flight, held
    Thread second = new Thread(() -> send(vectorEvent("b", 1)));
    second.start();
    second.join(300);
    assertTrue(second.isAlive(), "releasing b waits while a, the one batch allowed in flight, is held");
    teacher.releaseCalls();
    second.join(10_000);
    assertTrue(!second.isAlive(), "b is released once a returned");
    assertEquals(List.of("a", "b"), awaitLabels(2).stream().map(l -> l.getEvent().getId()).toList());
  }

  @Test
  void shouldHoldABatchThroughAnOutageAndLabelEachEventOnceWhenTheTeacherAnswersAgain() {
    FakeTeacher teacher = FakeTeacher.vector("t", 1, 1f);
    start(List.of(teacher), LabellingConfig.defaults().withBatching(3, Duration.ofHours(1)));
    teacher.down(true);
    for (String id : List.of("a", "b", "c")) {
      send(vectorEvent(id, 1));
    }
    assertTrue(output.isEmpty() && dlq.isEmpty(), "an outage neither labels nor dead-letters");
    assertEquals(3, pending(), "the failed batch is still in the store");
    assertEquals(List.of(OutageHold.HOLD), pauses, "the input paused for the hold");

    send(vectorEvent("d", 1));
    driver.advanceWallClockTime(Duration.ofMillis(500));
    assertEquals(List.of(3), teacher.callSizes, "nothing asked while holding");
    assertEquals(2, pauses.size(), "an event that still comes while holding asks for the pause again");
    assertTrue(pauses.get(1).compareTo(OutageHold.HOLD) <= 0, "for the rest of the hold");

    teacher.down(false);
    driver.advanceWallClockTime(Duration.ofMillis(600));
    assertEquals(List.of("a", "b", "c"), labelIds(), "the held batch, asked again after the hold");
    send(vectorEvent("e", 1));
    send(vectorEvent("f", 1));
    assertEquals(List.of("d", "e", "f"), labelIds(), "then batches as before");
    assertEquals(List.of(3, 3, 3), teacher.callSizes);
    assertTrue(dlq.isEmpty());
    assertEquals(0, pending());
  }

  @Test
  void shouldHoldEveryBatchInFlightThroughAnOutageAndLabelThemInTheirOrder() {
    FakeTeacher teacher = FakeTeacher.vector("t", 1, 1f);
    startPipelined(List.of(teacher), LabellingConfig.defaults().withBatching(2, Duration.ofHours(1))
        .withBatchesInFlight(2));
    teacher.down(true);
    for (String id : List.of("a", "b", "c", "d", "e")) {
      send(vectorEvent(id, 1));
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (pauses.isEmpty() && System.nanoTime() < deadline) {
      driver.advanceWallClockTime(Duration.ofMillis(5));
    }
    assertEquals(OutageHold.HOLD, pauses.get(0), "the outage was found on a batch in flight");
    assertTrue(output.isEmpty() && dlq.isEmpty());
    assertEquals(5, pending());

    teacher.down(false);
    driver.advanceWallClockTime(OutageHold.HOLD);
    send(vectorEvent("f", 1));
    List<SoftLabel> labels = awaitLabels(6);
    assertEquals(List.of("a", "b", "c", "d", "e", "f"), labels.stream().map(l -> l.getEvent().getId()).toList(),
        "each event once, in the order consumed");
    assertTrue(dlq.isEmpty());
    assertEquals(0, pending());
  }

  @Test
  void shouldFailTheTaskWhenAnOutageHoldsMoreEventsThanItMay() {
    FakeTeacher teacher = FakeTeacher.vector("t", 1, 1f);
    LabellingConfig config = LabellingConfig.defaults().withBatching(1, Duration.ofHours(1));
    start(List.of(teacher), config);
    teacher.down(true);
    int most = OutageHold.maxHeld(config.withBatchesInFlight(0));
    for (int i = 0; i < most; i++) {
      send(vectorEvent("e" + i, 1));
    }
    assertEquals(most, pending(), "held, with no pause that stops them coming");
    org.apache.kafka.streams.errors.StreamsException failed = assertThrows(
        org.apache.kafka.streams.errors.StreamsException.class, () -> send(vectorEvent("over", 1)));
    assertTrue(String.valueOf(failed.getMessage()).contains("an outage may hold")
        || String.valueOf(failed.getCause()).contains("an outage may hold"), String.valueOf(failed));
    assertTrue(output.isEmpty() && dlq.isEmpty(), "nothing labelled or dead-lettered: restarts from the store");
  }

  @Test
  void shouldCutBatchesToWhatATeacherSlowedDownTakesAndGoBackAfter() {
    FakeTeacher teacher = FakeTeacher.vector("t", 1, 1f);
    start(List.of(teacher), LabellingConfig.defaults().withBatching(4, Duration.ofHours(1)));
    teacher.limit = 2;
    for (String id : List.of("a", "b", "c", "d", "e")) {
      send(vectorEvent(id, 1));
    }
    assertEquals(List.of(2, 2), teacher.callSizes, "batches of 2 while the teacher takes 2");
    assertEquals(List.of("a", "b", "c", "d"), labelIds());
    teacher.limit = Integer.MAX_VALUE;
    for (String id : List.of("f", "g", "h")) {
      send(vectorEvent(id, 1));
    }
    assertEquals(List.of(2, 2, 4), teacher.callSizes, "--batch-size again");
    assertEquals(List.of("e", "f", "g", "h"), labelIds());
  }

  private List<String> labelIds() {
    return output.readValuesToList().stream().map(l -> l.getEvent().getId()).toList();
  }

  private long pending() {
    long n = 0;
    try (var entries = driver.<Long, byte[]>getKeyValueStore(BatchingLabeller.STORE).all()) {
      while (entries.hasNext()) {
        entries.next();
        n++;
      }
    }
    return n;
  }

  @Test
  void shouldReleaseABatchWhenItIsFullWithoutWaiting() {
    FakeTeacher teacher = FakeTeacher.vector("t", 1, 1f);
    start(List.of(teacher), LabellingConfig.defaults().withBatching(3, Duration.ofHours(1)));
    send(vectorEvent("a", 1));
    send(vectorEvent("b", 1));
    assertTrue(output.isEmpty(), "two of three: still waiting");
    send(vectorEvent("c", 1));
    assertEquals(3, output.readValuesToList().size());
    assertEquals(List.of(3), teacher.callSizes);
  }

  @Test
  void shouldReleaseABatchWhenItsOldestEventHasWaitedLongEnough() {
    FakeTeacher teacher = FakeTeacher.vector("t", 1, 1f);
    start(List.of(teacher), LabellingConfig.defaults().withBatching(100, Duration.ofMillis(400)));
    send(vectorEvent("a", 1));
    driver.advanceWallClockTime(Duration.ofMillis(200));
    send(vectorEvent("b", 1));
    driver.advanceWallClockTime(Duration.ofMillis(150));
    assertTrue(output.isEmpty(), "350 ms: not yet");
    driver.advanceWallClockTime(Duration.ofMillis(100));
    assertEquals(2, output.readValuesToList().size(), "450 ms after the first event: released");
    assertEquals(List.of(2), teacher.callSizes);
  }

  @Test
  void shouldDeadLetterBadInputWithTheReasonAndTheOriginalBytesAndGoOn() {
    start(List.of(FakeTeacher.vector("mnist", 4, 1f)),
        LabellingConfig.defaults().withBatching(1, Duration.ofMillis(10)).withMaxPayloadBytes(1024));
    byte[] garbage = {0, 0, 0, 0, 1, (byte) 0xff, (byte) 0xfe};
    input.pipeInput("garbage", garbage);
    send(vectorEvent("short", 1, 2, 3));
    send(vectorEvent("nan", 1, Float.NaN, 3, 4));
    send(vectorEvent("inf", 1, 2, Float.POSITIVE_INFINITY, 4));
    send(textEvent("text-only", "hello"));
    byte[] huge = new byte[2048];
    input.pipeInput("huge", huge);
    input.pipeInput("tombstone", (byte[]) null);
    send(vectorEvent("good", 1, 1, 1, 1));

    List<DeadLetter> letters = dlq.readValuesToList();
    assertEquals(7, letters.size());
    assertTrue(letters.get(0).getReason().startsWith("undecodable: "), letters.get(0).getReason());
    assertEquals(ByteBuffer.wrap(garbage), letters.get(0).getValue(), "original bytes kept");
    assertEquals("vector has 3 values, teacher mnist expects 4", letters.get(1).getReason());
    assertEquals("vector has NaN at index 1", letters.get(2).getReason());
    assertEquals("vector has an infinite value at index 2", letters.get(3).getReason());
    assertEquals("no vector: teacher mnist takes a vector of 4", letters.get(4).getReason());
    assertEquals("payload of 2048 bytes is over the limit of 1024 bytes", letters.get(5).getReason());
    assertTrue(letters.get(6).getReason().startsWith("null value"), letters.get(6).getReason());
    for (DeadLetter letter : letters) {
      assertEquals(LabellingConfig.SERVICE, letter.getService());
      assertEquals(IN, letter.getTopic());
    }
    assertEquals(1, letters.get(1).getOffset());
    List<SoftLabel> labels = output.readValuesToList();
    assertEquals(1, labels.size(), "the good event after the bad ones is labelled");
    assertEquals("good", labels.get(0).getEvent().getId());
  }

  @Test
  void shouldDeadLetterEmptyTextAndAnInputThatBreaksTheModelAlone() {
    start(List.of(FakeTeacher.text("mail")), LabellingConfig.defaults().withBatching(3, Duration.ofMillis(10)));
    send(textEvent("empty", "   "));
    send(textEvent("ok-1", "hello"));
    send(textEvent("boom", "BOOM"));
    send(textEvent("ok-2", "world!"));

    var letters = dlq.readRecordsToList();
    assertEquals(2, letters.size());
    assertEquals("empty text: teacher mail takes text", letters.get(0).value().getReason());
    assertEquals("teacher mail failed on this input: the model chokes on BOOM", letters.get(1).value().getReason());
    assertEquals("boom", letters.get(1).key(), "only the input that breaks the model is dead-lettered");
    List<SoftLabel> labels = output.readValuesToList();
    assertEquals(List.of("ok-1", "ok-2"), labels.stream().map(l -> l.getEvent().getId()).toList());
    assertEquals(List.of(5f, -5f), labels.get(0).getTeachers().get(0).getLogits());
    assertEquals(List.of(1f, 0f), labels.get(0).getTeachers().get(0).getEmbedding(), "embedding carried");
    // Counted as what happened to them: two labelled, two dead letters (not four labelled).
    assertEquals(2.0, meters.get("distill.teacher.events.labelled").counter().count());
    assertEquals(2.0, meters.get("distill.teacher.dead.letters").counters().stream().mapToDouble(c -> c.count())
        .sum());
  }

  @Test
  void shouldLeaveEmbeddingsOutWhenAsked() {
    start(List.of(FakeTeacher.text("mail")), LabellingConfig.defaults().withBatching(1, Duration.ofMillis(10))
        .withEmbeddings(false));
    send(textEvent("e", "hello"));
    SoftLabel label = output.readValue();
    assertNull(label.getTeachers().get(0).getEmbedding());
    assertEquals(List.of(5f, -5f), label.getTeachers().get(0).getLogits());
  }

  @Test
  void shouldPassLateLabelsOnWithoutAskingTheTeacher() {
    FakeTeacher teacher = FakeTeacher.vector("t", 1, 1f);
    start(List.of(teacher), LabellingConfig.defaults().withBatching(10, Duration.ofMillis(10)));
    send(InputEvent.newBuilder().setId("e1").setTimestamp(Instant.EPOCH).setSource("test")
        .setKind(EventKind.LATE_LABEL).setLabel("b").build());
    SoftLabel late = output.readValue();
    assertEquals(EventKind.LATE_LABEL, late.getEvent().getKind());
    assertEquals("b", late.getEvent().getLabel());
    assertTrue(late.getTeachers().isEmpty());
    assertTrue(teacher.callSizes.isEmpty());
  }

  @Test
  void shouldLabelOnlyUncertainEventsWhenAsked() {
    start(List.of(FakeTeacher.vector("t", 1, 1f)), LabellingConfig.defaults()
        .withBatching(1, Duration.ofMillis(10)).withLoadControl(LoadControl.parse("uncertain", 1)));
    send(vectorEvent("sure", 1));
    InputEvent unsure = vectorEvent("unsure", 1);
    unsure.setUncertain(true);
    send(unsure);
    List<SoftLabel> labels = output.readValuesToList();
    assertEquals(List.of("unsure"), labels.stream().map(l -> l.getEvent().getId()).toList());
    assertEquals(1.0, meters.get("distill.teacher.events.skipped").counter().count());
  }

  @Test
  void shouldSampleTheSameEventsEveryTime() {
    LoadControl half = LoadControl.parse("sample", 0.5);
    int selected = 0;
    for (int i = 0; i < 10_000; i++) {
      InputEvent event = vectorEvent("event-" + i, 1);
      assertEquals(half.selects(event), half.selects(vectorEvent("event-" + i, 2)), "decided by id alone");
      selected += half.selects(event) ? 1 : 0;
    }
    assertTrue(selected > 4_700 && selected < 5_300, "about half: " + selected);
    assertThrows(IllegalArgumentException.class, () -> LoadControl.parse("sample", 0));
    assertThrows(IllegalArgumentException.class, () -> LoadControl.parse("most", 1));
  }

  @Test
  void shouldRefuseTeachersWithDifferentClasses() {
    Teacher digits = FakeTeacher.vector("a", 1, 1f);
    Teacher other = new Teacher() {
      @Override
      public io.streamdistill.teacher.model.TeacherDescriptor descriptor() {
        return new io.streamdistill.teacher.model.TeacherDescriptor("b", "v", "fake", List.of("x", "y"), "vector",
            1, 0, Map.of("w", "00"), Map.of(), Map.of());
      }

      @Override
      public io.streamdistill.teacher.model.TeacherPredictor newPredictor() {
        throw new UnsupportedOperationException();
      }

      @Override
      public void close() {}
    };
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabellingTopology.build(
        List.of(digits, other), LabellingConfig.defaults(), new TeacherMetrics(meters), registry));
    assertTrue(e.getMessage().contains("share their classes"), e.getMessage());
  }

  @Test
  void shouldRoundTripAWaitingRecordThroughItsStoreEncoding() {
    PendingRecord record = new PendingRecord("in", 3, 42L, 1234L, null, new byte[] {1, 2, 3});
    PendingRecord back = PendingRecord.decode(record.encode());
    assertEquals("in", back.topic());
    assertEquals(3, back.partition());
    assertEquals(42L, back.offset());
    assertEquals(1234L, back.timestamp());
    assertNull(back.key());
    assertArrayEquals(new byte[] {1, 2, 3}, back.value());
  }

  @Test
  void shouldEncodeAWaitingRecordAsTheFirstVersionDid() throws IOException {
    PendingRecord record = new PendingRecord("distill.input-events", 1, 7L, 99L, new byte[] {9}, new byte[] {1, 2});
    // Version 1 as first written, with a DataOutputStream: changelogs of running services hold it.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte(1);
    out.writeUTF("distill.input-events");
    out.writeInt(1);
    out.writeLong(7L);
    out.writeLong(99L);
    out.writeInt(1);
    out.write(new byte[] {9});
    out.writeInt(2);
    out.write(new byte[] {1, 2});
    assertArrayEquals(bytes.toByteArray(), record.encode());
  }
}
