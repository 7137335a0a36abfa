package io.streamdistill.edge.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.datasets.ImagePixels;
import io.streamdistill.edge.EdgeConfig;
import io.streamdistill.edge.EdgeNode;
import io.streamdistill.edge.FakeTeacher;
import io.streamdistill.edge.TestVersions;
import io.streamdistill.edge.feedback.FeedbackSink;
import io.streamdistill.edge.versions.DeploymentSink;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.student.MlpSpec;
import io.streamdistill.student.StudentFixtures;
import io.streamdistill.student.StudentSpec;
import io.streamdistill.student.StudentWeights;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The edge service's HTTP endpoints over real HTTP on loopback. */
class EdgeHttpServerTest {
  private static final String IMAGE = "{\"vector\": [" + "0.5,".repeat(783) + "0.5]}";

  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private FakeTeacher teacher;
  private EdgeNode node;
  private EdgeHttpServer server;
  private Http http;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
    if (node != null) {
      node.close();
    }
    if (teacher != null) {
      teacher.close();
    }
    metrics.close();
  }

  private void start(EdgeConfig config) throws Exception {
    node = new EdgeNode(config, metrics, DeploymentSink.discarding(), FeedbackSink.discarding());
    server = new EdgeHttpServer(node, new EdgeHttpServer.Settings(0, 4, 64 * 1024, null), metrics);
    http = new Http(server.port());
  }

  /** Starts a node of {@code model} with no teacher, serving v1 of {@code spec} with random weights. */
  private void startServing(String model, StudentSpec spec) throws Exception {
    start(EdgeConfig.defaults("node-1", model, List.of(TestVersions.KEYS.getPublic())).withCascade(0, null,
        Duration.ofMillis(200)));
    node.offer(TestVersions.SIGNER.sign(StudentFixtures.unsignedVersion(model, 1, spec,
        StudentFixtures.randomWeights(spec, 1, 0.5f))));
  }

  private static EdgeConfig config() {
    return EdgeConfig.defaults("node-1", TestVersions.MODEL, List.of(TestVersions.KEYS.getPublic()));
  }

  @Test
  void shouldAnswerWithTheClassTheVersionAndWhoAnswered() throws Exception {
    start(config());
    node.offer(TestVersions.sure(3, 7));
    HttpResponse<String> response = http.post("/predict", IMAGE);
    assertEquals(200, response.statusCode(), response.body());
    JsonNode answer = Http.json(response);
    assertEquals("7", answer.get("label").asText());
    assertEquals(3, answer.get("modelVersion").asLong());
    assertEquals("mnist-edge", answer.get("model").asText());
    assertEquals("student", answer.get("answeredBy").asText());
    assertEquals(false, answer.get("teacherAsked").asBoolean());
    assertEquals(10, answer.get("probabilities").size());
    assertEquals(10, answer.get("classes").size());
    assertTrue(answer.get("probabilities").get(7).asDouble() > 0.99);
    assertTrue(!answer.has("teacherFailed"));
  }

  @Test
  void shouldSayTheTeacherAnsweredOrWhyItDidNot() throws Exception {
    teacher = new FakeTeacher(FakeTeacher.Mode.ANSWER);
    start(config().withCascade(0.9, teacher.url(), Duration.ofMillis(300)));
    node.offer(TestVersions.unsure(1));
    JsonNode answered = Http.json(http.post("/predict", IMAGE));
    assertEquals("teacher", answered.get("answeredBy").asText());
    assertEquals("8", answered.get("label").asText());
    assertEquals(true, answered.get("uncertain").asBoolean());

    teacher.mode(FakeTeacher.Mode.HANG);
    JsonNode timedOut = Http.json(http.post("/predict", IMAGE));
    assertEquals("student", timedOut.get("answeredBy").asText());
    assertEquals("timeout", timedOut.get("teacherFailed").asText());
    assertEquals("0", timedOut.get("label").asText());
  }

  @Test
  void shouldAnswerTextRequestsWithATextStudent() throws Exception {
    startServing("mail-ngram", StudentFixtures.tinyNgram());
    JsonNode answer = Http.json(http.post("/predict", "{\"text\": \"Subject: cheap pills, buy now\"}"));
    assertTrue(List.of("ham", "spam").contains(answer.get("label").asText()), answer.toString());
    assertEquals(1, answer.get("modelVersion").asLong());
  }

  @Test
  void shouldReadAnImageSentInBase64AsItsTrainingImagesWereRead() throws Exception {
    startServing("shapes", StudentFixtures.tinyCnn()); // 3 channels of 7x6
    BufferedImage image = new BufferedImage(12, 14, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 14; y++) {
      for (int x = 0; x < 12; x++) {
        image.setRGB(x, y, y < 7 ? 0xff2010 : 0x10a0f0);
      }
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(image, "png", png));
    float[] pixels = ImagePixels.decode(png.toByteArray(), 3, 7, 6);

    JsonNode byImage = Http.json(http.post("/predict", "{\"image\": \"data:image/png;base64,"
        + Base64.getEncoder().encodeToString(png.toByteArray()) + "\"}"));
    StringBuilder vector = new StringBuilder("{\"vector\": [");
    for (int i = 0; i < pixels.length; i++) {
      vector.append(i == 0 ? "" : ",").append(pixels[i]);
    }
    JsonNode byVector = Http.json(http.post("/predict", vector.append("]}").toString()));

    assertEquals(byVector.get("probabilities"), byImage.get("probabilities"), byImage.toString());
    assertEquals(0xff / 255f, pixels[0], 1e-6f, "the top rows' red, read in colour at 7x6");
    assertError(http.post("/predict", "{\"image\": \"%%%\"}"), 400, "\"image\" is not base64");
    assertError(http.post("/predict", "{\"image\": \"aGVsbG8=\"}"), 400, "not an image Java decodes");
    assertError(http.post("/predict", "{\"image\": 7}"), 400, "\"image\" must be a string");
  }

  @Test
  void shouldRefuseAnImageForAStudentThatReadsNone() throws Exception {
    start(config());
    node.offer(TestVersions.sure(1, 1));
    assertError(http.post("/predict", "{\"image\": \"aGVsbG8=\"}"), 400, "the served student (kind mlp) reads no"
        + " image");
  }

  @Test
  void shouldRefuseAnEmptyTextAsTheTeacherDoes() throws Exception {
    startServing("mail-ngram", StudentFixtures.tinyNgram());
    assertError(http.post("/predict", "{\"text\": \"\"}"), 400, "empty text");
    assertError(http.post("/predict", "{\"text\": \" \\n\\t \"}"), 400, "empty text");
  }

  @Test
  void shouldRefuseBadInputWithAReason() throws Exception {
    start(config());
    node.offer(TestVersions.sure(1, 1));
    assertError(http.post("/predict", "{\"vector\": [1, 2]}"), 400, "784");
    assertError(http.post("/predict", "{\"text\": \"hello\"}"), 400, "");
    assertError(http.post("/predict", "not json"), 400, "not JSON");
    assertError(http.post("/predict", "{\"vector\": [1, \"x\"]}"), 400, "index 1 is not a number");
    assertError(http.post("/predict", "{}"), 400, "\"text\", \"vector\", \"fields\" or \"image\"");
    assertError(http.post("/predict", "{\"vector\": [" + "1,".repeat(40_000) + "1]}"), 413, "over");
    assertError(http.get("/predict"), 405, "use POST");
    assertError(http.post("/predict/more", IMAGE), 404, "no such endpoint");
  }

  @Test
  void shouldAnswerStructuredRequestsAndSendTheirFieldsToTheTeacherAndBack() throws Exception {
    teacher = new FakeTeacher(FakeTeacher.Mode.ANSWER);
    List<InputEvent> sentBack = new CopyOnWriteArrayList<>();
    MlpSpec spec = StudentFixtures.tinyFieldsMlp();
    node = new EdgeNode(EdgeConfig.defaults("node-1", "flows", List.of(TestVersions.KEYS.getPublic()))
        .withCascade(0.9, teacher.url(), Duration.ofSeconds(5)).withSampling(0, 100), metrics,
        DeploymentSink.discarding(), sentBack::add);
    server = new EdgeHttpServer(node, new EdgeHttpServer.Settings(0, 4, 64 * 1024, null), metrics);
    http = new Http(server.port());
    String flow = "{\"fields\": {\"proto\": \"tcp\", \"bytes\": 181, \"flag\": null, \"service\": \"http\"}}";

    node.offer(TestVersions.SIGNER.sign(StudentFixtures.unsignedVersion("flows", 1, spec, outputBias(spec, 12f))));
    JsonNode sure = Http.json(http.post("/predict", flow));
    assertEquals("normal", sure.get("label").asText(), sure.toString());
    assertEquals("student", sure.get("answeredBy").asText());
    assertEquals(List.of(), teacher.requests());

    assertError(http.post("/predict", "{\"fields\": {\"bytes\": \"many\"}}"), 400, "field 'bytes' is 'many'");
    assertError(http.post("/predict", "{\"fields\": [1, 2]}"), 400, "\"fields\" must be an object");
    assertError(http.post("/predict", "{\"fields\": {\"proto\": [\"tcp\"]}}"), 400,
        "field \"proto\" must be a number, a string or null");
    assertError(http.post("/predict", IMAGE), 400, "record of named fields");
    assertError(http.post("/predict", "{\"fields\": {\"zzz\": 1}}"), 400,
        "the record has none of the fields bytes, duration, proto, flag");
    JsonNode asString = Http.json(http.post("/predict",
        "{\"fields\": {\"bytes\": \"181\", \"duration\": \"12.5\"}}"));
    assertEquals("normal", asString.get("label").asText(), "a number written as a string is read: " + asString);

    node.offer(TestVersions.SIGNER.sign(StudentFixtures.unsignedVersion("flows", 2, spec, outputBias(spec, 0f))));
    JsonNode unsure = Http.json(http.post("/predict", flow));
    assertEquals("teacher", unsure.get("answeredBy").asText(), unsure.toString());
    assertEquals(0.5, unsure.get("studentConfidence").asDouble(), 1e-6);
    JsonNode asked = Http.JSON.readTree(teacher.requests().get(0));
    assertEquals(Set.of("fields"), Set.copyOf(iterable(asked.fieldNames())), asked.toString());
    assertEquals("tcp", asked.get("fields").get("proto").asText());
    assertEquals(181.0, asked.get("fields").get("bytes").asDouble());
    assertTrue(asked.get("fields").get("flag").isNull(), asked.toString());
    assertEquals(1, sentBack.size());
    Map<String, Object> structured = sentBack.get(0).getStructured();
    assertEquals(181.0, structured.get("bytes"));
    assertEquals("tcp", structured.get("proto"));
    assertTrue(structured.containsKey("flag") && structured.get("flag") == null, structured.toString());
    assertTrue(sentBack.get(0).getUncertain());
  }

  /** A fields-mlp version whose weights are zero but the first class's output bias: the same answer for any record. */
  private static StudentWeights outputBias(MlpSpec spec, float bias) {
    StudentWeights weights = new StudentWeights();
    for (var entry : spec.parameterShapes().entrySet()) {
      weights.put(entry.getKey(), entry.getValue(),
          new float[Arrays.stream(entry.getValue()).reduce(1, (a, b) -> a * b)]);
    }
    weights.get(MlpSpec.biasName(spec.hidden().size())).values()[0] = bias;
    return weights;
  }

  private static <T> List<T> iterable(java.util.Iterator<T> iterator) {
    List<T> list = new java.util.ArrayList<>();
    iterator.forEachRemaining(list::add);
    return list;
  }

  @Test
  void shouldAnswer503WithTheReasonUntilAVersionIsLoaded() throws Exception {
    start(config());
    HttpResponse<String> predict = http.post("/predict", IMAGE);
    assertError(predict, 503, "no valid student version of model 'mnist-edge'");
    HttpResponse<String> health = http.get("/health");
    assertEquals(503, health.statusCode());
    assertEquals("NO_VERSION", Http.json(health).get("status").asText());

    node.offer(TestVersions.sure(1, 1));
    HttpResponse<String> up = http.get("/health");
    assertEquals(200, up.statusCode(), up.body());
    assertEquals("UP", Http.json(up).get("status").asText());
    assertEquals(1, Http.json(up).get("version").asLong());
    assertEquals(200, http.post("/predict", IMAGE).statusCode());
  }

  @Test
  void shouldExposeMetricsInPrometheusFormat() throws Exception {
    start(config());
    node.offer(TestVersions.sure(4, 1));
    assertEquals(200, http.post("/predict", IMAGE).statusCode());
    assertEquals(200, http.post("/predict", IMAGE).statusCode());
    String scrape = http.get("/metrics").body();
    for (String line : new String[] {"distill_edge_requests_total{path=\"student\"} 2.0",
        "distill_edge_requests_total{path=\"teacher\"} 0.0", "distill_edge_student_share 1.0",
        "distill_edge_version_current 4.0", "distill_edge_versions_loaded_total 1.0",
        "distill_edge_versions_rejected_total 0.0", "distill_edge_latency_seconds_count{path=\"student\"} 2"}) {
      assertTrue(scrape.contains(line), line + " missing from\n" + scrape);
    }
  }

  private static void assertError(HttpResponse<String> response, int status, String message) {
    assertEquals(status, response.statusCode(), response.body());
    String error = Http.json(response).get("error").asText();
    assertTrue(error.contains(message), error);
  }
}
