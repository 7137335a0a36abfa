package io.streamdistill.teacher;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.producers.KeyChoice;
import io.streamdistill.producers.LabelPolicy;
import io.streamdistill.producers.ProduceCommand;
import io.streamdistill.producers.Replay;
import io.streamdistill.producers.ReplayOptions;
import io.streamdistill.producers.ReplayResult;
import io.streamdistill.producers.Scenario;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.stack.LocalStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Traffic for the teacher service's integration tests and benchmark: real examples in, committed labels out. */
public final class TestTraffic {
  private TestTraffic() {}

  /**
   * Replays {@code n} examples of {@code source} into {@code topic} (looping if needed) at
   * {@code rate} (0: full speed).
   */
  public static ReplayResult produce(LocalStack stack, ExampleSource source, String topic, int n, double rate) {
    Map<String, Object> config = new HashMap<>(ProduceCommand.producerDefaults());
    config.putAll(stack.clientConfig());
    ReplayOptions options = new ReplayOptions(topic, n, rate, false, 7, true, KeyChoice.ID, LabelPolicy.ALWAYS, 0,
        Duration.ZERO, new Scenario.Steady(), Duration.ofMinutes(10));
    try (AvroSerde<InputEvent> serde = AvroSerde.forValues(InputEvent.class, stack.clientConfig());
        KafkaProducer<String, InputEvent> producer =
            new KafkaProducer<>(config, new StringSerializer(), serde.serializer())) {
      return new Replay(source, producer, options, 0).run((a, b, c, d) -> {});
    }
  }

  /** A consumer config that sees only committed transactions, from the start, in a new group. */
  public static Map<String, Object> readCommitted(LocalStack stack) {
    Map<String, Object> config = new HashMap<>(stack.clientConfig());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "teacher-test-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // What an aborted (killed) transaction wrote must not count.
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // Soft labels are kilobytes (input, logits, embedding): fetch more than 1 MiB at a time.
    config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
    return config;
  }

  /**
   * The soft labels of {@code topic} (read committed), at least {@code n} within {@code timeout}, read on for 2 s
   * after the n-th so that extra ones (an event labelled twice) show.
   */
  public static List<SoftLabel> consume(LocalStack stack, String topic, int n, Duration timeout) {
    List<SoftLabel> labels = new ArrayList<>();
    try (AvroSerde<SoftLabel> serde = AvroSerde.forValues(SoftLabel.class, stack.clientConfig());
        KafkaConsumer<String, SoftLabel> consumer =
            new KafkaConsumer<>(readCommitted(stack), new StringDeserializer(), serde.deserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      long quietUntil = Long.MAX_VALUE;
      while (System.nanoTime() < deadline && System.nanoTime() < quietUntil) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> labels.add(r.value()));
        if (labels.size() >= n && quietUntil == Long.MAX_VALUE) {
          quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos(); // extra labels would show up here
        }
      }
    }
    assertTrue(labels.size() >= n, "only " + labels.size() + " of " + n + " soft labels");
    return labels;
  }
}
