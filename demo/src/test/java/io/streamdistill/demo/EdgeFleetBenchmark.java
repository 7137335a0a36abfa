package io.streamdistill.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.edge.EdgeConfig;
import io.streamdistill.edge.EdgeNode;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.schemas.Topics;
import io.streamdistill.stack.CommittedRecords;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.LocalStackExtension;
import io.streamdistill.student.SigningKeys;
import io.streamdistill.student.StudentSpec;
import io.streamdistill.trainer.StudentPresets;
import io.streamdistill.trainer.TrainerConfig;
import io.streamdistill.trainer.stream.OnlineTrainer;
import io.streamdistill.trainer.stream.VersionGate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What following the trainer costs a fleet of edge nodes, on the mail loop (issue 17's bandwidth and cold start):
 * <ol>
 *   <li><b>bandwidth</b>: the default {@code ./distill demo} (mail, 6,000 events at 50/s), run in process: the
 *       bytes of version records the edge node read over the run, in kbit/s and MB/h, next to the served
 *       student's held-out agreement; bytes per whole version and per patch on the models topic; and the raw
 *       baseline of the same run, every published version sent whole (and as float32, what versions were
 *       before int8 and patches);
 *   <li><b>cold start</b>: the real trainer publishes at least 200 mail versions (default student, int8, a whole
 *       version every 10th, patches between; it stops at the end of what it has fetched, so some dozens more) from
 *       the soft labels the demo left on the soft-labels topic; a new edge
 *       node started then: seconds until it serves the newest, bytes and records it read, and whether it
 *       rolls back to the previous version from Kafka alone; against a plain consumer reading the whole topic
 *       (what the node did before it started from the tail).
 * </ol>
 * {@code ./distill benchmark demo -Dit.test=EdgeFleetBenchmark}; writes
 * {@code target/benchmarks/edge-fleet.json}. {@code -Dbenchmark.versions=N} changes the 200.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class EdgeFleetBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Test
  void measure(LocalStack stack, @TempDir Path reports) throws Exception {
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("demoBandwidth", demoBandwidth(stack, reports));
    figures.put("coldStart", coldStart(stack, Integer.getInteger("benchmark.versions", 200)));
    Path out = Path.of("target", "benchmarks", "edge-fleet.json");
    Files.createDirectories(out.getParent());
    JSON.writeValue(out.toFile(), figures);
    System.out.println(JSON.writeValueAsString(figures));
    System.out.println("Written to " + out.toAbsolutePath());
  }

  /** The default demo, as {@code ./distill demo} runs it, and what its versions cost the edge node. */
  private static Map<String, Object> demoBandwidth(LocalStack stack, Path reports) throws Exception {
    DemoSettings settings = DemoCommand.settingsOf("--out", reports.resolve("demo").toString());
    long[] lines = {0};
    DemoReport report = new Demo(settings).run(stack, line -> {
      if (lines[0]++ % 20 == 0 || !line.startsWith("[")) {
        System.out.println("demo: " + line);
      }
    });
    String model = "demo-" + settings.scenario().name(); // as Demo names it
    List<Integer> whole = new ArrayList<>();
    List<Integer> patches = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : CommittedRecords.readAll(stack.clientConfig(), Topics.STUDENT_MODELS,
        Duration.ofMinutes(2))) {
      if (model.equals(new String(record.key(), StandardCharsets.UTF_8))) {
        (isPatch(record) ? patches : whole).add(record.value().length);
      }
    }
    if (whole.isEmpty()) {
      throw new IllegalStateException("the demo published no whole version of " + model);
    }
    long wholeBytes = median(whole);
    int versions = whole.size() + patches.size();
    double hours = report.seconds() / 3600;
    // What a whole version weighed before int8 and patches: its weights as float32.
    long floatWhole = StudentPresets.resolve("mail-ngram").parameterCount() * Float.BYTES;
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("seconds", report.seconds());
    result.put("versionsPublished", versions);
    result.put("wholeVersions", whole.size());
    result.put("patches", patches.size());
    result.put("wholeVersionBytesMedian", wholeBytes);
    long patchBytes = patches.isEmpty() ? 0 : median(patches);
    double wholeKbit = versions * wholeBytes * 8 / 1000.0 / report.seconds();
    double floatKbit = versions * floatWhole * 8 / 1000.0 / report.seconds();
    result.put("patchBytesMedian", patchBytes);
    result.put("patchBytesMax", patches.stream().mapToInt(Integer::intValue).max().orElse(0));
    result.put("edgeVersionBytesRead", report.edgeVersionBytesRead());
    result.put("edgeKbitPerSecond", report.edgeVersionKbitPerSecond());
    result.put("edgeMegabytesPerHour", report.edgeVersionBytesRead() / 1e6 / hours);
    result.put("baselineEveryVersionWholeKbitPerSecond", wholeKbit);
    result.put("baselineEveryVersionWholeFloat32KbitPerSecond", floatKbit);
    List<DemoReport.Version> published = report.versions();
    result.put("lastHeldOutAgreement", published.isEmpty() ? Double.NaN
        : published.get(published.size() - 1).heldOutAgreement());
    result.put("studentAloneShare", (double) report.studentAlone() / Math.max(1, report.answered()));
    result.put("edgeAccuracy", report.edgeAccuracy());
    result.put("teacherAloneAccuracy", report.teacherAloneAccuracy());
    System.out.printf("demo bandwidth: %d versions (%d whole of %,d bytes, %d patches of median %,d) in %.0f s: the"
        + " edge read %,d bytes, %.0f kbit/s (every version whole: %.0f kbit/s; whole float32: %.0f)%n",
        versions, whole.size(), wholeBytes, patches.size(), patchBytes, report.seconds(),
        report.edgeVersionBytesRead(), report.edgeVersionKbitPerSecond(), wholeKbit, floatKbit);
    return result;
  }

  /**
   * {@code count} versions from the real trainer on a fresh models topic, then a new edge node and a plain
   * consumer of the whole topic.
   */
  private static Map<String, Object> coldStart(LocalStack stack, int count) throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String models = "fleet-models-" + suffix;
    String model = "fleet-mail";
    stack.createTopics(List.of(new NewTopic(models, 1, (short) 1).configs(Topics.studentModelTopicConfig()),
        new NewTopic("fleet-dlq-" + suffix, 1, (short) 1), new NewTopic("fleet-deployments-" + suffix, 1, (short) 1),
        new NewTopic("fleet-inputs-" + suffix, 1, (short) 1)));
    KeyPair keys = SigningKeys.generate();
    StudentSpec spec = StudentPresets.resolve("mail-ngram");
    // The defaults (int8, a whole version every 10th) but a candidate every 20 samples or half second, each
    // published, so that 200 versions come from the few thousand soft labels the demo left.
    TrainerConfig config = TrainerConfig.builder(model, spec, keys)
        .topics(Topics.SOFT_LABELS, models, "fleet-dlq-" + suffix)
        .groupId("fleet-trainer-" + suffix)
        .transactionalId("fleet-trainer-" + suffix)
        .publishEvery(20, Duration.ofMillis(500))
        .heldOut(10, 1_000)
        .gate(new VersionGate(0.5, 0.05, 50))
        .build();
    ConcurrentSkipListSet<Long> published = new ConcurrentSkipListSet<>();
    OnlineTrainer trainer = new OnlineTrainer(config, stack.clientConfig(), new SimpleMeterRegistry(),
        (StudentModelVersion v) -> published.add(v.getVersion()));
    Thread thread = new Thread(trainer, "fleet-trainer");
    long trainingStarted = System.nanoTime();
    thread.start();
    long deadline = trainingStarted + Duration.ofMinutes(20).toNanos();
    int shown = 0;
    while (published.size() < count) {
      if (!thread.isAlive() || System.nanoTime() > deadline) {
        trainer.close();
        throw new IllegalStateException("the trainer published " + published.size() + " of " + count + " versions");
      }
      if (published.size() >= shown + 25) {
        shown = published.size();
        System.out.printf("cold start: %d of %d versions published%n", shown, count);
      }
      Thread.sleep(100);
    }
    trainer.close(); // it may publish a few more before it stops: the figures count what is on the topic
    thread.join(60_000);
    double trainingSeconds = (System.nanoTime() - trainingStarted) / 1e9;

    // A plain consumer of the whole topic: what a node that reads from the beginning pays.
    long readStarted = System.nanoTime();
    List<ConsumerRecord<byte[], byte[]>> all = CommittedRecords.readAll(stack.clientConfig(), models,
        Duration.ofMinutes(5));
    double wholeTopicSeconds = (System.nanoTime() - readStarted) / 1e9;
    long topicBytes = all.stream().mapToLong(r -> r.value().length).sum();
    long patches = all.stream().filter(EdgeFleetBenchmark::isPatch).count();
    long newest = published.last();
    long previous = published.lower(newest);

    EdgeConfig edgeConfig = EdgeConfig.defaults("fleet-cold-" + suffix, model, List.of(keys.getPublic()))
        .withTopics(models, "fleet-deployments-" + suffix, "fleet-inputs-" + suffix)
        .withSampling(0, 16)
        .withClientConfig(stack.clientConfig());
    Map<String, Object> result = new LinkedHashMap<>();
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    long started = System.nanoTime();
    try (EdgeNode node = EdgeNode.start(edgeConfig, metrics)) {
      while (node.status().servedVersion() != newest) {
        if (System.nanoTime() - started > Duration.ofMinutes(2).toNanos()) {
          throw new IllegalStateException("the new node serves v" + node.status().servedVersion() + ", not v"
              + newest + ", 2 minutes after start: " + node.status().lastRejection());
        }
        Thread.sleep(5);
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      long bytesRead = node.versionBytesRead();
      double recordsRead = metrics.get("distill.edge.versions.records.read").gauge().value();
      long rolledBackTo = node.rollback(OptionalLong.empty()).servedVersion();
      result.put("versionsOnTopic", all.size());
      result.put("patchesOnTopic", patches);
      result.put("topicBytes", topicBytes);
      result.put("trainerSeconds", trainingSeconds);
      result.put("secondsToServeNewest", seconds);
      result.put("bytesRead", bytesRead);
      result.put("recordsRead", recordsRead);
      result.put("shareOfTopicRead", (double) bytesRead / topicBytes);
      result.put("rolledBackTo", rolledBackTo);
      result.put("rollbackToPrevious", rolledBackTo == previous);
      result.put("baselineWholeTopicSeconds", wholeTopicSeconds);
      result.put("baselineWholeTopicBytes", topicBytes);
      System.out.printf("cold start: %d versions on the topic (%d patches, %,d bytes); a new node served v%d %.2f s"
          + " after start, reading %.0f records, %,d bytes (%.1f%% of the topic); rollback to v%d (%s); a plain"
          + " consumer of the whole topic took %.2f s%n", all.size(), patches, topicBytes, newest, seconds,
          recordsRead, bytesRead, 100.0 * bytesRead / topicBytes, rolledBackTo,
          rolledBackTo == previous ? "the previous version" : "expected v" + previous, wholeTopicSeconds);
    } finally {
      metrics.close();
    }
    return result;
  }

  private static boolean isPatch(ConsumerRecord<byte[], byte[]> record) {
    Header kind = record.headers().lastHeader(Topics.WEIGHTS_HEADER);
    return kind != null && Topics.WEIGHTS_DELTA.equals(new String(kind.value(), StandardCharsets.US_ASCII));
  }

  private static long median(List<Integer> values) {
    return values.stream().sorted().toList().get(values.size() / 2);
  }
}
