package io.streamdistill.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.MnistSource;
import io.streamdistill.edge.EdgeAnswer;
import io.streamdistill.edge.EdgeConfig;
import io.streamdistill.edge.EdgeNode;
import io.streamdistill.schemas.DeploymentEvent;
import io.streamdistill.schemas.DeploymentStatus;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.LocalStackExtension;
import io.streamdistill.student.CascadeCalibration;
import io.streamdistill.student.SigningKeys;
import io.streamdistill.student.StudentInput;
import io.streamdistill.trainer.MnistSoftLabels;
import io.streamdistill.trainer.StudentPresets;
import io.streamdistill.trainer.TrainerConfig;
import io.streamdistill.trainer.stream.OnlineTrainer;
import io.streamdistill.trainer.stream.VersionGate;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The trainer and an edge node together on the real stack: versions the trainer publishes (DJL,
 * real MNIST soft labels of the real teacher) are verified, loaded and served by the node (plain
 * Java) within seconds, and the node says so on the deployments topic.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@ExtendWith(LocalStackExtension.class)
class TrainerToEdgeIT {
  private static final int N = 8_000;
  private static final int PUBLISH_EVERY = 2_000;

  @Test
  void shouldServeEachVersionTheTrainerPublishesWithinSeconds(LocalStack stack) throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String soft = "e2e-soft-" + suffix;
    String models = "e2e-models-" + suffix;
    String deployments = "e2e-deployments-" + suffix;
    String input = "e2e-input-" + suffix;
    String dead = "e2e-dlq-" + suffix;
    stack.createTopics(List.of(new NewTopic(soft, 2, (short) 1),
        new NewTopic(models, 1, (short) 1).configs(Topics.studentModelTopicConfig()),
        new NewTopic(deployments, 1, (short) 1), new NewTopic(input, 1, (short) 1), new NewTopic(dead, 1, (short) 1)));
    KeyPair keys = SigningKeys.generate();
    MnistSource train = MnistSoftLabels.train();
    MnistSoftLabels.produce(stack, soft, MnistSoftLabels.label(train, 0, N, true));

    EdgeConfig edgeConfig = EdgeConfig.defaults("edge-it-" + suffix, "mnist-e2e", List.of(keys.getPublic()))
        .withTopics(models, deployments, input)
        .withCascade(0, null, Duration.ofMillis(200))
        .withClientConfig(stack.clientConfig());
    TrainerConfig trainerConfig = TrainerConfig.builder("mnist-e2e", StudentPresets.resolve("mnist-64"), keys)
        .topics(soft, models, dead)
        .learningRate(0.002f)
        .batchSize(64)
        .publishEvery(PUBLISH_EVERY, Duration.ofMinutes(30))
        .gate(VersionGate.everyCandidate())
        .build();
    Map<Long, Long> publishedAt = new ConcurrentHashMap<>();
    Map<Long, Long> servedAt = new HashMap<>(); // this thread's only: the trainer's callback fills the others
    Map<Long, Map<String, Double>> publishedMetrics = new ConcurrentHashMap<>();
    try (EdgeNode edge = EdgeNode.start(edgeConfig, new SimpleMeterRegistry())) {
      OnlineTrainer trainer = new OnlineTrainer(trainerConfig, stack.clientConfig(), new SimpleMeterRegistry(),
          version -> {
            publishedMetrics.put(version.getVersion(), Map.copyOf(version.getMetrics()));
            publishedAt.put(version.getVersion(), System.nanoTime());
          });
      Thread training = new Thread(trainer, "e2e-trainer");
      training.start();
      try {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        // Until all soft labels are learned, the gate has judged the candidate after the last of them
        // (one every PUBLISH_EVERY soft labels: publish, refuse or wait), and the newest version is served
        // (a node may skip a version that is superseded before it is loaded).
        while (System.nanoTime() < deadline && !(trainer.status().consumed() >= N
            && trainer.status().decisions().size() >= N / PUBLISH_EVERY
            && !publishedAt.isEmpty()
            && servedAt.containsKey(publishedAt.keySet().stream().mapToLong(Long::longValue).max().orElseThrow()))) {
          long served = edge.status().servedVersion();
          if (served > 0) {
            servedAt.putIfAbsent(served, System.nanoTime());
          }
          Thread.sleep(5); // polling the node's state
        }
      } finally {
        trainer.close();
        training.join(60_000);
      }
      List<String> trainerDecisions = trainer.status().decisions();
      assertTrue(servedAt.size() >= 2,
          "versions served: " + servedAt.keySet() + ", published: " + publishedAt.keySet());
      for (var served : servedAt.entrySet()) {
        Long published = publishedAt.get(served.getKey());
        assertTrue(published != null, "v" + served.getKey() + " was served, and published by the trainer");
        double seconds = (served.getValue() - published) / 1e9;
        assertTrue(seconds < 5, "v" + served.getKey() + " served " + seconds + " s after it was published");
      }

      // The node answers with the newest version, and the student it serves has learned digits.
      MnistSource test = MnistSoftLabels.test();
      long newest = publishedAt.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
      waitUntilServed(edge, newest);
      int correct = 0;
      for (int i = 0; i < 500; i++) {
        Example e = test.get(i);
        EdgeAnswer answer = edge.predict(StudentInput.ofVector(e.vector()));
        assertEquals(newest, answer.modelVersion());
        assertEquals(EdgeAnswer.AnsweredBy.STUDENT, answer.answeredBy(), "cascade off");
        correct += answer.label().equals(e.label()) ? 1 : 0;
      }
      System.out.printf("TrainerToEdgeIT: v%d of %s published got %d of 500 test digits right (gate: %s)%n",
          newest, publishedAt.keySet(), correct, trainerDecisions);
      assertTrue(correct >= 400, "the served student got " + correct + " of 500 test digits right");
      assertCalibratedCascade(edgeConfig, newest, publishedMetrics.get(newest), test);
    }

    // The node's deployment events: one LOADED per version it served, with the time it took.
    List<DeploymentEvent> events = deploymentEvents(stack, deployments, servedAt.size());
    for (long version : servedAt.keySet()) {
      assertTrue(events.stream().anyMatch(e -> e.getVersion() == version && e.getStatus() == DeploymentStatus.LOADED
          && e.getLoadMillis() != null && e.getNodeId().equals(edgeConfig.nodeId())),
          "LOADED v" + version + " in " + events);
    }
  }

  /**
   * A node in calibrated mode, reading the same topic, is unsure exactly below the threshold the trainer measured
   * for the version, answers about the share alone the trainer measured, and is right more often there.
   */
  private static void assertCalibratedCascade(EdgeConfig fixed, long version, Map<String, Double> metrics,
      MnistSource test) throws InterruptedException {
    double threshold = metrics.get(CascadeCalibration.THRESHOLD);
    double coverage = metrics.get(CascadeCalibration.COVERAGE);
    assertTrue(threshold > 0 && threshold <= 1 && coverage > 0.3, "calibration of v" + version + ": " + metrics);
    try (EdgeNode edge = EdgeNode.start(new EdgeConfig(fixed.nodeId() + "-calibrated", fixed.modelName(),
        fixed.trustedKeys(), fixed.modelsTopic(), fixed.deploymentsTopic(), fixed.inputEventsTopic(),
        fixed.keepVersions(), EdgeConfig.CALIBRATED_CASCADE, null, fixed.teacherTimeout(), 0, 100,
        fixed.clientConfig()), new SimpleMeterRegistry())) {
      waitUntilServed(edge, version);
      int alone = 0;
      int aloneRight = 0;
      int unsureRight = 0;
      int n = 1_000;
      for (int i = 0; i < n; i++) {
        Example e = test.get(i);
        EdgeAnswer answer = edge.predict(StudentInput.ofVector(e.vector()));
        assertEquals(answer.studentConfidence() < threshold, answer.uncertain(), "answer " + i + ": " + answer);
        boolean right = answer.label().equals(e.label());
        if (!answer.uncertain()) {
          alone++;
          aloneRight += right ? 1 : 0;
        } else {
          unsureRight += right ? 1 : 0;
        }
      }
      System.out.printf("TrainerToEdgeIT: v%d calibrated at %.4f for %.1f%% alone (held out); on 1,000 test digits"
          + " %.1f%% alone, %d of them right, %d of %d unsure ones right%n", version, threshold, 100 * coverage,
          100.0 * alone / n, aloneRight, unsureRight, n - alone);
      assertEquals(coverage, (double) alone / n, 0.1, "the share answered alone on test digits");
      assertTrue((double) aloneRight / alone > (double) unsureRight / Math.max(1, n - alone),
          "the lone answers are the better ones");
    }
  }

  private static void waitUntilServed(EdgeNode edge, long version) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (edge.status().servedVersion() != version && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(version, edge.status().servedVersion());
  }

  private static List<DeploymentEvent> deploymentEvents(LocalStack stack, String topic, int atLeast) {
    Map<String, Object> config = new HashMap<>(stack.clientConfig());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<DeploymentEvent> events = new ArrayList<>();
    try (AvroSerde<DeploymentEvent> serde = AvroSerde.forValues(DeploymentEvent.class, stack.clientConfig());
        KafkaConsumer<String, DeploymentEvent> consumer =
            new KafkaConsumer<>(config, new StringDeserializer(), serde.deserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (events.size() < atLeast && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> events.add(r.value()));
      }
    }
    return events;
  }
}
