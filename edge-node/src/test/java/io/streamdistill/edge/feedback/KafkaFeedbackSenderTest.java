package io.streamdistill.edge.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamdistill.edge.Await;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.serde.AvroSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Sending traffic back never makes a request wait: a bounded queue, drops counted. */
class KafkaFeedbackSenderTest {
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private final AvroSerde<InputEvent> serde =
      AvroSerde.forValues(InputEvent.class, Map.of("schema.registry.url", "mock://feedback-" + UUID.randomUUID()));
  private KafkaFeedbackSender sender;

  @AfterEach
  void close() {
    if (sender != null) {
      sender.close();
    }
  }

  private static InputEvent event(int i) {
    return InputEvent.newBuilder().setId("e-" + i).setTimestamp(Instant.now()).setSource("edge/node-1")
        .setText("mail " + i).setUncertain(true).build();
  }

  private double count(String name) {
    return metrics.get(name).counter().count();
  }

  @Test
  void shouldSendEventsKeyedByIdAndCountThem() {
    MockProducer<String, InputEvent> producer =
        new MockProducer<>(true, null, new StringSerializer(), serde.serializer());
    sender = new KafkaFeedbackSender(producer, "input-events", 10, metrics);
    assertTrue(sender.offer(event(1)));
    assertTrue(sender.offer(event(2)));
    Await.until("two events sent", Duration.ofSeconds(10), () -> count("distill.edge.feedback.sent") == 2);
    assertEquals("e-1", producer.history().get(0).key());
    assertEquals("input-events", producer.history().get(0).topic());
    assertEquals(0.0, count("distill.edge.feedback.dropped"));
  }

  @Test
  void shouldDropAndCountInsteadOfWaitingWhenTheBrokerDoesNotKeepUp() throws InterruptedException {
    // The broker never acknowledges; and the sender thread is held inside send() by a serializer that blocks.
    CountDownLatch stuck = new CountDownLatch(1);
    MockProducer<String, InputEvent> producer = new MockProducer<>(false, null, new StringSerializer(),
        (topic, event) -> {
          try {
            stuck.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return new byte[0];
        });
    sender = new KafkaFeedbackSender(producer, "input-events", 3, metrics);
    // The offers run on a thread of their own while the sender stays stuck: an offer that waited for room would
    // never return. No timing of a fast path here (a busy machine took 1.2 s for the hundred, once): they must
    // all return while nothing is acknowledged.
    AtomicInteger accepted = new AtomicInteger();
    Thread offering = new Thread(() -> {
      for (int i = 0; i < 100; i++) {
        if (sender.offer(event(i))) {
          accepted.incrementAndGet();
        }
      }
    }, "offering");
    offering.start();
    offering.join(Duration.ofSeconds(30).toMillis());
    boolean returned = !offering.isAlive();
    stuck.countDown();
    offering.join();
    assertTrue(returned, "the offers waited for the stuck sender instead of dropping");
    // One event may be in the sender thread's hands, three in the queue: the rest are dropped at once.
    assertTrue(accepted.get() <= 4, accepted + " accepted");
    assertEquals(100 - accepted.get(), count("distill.edge.feedback.dropped"));
  }
}
