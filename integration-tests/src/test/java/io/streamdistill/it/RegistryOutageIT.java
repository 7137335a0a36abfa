package io.streamdistill.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.MnistSource;
import io.streamdistill.edge.EdgeConfig;
import io.streamdistill.edge.EdgeNode;
import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.LocalStackExtension;
import io.streamdistill.stack.junit.TopicRecords;
import io.streamdistill.student.SigningKeys;
import io.streamdistill.teacher.TeacherCatalog;
import io.streamdistill.teacher.TeacherService;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.streams.LabellingConfig;
import io.streamdistill.trainer.MnistSoftLabels;
import io.streamdistill.trainer.StudentPresets;
import io.streamdistill.trainer.TrainerConfig;
import io.streamdistill.trainer.stream.OnlineTrainer;
import io.streamdistill.trainer.stream.VersionGate;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schema registry unreachable when the services start (issue 18, item 5): the teacher service,
 * the trainer and an edge node, each pointed at the registry through a proxy that is down, wait
 * for it (saying so in their logs) instead of dead-lettering good records; once it answers, every
 * event is labelled exactly once, the trainer learns every soft label (those already on the topic
 * and the new ones) and publishes, and the node serves the version. Nothing reaches the dead letters.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@ExtendWith(LocalStackExtension.class)
class RegistryOutageIT {
  private static final int N = 3_000;
  private static final int EARLIER = 1_000;
  private static final Duration OUTAGE = Duration.ofSeconds(10);

  @Test
  void shouldWaitForTheRegistryAndThenLabelLearnAndServeEverythingOnce(LocalStack stack, @TempDir Path state)
      throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String input = "outage-input-" + suffix;
    String soft = "outage-soft-" + suffix;
    String models = "outage-models-" + suffix;
    String deployments = "outage-deployments-" + suffix;
    String feedback = "outage-feedback-" + suffix;
    String dead = "outage-dlq-" + suffix;
    stack.createTopics(List.of(new NewTopic(input, 2, (short) 1), new NewTopic(soft, 2, (short) 1),
        new NewTopic(models, 1, (short) 1).configs(Topics.studentModelTopicConfig()),
        new NewTopic(deployments, 1, (short) 1), new NewTopic(feedback, 1, (short) 1),
        new NewTopic(dead, 1, (short) 1)));
    produceDigits(stack, input);
    // Soft labels already on their topic (an earlier teacher run): the trainer meets the outage too.
    MnistSoftLabels.produce(stack, soft, MnistSoftLabels.label(MnistSoftLabels.train(), 0, EARLIER, true));

    long trainerDead;
    int registryPort = Integer.parseInt(stack.schemaRegistryUrl().replaceAll(".*:(\\d+).*", "$1"));
    try (RegistryProxy proxy = new RegistryProxy(registryPort);
        Teacher teacher = TeacherCatalog.load("mnist")) {
      Map<String, Object> throughProxy = new HashMap<>(stack.clientConfig());
      throughProxy.put("schema.registry.url", proxy.url(stack.schemaRegistryUrl()));
      KeyPair keys = SigningKeys.generate();
      TeacherService.Settings teacherSettings = TeacherService.Settings.defaults("outage-teacher-" + suffix)
          .withLabelling(LabellingConfig.defaults().withTopics(input, soft, dead)
              .withBatching(64, Duration.ofMillis(50)))
          .withStateDir(state).withHttp(-1, 1);
      TrainerConfig trainerConfig = TrainerConfig.builder("outage-mnist", StudentPresets.resolve("mnist-64"), keys)
          .topics(soft, models, dead).learningRate(0.002f).batchSize(64)
          .publishEvery(N + EARLIER, Duration.ofSeconds(5)).gate(VersionGate.everyCandidate()).build();
      EdgeConfig edgeConfig = EdgeConfig.defaults("outage-edge-" + suffix, "outage-mnist", List.of(keys.getPublic()))
          .withTopics(models, deployments, feedback)
          .withCascade(0, null, Duration.ofMillis(200))
          .withClientConfig(throughProxy);
      OnlineTrainer trainer = new OnlineTrainer(trainerConfig, throughProxy, new SimpleMeterRegistry(), v -> { });
      Thread training = new Thread(trainer, "outage-trainer");
      try (TeacherService service = TeacherService.start(List.of(teacher), teacherSettings, throughProxy,
          new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
          EdgeNode edge = EdgeNode.start(edgeConfig, new SimpleMeterRegistry())) {
        training.start();
        // The registry is out of reach: nothing may be labelled, learned or dead-lettered meanwhile.
        Thread.sleep(OUTAGE.toMillis());
        assertEquals(EARLIER, TopicRecords.readAll(stack, soft).size(),
            "soft labels written while the registry was out");
        assertEquals(0, TopicRecords.readAll(stack, dead).size(), "dead letters while the registry was out");
        assertEquals(0, trainer.status().consumed(), "soft labels read while the registry was out");
        assertTrue(edge.status().servedVersion() <= 0, "a version served while the registry was out");

        proxy.up();
        waitFor(() -> trainer.status().consumed() >= N + EARLIER && trainer.status().published() >= 1
            && edge.status().servedVersion() >= 1, Duration.ofMinutes(4),
            () -> "teacher stream " + service.state() + ", trainer " + trainer.status() + ", edge serves v"
                + edge.status().servedVersion());
      } finally {
        trainer.close();
        training.join(60_000);
      }
      trainerDead = trainer.status().deadLetters();
    }

    List<SoftLabel> labels = softLabels(stack, soft);
    Set<String> ids = new HashSet<>();
    labels.forEach(l -> assertTrue(ids.add(l.getEvent().getId()), "labelled twice: " + l.getEvent().getId()));
    assertEquals(N + EARLIER, ids.size(), "every event labelled once");
    assertEquals(0, trainerDead, "the trainer dead-lettered nothing");
    assertEquals(0, TopicRecords.readAll(stack, dead).size(), "nothing dead-lettered for the outage");
  }

  private static void produceDigits(LocalStack stack, String topic) {
    MnistSource digits = MnistSoftLabels.test();
    try (AvroSerde<InputEvent> serde = AvroSerde.forValues(InputEvent.class, stack.clientConfig());
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Clients.producerConfig(stack),
            new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (int i = 0; i < N; i++) {
        Example example = digits.get(i);
        InputEvent event = InputEvent.newBuilder().setId("outage-" + i).setTimestamp(Instant.ofEpochMilli(i))
            .setSource("registry-outage-it").setVector(AvroValues.boxed(example.vector())).setLabel(example.label())
            .build();
        sent.add(producer.send(new ProducerRecord<>(topic, event.getId(), serde.serializer().serialize(topic, event))));
      }
      for (Future<RecordMetadata> send : sent) {
        send.get(); // all on the topic before the outage: a digit missing later is the services' doing
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("producing the digits failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while producing the digits", e);
    }
  }

  private static List<SoftLabel> softLabels(LocalStack stack, String topic) {
    try (AvroSerde<SoftLabel> serde = AvroSerde.forValues(SoftLabel.class, stack.clientConfig())) {
      return TopicRecords.readAll(stack, topic).stream().map(r -> serde.deserializer().deserialize(topic, r.value()))
          .toList();
    }
  }

  private static void waitFor(BooleanSupplier condition, Duration timeout, java.util.function.Supplier<String> state)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out after " + timeout + ": " + state.get());
      Thread.sleep(200); // polling the services' state
    }
  }
}
