package io.streamdistill.producers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.datasets.Example;
import io.streamdistill.schemas.EventAttributes;
import io.streamdistill.schemas.EventKind;
import io.streamdistill.schemas.InputEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;

/** The replay loop against Kafka's MockProducer (a unit test; the real broker is in ReplayIT). */
class ReplayTest {
  private static final String TOPIC = "events";
  private final ListSource source = new ListSource(List.of("ham", "spam"), 50);

  private static MockProducer<String, InputEvent> producer() {
    return new MockProducer<>(true, null, new org.apache.kafka.common.serialization.StringSerializer(),
        (topic, event) -> new byte[0]);
  }

  @Test
  void shouldSendEveryExampleOnceWithLabelsAndIdKeys() {
    MockProducer<String, InputEvent> producer = producer();
    ReplayResult result = new Replay(source, producer, ReplayOptions.defaults(TOPIC), 0).run((a, b, c, d) -> {});
    assertEquals(100, result.sent());
    assertEquals(0, result.failed());
    List<ProducerRecord<String, InputEvent>> sent = producer.history();
    assertEquals(100, sent.stream().map(r -> r.value().getId()).distinct().count());
    for (ProducerRecord<String, InputEvent> record : sent) {
      assertEquals(record.value().getId(), record.key());
      assertEquals(EventKind.OBSERVATION, record.value().getKind());
      assertTrue(Set.of("ham", "spam").contains(record.value().getLabel()));
      assertEquals(List.of((float) record.value().getVector().get(0), 1f), record.value().getVector());
    }
  }

  @Test
  void shouldPutAStructuredRecordIntoTheEventTyped() {
    Map<String, Object> fields = new java.util.LinkedHashMap<>();
    fields.put("proto", "tcp");
    fields.put("bytes", 181.0);
    fields.put("flag", null);
    ListSource flows = new ListSource(List.of(Example.ofFields("f1", fields, "normal")));
    MockProducer<String, InputEvent> producer = producer();

    new Replay(flows, producer, ReplayOptions.defaults(TOPIC), 0).run((a, b, c, d) -> {});

    InputEvent event = producer.history().get(0).value();
    assertEquals(fields, event.getStructured());
    assertNull(event.getText());
    assertNull(event.getVector());
    assertEquals("normal", event.getLabel());
  }

  @Test
  void shouldSendNoLabelsWhenToldNever() {
    MockProducer<String, InputEvent> producer = producer();
    ReplayOptions never = ReplayOptions.defaults(TOPIC).withLabels(LabelPolicy.NEVER, 0, Duration.ZERO);
    new Replay(source, producer, never, 0).run((a, b, c, d) -> {});
    assertTrue(producer.history().stream().allMatch(r -> r.value().getLabel() == null));
  }

  @Test
  void shouldDeliverAShareOfLabelsLateAsSeparateEventsAfterTheirEvent() {
    MockProducer<String, InputEvent> producer = producer();
    ReplayOptions late = ReplayOptions.defaults(TOPIC).withLabels(LabelPolicy.LATE, 0.3, Duration.ofMillis(50));
    ReplayResult result = new Replay(source, producer, late, 0).run((a, b, c, d) -> {});
    List<InputEvent> events = producer.history().stream().map(ProducerRecord::value).toList();
    List<InputEvent> observations = events.stream().filter(e -> e.getKind() == EventKind.OBSERVATION).toList();
    List<InputEvent> lateLabels = events.stream().filter(e -> e.getKind() == EventKind.LATE_LABEL).toList();
    assertEquals(100, observations.size());
    assertTrue(observations.stream().allMatch(e -> e.getLabel() == null), "observations carry no label");
    assertTrue(lateLabels.size() > 15 && lateLabels.size() < 45, "about 30% late: " + lateLabels.size());
    assertEquals(lateLabels.size(), result.lateLabelsSent());
    Map<String, Integer> position = new java.util.HashMap<>();
    for (int i = 0; i < events.size(); i++) {
      position.putIfAbsent(events.get(i).getId(), i);
    }
    for (InputEvent label : lateLabels) {
      assertTrue(events.indexOf(label) > position.get(label.getId()), "late label before its event");
      assertNull(label.getText());
    }
  }

  @Test
  void shouldAnnounceTheShapeOfImagesAndNothingForOtherVectors() {
    ListSource images = new ListSource(List.of(new Example("i1", null, new float[12], "cat"),
        new Example("i2", null, new float[12], "dog"))).asImages(3, 2, 2); // three planes of 2x2
    MockProducer<String, InputEvent> producer = producer();
    new Replay(images, producer, ReplayOptions.defaults(TOPIC), 0).run((a, b, c, d) -> {});
    for (var record : producer.history()) {
      assertEquals("2x2x3", record.value().getAttributes().get(EventAttributes.IMAGE_SHAPE));
    }
    MockProducer<String, InputEvent> plain = producer();
    new Replay(source, plain, ReplayOptions.defaults(TOPIC).withCount(3), 0).run((a, b, c, d) -> {});
    assertFalse(plain.history().get(0).value().getAttributes().containsKey(EventAttributes.IMAGE_SHAPE));
    assertEquals("28x28x1", EventAttributes.imageShape(new int[] {28, 28}));
    assertNull(EventAttributes.imageShape(new int[0]));
  }

  @Test
  void shouldLoopWithDistinctIdsPerPass() {
    MockProducer<String, InputEvent> producer = producer();
    ReplayOptions looping = new ReplayOptions(TOPIC, 250, 0, true, 1, true, KeyChoice.ID, LabelPolicy.ALWAYS, 0,
        Duration.ZERO, new Scenario.Steady(), Duration.ofSeconds(5));
    ReplayResult result = new Replay(source, producer, looping, 0).run((a, b, c, d) -> {});
    assertEquals(250, result.sent());
    Set<String> ids = producer.history().stream().map(r -> r.value().getId()).collect(Collectors.toSet());
    assertEquals(250, ids.size());
    assertTrue(ids.contains("ex-0#2"), "third pass ids end in #2");
    // Every pass names the example it replays, so the trainer draws its held-out slice by example.
    for (var record : producer.history()) {
      String id = record.value().getId();
      assertEquals(id.replaceFirst("#\\d+$", ""), EventAttributes.exampleId(record.value()), id);
    }
  }

  @Test
  void shouldRefuseMoreEventsThanExamplesWithoutLoop() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Replay(source, producer(), ReplayOptions.defaults(TOPIC).withCount(101), 0).run((a, b, c, d) -> {}));
    assertTrue(e.getMessage().contains("--loop"), e.getMessage());
  }

  @Test
  void shouldCountAndNameFailedSends() {
    // The broker refuses event "b" (as it would a record over its size limit).
    MockProducer<String, InputEvent> producer = new MockProducer<>(true, null,
        new org.apache.kafka.common.serialization.StringSerializer(), (topic, event) -> new byte[0]) {
      @Override
      public synchronized Future<RecordMetadata> send(ProducerRecord<String, InputEvent> record, Callback callback) {
        if (record.value().getId().equals("b")) {
          RecordTooLargeException refused = new RecordTooLargeException("too large");
          callback.onCompletion(null, refused);
          return CompletableFuture.failedFuture(refused);
        }
        return super.send(record, callback);
      }
    };
    ListSource three = new ListSource(List.of(
        new Example("a", "x", null, "ham"), new Example("b", "y", null, "ham"), new Example("c", "z", null, "spam")));
    ReplayResult result = new Replay(three, producer, ReplayOptions.defaults(TOPIC), 0).run((a, b, c, d) -> {});
    assertEquals(2, result.sent());
    assertEquals(1, result.failed());
    assertTrue(result.firstErrors().get(0).startsWith("event b: "), result.firstErrors().toString());
    assertTrue(result.firstErrors().get(0).contains("RecordTooLargeException"), result.firstErrors().toString());
  }

  @Test
  void shouldKeepTheRateItWasGiven() {
    ListSource many = new ListSource(List.of("a"), 200);
    ReplayOptions paced = new ReplayOptions(TOPIC, 200, 1000, false, 1, false, KeyChoice.NONE, LabelPolicy.ALWAYS,
        0, Duration.ZERO, new Scenario.Steady(), Duration.ofSeconds(5));
    ReplayResult result = new Replay(many, producer(), paced, 0).run((a, b, c, d) -> {});
    // 200 events at 1000/s take about 0.2 s; far faster would mean no pacing at all.
    assertTrue(result.elapsed().toMillis() >= 150, "took " + result.elapsed().toMillis() + " ms");
  }
}
