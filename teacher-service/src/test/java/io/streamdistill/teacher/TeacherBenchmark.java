package io.streamdistill.teacher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamdistill.datasets.DatasetCache;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.datasets.MnistSource;
import io.streamdistill.datasets.SpamAssassinSource;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.serde.registry.SchemaRegistryClient;
import io.streamdistill.serde.registry.SchemaRegistryClients;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.CpuSample;
import io.streamdistill.stack.junit.LocalStackExtension;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import io.streamdistill.teacher.streams.LabellingConfig;
import io.streamdistill.teacher.streams.LabellingTopology;
import io.streamdistill.teacher.streams.TeacherMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Teacher-service throughput (soft labels/s read back from Kafka) against raw batched inference of
 * the same teacher on the same inputs, same batch size, same run; and end-to-end latency from an
 * input event to its committed soft label under a steady load; each against the exactly-once Kafka copy of the
 * same records and the series bound of model and copy on the same cores. The MNIST cases also run scaled out:
 * two stream threads on two partitions, and two instances of the application on six. Run with
 * {@code ./distill benchmark teacher-service}; writes {@code target/benchmarks/teacher.json}.
 *
 * <p>To try settings (through Maven, {@code mvn verify -Pbenchmark -pl teacher-service ...}):
 * {@code -Dbenchmark.case=PREFIX} runs the cases whose name starts so;
 * {@code -Dbenchmark.streams=key=value,...} adds Kafka Streams settings to every application;
 * {@code -Dbenchmark.batchesInFlight=N} overrides the cases' pipelining depth.
 */
@ExtendWith(LocalStackExtension.class)
class TeacherBenchmark {
  /** Measured runs of the copy and of the service per case (raw makes as many passes); the best counts. */
  private static final int RUNS = 3;

  /**
   * One row; {@code streams} are Kafka Streams settings on top of the service's own (as -X would give them);
   * the input topic has {@code partitions}, read by {@code instances} of each application (service and copy).
   */
  private record Case(String name, String teacher, ExampleSource source, int events, int batchSize,
      boolean embeddings, int batchesInFlight, double latencyRate, int latencyEvents, Map<String, Object> streams,
      int partitions, int instances) {
    Case(String name, String teacher, ExampleSource source, int events, int batchSize, boolean embeddings,
        int batchesInFlight, double latencyRate, int latencyEvents, Map<String, Object> streams) {
      this(name, teacher, source, events, batchSize, embeddings, batchesInFlight, latencyRate, latencyEvents, streams,
          1, 1);
    }
  }

  @Test
  void measureServiceAgainstRawInference(LocalStack stack, @TempDir Path state) throws Exception {
    DatasetCache cache = DatasetCache.atDefaultDirectory();
    List<Case> cases = List.of(
        new Case("mnist", "mnist", MnistSource.train(cache), 30_000, 64, true, 2, 500, 3_000, Map.of()),
        // The same with a commit every second instead of every 100 ms: fewer stalls on the
        // transaction's flush, bigger produce requests; labels become visible later.
        new Case("mnist-commit-1s", "mnist", MnistSource.train(cache), 30_000, 256, true, 2, 500, 3_000,
            Map.of("commit.interval.ms", 1000)),
        // And without the 1,200-float embedding in each soft label (--no-embeddings).
        new Case("mnist-commit-1s-no-embeddings", "mnist", MnistSource.train(cache), 30_000, 256, false, 2, 500,
            3_000, Map.of("commit.interval.ms", 1000)),
        // And with the model calls on the stream thread (--batches-in-flight 0): what pipelining gains.
        new Case("mnist-unpipelined-commit-1s-no-embeddings", "mnist", MnistSource.train(cache), 30_000, 256, false,
            0, 500, 3_000, Map.of("commit.interval.ms", 1000)),
        // Scaled out on the same two cores: two stream threads on two partitions, and two instances (as two
        // processes would run, in one JVM here) on six.
        new Case("mnist-2-threads-commit-1s-no-embeddings", "mnist", MnistSource.train(cache), 30_000, 256, false, 2,
            500, 3_000, Map.of("commit.interval.ms", 1000, "num.stream.threads", 2), 2, 1),
        new Case("mnist-2-instances-6-partitions-commit-1s-no-embeddings", "mnist", MnistSource.train(cache), 30_000,
            256, false, 2, 500, 3_000, Map.of("commit.interval.ms", 1000), 6, 2),
        new Case("mail", "mail", SpamAssassinSource.load(cache), 1_500, 16, true, 2, 20, 300, Map.of()));
    String only = System.getProperty("benchmark.case");
    if (only != null) {
      cases = cases.stream().filter(c -> c.name().startsWith(only)).toList();
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Case c : cases) {
      try (Teacher teacher = TeacherCatalog.load(c.teacher())) {
        rows.add(measure(stack, state, c, teacher));
      }
    }
    System.out.println();
    System.out.println("Teacher service vs raw batched inference (same teacher, inputs and batch size, same run)");
    System.out.printf("%-30s %6s %7s %14s %16s %7s %14s %9s %12s %9s %12s %12s%n", "case", "events", "batch",
        "raw items/s", "service labels/s", "ratio", "EOS copy rec/s", "vs copy", "series bound", "vs bound",
        "e2e p50 ms", "e2e p99 ms");
    for (Map<String, Object> row : rows) {
      System.out.printf("%-30s %6d %7d %14.0f %16.0f %7.2f %14.0f %9.2f %12.0f %9.2f %12.1f %12.1f%n", row.get("case"),
          count(row, "events"), count(row, "batchSize"), number(row, "rawItemsPerSecond"),
          number(row, "serviceLabelsPerSecond"), number(row, "ratio"), number(row, "kafkaCopyRecordsPerSecond"),
          number(row, "ratioToKafkaCopy"), number(row, "seriesBoundPerSecond"), number(row, "ratioToSeriesBound"),
          number(row, "latencyP50Millis"), number(row, "latencyP99Millis"));
    }
    System.out.println();
    System.out.println("Core-µs per record (stream threads, inference threads, rest of the JVM, broker: total)");
    for (Map<String, Object> row : rows) {
      System.out.printf(Locale.ROOT, "%-30s raw model %6.1f | service %s | EOS copy %s%n", row.get("case"),
          number(row, "rawModelCoreMicrosPerItem"), coreMicros(row.get("serviceCoreMicrosPerLabel")),
          coreMicros(row.get("kafkaCopyCoreMicrosPerRecord")));
    }
    Path out = Path.of("target", "benchmarks", "teacher.json");
    Files.createDirectories(out.getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), Map.of("rows", rows));
    System.out.println("Written to " + out.toAbsolutePath());
  }

  private static Map<String, Object> measure(LocalStack stack, Path state, Case c, Teacher teacher) throws Exception {
    int events = Math.min(c.events(), c.source().size());
    // Raw: the same inputs through a predictor, in batches of the same size, after one warm-up batch.
    List<TeacherInput> inputs = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      var example = c.source().get(i);
      inputs.add(teacher.descriptor().takesText()
          ? TeacherInput.ofText(example.text())
          : TeacherInput.ofVector(example.vector()));
    }
    // The best of RUNS passes: the hardest baseline for the service on a noisy machine.
    double raw = 0;
    double rawCoreMicros = Double.NaN;
    try (TeacherPredictor predictor = teacher.newPredictor()) {
      predictor.predict(inputs.subList(0, c.batchSize()));
      for (int pass = 0; pass < RUNS; pass++) {
        CpuSample before = CpuSample.take();
        long started = System.nanoTime();
        for (int i = 0; i < events; i += c.batchSize()) {
          predictor.predict(inputs.subList(i, Math.min(events, i + c.batchSize())));
        }
        double rate = events / ((System.nanoTime() - started) / 1e9);
        if (rate > raw) {
          raw = rate;
          rawCoreMicros = CpuSample.take().since(before).processSeconds() * 1e6 / events;
        }
      }
    }
    System.out.printf("  %s raw: %,.0f items/s%n", c.name(), raw);

    // A warm-up run of the copy and of the service over half as many events, on topics of their own:
    // the JIT compiles their paths there (C2 took half a core through a cold measured run), as the
    // raw passes are warm before the best one counts.
    LabellingConfig settings = LabellingConfig.defaults()
        .withBatching(c.batchSize(), Duration.ofMillis(20)).withEmbeddings(c.embeddings())
        .withBatchesInFlight(Integer.getInteger("benchmark.batchesInFlight", c.batchesInFlight()));
    LabellingConfig warmUp = topics(stack, c, settings, "warm");
    int warmUpEvents = Math.max(c.batchSize(), events / 2);
    TestTraffic.produce(stack, c.source(), warmUp.inputTopic(), warmUpEvents, 0);
    kafkaCopy(stack, state, c, warmUp, warmUpEvents, c.name() + " warm-up copy");
    serviceRun(stack, state, c, teacher, warmUp, warmUpEvents, c.name() + " warm-up");

    // The events wait in one input topic. Each run is a new application with output topics of its
    // own, reading them from the start; like raw, the copy and the service count their best run.
    LabellingConfig bench = topics(stack, c, settings, "bench");
    TestTraffic.produce(stack, c.source(), bench.inputTopic(), events, 0);
    StreamsRun.Counted copy = null;
    ServiceRun service = null;
    for (int run = 1; run <= RUNS; run++) {
      // The Kafka ceiling: the same records copied by an exactly-once Streams application with the
      // same settings, no decoding and no model, through the same broker on the same cores.
      StreamsRun.Counted next = kafkaCopy(stack, state, c, bench, events, c.name() + " copy " + run);
      copy = copy == null || next.perSecond() > copy.perSecond() ? next : copy;
      ServiceRun labelled = serviceRun(stack, state, c, teacher, outputs(stack, c, bench, "run" + run), events,
          c.name() + " service " + run);
      service = service == null || labelled.labelsPerSecond() > service.labelsPerSecond() ? labelled : service;
    }
    double[] latencies = latencies(stack, state, c, teacher, topics(stack, c, settings, "latency"));
    Arrays.sort(latencies);
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("case", c.name());
    row.put("teacher", teacher.descriptor().id() + "@" + teacher.descriptor().version());
    row.put("events", events);
    row.put("batchSize", c.batchSize());
    row.put("embeddings", c.embeddings());
    row.put("batchesInFlight", settings.batchesInFlight());
    row.put("streamsOverrides", c.streams());
    row.put("inputPartitions", c.partitions());
    row.put("instances", c.instances());
    row.put("runs", RUNS);
    row.put("rawItemsPerSecond", raw);
    row.put("serviceLabelsPerSecond", service.labelsPerSecond());
    row.put("serviceLabelsPerSecondWithStartup", service.withStartup());
    row.put("ratio", service.labelsPerSecond() / raw);
    row.put("kafkaCopyRecordsPerSecond", copy.perSecond());
    row.put("ratioToKafkaCopy", service.labelsPerSecond() / copy.perSecond());
    // Model and Kafka in series on the same cores: the most a service that does both could label.
    double series = 1 / (1 / raw + 1 / copy.perSecond());
    row.put("seriesBoundPerSecond", series);
    row.put("ratioToSeriesBound", service.labelsPerSecond() / series);
    row.put("rawModelCoreMicrosPerItem", rawCoreMicros);
    row.put("serviceCoreMicrosPerLabel", service.cpu().perRecord());
    row.put("kafkaCopyCoreMicrosPerRecord", copy.cpu().perRecord());
    row.put("serviceModelCalls", service.modelCalls());
    row.put("serviceModelCallSeconds", service.modelCallSeconds());
    row.put("rawModelSeconds", events / raw);
    row.put("serviceBusyCores", service.cpu().busyCores());
    row.put("latencyEvents", latencies.length);
    row.put("latencyRatePerSecond", c.latencyRate());
    row.put("latencyP50Millis", percentile(latencies, 0.50));
    row.put("latencyP99Millis", percentile(latencies, 0.99));
    return row;
  }

  /**
   * The best service run's figures: labels/s from RUNNING and from start(), its model calls, the machine's busy
   * cores.
   */
  private record ServiceRun(double labelsPerSecond, double withStartup, long modelCalls, double modelCallSeconds,
      StreamsRun.CpuUse cpu) {}

  /** A new service application labels the input topic's first {@code events} events; counted as they come out. */
  private static ServiceRun serviceRun(LocalStack stack, Path state, Case c, Teacher teacher, LabellingConfig config,
      int events, String name) {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (SchemaRegistryClient registry = SchemaRegistryClients.create(stack.clientConfig());
        StreamsRun.Instances streams = service(stack, state, c, teacher, config, registry, meters, "bench");
        KafkaConsumer<String, byte[]> consumer = bytesConsumer(stack)) {
      consumer.subscribe(List.of(config.softLabelTopic()));
      StreamsRun.Counted counted = StreamsRun.countOut(stack, streams, consumer, events, name);
      Timer calls = meters.get("distill.teacher.inference").timer();
      ServiceRun run = new ServiceRun(counted.perSecond(), counted.withStartup(), calls.count(),
          calls.totalTime(TimeUnit.SECONDS), counted.cpu());
      System.out.printf("  %s: %,.0f labels/s (%,.0f/s with start-up); %d model calls, %.2f s in them; %s%n", name,
          run.labelsPerSecond(), run.withStartup(), run.modelCalls(), run.modelCallSeconds(), run.cpu());
      return run;
    }
  }

  /**
   * End-to-end latency: a new service application on an empty input topic, then events at a
   * steady rate the service can take, each timed from its event timestamp (set when it is
   * produced) to when its committed soft label is read.
   */
  private static double[] latencies(LocalStack stack, Path state, Case c, Teacher teacher, LabellingConfig config)
      throws InterruptedException {
    try (SchemaRegistryClient registry = SchemaRegistryClients.create(stack.clientConfig());
        StreamsRun.Instances streams = service(stack, state, c, teacher, config, registry, new SimpleMeterRegistry(),
            "latency");
        AvroSerde<SoftLabel> serde = AvroSerde.forValues(SoftLabel.class, stack.clientConfig());
        KafkaConsumer<String, byte[]> consumer = bytesConsumer(stack)) {
      consumer.subscribe(List.of(config.softLabelTopic()));
      StreamsRun.RunningSince running = new StreamsRun.RunningSince(streams);
      streams.start();
      if (!running.await(Duration.ofMinutes(2))) {
        throw new IllegalStateException(c.name() + " latency: the service was not RUNNING within 2 minutes");
      }
      Thread producer = new Thread(() -> TestTraffic.produce(stack, c.source(), config.inputTopic(), c.latencyEvents(),
          c.latencyRate()));
      producer.start();
      double[] latencies = new double[c.latencyEvents()];
      int n = 0;
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (n < latencies.length && System.nanoTime() < deadline) {
        for (var record : consumer.poll(Duration.ofMillis(100))) {
          if (n < latencies.length) {
            SoftLabel label = serde.deserializer().deserialize(config.softLabelTopic(), record.value());
            latencies[n++] = System.currentTimeMillis() - label.getEvent().getTimestamp().toEpochMilli();
          }
        }
      }
      producer.join();
      return Arrays.copyOf(latencies, n);
    }
  }

  /** The teacher service's topology and Streams settings, as an application of its own (the case's instances). */
  private static StreamsRun.Instances service(LocalStack stack, Path state, Case c, Teacher teacher,
      LabellingConfig config, SchemaRegistryClient registry, SimpleMeterRegistry meters, String run) {
    TeacherMetrics metrics = new TeacherMetrics(meters);
    return StreamsRun.Instances.of(c.instances(), streamsProps(stack, state, c, config, run),
        props -> new KafkaStreams(LabellingTopology.build(List.of(teacher), config, metrics, registry), props));
  }

  /** Input, output and dead-letter topics of their own for one run, in {@code settings}. */
  private static LabellingConfig topics(LocalStack stack, Case c, LabellingConfig settings, String run) {
    String input = c.name() + "-in-" + run + "-" + UUID.randomUUID().toString().substring(0, 8);
    stack.createTopics(List.of(new NewTopic(input, c.partitions(), (short) 1)));
    return outputs(stack, c, settings.withTopics(input, settings.softLabelTopic(), settings.deadLetterTopic()), run);
  }

  /** Output and dead-letter topics of their own for one run, reading {@code config}'s input topic. */
  private static LabellingConfig outputs(LocalStack stack, Case c, LabellingConfig config, String run) {
    String suffix = run + "-" + UUID.randomUUID().toString().substring(0, 8);
    LabellingConfig outputs = config.withTopics(config.inputTopic(), c.name() + "-out-" + suffix,
        c.name() + "-dlq-" + suffix);
    stack.createTopics(List.of(new NewTopic(outputs.softLabelTopic(), 1, (short) 1),
        new NewTopic(outputs.deadLetterTopic(), 1, (short) 1)));
    return outputs;
  }

  /** The service's Streams settings with the case's overrides, for an application of its own. */
  private static Properties streamsProps(LocalStack stack, Path state, Case c, LabellingConfig config, String run) {
    String id = run + "-" + UUID.randomUUID().toString().substring(0, 8);
    Properties props = LabellingTopology.streamsConfig(id, config, stack.clientConfig());
    props.put("state.dir", state.resolve(id).toString());
    props.putAll(c.streams());
    // -Dbenchmark.streams=key=value,... : settings to try on every application of the run.
    for (String setting : System.getProperty("benchmark.streams", "").split(",", -1)) {
      if (!setting.isBlank()) {
        props.put(setting.substring(0, setting.indexOf('=')).trim(),
            setting.substring(setting.indexOf('=') + 1).trim());
      }
    }
    return props;
  }

  /** Bytes: counting records out of Kafka should not also pay for decoding them on these two cores. */
  private static KafkaConsumer<String, byte[]> bytesConsumer(LocalStack stack) {
    return new KafkaConsumer<>(TestTraffic.readCommitted(stack), new StringDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * An exactly-once Streams copy of the input topic's first {@code events} records, with the service's settings;
   * records/s from RUNNING.
   */
  private static StreamsRun.Counted kafkaCopy(LocalStack stack, Path state, Case c, LabellingConfig config, int events,
      String name) {
    String out = c.name() + "-copy-" + UUID.randomUUID().toString().substring(0, 8);
    stack.createTopics(List.of(new NewTopic(out, 1, (short) 1)));
    try (StreamsRun.Instances streams = StreamsRun.Instances.of(c.instances(),
            streamsProps(stack, state, c, config, "copy"), props -> {
              StreamsBuilder builder = new StreamsBuilder(); // a topology per instance, as processes would build
              builder.stream(config.inputTopic(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                  .to(out, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
              return new KafkaStreams(builder.build(), props);
            });
        KafkaConsumer<String, byte[]> consumer = bytesConsumer(stack)) {
      consumer.subscribe(List.of(out));
      StreamsRun.Counted counted = StreamsRun.countOut(stack, streams, consumer, events, name);
      System.out.printf("  %s: %,.0f records/s; %s%n", name, counted.perSecond(), counted.cpu());
      return counted;
    }
  }

  /** A figure of a row, for a {@code %f}: whatever number type it was put as. */
  private static double number(Map<String, Object> row, String key) {
    return ((Number) row.get(key)).doubleValue();
  }

  /** A count of a row, for a {@code %d}. */
  private static long count(Map<String, Object> row, String key) {
    return ((Number) row.get(key)).longValue();
  }

  @SuppressWarnings("unchecked")
  private static String coreMicros(Object figures) {
    Map<String, Double> f = (Map<String, Double>) figures;
    return String.format(Locale.ROOT, "%5.1f %5.1f %5.1f %5.1f: %6.1f", f.get("streamThreads"),
        f.get("inferenceThreads"), f.get("restOfJvm"), f.get("broker"), f.get("total"));
  }

  private static double percentile(double[] sorted, double q) {
    return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
  }


}
