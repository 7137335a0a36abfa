package io.streamdistill.edge.feedback;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.serde.AvroSerde;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends input events to Kafka from a bounded queue on its own thread, keyed by event id. Request
 * threads only {@link #offer} (a non-blocking queue insert); serializing (which may call the schema
 * registry), waiting for metadata and a full producer buffer all happen on the sender thread, so a
 * slow or absent broker costs dropped events, counted, never request latency.
 *
 * <p>Meters: {@code distill.edge.feedback.sent} (acknowledged by the broker), {@code
 * distill.edge.feedback.dropped} (queue full, send failed), {@code distill.edge.feedback.queued}.
 * Owns its producer and thread.
 */
public final class KafkaFeedbackSender implements FeedbackSink, AutoCloseable {
  private static final Logger LOGGER = LoggerFactory.getLogger(KafkaFeedbackSender.class);
  private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final Producer<String, InputEvent> producer;
  private final String topic;
  private final BlockingQueue<InputEvent> queue;
  private final Counter sent;
  private final Counter dropped;
  private final Thread thread;
  private volatile boolean running = true;
  private long lastWarning = System.nanoTime() - WARN_EVERY_NANOS;

  /** A sender with its own producer, configured from the client settings; starts its thread. */
  public KafkaFeedbackSender(Map<String, Object> clientConfig, String topic, int capacity, MeterRegistry metrics) {
    this(new KafkaProducer<>(producerConfig(clientConfig), new StringSerializer(),
        AvroSerde.forValues(InputEvent.class, clientConfig).serializer()), topic, capacity, metrics);
  }

  /** A sender on a given producer, which it then owns and closes; starts its thread. */
  public KafkaFeedbackSender(Producer<String, InputEvent> producer, String topic, int capacity, MeterRegistry metrics) {
    this.producer = producer;
    this.topic = topic;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.sent = Counter.builder("distill.edge.feedback.sent")
        .description("sampled and uncertain requests sent to input-events").register(metrics);
    this.dropped = Counter.builder("distill.edge.feedback.dropped")
        .description("sampled and uncertain requests not sent (queue full or send failed)").register(metrics);
    Gauge.builder("distill.edge.feedback.queued", queue, BlockingQueue::size)
        .description("events waiting to be sent").register(metrics);
    this.thread = new Thread(this::run, "edge-feedback-sender");
    thread.setDaemon(true);
    thread.start();
  }

  static Map<String, Object> producerConfig(Map<String, Object> clientConfig) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    // Feedback is a sample: a little batching is worth more than the last millisecond.
    config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 20);
    // Only the sender thread can block in send(); keep it short so the queue, not the thread, absorbs an outage.
    config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "edge-feedback");
    return config;
  }

  @Override
  public boolean offer(InputEvent event) {
    if (running && queue.offer(event)) {
      return true;
    }
    dropped.increment();
    return false;
  }

  private void run() {
    try {
      while (running || !queue.isEmpty()) {
        InputEvent event = queue.poll(100, TimeUnit.MILLISECONDS);
        if (event != null) {
          send(event);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // The send's callback counts the outcome and logs a failure: its future has nothing more to say.
  @SuppressWarnings("FutureReturnValueIgnored")
  private void send(InputEvent event) {
    try {
      producer.send(new ProducerRecord<>(topic, event.getId(), event), (metadata, e) -> {
        if (e == null) {
          sent.increment();
        } else {
          dropped.increment();
          warn(e);
        }
      });
    } catch (RuntimeException e) {
      dropped.increment();
      warn(e);
    }
  }

  /** One line a minute at most: a broker outage must not flood the log with one line per event. */
  private synchronized void warn(Exception e) {
    long now = System.nanoTime();
    if (now - lastWarning >= WARN_EVERY_NANOS) {
      lastWarning = now;
      LOGGER.atWarn().addKeyValue("topic", topic).addKeyValue("dropped", (long) dropped.count())
          .log("feedback events not sent: {}", e.toString());
    }
  }

  /** Sends what is queued (for a few seconds at most), then closes the producer. */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread.interrupt();
    producer.close(Duration.ofSeconds(5));
    dropped.increment(queue.size());
    queue.clear();
  }
}
