package io.streamdistill.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.datasets.DatasetCache;
import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.MnistSource;
import io.streamdistill.datasets.SpamAssassinSource;
import io.streamdistill.edge.EdgeAnswer;
import io.streamdistill.edge.EdgeConfig;
import io.streamdistill.edge.EdgeNode;
import io.streamdistill.edge.feedback.FeedbackSink;
import io.streamdistill.edge.service.EdgeHttpServer;
import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.schemas.TeacherOutput;
import io.streamdistill.schemas.Topics;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.LocalStackExtension;
import io.streamdistill.student.SigningKeys;
import io.streamdistill.student.Softmax;
import io.streamdistill.student.StudentInput;
import io.streamdistill.student.StudentSpec;
import io.streamdistill.student.VersionSigner;
import io.streamdistill.teacher.TeacherCatalog;
import io.streamdistill.teacher.http.InferenceServer;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import io.streamdistill.teacher.text.MailSplit;
import io.streamdistill.trainer.MnistSoftLabels;
import io.streamdistill.trainer.StudentPresets;
import io.streamdistill.trainer.TrainerConfig;
import io.streamdistill.trainer.stream.OnlineTrainer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The edge node's figures, with students the real trainer made from real soft labels:
 * <ol>
 *   <li>latency of one request (p50, p99) over HTTP, student at the edge vs the teacher service's
 *       {@code /predict} for the same inputs, MNIST and e-mail, with the JDK's HttpClient and with a bare
 *       kept-alive socket (what the server costs, without the JDK client's own overhead); and in-process
 *       ({@code node.predict});
 *   <li>requests/s and latency under load measured by {@code wrk} (Debian's package), a load tool no one here
 *       wrote, on the student path (no teacher);
 *   <li>{@code /predict} throughput under concurrent load, with and without a version swap every
 *       500 ms;
 *   <li>the cascade curve on e-mail (the teacher's held-out 30% test split): for each threshold, the
 *       share answered by the student alone and the accuracy against ground truth, next to the
 *       teacher alone; one threshold is also run through the real cascade (the node asking the
 *       teacher service over HTTP) to check the curve.
 * </ol>
 * {@code ./distill benchmark integration-tests}; writes {@code target/benchmarks/edge.json}.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class EdgeBenchmark {
  private static final KeyPair KEYS = SigningKeys.generate();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void measure(LocalStack stack) throws Exception {
    System.setProperty("ai.djl.pytorch.num_threads", "1");
    Map<String, Object> figures = new LinkedHashMap<>();
    String only = System.getProperty("benchmark.case", "");
    if (only.isEmpty() || only.startsWith("mnist")) {
      figures.put("mnist", mnist(stack));
    }
    if (only.isEmpty() || only.startsWith("mail")) {
      figures.put("mail", mail(stack));
    }
    Path out = Path.of("target", "benchmarks", "edge.json");
    Files.createDirectories(out.getParent());
    JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), figures);
    System.out.println(JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(figures));
    System.out.println("Written to " + out.toAbsolutePath());
  }

  private static Map<String, Object> mnist(LocalStack stack) throws Exception {
    MnistSource test = MnistSoftLabels.test();
    StudentModelVersion version = train(stack, "mnist-64",
        MnistSoftLabels.label(MnistSoftLabels.train(), 0, 20_000, true), 4f, 0.002f);
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode();
      ArrayNode vector = body.putArray("vector");
      for (float v : test.get(i).vector()) {
        vector.add(v);
      }
      bodies.add(body.toString());
    }
    List<StudentInput> inputs = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      inputs.add(StudentInput.ofVector(test.get(i).vector()));
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("student", "mnist-64 v" + version.getVersion());
    try (Teacher teacher = TeacherCatalog.load("mnist");
        InferenceServer teacherServer = new InferenceServer(0, 2, List.of(teacher),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> "RUNNING", 1 << 20);
        EdgeNode node = node(version.getModelName(), 0, null);
        EdgeHttpServer edge = new EdgeHttpServer(node, new EdgeHttpServer.Settings(0, 8, 1 << 20, null),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
      node.offer(version);
      result.put("edgeHttp", latency(URI.create("http://127.0.0.1:" + edge.port() + "/predict"), bodies, 3_000));
      result.put("edgeHttpOneConnection", HttpLoad.oneConnection(edge.port(), "/predict", bodies, 20_000));
      result.put("teacherHttp", latency(URI.create("http://127.0.0.1:" + teacherServer.port() + "/predict"), bodies, 3_000));
      result.put("edgeInProcess", inProcess(node, inputs, 20_000));
      result.put("edgeWrk", HttpLoad.wrk(edge.port(), "/predict", bodies.get(0), Duration.ofSeconds(10)));
      result.put("throughputNoSwaps", load(edge.port(), bodies, node, null, Duration.ofSeconds(10)));
      result.put("throughputSwapEvery500ms", load(edge.port(), bodies, node, version, Duration.ofSeconds(10)));
    }
    return result;
  }

  private static Map<String, Object> mail(LocalStack stack) throws Exception {
    SpamAssassinSource mails = SpamAssassinSource.load(DatasetCache.atDefaultDirectory());
    List<Example> train = new ArrayList<>();
    List<Example> test = new ArrayList<>();
    for (int i = 0; i < mails.size(); i++) {
      Example e = mails.get(i);
      (MailSplit.isTest(e.id()) ? test : train).add(e);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    try (Teacher teacher = TeacherCatalog.load("mail")) {
      // Soft labels of the train split (what the teacher service would publish), five passes.
      List<float[]> trainLogits = logits(teacher, train);
      List<SoftLabel> labels = new ArrayList<>();
      for (int pass = 0; pass < 5; pass++) {
        for (int i = 0; i < train.size(); i++) {
          labels.add(softLabel(teacher, train.get(i), trainLogits.get(i), "-pass" + pass));
        }
      }
      StudentModelVersion version = train(stack, "mail-ngram", labels, 2f, 0.01f);
      List<float[]> teacherTest = logits(teacher, test);
      List<String> bodies = test.stream().map(e -> JSON.createObjectNode().put("text", e.text()).toString()).toList();
      List<StudentInput> inputs = test.stream().map(e -> StudentInput.ofText(e.text())).toList();
      try (InferenceServer teacherServer = new InferenceServer(0, 2, List.of(teacher),
              new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> "RUNNING", 1 << 20);
          EdgeNode node = node(version.getModelName(), 0, null);
          EdgeHttpServer edge = new EdgeHttpServer(node, new EdgeHttpServer.Settings(0, 8, 1 << 20, null),
              new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
        node.offer(version);
        result.put("student", "mail-ngram v" + version.getVersion());
        result.put("testMails", test.size());
        result.put("edgeHttp", latency(URI.create("http://127.0.0.1:" + edge.port() + "/predict"), bodies, 2_000));
        result.put("edgeHttpOneConnection", HttpLoad.oneConnection(edge.port(), "/predict", bodies, 20_000));
        result.put("edgeWrk", HttpLoad.wrk(edge.port(), "/predict", bodies.get(0), Duration.ofSeconds(10)));
        result.put("teacherHttp", latency(URI.create("http://127.0.0.1:" + teacherServer.port() + "/predict"), bodies,
            300));
        result.put("edgeInProcess", inProcess(node, inputs, 20_000));

        // The curve, from the student's and the teacher's answers on every test mail.
        double[] confidence = new double[test.size()];
        boolean[] studentRight = new boolean[test.size()];
        boolean[] teacherRight = new boolean[test.size()];
        for (int i = 0; i < test.size(); i++) {
          EdgeAnswer answer = node.predict(inputs.get(i));
          confidence[i] = answer.studentConfidence();
          studentRight[i] = answer.label().equals(test.get(i).label());
          teacherRight[i] = Softmax.argMax(teacherTest.get(i)) == (test.get(i).label()
              .equals("spam") ? 1 : 0);
        }
        List<Map<String, Object>> curve = new ArrayList<>();
        for (double threshold : new double[] {0, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999}) {
          int alone = 0;
          int right = 0;
          for (int i = 0; i < test.size(); i++) {
            boolean student = confidence[i] >= threshold;
            alone += student ? 1 : 0;
            right += (student ? studentRight[i] : teacherRight[i]) ? 1 : 0;
          }
          curve.add(Map.of("threshold", threshold, "studentAloneShare", (double) alone / test.size(),
              "accuracy", (double) right / test.size()));
        }
        int teacherCorrect = 0;
        for (boolean b : teacherRight) {
          teacherCorrect += b ? 1 : 0;
        }
        result.put("cascadeCurve", curve);
        result.put("teacherAloneAccuracy", (double) teacherCorrect / test.size());

        // The same at 0.9 through the real cascade: the node asks the teacher service over HTTP.
        try (EdgeNode cascading = node(version.getModelName(), 0.9, URI.create("http://127.0.0.1:" + teacherServer.port() + "/predict"))) {
          cascading.offer(version);
          int alone = 0;
          int right = 0;
          int failed = 0;
          for (int i = 0; i < test.size(); i++) {
            EdgeAnswer answer = cascading.predict(inputs.get(i));
            alone += answer.answeredBy() == EdgeAnswer.AnsweredBy.STUDENT && !answer.teacherAsked() ? 1 : 0;
            failed += answer.teacherFailure() != null ? 1 : 0;
            right += answer.label().equals(test.get(i).label()) ? 1 : 0;
          }
          result.put("realCascadeAt0.9", Map.of("studentAloneShare", (double) alone / test.size(),
              "accuracy", (double) right / test.size(), "teacherFailures", failed));
        }
      }
    }
    return result;
  }

  /** Trains a student with the real trainer on the local stack; returns its one published version. */
  private static StudentModelVersion train(LocalStack stack, String student, List<SoftLabel> labels, float temperature,
      float learningRate) throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String soft = "edge-bench-soft-" + suffix;
    String models = "edge-bench-models-" + suffix;
    stack.createTopics(List.of(new NewTopic(soft, 2, (short) 1),
        new NewTopic(models, 1, (short) 1).configs(Topics.studentModelTopicConfig()),
        new NewTopic("edge-bench-dlq-" + suffix, 1, (short) 1)));
    MnistSoftLabels.produce(stack, soft, labels);
    StudentSpec spec = StudentPresets.resolve(student);
    TrainerConfig config = TrainerConfig.builder(student, spec, KEYS)
        .topics(soft, models, "edge-bench-dlq-" + suffix)
        .distillation(temperature, 0.9f)
        .learningRate(learningRate)
        .batchSize(64)
        .publishEvery(labels.size(), Duration.ofHours(1))
        .build();
    List<StudentModelVersion> published = new ArrayList<>();
    OnlineTrainer trainer = new OnlineTrainer(config, stack.clientConfig(), new SimpleMeterRegistry(), published::add);
    Thread thread = new Thread(trainer, "edge-bench-trainer");
    thread.start();
    while (published.isEmpty()) {
      if (!thread.isAlive()) {
        throw new IllegalStateException(student + ": the trainer stopped without publishing");
      }
      Thread.sleep(100);
    }
    trainer.close();
    thread.join();
    System.out.printf("%s v%d: held-out agreement %.4f%n", student, published.get(0).getVersion(),
        published.get(0).getMetrics().get("heldout.agreement"));
    return published.get(0);
  }

  private static EdgeNode node(String model, double threshold, URI teacher) {
    EdgeConfig config = EdgeConfig.defaults("edge-bench", model, List.of(KEYS.getPublic()))
        .withCascade(threshold, teacher, Duration.ofSeconds(5))
        .withSampling(0, 16);
    return new EdgeNode(config, new SimpleMeterRegistry(), event -> { }, FeedbackSink.discarding());
  }

  private static Map<String, Object> latency(URI url, List<String> bodies, int requests) throws Exception {
    for (int i = 0; i < Math.min(200, requests); i++) { // warm-up
      post(url, bodies.get(i % bodies.size()));
    }
    long[] micros = new long[requests];
    int timeouts = 0;
    int done = 0;
    for (int i = 0; i < requests; i++) {
      long started = System.nanoTime();
      Answer response;
      try {
        response = post(url, bodies.get(i % bodies.size()));
      } catch (java.net.http.HttpTimeoutException e) {
        timeouts++;
        continue;
      }
      micros[done++] = (System.nanoTime() - started) / 1_000;
      if (response.statusCode() != 200) {
        throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
      }
    }
    Map<String, Object> result = new LinkedHashMap<>(percentiles(Arrays.copyOf(micros, done)));
    result.put("timeouts", timeouts);
    return result;
  }

  private static Map<String, Object> inProcess(EdgeNode node, List<StudentInput> inputs, int requests) {
    for (int i = 0; i < 2_000; i++) {
      node.predict(inputs.get(i % inputs.size()));
    }
    long[] micros = new long[requests];
    for (int i = 0; i < requests; i++) {
      long started = System.nanoTime();
      node.predict(inputs.get(i % inputs.size()));
      micros[i] = (System.nanoTime() - started) / 1_000;
    }
    return percentiles(micros);
  }

  /** 4 client threads for {@code duration}; with {@code swap}, a re-signed copy of it is offered every 500 ms. */
  private static Map<String, Object> load(int port, List<String> bodies, EdgeNode node, StudentModelVersion swap,
      Duration duration) throws Exception {
    URI url = URI.create("http://127.0.0.1:" + port + "/predict");
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long end = System.nanoTime() + duration.toNanos();
    List<Thread> clients = new ArrayList<>();
    List<long[]> latencies = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      long[] mine = new long[2_000_000];
      latencies.add(mine);
      int offset = t;
      Thread client = new Thread(() -> {
        int i = 0;
        while (System.nanoTime() < end) {
          long started = System.nanoTime();
          try {
            Answer response = post(url, bodies.get((i * 4 + offset) % bodies.size()));
            if (response.statusCode() == 200) {
              if (i < mine.length - 1) {
                mine[i++] = (System.nanoTime() - started) / 1_000;
              }
              ok.incrementAndGet();
            } else {
              failed.incrementAndGet();
            }
          } catch (Exception e) {
            failed.incrementAndGet();
          }
        }
        mine[mine.length - 1] = i;
      });
      clients.add(client);
      client.start();
    }
    int swaps = 0;
    long next = node.status().servedVersion() + 1;
    while (System.nanoTime() < end) {
      Thread.sleep(500);
      if (swap != null) {
        node.offer(new VersionSigner(KEYS).sign(StudentModelVersion.newBuilder(swap).setVersion(next++).build()));
        swaps++;
      }
    }
    for (Thread client : clients) {
      client.join();
    }
    List<Long> all = new ArrayList<>();
    for (long[] mine : latencies) {
      int n = (int) mine[mine.length - 1];
      for (int i = 0; i < Math.min(n, mine.length - 1); i++) {
        all.add(mine[i]);
      }
    }
    long[] micros = all.stream().mapToLong(Long::longValue).toArray();
    Map<String, Object> result = new LinkedHashMap<>(percentiles(micros));
    result.put("requestsPerSecond", micros.length / (duration.toNanos() / 1e9));
    result.put("failed", failed.get());
    result.put("swaps", swaps);
    return result;
  }

  /** The answer of one request: status and body. */
  private record Answer(int statusCode, String body) {}

  /** One POST on a kept-alive connection (the JDK's HttpClient sets TCP_NODELAY). */
  private static Answer post(URI url, String body) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.body());
  }

  private static Map<String, Object> percentiles(long[] micros) {
    long[] sorted = micros.clone();
    Arrays.sort(sorted);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("requests", sorted.length);
    result.put("p50Micros", sorted[sorted.length / 2]);
    result.put("p99Micros", sorted[(int) (sorted.length * 0.99)]);
    return result;
  }

  private static List<float[]> logits(Teacher teacher, List<Example> examples) {
    List<float[]> logits = new ArrayList<>();
    try (TeacherPredictor predictor = teacher.newPredictor()) {
      for (int from = 0; from < examples.size(); from += 16) {
        List<TeacherInput> batch = examples.subList(from, Math.min(examples.size(), from + 16)).stream()
            .map(e -> TeacherInput.ofText(e.text())).toList();
        for (Prediction p : predictor.predict(batch)) {
          logits.add(p.logits());
        }
      }
    }
    return logits;
  }

  private static SoftLabel softLabel(Teacher teacher, Example example, float[] logits, String idSuffix) {
    InputEvent event = InputEvent.newBuilder().setId(example.id() + idSuffix).setTimestamp(Instant.now())
        .setSource("spamassassin").setText(example.text()).setLabel(example.label()).setAttributes(Map.of()).build();
    return SoftLabel.newBuilder().setEvent(event).setClasses(StudentPresets.MAIL)
        .setTeachers(List.of(new TeacherOutput(teacher.descriptor().id(), teacher.descriptor().version(),
            AvroValues.boxed(logits), null)))
        .setLabelledAt(Instant.now()).build();
  }
}
