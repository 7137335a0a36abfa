package io.streamdistill.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamdistill.edge.EdgeConfig;
import io.streamdistill.edge.EdgeNode;
import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.schemas.Topics;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.LocalStackExtension;
import io.streamdistill.stack.junit.TopicRecords;
import io.streamdistill.student.NgramFeaturizer;
import io.streamdistill.student.NgramSpec;
import io.streamdistill.student.QuantizedWeights;
import io.streamdistill.student.SigningKeys;
import io.streamdistill.student.StudentInput;
import io.streamdistill.student.StudentModel;
import io.streamdistill.student.StudentSpec;
import io.streamdistill.trainer.MnistSoftLabels;
import io.streamdistill.trainer.TrainerConfig;
import io.streamdistill.trainer.stream.OnlineTrainer;
import io.streamdistill.trainer.stream.VersionGate;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Versions as patches on the real path: the real trainer publishes a hashed n-gram student (int8, the default for
 * it) with a whole version every third and patches between; an edge node that follows from the start and one
 * started cold after the last version both rebuild every version they serve to exactly the trainer's weights, and
 * a patch costs less than the trainer's bound (90% of a whole version) on the topic.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@ExtendWith(LocalStackExtension.class)
class DeltaVersionsIT {
  private static final List<String> CLASSES = List.of("ham", "spam");
  private static final String[] WORDS = {"meeting", "report", "lunch", "project", "invoice", "family", "weekend",
      "code", "review", "garden", "holiday", "train", "budget", "photo", "music", "football", "recipe", "school"};
  private static final String[] SPAM = {"winner", "free", "pills", "casino", "prize", "bitcoin", "viagra", "loan"};

  @Test
  void edgeNodesRebuildPatchedVersionsToTheTrainersWeightsExactly(LocalStack stack) throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String soft = "delta-soft-" + suffix;
    String models = "delta-models-" + suffix;
    stack.createTopics(List.of(new NewTopic(soft, 1, (short) 1),
        new NewTopic(models, 1, (short) 1).configs(Topics.studentModelTopicConfig()),
        new NewTopic("delta-deployments-" + suffix, 1, (short) 1), new NewTopic("delta-input-" + suffix, 1, (short) 1),
        new NewTopic("delta-dlq-" + suffix, 1, (short) 1)));
    KeyPair keys = SigningKeys.generate();
    MnistSoftLabels.produce(stack, soft, labels(3_000));
    EdgeConfig edgeConfig = EdgeConfig.defaults("delta-edge", "texts", List.of(keys.getPublic()))
        .withTopics(models, "delta-deployments-" + suffix, "delta-input-" + suffix)
        .withCascade(0, null, Duration.ofMillis(200))
        .withClientConfig(stack.clientConfig());
    NgramSpec spec = new NgramSpec(CLASSES, new NgramFeaturizer.Settings(1 << 16, 2, 3, 4, true, 400), 16);
    TrainerConfig config = TrainerConfig.builder("texts", spec, keys)
        .topics(soft, models, "delta-dlq-" + suffix)
        .learningRate(0.01f)
        .batchSize(64)
        .publishEvery(300, Duration.ofHours(1))
        .heldOut(10, 1_000)
        .gate(new VersionGate(0.5, 0.05, 50))
        .fullVersionEvery(3)
        .build();
    assertTrue(config.compression().int8(), "a hashed n-gram student ships int8 unless told otherwise");

    Map<Long, StudentModelVersion> published = new ConcurrentHashMap<>();
    List<StudentInput> probes = new ArrayList<>();
    Random random = new Random(99);
    for (int i = 0; i < 50; i++) {
      probes.add(StudentInput.ofText(text(random, i % 2 == 0)));
    }
    try (EdgeNode following = EdgeNode.start(edgeConfig, new SimpleMeterRegistry())) {
      OnlineTrainer trainer = new OnlineTrainer(config, stack.clientConfig(), new SimpleMeterRegistry(),
          v -> published.put(v.getVersion(), v));
      Thread thread = new Thread(trainer, "delta-trainer");
      thread.start();
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (System.nanoTime() < deadline && !(trainer.status().consumed() >= 3_000
          && trainer.status().published() + trainer.status().rejected() >= 3_000 / 300 - 1)) {
        // Every version the following node serves is the trainer's, to the last weight.
        long served = following.status().servedVersion();
        // The trainer tells of a version once its transaction committed, and the node may load it first.
        StudentModelVersion version = published.get(served);
        if (version != null) {
          assertServes(following, version, probes);
        }
        Thread.sleep(20);
      }
      trainer.close();
      thread.join(60_000);
      long newest = published.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
      assertTrue(newest >= 5, "versions published: " + published.keySet());
      awaitServed(following, newest);
      assertServes(following, published.get(newest), probes);

      // A node started now finds the last whole version and rebuilds the patches after it.
      try (EdgeNode cold = EdgeNode.start(edgeConfig, new SimpleMeterRegistry())) {
        awaitServed(cold, newest);
        assertServes(cold, published.get(newest), probes);
        assertTrue(cold.status().lastRejection() == null, cold.status().lastRejection());
      }
      assertTrue(following.status().lastRejection() == null, following.status().lastRejection());
    }

    // On the topic: whole versions every third, patches between where they are under 90% of a whole version.
    List<ConsumerRecord<byte[], byte[]>> records = TopicRecords.readAll(stack, models);
    List<Integer> whole = new ArrayList<>();
    List<Integer> deltas = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      Header header = record.headers().lastHeader(Topics.WEIGHTS_HEADER);
      String kind = new String(header.value(), StandardCharsets.US_ASCII);
      (Topics.WEIGHTS_DELTA.equals(kind) ? deltas : whole).add(record.value().length);
    }
    assertTrue(deltas.size() >= 3, "patches " + deltas + ", whole " + whole);
    int wholeBytes = whole.stream().mapToInt(Integer::intValue).min().orElseThrow();
    for (int bytes : deltas) {
      assertTrue(bytes < wholeBytes * 0.9 + 4_096, "a patch of " + bytes + " bytes against whole versions of "
          + wholeBytes);
    }
  }

  /** The node's served model answers every probe exactly as the trainer's whole version does. */
  private static void assertServes(EdgeNode node, StudentModelVersion whole, List<StudentInput> probes) {
    assertEquals(QuantizedWeights.INT8_V1, whole.getWeightsFormat());
    StudentModel expected = StudentModel.create(StudentSpec.fromJson(whole.getArchitecture()),
        QuantizedWeights.decode(AvroValues.bytes(whole.getWeights())));
    for (StudentInput probe : probes) {
      var answer = node.predict(probe);
      if (answer.modelVersion() != whole.getVersion()) {
        return; // swapped meanwhile: the next poll checks the new one
      }
      float[] want = expected.probabilities(probe);
      double[] got = answer.probabilities().stream().mapToDouble(Double::doubleValue).toArray();
      for (int c = 0; c < want.length; c++) {
        assertEquals(want[c], got[c], 0.0, "v" + whole.getVersion() + " class " + c + ": served as published");
      }
    }
  }

  private static void awaitServed(EdgeNode node, long version) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (node.status().servedVersion() != version && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(version, node.status().servedVersion(), "the node serves the newest version");
  }

  private static String text(Random random, boolean spam) {
    StringBuilder text = new StringBuilder("Subject:");
    for (int w = 0; w < 12; w++) {
      text.append(' ').append(spam && random.nextInt(3) == 0 ? SPAM[random.nextInt(SPAM.length)]
          : WORDS[random.nextInt(WORDS.length)]).append(random.nextInt(50));
    }
    return text.toString();
  }

  private static List<SoftLabel> labels(int n) {
    Random random = new Random(1);
    List<SoftLabel> labels = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean spam = random.nextBoolean();
      labels.add(RuleSoftLabels.of("mail-" + i, "texts", text(random, spam), CLASSES, spam, 3f));
    }
    return labels;
  }
}
