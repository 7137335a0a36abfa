package io.streamdistill.producers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamdistill.datasets.DatasetCache;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.datasets.MnistSource;
import io.streamdistill.datasets.SpamAssassinSource;
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
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.tools.ProducerPerformance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Input events per second into the local broker, for MNIST vectors, e-mails and structured records
 * (network flows), next to Kafka's
 * own {@code ProducerPerformance} with the same record size and producer settings on the same
 * broker in the same run. Run with {@code ./distill benchmark producers}; writes
 * {@code target/benchmarks/producer.json}.
 *
 * <p>Not a test: it asserts only that the runs completed; the figures are for people.
 */
@ExtendWith(LocalStackExtension.class)
class ProducerBenchmark {
  private static final Pattern PERF_RESULT = Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec");
  // Long enough that each run takes seconds, so JIT warm-up and JVM start do not decide the figures.
  private static final int MNIST_EVENTS = 60_000;
  private static final int MAIL_EVENTS = 100_000;
  private static final int FLOW_EVENTS = 100_000;

  @Test
  void measureProducerThroughputAgainstKafkasProducerPerformance(LocalStack stack) throws Exception {
    DatasetCache cache = DatasetCache.atDefaultDirectory();
    // -Dproducer.benchmark.data=flows runs one row only.
    List<String> data = List.of(System.getProperty("producer.benchmark.data", "mnist,mail,flows").split(","));
    List<Map<String, Object>> rows = new ArrayList<>();
    if (data.contains("mnist")) {
      rows.add(measure(stack, "mnist vectors", MnistSource.train(cache), MNIST_EVENTS));
    }
    if (data.contains("mail")) {
      rows.add(measure(stack, "spamassassin e-mails", SpamAssassinSource.load(cache), MAIL_EVENTS));
    }
    if (data.contains("flows")) {
      rows.add(measure(stack, "flows (41 fields)", flows(FLOW_EVENTS), FLOW_EVENTS));
    }

    System.out.println();
    System.out.println("Producer throughput into the local broker (acks=all, idempotent, linger 5 ms, batch 256 KiB)");
    System.out.printf("%-22s %9s %15s %15s %18s %13s %13s%n", "data", "record B", "ours key=id ev/s",
        "ours no key ev/s", "ProducerPerf ev/s", "ratio key=id", "ratio no key");
    for (Map<String, Object> row : rows) {
      System.out.printf("%-22s %9.0f %15.0f %15.0f %18.0f %13.2f %13.2f%n", row.get("data"),
          number(row, "recordBytes"), number(row, "oursKeyIdEventsPerSecond"), number(row, "oursNoKeyEventsPerSecond"),
          number(row, "producerPerformanceEventsPerSecond"), number(row, "ratioKeyId"), number(row, "ratioNoKey"));
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

  /** A figure of a row, for a {@code %f}: whatever number type it was put as. */
  private static double number(Map<String, Object> row, String key) {
    return ((Number) row.get(key)).doubleValue();
  }

  /**
   * KDD-99-like network flows, written as the headerless CSV a user brings and read the way the
   * produce command reads it: 41 fields (3 categorical, 38 numeric) and the label.
   */
  private static ExampleSource flows(int count) throws java.io.IOException {
    java.util.Random random = new java.util.Random(7);
    String[] protocols = {"tcp", "udp", "icmp"};
    String[] flags = {"SF", "S0", "REJ", "RSTR"};
    String[] labels = {"normal.", "smurf.", "neptune."};
    Path file = Files.createTempFile("flows", ".csv");
    try (java.io.BufferedWriter out = Files.newBufferedWriter(file)) {
      for (int i = 0; i < count; i++) {
        StringBuilder line = new StringBuilder().append(random.nextInt(100)).append(',')
            .append(protocols[random.nextInt(3)]).append(",s").append(random.nextInt(66)).append(',')
            .append(flags[random.nextInt(4)]);
        for (int f = 4; f < 41; f++) {
          line.append(',').append(f % 2 == 0 ? Integer.toString(random.nextInt(100_000))
              : String.format(java.util.Locale.ROOT, "%.2f", random.nextDouble()));
        }
        out.write(line.append(',').append(labels[random.nextInt(3)]).append('\n').toString());
      }
    }
    try {
      return picocli.CommandLine.populateCommand(new io.streamdistill.datasets.SourceOptions(), "--no-header",
          "--label-column", "c41", "--fields-all").open(file.toString());
    } finally {
      Files.delete(file);
    }
  }

  private static Map<String, Object> measure(LocalStack stack, String data, ExampleSource source, int events)
      throws Exception {
    String topic = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    String baselineTopic = topic + "-perf";
    stack.createTopics(List.of(new NewTopic(topic, 3, (short) 1), new NewTopic(topic + "-nokey", 3, (short) 1),
        new NewTopic(baselineTopic, 3, (short) 1)));
    // Keyed by event id (the default: an event and its late label share a partition), then without
    // a key as ProducerPerformance sends (the sticky partitioner fills bigger batches).
    double[] keyed = replay(stack, data + " key=id", source, events, topic, KeyChoice.ID);
    double[] unkeyed = replay(stack, data + " no key", source, events, topic + "-nokey", KeyChoice.NONE);
    double baseline = producerPerformance(stack, baselineTopic, events, (int) Math.round(keyed[1]));
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("data", data);
    row.put("events", events);
    row.put("recordBytes", keyed[1]);
    row.put("oursKeyIdEventsPerSecond", keyed[0]);
    row.put("oursNoKeyEventsPerSecond", unkeyed[0]);
    row.put("producerPerformanceEventsPerSecond", baseline);
    row.put("ratioKeyId", keyed[0] / baseline);
    row.put("ratioNoKey", unkeyed[0] / baseline);
    return row;
  }

  /** Replays {@code events} as fast as possible; returns events/s and the mean record size (key and value). */
  private static double[] replay(LocalStack stack, String data, ExampleSource source, int events, String topic,
      KeyChoice key) {
    Map<String, Object> config = new HashMap<>(ProduceCommand.producerDefaults());
    config.putAll(stack.clientConfig());
    ReplayOptions options = new ReplayOptions(topic, events, 0, true, 1, true, key, LabelPolicy.ALWAYS, 0,
        java.time.Duration.ZERO, new Scenario.Steady(), java.time.Duration.ofSeconds(5));
    ReplayResult result;
    double recordBytes;
    LongAdder valueBytes = new LongAdder();
    LongAdder values = new LongAdder();
    try (AvroSerde<InputEvent> serde = AvroSerde.forValues(InputEvent.class, stack.clientConfig());
        KafkaProducer<String, InputEvent> producer = new KafkaProducer<>(config, new StringSerializer(),
            (Serializer<InputEvent>) (t, event) -> {
              // Counts what goes on the wire; Kafka's record-size-avg is an average of per-batch maxima.
              byte[] bytes = serde.serializer().serialize(t, event);
              valueBytes.add(bytes.length);
              values.increment();
              return bytes;
            })) {
      result = new Replay(source, producer, options, 0).run((sent, failed, pending, rate) ->
          System.out.printf("  %s: %,d sent (%,.0f/s)%n", data, sent, rate));
    }
    // The key (the event id) travels too; ProducerPerformance sends no key, so it counts in its record size.
    recordBytes = (double) valueBytes.sum() / values.sum() + source.get(0).id().length();
    if (result.sent() != events) {
      throw new IllegalStateException(data + ": sent " + result.sent() + " of " + events + ": " + result.firstErrors());
    }
    return new double[] {result.eventsPerSecond(), recordBytes};
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
