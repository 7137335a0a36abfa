package io.streamdistill.teacher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.datasets.DatasetCache;
import io.streamdistill.datasets.MnistSource;
import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.LocalStackExtension;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import io.streamdistill.teacher.streams.LabellingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The teacher service on the real local stack with the real MNIST teacher. */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@ExtendWith(LocalStackExtension.class)
class TeacherServiceIT {
  private static MnistSource mnist;
  private static Path teacherDir;

  @BeforeAll
  static void trainedTeacher() {
    mnist = MnistSource.test(DatasetCache.atDefaultDirectory());
    teacherDir = TeacherCatalog.resolve("mnist"); // trained once per machine, then cached
  }

  @Test
  void shouldLabelEveryEventExactlyOnceWithTheTeachersOwnLogits(LocalStack stack, @TempDir Path state)
      throws Exception {
    Topics topics = Topics.create(stack, "labels");
    int n = 1_000;
    assertEquals(n, TestTraffic.produce(stack, mnist, topics.input(), n, 0).sent());

    try (Teacher teacher = TeacherCatalog.load(teacherDir.toString())) {
      LabellingConfig config = LabellingConfig.defaults().withTopics(topics.input(), topics.output(), topics.dlq())
          .withBatching(64, Duration.ofMillis(50));
      TeacherService.Settings settings = TeacherService.Settings.defaults("teacher-it-" + UUID.randomUUID())
          .withLabelling(config).withStateDir(state).withHttp(-1, 1);
      try (TeacherService service = TeacherService.start(List.of(teacher), settings, stack.clientConfig(),
          new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
        List<SoftLabel> labels = TestTraffic.consume(stack, topics.output(), n, Duration.ofMinutes(3));
        assertEquals(n, labels.size());
        assertEquals(n, labels.stream().map(l -> l.getEvent().getId()).distinct().count(), "no event twice");
        assertEquals(n, service.eventsLabelled());

        // The logits are the teacher's own output for the same input, called directly.
        try (TeacherPredictor predictor = teacher.newPredictor()) {
          List<SoftLabel> sample = labels.subList(0, 50);
          List<TeacherInput> inputs = sample.stream()
              .map(l -> TeacherInput.ofVector(AvroValues.floats(l.getEvent().getVector()))).toList();
          List<Prediction> direct = predictor.predict(inputs);
          for (int i = 0; i < sample.size(); i++) {
            List<Float> logits = sample.get(i).getTeachers().get(0).getLogits();
            for (int c = 0; c < 10; c++) {
              assertEquals(direct.get(i).logits()[c], logits.get(c), 1e-4,
                  "logit " + c + " of " + sample.get(i).getEvent().getId());
            }
            assertEquals(teacher.descriptor().version(), sample.get(i).getTeachers().get(0).getTeacherVersion());
          }
        }
      }
    }
  }

  @Test
  void shouldStayExactlyOnceWhenTheServiceIsKilledAndRestarted(LocalStack stack, @TempDir Path state) throws Exception {
    Topics topics = Topics.create(stack, "kill");
    int n = 4_000;
    String applicationId = "teacher-kill-it-" + UUID.randomUUID();
    Thread producer = new Thread(() -> TestTraffic.produce(stack, mnist, topics.input(), n, 1_000));
    producer.start();

    Set<String> seen = new HashSet<>();
    List<String> duplicates = new ArrayList<>();
    Map<String, Object> consumerConfig = TestTraffic.readCommitted(stack);
    try (AvroSerde<SoftLabel> serde = AvroSerde.forValues(SoftLabel.class, stack.clientConfig());
        KafkaConsumer<String, SoftLabel> consumer =
            new KafkaConsumer<>(consumerConfig, new StringDeserializer(), serde.deserializer())) {
      consumer.subscribe(List.of(topics.output()));
      int kills = 0;
      Process service = startService(stack, topics, applicationId, state);
      try {
        long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
        while (seen.size() < n && System.nanoTime() < deadline) {
          for (var record : consumer.poll(Duration.ofMillis(200))) {
            if (!seen.add(record.value().getEvent().getId())) {
              duplicates.add(record.value().getEvent().getId());
            }
          }
          // Kill it (SIGKILL: no clean shutdown, a batch in flight) twice while it works, restart each time.
          if (kills < 2 && seen.size() >= (kills + 1) * n / 3) {
            service.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            kills++;
            service = startService(stack, topics, applicationId, state);
          }
        }
        // Nothing more may arrive once all are in: read on for a moment.
        long quiet = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < quiet) {
          for (var record : consumer.poll(Duration.ofMillis(200))) {
            if (!seen.add(record.value().getEvent().getId())) {
              duplicates.add(record.value().getEvent().getId());
            }
          }
        }
        assertEquals(2, kills, "the service was killed twice while it worked");
      } finally {
        service.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        producer.join();
      }
    }
    assertEquals(List.of(), duplicates, "no event labelled twice");
    assertEquals(n, seen.size(), "every event labelled");
  }

  private Process startService(LocalStack stack, Topics topics, String applicationId, Path state) throws Exception {
    Path log = Files.createTempFile(state, "service", ".log");
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dai.djl.offline=true", "-Xmx1g", "-cp", System.getProperty("java.class.path"),
        TeacherServiceCommand.class.getName(),
        "--teacher", teacherDir.toString(), "--application-id", applicationId,
        "--bootstrap-servers", stack.bootstrapServers(), "--schema-registry-url", stack.schemaRegistryUrl(),
        "--input-topic", topics.input(), "--soft-label-topic", topics.output(), "--dead-letter-topic", topics.dlq(),
        "--batch-size", "32", "--max-wait", "50ms", "--http-port", "-1", "--state-dir", state.toString(),
        // The killed instance's group membership expires sooner, so the restarted one takes over in seconds.
        "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=1500")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private record Topics(String input, String output, String dlq) {
    static Topics create(LocalStack stack, String prefix) {
      String suffix = UUID.randomUUID().toString().substring(0, 8);
      Topics topics = new Topics(prefix + "-in-" + suffix, prefix + "-out-" + suffix, prefix + "-dlq-" + suffix);
      stack.createTopics(List.of(new NewTopic(topics.input(), 2, (short) 1),
          new NewTopic(topics.output(), 2, (short) 1), new NewTopic(topics.dlq(), 1, (short) 1)));
      return topics;
    }
  }

}
