package io.streamdistill.teacher.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.DeadLetter;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.TeacherOutput;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.LocalStackExtension;
import io.streamdistill.teacher.TeacherServiceCommand;
import io.streamdistill.teacher.generic.OnnxTeacherLoader;
import io.streamdistill.teacher.generic.TinyModels;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A teacher service labelling with an ensemble of a local ONNX teacher and the same model served by
 * a second, real teacher-service process over the Open Inference Protocol (kind {@code oip}); the
 * remote process is SIGKILLed mid-run and restarted on the same port.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@ExtendWith(LocalStackExtension.class)
class RemoteTeacherIT {
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void shouldLabelEveryEventOnceWithTheRemotesLogitsThroughAKillAndRestartOfTheRemote(LocalStack stack,
      @TempDir Path dir) throws Exception {
    Topics topics = Topics.create(stack, "remote");
    Topics remoteOwn = Topics.create(stack, "remote-own"); // the remote service labels a stream of its own, idle here
    Path localTeacher = onnxTeacher(dir.resolve("tiny"));
    int remotePort = freePort();
    int servicePort = freePort();
    Path remoteTeacher = oipTeacher(dir.resolve("tiny-remote"), remotePort);
    String run = UUID.randomUUID().toString().substring(0, 8);
    int n = 3_000;

    Process remote = startService(stack, remoteOwn, "remote-" + run, List.of(localTeacher), remotePort, dir, "remote");
    Process service = null;
    Map<String, Integer> seen = new HashMap<>();
    List<SoftLabel> sample = new ArrayList<>();
    List<String> duplicates = new ArrayList<>();
    boolean sawOutage = false;
    Duration allLabelledAfter = null;
    try {
      awaitStatus(remotePort, "/v2/health/ready", 200, Duration.ofMinutes(2));
      service = startService(stack, topics, "labeller-" + run, List.of(localTeacher, remoteTeacher), servicePort, dir,
          "labeller");
      AtomicInteger sent = new AtomicInteger();
      Thread producer = new Thread(() -> produce(stack, topics.input(), n, 300, TinyModels.IN, sent), "producer");
      producer.start();

      try (AvroSerde<SoftLabel> serde = AvroSerde.forValues(SoftLabel.class, stack.clientConfig());
          KafkaConsumer<String, SoftLabel> consumer =
              new KafkaConsumer<>(readCommitted(stack), new StringDeserializer(), serde.deserializer())) {
        consumer.subscribe(List.of(topics.output()));
        boolean killed = false;
        boolean restarted = false;
        long killedAt = 0;
        long restartedAt = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
        while ((seen.size() < n || !restarted) && System.nanoTime() < deadline) {
          for (var record : consumer.poll(Duration.ofMillis(200))) {
            SoftLabel label = record.value();
            if (seen.merge(label.getEvent().getId(), 1, Integer::sum) > 1) {
              duplicates.add(label.getEvent().getId());
            }
            if (restarted && seen.size() == n) {
              allLabelledAfter = Duration.ofNanos(System.nanoTime() - restartedAt);
            }
            if (sample.size() < 200) {
              sample.add(label);
            }
          }
          if (!killed && seen.size() >= n / 3) {
            remote.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no goodbye to its callers
            killed = true;
            killedAt = System.nanoTime();
          }
          if (killed && !restarted) {
            // The outage is visible where operators look: /health goes DOWN naming the open breaker.
            HttpResponse<String> health = get(servicePort, "/health");
            if (health != null && health.statusCode() == 503 && health.body().contains("\"breaker\":\"OPEN\"")) {
              sawOutage = true;
            }
            if (sawOutage || System.nanoTime() - killedAt > Duration.ofSeconds(30).toNanos()) {
              remote = startService(stack, remoteOwn, "remote-" + run, List.of(localTeacher), remotePort, dir,
                  "remote");
              restarted = true;
              restartedAt = System.nanoTime();
              System.out.printf("RemoteTeacherIT: %,d of %,d labelled when the remote was started again%n",
                  seen.size(), n);
            }
          }
        }
        // Nothing more may arrive once all are in: read on for a moment.
        long quiet = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < quiet) {
          for (var record : consumer.poll(Duration.ofMillis(200))) {
            if (seen.merge(record.value().getEvent().getId(), 1, Integer::sum) > 1) {
              duplicates.add(record.value().getEvent().getId());
            }
          }
        }
        assertTrue(killed && restarted, "the remote was killed and restarted while the service labelled");
      } finally {
        producer.join();
      }
      assertEquals(n, sent.get(), "all events produced");
      assertTrue(sawOutage, "/health showed the open circuit breaker during the outage");
      HttpResponse<String> metrics = get(servicePort, "/metrics");
      assertTrue(metrics != null
          && metrics.body().contains("distill_teacher_remote_unavailable_total{teacher=\"tiny-remote\"}"),
          "the outage is counted in the metrics");
    } finally {
      if (service != null) {
        service.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      remote.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    assertEquals(List.of(), duplicates, "no event labelled twice");
    assertEquals(n, seen.size(), "every event labelled");
    assertEquals(0, countDeadLetters(stack, topics.dlq()), "no event dead-lettered for the outage");
    String log = labellerLog(dir);
    assertTrue(log.contains("holding the events"), "the labeller held its events through the outage");
    assertTrue(!log.contains("stream thread failed"), "no stream thread failed (and none was replaced) for it");
    System.out.printf("RemoteTeacherIT: all labelled %s after the remote was started again%n", allLabelledAfter);
    for (SoftLabel label : sample) {
      List<TeacherOutput> outputs = label.getTeachers();
      assertEquals(List.of("tiny", "tiny-remote"), outputs.stream().map(TeacherOutput::getTeacherId).toList());
      assertEquals("v1", outputs.get(1).getTeacherVersion(), "the remote's version, from its metadata");
      float[] expected = TinyModels.expected(AvroValues.floats(label.getEvent().getVector()))[0];
      for (int c = 0; c < expected.length; c++) {
        assertEquals(outputs.get(0).getLogits().get(c), outputs.get(1).getLogits().get(c), 1e-4,
            "remote logit " + c + " of " + label.getEvent().getId() + " equals the local teacher's");
        assertEquals(expected[c], outputs.get(1).getLogits().get(c), 1e-4);
      }
      for (int j = 0; j < TinyModels.HIDDEN; j++) {
        assertEquals(outputs.get(0).getEmbedding().get(j), outputs.get(1).getEmbedding().get(j), 1e-4,
            "the embedding travels too");
      }
    }
  }

  /** The tiny ONNX network of the generic loader tests, as a teacher directory. */
  static Path onnxTeacher(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve("model.onnx"), TinyModels.onnx(true));
    TeacherDirectory.write(dir, new TeacherDescriptor("tiny", "v1", OnnxTeacherLoader.KIND, List.of("a", "b"),
        TeacherDescriptor.VECTOR, TinyModels.IN, TinyModels.HIDDEN, null, Map.of(), Map.of("file", "model.onnx")),
        List.of("model.onnx"));
    return dir;
  }

  /** An {@code oip} teacher directory: no files, the remote service's URL and the model's name. */
  static Path oipTeacher(Path dir, int port) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(TeacherDescriptor.FILE_NAME), """
        {"id": "tiny-remote", "version": "remote", "kind": "oip", "classes": ["a", "b"], "input": "vector",
         "vectorWidth": %d, "files": {},
         "options": {"url": "http://127.0.0.1:%d", "model": "tiny", "timeoutMs": "1000", "retries": "2",
                     "backoffMs": "100", "breakerFailures": "3", "breakerOpenMs": "2000"}}
        """.formatted(TinyModels.IN, port));
    return dir;
  }

  private static String labellerLog(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      Path log = files.filter(f -> f.getFileName().toString().startsWith("labeller")
          && f.getFileName().toString().endsWith(".log")).findFirst().orElseThrow();
      return Files.readString(log);
    }
  }

  private static Process startService(LocalStack stack, Topics topics, String applicationId, List<Path> teachers,
      int httpPort, Path dir, String name) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dai.djl.offline=true", "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        TeacherServiceCommand.class.getName()));
    for (Path teacher : teachers) {
      command.add("--teacher");
      command.add(teacher.toString());
    }
    command.addAll(List.of("--application-id", applicationId,
        "--bootstrap-servers", stack.bootstrapServers(), "--schema-registry-url", stack.schemaRegistryUrl(),
        "--input-topic", topics.input(), "--soft-label-topic", topics.output(), "--dead-letter-topic", topics.dlq(),
        "--batch-size", "32", "--max-wait", "50ms", "--http-port", Integer.toString(httpPort),
        "--state-dir", dir.resolve(name + "-state").toString()));
    Path log = Files.createTempFile(dir, name, ".log");
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /**
   * {@code n} events of random vectors of {@code width} at {@code perSecond} (0: as fast as it goes); {@code sent}
   * counts those the broker acknowledged.
   */
  static void produce(LocalStack stack, String topic, int n, double perSecond, int width, AtomicInteger sent) {
    Map<String, Object> config = new HashMap<>(stack.clientConfig());
    config.put("enable.idempotence", true);
    config.put("acks", "all");
    Random random = new Random(7);
    long started = System.nanoTime();
    try (AvroSerde<InputEvent> serde = AvroSerde.forValues(InputEvent.class, stack.clientConfig());
        KafkaProducer<String, InputEvent> producer = new KafkaProducer<>(config, new StringSerializer(),
            serde.serializer())) {
      List<Future<RecordMetadata>> sends = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        List<Float> vector = new ArrayList<>();
        for (int j = 0; j < width; j++) {
          vector.add(random.nextFloat() * 4 - 2);
        }
        String id = "e-" + i;
        sends.add(producer.send(new ProducerRecord<>(topic, id, InputEvent.newBuilder().setId(id)
            .setTimestamp(Instant.now()).setSource("remote-it").setVector(vector).build())));
        long wait = perSecond <= 0 ? 0 : started + (long) (i / perSecond * 1e9) - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
      }
      for (Future<RecordMetadata> send : sends) {
        send.get();
        sent.incrementAndGet();
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("an event was not produced", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static long countDeadLetters(LocalStack stack, String topic) {
    long count = 0;
    try (AvroSerde<DeadLetter> serde = AvroSerde.forValues(DeadLetter.class, stack.clientConfig());
        KafkaConsumer<String, DeadLetter> consumer =
            new KafkaConsumer<>(readCommitted(stack), new StringDeserializer(), serde.deserializer())) {
      consumer.subscribe(List.of(topic));
      long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < until) {
        count += consumer.poll(Duration.ofMillis(200)).count();
      }
    }
    return count;
  }

  static Map<String, Object> readCommitted(LocalStack stack) {
    Map<String, Object> config = new HashMap<>(stack.clientConfig());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "remote-it-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // an aborted transaction's labels do not count
    return config;
  }

  private void awaitStatus(int port, String path, int status, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response = get(port, path);
      if (response != null && response.statusCode() == status) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    throw new AssertionError("http://127.0.0.1:" + port + path + " did not answer " + status + " within " + timeout);
  }

  /** The answer, or null when nothing listens. */
  private HttpResponse<String> get(int port, String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  record Topics(String input, String output, String dlq) {
    static Topics create(LocalStack stack, String prefix) {
      String suffix = UUID.randomUUID().toString().substring(0, 8);
      Topics topics = new Topics(prefix + "-in-" + suffix, prefix + "-out-" + suffix, prefix + "-dlq-" + suffix);
      stack.createTopics(List.of(new NewTopic(topics.input(), 2, (short) 1),
          new NewTopic(topics.output(), 2, (short) 1), new NewTopic(topics.dlq(), 1, (short) 1)));
      return topics;
    }
  }
}
