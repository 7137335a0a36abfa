package io.streamdistill.producers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamdistill.producers.source.DatasetCache;
import io.streamdistill.producers.source.ExampleSource;
import io.streamdistill.producers.source.MnistSource;
import io.streamdistill.producers.source.SpamAssassinSource;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.LocalStackExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.tools.ProducerPerformance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Input events per second into the local broker, for MNIST vectors and for e-mails, next to Kafka's
 * own {@code ProducerPerformance} with the same record size and producer settings on the same
 * broker in the same run. Run with {@code ./distill benchmark producers}; writes
 * {@code target/benchmarks/producer.json}.
 *
 * <p>Not a test: it asserts only that the runs completed; the figures are for people.
 */
@ExtendWith(LocalStackExtension.class)
class ProducerBenchmark {
  private static final Pattern PERF_RESULT = Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec");
  private static final int MNIST_EVENTS = 30_000;
  private static final int MAIL_EVENTS = 20_000;

  @Test
  void measureProducerThroughputAgainstKafkasProducerPerformance(LocalStack stack) throws Exception {
    DatasetCache cache = DatasetCache.atDefaultDirectory();
    List<Map<String, Object>> rows = new ArrayList<>();
    rows.add(measure(stack, "mnist vectors", MnistSource.train(cache), MNIST_EVENTS));
    rows.add(measure(stack, "spamassassin e-mails", SpamAssassinSource.load(cache), MAIL_EVENTS));

    System.out.println();
    System.out.println("Producer throughput into the local broker (acks=all, idempotent, linger 5 ms, batch 256 KiB)");
    System.out.printf("%-22s %10s %14s %18s %8s%n", "data", "record B", "ours ev/s", "ProducerPerf ev/s", "ratio");
    for (Map<String, Object> row : rows) {
      System.out.printf("%-22s %10.0f %14.0f %18.0f %8.2f%n", row.get("data"), row.get("recordBytes"),
          row.get("oursEventsPerSecond"), row.get("producerPerformanceEventsPerSecond"), row.get("ratio"));
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("benchmark", "producer");
    report.put("settings", ProduceCommand.producerDefaults());
    report.put("rows", rows);
    Path out = Path.of("target", "benchmarks", "producer.json");
    Files.createDirectories(out.getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), report);
    System.out.println("Written to " + out.toAbsolutePath());
  }

  private static Map<String, Object> measure(LocalStack stack, String data, ExampleSource source, int events)
      throws Exception {
    String topic = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    String baselineTopic = topic + "-perf";
    stack.createTopics(List.of(new NewTopic(topic, 3, (short) 1), new NewTopic(baselineTopic, 3, (short) 1)));

    Map<String, Object> config = new HashMap<>(ProduceCommand.producerDefaults());
    config.putAll(stack.clientConfig());
    ReplayOptions options = new ReplayOptions(topic, events, 0, true, 1, true, KeyChoice.ID, LabelPolicy.ALWAYS, 0,
        java.time.Duration.ZERO, new Scenario.Steady(), java.time.Duration.ofSeconds(5));
    ReplayResult result;
    double recordBytes;
    try (AvroSerde<InputEvent> serde = AvroSerde.forValues(InputEvent.class, stack.clientConfig());
        KafkaProducer<String, InputEvent> producer =
            new KafkaProducer<>(config, new StringSerializer(), serde.serializer())) {
      result = new Replay(source, producer, options, 0).run((sent, failed, pending, rate) ->
          System.out.printf("  %s: %,d sent (%,.0f/s)%n", data, sent, rate));
      recordBytes = metric(producer.metrics(), "record-size-avg");
    }
    if (result.sent() != events) {
      throw new IllegalStateException(data + ": sent " + result.sent() + " of " + events + ": " + result.firstErrors());
    }
    double baseline = producerPerformance(stack, baselineTopic, events, (int) Math.round(recordBytes));
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("data", data);
    row.put("events", events);
    row.put("recordBytes", recordBytes);
    row.put("oursEventsPerSecond", result.eventsPerSecond());
    row.put("producerPerformanceEventsPerSecond", baseline);
    row.put("ratio", result.eventsPerSecond() / baseline);
    return row;
  }

  private static double metric(Map<MetricName, ? extends Metric> metrics, String name) {
    return metrics.entrySet().stream()
        .filter(e -> e.getKey().name().equals(name) && e.getKey().group().equals("producer-metrics"))
        .map(e -> ((Number) e.getValue().metricValue()).doubleValue())
        .findFirst().orElseThrow(() -> new IllegalStateException("no producer metric " + name));
  }

  /** Kafka's ProducerPerformance in its own JVM (it calls System.exit), with our producer settings. */
  private static double producerPerformance(LocalStack stack, String topic, int records, int recordSize)
      throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-cp", System.getProperty("java.class.path"), ProducerPerformance.class.getName(),
        "--topic", topic, "--num-records", Integer.toString(records), "--record-size", Integer.toString(recordSize),
        "--throughput", "-1", "--producer-props", "bootstrap.servers=" + stack.bootstrapServers()));
    ProduceCommand.producerDefaults().forEach((k, v) -> command.add(k + "=" + v));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String last = null;
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (PERF_RESULT.matcher(line).find()) {
          last = line;
        }
      }
    }
    if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0 || last == null) {
      throw new IllegalStateException("ProducerPerformance failed (exit " + process.exitValue() + ")");
    }
    System.out.println("  ProducerPerformance: " + last);
    Matcher m = PERF_RESULT.matcher(last);
    m.find();
    return Double.parseDouble(m.group(2));
  }
}
