package io.streamdistill.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamdistill.edge.EdgeConfig;
import io.streamdistill.edge.EdgeNode;
import io.streamdistill.schemas.InputPosition;
import io.streamdistill.schemas.Lineage;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.LocalStackExtension;
import io.streamdistill.student.NgramFeaturizer;
import io.streamdistill.student.NgramSpec;
import io.streamdistill.student.SigningKeys;
import io.streamdistill.student.StudentInput;
import io.streamdistill.student.StudentModel;
import io.streamdistill.student.StudentWeights;
import io.streamdistill.student.VersionSigner;
import io.streamdistill.trainer.stream.VersionHistory;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A 64 MB student version through the real broker: published with the trainer's producer settings,
 * found by the trainer's history reader, and verified, loaded and served by an edge node.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@ExtendWith(LocalStackExtension.class)
class LargeVersionIT {
  @Test
  void shouldCarryA64MegabyteVersionToTheTrainerAndTheEdge(LocalStack stack) throws Exception {
    String models = "large-models-" + UUID.randomUUID().toString().substring(0, 8);
    stack.createTopics(List.of(new NewTopic(models, 1, (short) 1).configs(Topics.studentModelTopicConfig())));
    // 2^20 buckets x 15 floats + the head: 62.9 MB of weights.
    NgramSpec spec = new NgramSpec(List.of("ham", "spam"),
        new NgramFeaturizer.Settings(1 << 20, 2, 3, 4, true, 500), 15);
    StudentWeights weights = new StudentWeights();
    Random random = new Random(1);
    for (var entry : spec.parameterShapes().entrySet()) {
      int n = 1;
      for (int d : entry.getValue()) {
        n *= d;
      }
      float[] values = new float[n];
      for (int i = 0; i < n; i++) {
        values[i] = (float) random.nextGaussian() * 0.1f;
      }
      weights.put(entry.getKey(), entry.getValue(), values);
    }
    byte[] encoded = weights.encode();
    assertTrue(encoded.length > 60_000_000 && encoded.length <= 64 * 1024 * 1024,
        "weights of " + encoded.length + " bytes");
    KeyPair keys = SigningKeys.generate();
    StudentModelVersion version = new VersionSigner(keys).sign(StudentModelVersion.newBuilder()
        .setModelName("mail-large").setVersion(1).setCreatedAt(Instant.now()).setArchitecture(spec.toJson())
        .setClasses(spec.classes()).setWeightsFormat(StudentWeights.F32_V1).setWeights(ByteBuffer.wrap(encoded))
        .setWeightsSha256("").setMetrics(Map.of())
        .setLineage(Lineage.newBuilder().setTrainedThrough(List.of(new InputPosition("soft", 0, 1L))).build())
        .setSignature(ByteBuffer.allocate(0)).setSigningKeyId("").build());

    Map<String, Object> producerConfig = new HashMap<>(stack.clientConfig());
    producerConfig.putAll(Topics.studentModelProducerConfig());
    try (AvroSerde<StudentModelVersion> serde = AvroSerde.forValues(StudentModelVersion.class, stack.clientConfig());
        KafkaProducer<String, StudentModelVersion> producer =
            new KafkaProducer<>(producerConfig, new StringSerializer(), serde.serializer())) {
      producer.send(new ProducerRecord<>(models, "mail-large", version)).get(2, TimeUnit.MINUTES);
    }

    StudentModelVersion read = VersionHistory.latest(stack.clientConfig(), models, "mail-large", Duration.ofMinutes(2))
        .orElseThrow();
    assertEquals(version.getWeightsSha256(), read.getWeightsSha256());
    assertEquals(encoded.length, read.getWeights().remaining());

    EdgeConfig config = EdgeConfig.defaults("large-edge", "mail-large", List.of(keys.getPublic()))
        .withTopics(models, "large-deployments", "large-input").withClientConfig(stack.clientConfig());
    stack.createTopics(List.of(new NewTopic("large-deployments", 1, (short) 1),
        new NewTopic("large-input", 1, (short) 1)));
    try (EdgeNode edge = EdgeNode.start(config, new SimpleMeterRegistry())) {
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (edge.status().servedVersion() != 1 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertEquals(1, edge.status().servedVersion(), "served: " + edge.status());
      String text = "Subject: a very large student\n\nIt still answers like its weights say.";
      float[] expected = StudentModel.create(spec, weights).probabilities(StudentInput.ofText(text));
      List<Double> answered = edge.predict(StudentInput.ofText(text)).probabilities();
      assertArrayEquals(new double[] {expected[0], expected[1]},
          answered.stream().mapToDouble(Double::doubleValue).toArray(), 1e-6);
    }
  }
}
