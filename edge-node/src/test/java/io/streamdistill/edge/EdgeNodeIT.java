package io.streamdistill.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.edge.service.EdgeHttpServer;
import io.streamdistill.schemas.DeploymentEvent;
import io.streamdistill.schemas.DeploymentStatus;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.LocalStackExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Edge nodes on the real local stack (KRaft broker, schema registry): versions signed as the trainer
 * signs them are produced to the models topic, and what the nodes serve, report and send back is
 * read from Kafka and over HTTP.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@ExtendWith(LocalStackExtension.class)
class EdgeNodeIT {
  private static final String IMAGE = "{\"vector\": [" + "0.5,".repeat(783) + "0.5]}";
  private final HttpClient http = HttpClient.newHttpClient();

  private record TestTopics(String models, String deployments, String inputs) {
    static TestTopics create(LocalStack stack) {
      String suffix = UUID.randomUUID().toString().substring(0, 8);
      TestTopics topics = new TestTopics("models-" + suffix, "deployments-" + suffix, "inputs-" + suffix);
      stack.createTopics(List.of(
          new NewTopic(topics.models(), 1, (short) 1).configs(Topics.studentModelTopicConfig()),
          new NewTopic(topics.deployments(), 1, (short) 1),
          new NewTopic(topics.inputs(), 1, (short) 1)));
      return topics;
    }
  }

  @Test
  void shouldServeSignedVersionsRejectTamperedOnesAndSendTrafficBack(LocalStack stack) throws Exception {
    TestTopics topics = TestTopics.create(stack);
    String nodeId = "it-node-" + UUID.randomUUID().toString().substring(0, 8);
    EdgeConfig config = EdgeConfig.defaults(nodeId, TestVersions.MODEL, List.of(TestVersions.KEYS.getPublic()))
        .withTopics(topics.models(), topics.deployments(), topics.inputs())
        .withClientConfig(stack.clientConfig())
        // Every sure request is sampled, so that one shows up; the unsure version's requests go back as uncertain.
        .withSampling(1.0, 1000);
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (KafkaProducer<String, StudentModelVersion> producer = modelProducer(stack);
        Consumer<String, DeploymentEvent> deployments = consumer(stack, DeploymentEvent.class, topics.deployments());
        Consumer<String, InputEvent> inputs = consumer(stack, InputEvent.class, topics.inputs());
        EdgeNode node = EdgeNode.start(config, metrics);
        EdgeHttpServer server = new EdgeHttpServer(node, new EdgeHttpServer.Settings(0, 4, 1 << 20, null), metrics)) {
      Await.until("the node to read the empty models topic", Duration.ofSeconds(60), () -> node.status().caughtUp());
      HttpResponse<String> before = predict(server);
      assertEquals(503, before.statusCode(), before.body());
      assertTrue(before.body().contains("no valid student version"), before.body());

      // A signed version is served within seconds, and its LOADED event is on the deployments topic.
      long published = System.nanoTime();
      producer.send(new ProducerRecord<>(topics.models(), TestVersions.MODEL, TestVersions.sure(1, 3))).get();
      Await.until("version 1 to be served", Duration.ofSeconds(30), () -> node.status().servedVersion() == 1);
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - published);
      assertTrue(seconds < 10, "served after " + seconds + " s");
      HttpResponse<String> first = predict(server);
      assertEquals(200, first.statusCode(), first.body());
      assertTrue(first.body().contains("\"label\":\"3\""), first.body());
      DeploymentEvent loaded = await(deployments, e -> e.getStatus() == DeploymentStatus.LOADED).value();
      assertEquals(1, loaded.getVersion());
      assertEquals(nodeId, loaded.getNodeId());
      assertTrue(loaded.getLoadMillis() >= 0);

      // A tampered version is rejected with the reason, and version 1 keeps serving.
      producer.send(new ProducerRecord<>(topics.models(), TestVersions.MODEL,
          TestVersions.withFlippedWeightByte(TestVersions.sure(2, 7), 200))).get();
      ConsumerRecord<String, DeploymentEvent> rejected =
          await(deployments, e -> e.getStatus() == DeploymentStatus.REJECTED);
      assertEquals(nodeId, rejected.key());
      assertEquals(2, rejected.value().getVersion());
      assertEquals(1L, rejected.value().getPreviousVersion());
      assertTrue(rejected.value().getReason().contains("SHA-256"), rejected.value().getReason());
      assertEquals(1, node.status().servedVersion());
      assertTrue(predict(server).body().contains("\"label\":\"3\""));

      // The sampled request went back to input-events.
      InputEvent sampled = await(inputs, e -> "sample".equals(e.getAttributes().get("reason"))).value();
      assertEquals("edge/" + nodeId, sampled.getSource());
      assertEquals(784, sampled.getVector().size());

      // An unsure version: its requests go back marked uncertain (no teacher is configured: the student answers).
      producer.send(new ProducerRecord<>(topics.models(), TestVersions.MODEL, TestVersions.unsure(3))).get();
      Await.until("version 3 to be served", Duration.ofSeconds(30), () -> node.status().servedVersion() == 3);
      assertEquals(200, predict(server).statusCode());
      InputEvent uncertain = await(inputs, InputEvent::getUncertain).value();
      assertEquals("uncertain", uncertain.getAttributes().get("reason"));
      assertEquals("3", uncertain.getAttributes().get("modelVersion"));
      assertEquals(nodeId, uncertain.getAttributes().get("node"));
    } finally {
      metrics.close();
    }
  }

  @Test
  void shouldServeOnlyTheNewestValidVersionAfterARestart(LocalStack stack) throws Exception {
    TestTopics topics = TestTopics.create(stack);
    try (KafkaProducer<String, StudentModelVersion> producer = modelProducer(stack)) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      sent.add(producer.send(new ProducerRecord<>(topics.models(), TestVersions.MODEL, TestVersions.sure(1, 1))));
      sent.add(producer.send(new ProducerRecord<>(topics.models(), "another-model", TestVersions.sure(9, 9))));
      sent.add(producer.send(new ProducerRecord<>(topics.models(), TestVersions.MODEL, TestVersions.sure(2, 2))));
      sent.add(producer.send(new ProducerRecord<>(topics.models(), TestVersions.MODEL,
          TestVersions.signedByAnotherKey(TestVersions.sure(3, 3)))));
      awaitAll(sent);
    }
    String nodeId = "it-restart-" + UUID.randomUUID().toString().substring(0, 8);
    EdgeConfig config = EdgeConfig.defaults(nodeId, TestVersions.MODEL, List.of(TestVersions.KEYS.getPublic()))
        .withTopics(topics.models(), topics.deployments(), topics.inputs())
        .withClientConfig(stack.clientConfig())
        .withSampling(0, 10);
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (Consumer<String, DeploymentEvent> deployments = consumer(stack, DeploymentEvent.class, topics.deployments());
        EdgeNode node = EdgeNode.start(config, metrics)) {
      Await.until("the node to serve", Duration.ofSeconds(60), () -> node.status().servedVersion() >= 0);
      assertEquals(2, node.status().servedVersion(), "the newest valid version, not the untrusted 3");
      assertEquals(List.of(1L, 2L), node.status().heldVersions(), "version 1 is held for rollback");
      List<DeploymentEvent> events = new ArrayList<>();
      await(deployments, e -> {
        events.add(e);
        return e.getStatus() == DeploymentStatus.LOADED;
      });
      assertEquals(List.of(DeploymentStatus.REJECTED, DeploymentStatus.LOADED),
          events.stream().map(DeploymentEvent::getStatus).toList(), "one LOADED: no old version served on the way");
      assertTrue(events.get(0).getReason().contains("not trusted"), events.get(0).getReason());
      assertEquals(2, events.get(1).getVersion());
      assertEquals("2", node.predict(TestVersions.anyDigitImage()).label());
    } finally {
      metrics.close();
    }
  }

  /**
   * Cold start (issue 17): 200 versions on the topic (with another model's between them), and a node
   * started after them reads the tail only, serves the newest within seconds, and holds the last
   * {@code --keep-versions} for rollback, from Kafka alone.
   */
  @Test
  void shouldStartFromTheTailOfALongModelsTopicAndStillRollBack(LocalStack stack) throws Exception {
    TestTopics topics = TestTopics.create(stack);
    try (KafkaProducer<String, StudentModelVersion> producer = modelProducer(stack)) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (int v = 1; v <= 200; v++) {
        sent.add(producer.send(
            new ProducerRecord<>(topics.models(), TestVersions.MODEL, TestVersions.sure(v, v % 10))));
        if (v % 50 == 0) {
          sent.add(producer.send(new ProducerRecord<>(topics.models(), "another-model", TestVersions.sure(v, 0))));
        }
      }
      awaitAll(sent);
    }
    String nodeId = "it-cold-" + UUID.randomUUID().toString().substring(0, 8);
    EdgeConfig config = EdgeConfig.defaults(nodeId, TestVersions.MODEL, List.of(TestVersions.KEYS.getPublic()))
        .withTopics(topics.models(), topics.deployments(), topics.inputs())
        .withClientConfig(stack.clientConfig())
        .withKeepVersions(3)
        .withSampling(0, 10);
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    long started = System.nanoTime();
    try (EdgeNode node = EdgeNode.start(config, metrics)) {
      Await.until("the node to serve", Duration.ofSeconds(60), () -> node.status().servedVersion() >= 0);
      double seconds = (System.nanoTime() - started) / 1e9;
      double read = metrics.get("distill.edge.versions.records.read").gauge().value();
      System.out.printf("EdgeNodeIT cold start: served v%d %.2f s after start, %.0f of 204 records read%n",
          node.status().servedVersion(), seconds, read);
      assertEquals(200, node.status().servedVersion());
      assertEquals(List.of(198L, 199L, 200L), node.status().heldVersions());
      // The tail of 5 (3 kept, 2 to spare) holds another model's record: one short window more.
      assertTrue(read <= 5 + 4, "read " + read + " records of 204 to serve the newest");
      node.rollback(java.util.OptionalLong.empty());
      assertEquals(199, node.status().servedVersion(), "rolled back to the previous version, from Kafka alone");
    } finally {
      metrics.close();
    }
  }

  private HttpResponse<String> predict(EdgeHttpServer server) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/predict"))
        .POST(HttpRequest.BodyPublishers.ofString(IMAGE)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Waits for every send: a version that never reached the topic fails here, not as a wrong version later. */
  private static void awaitAll(List<Future<RecordMetadata>> sent) throws Exception {
    for (Future<RecordMetadata> send : sent) {
      send.get();
    }
  }

  private static KafkaProducer<String, StudentModelVersion> modelProducer(LocalStack stack) {
    Map<String, Object> config = new HashMap<>(stack.clientConfig());
    config.putAll(Topics.studentModelProducerConfig());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(config, new StringSerializer(),
        AvroSerde.forValues(StudentModelVersion.class, stack.clientConfig()).serializer());
  }

  /** A consumer of the whole topic from its beginning (no group). */
  private static <T extends org.apache.avro.specific.SpecificRecord> Consumer<String, T> consumer(LocalStack stack,
      Class<T> type, String topic) {
    Map<String, Object> config = new HashMap<>(stack.clientConfig());
    config.put("auto.offset.reset", "earliest");
    KafkaConsumer<String, T> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
        AvroSerde.forValues(type, stack.clientConfig()).deserializer());
    TopicPartition partition = new TopicPartition(topic, 0);
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
    return consumer;
  }

  /** Reads on until a record matches; records before it are consumed. */
  private static <T> ConsumerRecord<String, T> await(Consumer<String, T> consumer, Predicate<T> match) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<String, T> record : consumer.poll(Duration.ofMillis(200))) {
        if (match.test(record.value())) {
          // Records after the match are seen again by the next await.
          consumer.seek(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
          return record;
        }
      }
    }
    throw new AssertionError("no matching record within 60 s");
  }
}
