package io.streamdistill.teacher.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.teacher.testing.FakeTeacher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The synchronous endpoint over real HTTP on loopback, with a stand-in teacher. */
class InferenceServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicReference<String> state = new AtomicReference<>("RUNNING");
  private InferenceServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void start(io.streamdistill.teacher.model.Teacher... teachers) throws Exception {
    server = new InferenceServer(0, 2, List.of(teachers), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        state::get, 4096);
  }

  private HttpResponse<String> post(String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/predict"))
        .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldAnswerWithTheMeanOfTheTeachersProbabilities() throws Exception {
    start(FakeTeacher.vector("one", 2, 1f), FakeTeacher.vector("two", 2, 2f));
    HttpResponse<String> response = post("{\"vector\": [0.5, 0.5]}");
    assertEquals(200, response.statusCode(), response.body());
    JsonNode answer = JSON.readTree(response.body());
    // one: logits (1, -1); two: (2, -2). Mean of their softmax for class a:
    double expected = (1 / (1 + Math.exp(-2)) + 1 / (1 + Math.exp(-4))) / 2;
    assertEquals(expected, answer.get("probabilities").get(0).asDouble(), 1e-9);
    assertEquals("a", answer.get("label").asText());
    assertEquals(2, answer.get("teachers").size());
    assertEquals(2.0, answer.get("teachers").get(1).get("logits").get(0).asDouble(), 1e-6);
  }

  @Test
  void shouldRefuseBadInputWithTheSameReasonsAsTheStream() throws Exception {
    start(FakeTeacher.vector("mnist", 3, 1f));
    HttpResponse<String> wrongWidth = post("{\"vector\": [1, 2]}");
    assertEquals(400, wrongWidth.statusCode());
    assertEquals("vector has 2 values, teacher mnist expects 3",
        JSON.readTree(wrongWidth.body()).get("error").asText());
    assertEquals(400, post("not json").statusCode());
    assertEquals(400, post("{\"text\": \"hi\"}").statusCode());
    assertEquals(413, post("{\"vector\": [" + "1,".repeat(3000) + "1]}").statusCode());
    assertEquals(405, get("/predict").statusCode());
  }

  @Test
  void shouldAnswer500WithTheReasonWhenTheTeacherFails() throws Exception {
    start(FakeTeacher.text("mail"));
    HttpResponse<String> failed = post("{\"text\": \"BOOM\"}");
    assertEquals(500, failed.statusCode());
    assertTrue(JSON.readTree(failed.body()).get("error").asText().contains("the model chokes on BOOM"), failed.body());
  }

  @Test
  void shouldReportHealthFromTheStreamState() throws Exception {
    start(FakeTeacher.text("mail"));
    assertEquals(200, get("/health").statusCode());
    state.set("ERROR");
    HttpResponse<String> down = get("/health");
    assertEquals(503, down.statusCode());
    assertEquals("DOWN", JSON.readTree(down.body()).get("status").asText());
  }

  @Test
  void shouldExposeMetricsInPrometheusFormat() throws Exception {
    start(FakeTeacher.text("mail"));
    assertEquals(200, post("{\"text\": \"hello\"}").statusCode());
    HttpResponse<String> metrics = get("/metrics");
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("distill_teacher_http_predict_seconds_count 1"), metrics.body());
  }

  // ------------------------------------------------------------------ Open Inference Protocol (KServe v2)

  private HttpResponse<String> postTo(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body());
  }

  /** The protocol's own example request ("id": "42", one input of shape [2, 2]), as a vector teacher takes it. */
  @Test
  void shouldAnswerAnInferRequestWithTensorsAsTheProtocolGivesThem() throws Exception {
    start(FakeTeacher.vector("one", 2, 1f));
    HttpResponse<String> response = postTo("/v2/models/one/infer", """
        {"id": "42", "inputs": [{"name": "vector", "shape": [2, 2], "datatype": "FP32", "data": [1, 2, 3, 4]}]}""");

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
    JsonNode answer = json(response);
    assertEquals("one", answer.get("model_name").asText());
    assertEquals("v1", answer.get("model_version").asText());
    assertEquals("42", answer.get("id").asText());
    assertEquals(1, answer.get("outputs").size());
    JsonNode logits = answer.get("outputs").get(0);
    assertEquals("logits", logits.get("name").asText());
    assertEquals("FP32", logits.get("datatype").asText());
    assertEquals(List.of(2, 2), ints(logits.get("shape")));
    // FakeTeacher: (sum, -sum) per row, flattened row-major as the protocol's JSON tensors are.
    assertEquals(List.of(3.0, -3.0, 7.0, -7.0), doubles(logits.get("data")));
  }

  @Test
  void shouldTakeNestedDataAndAnyInputNameWhenThereIsOneInput() throws Exception {
    start(FakeTeacher.vector("one", 2, 1f));
    HttpResponse<String> response = postTo("/v2/models/one/versions/v1/infer", """
        {"inputs": [{"name": "input0", "shape": [2, 2], "datatype": "FP32", "data": [[1, 2], [3, 4]]}],
         "outputs": [{"name": "logits"}]}""");

    assertEquals(200, response.statusCode(), response.body());
    assertEquals(List.of(3.0, -3.0, 7.0, -7.0), doubles(json(response).get("outputs").get(0).get("data")));
    assertTrue(json(response).get("id") == null, "no id asked, none echoed");
  }

  @Test
  void shouldAnswerTextAsBytesWithTheEmbeddingBesideTheLogits() throws Exception {
    start(FakeTeacher.text("mail"));
    HttpResponse<String> response = postTo("/v2/models/mail/infer", """
        {"inputs": [{"name": "text", "shape": [2], "datatype": "BYTES", "data": ["hello", "hi"]}]}""");

    assertEquals(200, response.statusCode(), response.body());
    JsonNode outputs = json(response).get("outputs");
    assertEquals("logits", outputs.get(0).get("name").asText());
    assertEquals(List.of(5.0, -5.0, 2.0, -2.0), doubles(outputs.get(0).get("data")));
    assertEquals("embedding", outputs.get(1).get("name").asText());
    assertEquals(List.of(2, 2), ints(outputs.get(1).get("shape")));
    assertEquals(List.of(1.0, 0.0, 1.0, 0.0), doubles(outputs.get(1).get("data")));
  }

  @Test
  void shouldAnswerTheEnsembleUnderTheServiceNameWithTheLogOfTheMeanProbability() throws Exception {
    server = new InferenceServer(0, 2, List.of(FakeTeacher.vector("one", 2, 1f), FakeTeacher.vector("two", 2, 2f)),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), state::get, 4096, "my-teacher");
    HttpResponse<String> response = postTo("/v2/models/my-teacher/infer", """
        {"inputs": [{"name": "vector", "shape": [1, 2], "datatype": "FP32", "data": [0.5, 0.5]}]}""");

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("v1+v1", json(response).get("model_version").asText());
    List<Double> logits = doubles(json(response).get("outputs").get(0).get("data"));
    double expected = (1 / (1 + Math.exp(-2)) + 1 / (1 + Math.exp(-4))) / 2; // as /predict's mean
    assertEquals(Math.log(expected), logits.get(0), 1e-6);
    assertEquals(Math.log(1 - expected), logits.get(1), 1e-6);
    assertEquals(404, postTo("/v2/models/distill-teacher/infer", "{}").statusCode(), "renamed");
  }

  @Test
  void shouldPublishModelMetadataWithTheClasses() throws Exception {
    start(FakeTeacher.vector("one", 3, 1f));
    HttpResponse<String> response = get("/v2/models/one");

    assertEquals(200, response.statusCode(), response.body());
    JsonNode metadata = json(response);
    assertEquals("one", metadata.get("name").asText());
    assertEquals("v1", metadata.get("versions").get(0).asText());
    assertEquals("stream-distill/fake", metadata.get("platform").asText());
    JsonNode input = metadata.get("inputs").get(0);
    assertEquals("vector", input.get("name").asText());
    assertEquals("FP32", input.get("datatype").asText());
    assertEquals(List.of(-1, 3), ints(input.get("shape")));
    JsonNode logits = metadata.get("outputs").get(0);
    assertEquals("logits", logits.get("name").asText());
    assertEquals(List.of(-1, 2), ints(logits.get("shape")));
    // Parameter values are strings, numbers or booleans in the protocol: the list travels as a JSON string.
    assertEquals("[\"a\",\"b\"]", logits.get("parameters").get("classes").asText());
    assertEquals(List.of("a", "b"), io.streamdistill.teacher.remote.OipTensors.classes(metadata));

    assertEquals("distill-teacher", json(get("/v2/models/distill-teacher")).get("name").asText());
    assertEquals("distill-teacher", json(get("/v2")).get("name").asText());
  }

  @Test
  void shouldAnswerHealthAndReadiness() throws Exception {
    start(FakeTeacher.vector("one", 2, 1f));
    assertEquals(200, get("/v2/health/live").statusCode());
    HttpResponse<String> ready = get("/v2/health/ready");
    assertEquals(200, ready.statusCode());
    assertTrue(json(ready).get("ready").asBoolean());
    assertEquals(200, get("/v2/models/one/ready").statusCode());
    assertEquals(200, get("/v2/models/one/versions/v1/ready").statusCode());
    assertEquals(404, get("/v2/models/nobody/ready").statusCode());
  }

  @Test
  void shouldAnswerErrorsAsJsonWithAnErrorField() throws Exception {
    start(FakeTeacher.vector("one", 2, 1f), FakeTeacher.text("two"));
    String goodVector = "{\"name\": \"vector\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, 2]}";

    assertError(404, "unknown model 'nobody'", postTo("/v2/models/nobody/infer", "{}"));
    assertError(404, "has no version 'v9'", get("/v2/models/one/versions/v9"));
    assertError(404, "no such endpoint", get("/v2/models/one/explain"));
    assertError(400, "not JSON", postTo("/v2/models/one/infer", "not json"));
    assertError(400, "no \"inputs\"", postTo("/v2/models/one/infer", "{\"inputs\": []}"));
    assertError(400, "must have shape [n, 2]", postTo("/v2/models/one/infer",
        "{\"inputs\": [{\"name\": \"vector\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}"));
    assertError(400, "shape [2, 2] (4 values) but 2 values", postTo("/v2/models/one/infer",
        "{\"inputs\": [{\"name\": \"vector\", \"shape\": [2, 2], \"datatype\": \"FP32\", \"data\": [1, 2]}]}"));
    assertError(400, "must be numeric", postTo("/v2/models/one/infer",
        "{\"inputs\": [{\"name\": \"vector\", \"shape\": [1, 2], \"datatype\": \"BYTES\","
            + " \"data\": [\"a\", \"b\"]}]}"));
    assertError(400, "has no output 'probabilities'", postTo("/v2/models/one/infer",
        "{\"inputs\": [" + goodVector + "], \"outputs\": [{\"name\": \"probabilities\"}]}"));
    assertError(400, "no input tensor \"text\" for teacher two", postTo("/v2/models/distill-teacher/infer",
        "{\"inputs\": [" + goodVector + ", " + goodVector.replace("\"vector\"", "\"other\"") + "]}"));
    assertError(413, "over 4096 bytes", postTo("/v2/models/one/infer", "{\"inputs\": [" + " ".repeat(5000) + "]}"));
    assertError(500, "the teacher failed", postTo("/v2/models/two/infer",
        "{\"inputs\": [{\"name\": \"text\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\"BOOM\"]}]}"));
    assertError(405, "use POST", get("/v2/models/one/infer"));
  }

  @Test
  void shouldRefuseNonFiniteInputAsTheStreamDoes() throws Exception {
    start(FakeTeacher.vector("one", 2, 1f));
    // JSON has no NaN; Jackson reads the bare token only when allowed, so a huge number stands in for infinity.
    assertError(400, "input 0: vector has an infinite value at index 1", postTo("/v2/models/one/infer",
        "{\"inputs\": [{\"name\": \"vector\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, 1e300]}]}"));
  }

  @Test
  void shouldPredictForStructuredFields() throws Exception {
    start(new FieldsTeacher());
    HttpResponse<String> response = post("{\"fields\": {\"proto\": \"tcp\", \"bytes\": 512, \"flag\": null}}");
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(3.0, json(response).get("teachers").get(0).get("logits").get(0).asDouble(), 1e-6);
    assertEquals(400, post("{\"fields\": [1, 2]}").statusCode());
    assertEquals(400, post("{\"fields\": {\"nested\": {\"a\": 1}}}").statusCode());

    HttpResponse<String> infer = postTo("/v2/models/fields/infer", """
        {"inputs": [{"name": "fields", "shape": [2], "datatype": "BYTES",
                     "data": ["{\\"proto\\": \\"udp\\"}", "{\\"a\\": 1.5, \\"b\\": null}"]}]}""");
    assertEquals(200, infer.statusCode(), infer.body());
    assertEquals(List.of(1.0, -1.0, 2.0, -2.0), doubles(json(infer).get("outputs").get(0).get("data")));
  }

  @Test
  void shouldAnswer400WithTheReasonWhenARecordDoesNotFitTheTeacher() throws Exception {
    start(new FieldsTeacher());
    HttpResponse<String> refused = post("{\"fields\": {\"a\": \"lots\"}}");
    assertEquals(400, refused.statusCode(), refused.body());
    assertEquals("field 'a' is 'lots', not a number (a numeric field)", json(refused).get("error").asText());

    assertError(400, "field 'a' is 'lots'", postTo("/v2/models/fields/infer", """
        {"inputs": [{"name": "fields", "shape": [1], "datatype": "BYTES", "data": ["{\\"a\\": \\"lots\\"}"]}]}"""));
  }

  private static void assertError(int status, String fragment, HttpResponse<String> response) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
    String error = json(response).get("error").asText();
    assertTrue(error.contains(fragment), "error '" + error + "' should say '" + fragment + "'");
  }

  private static List<Integer> ints(JsonNode array) {
    List<Integer> values = new java.util.ArrayList<>();
    array.forEach(v -> values.add(v.asInt()));
    return values;
  }

  private static List<Double> doubles(JsonNode array) {
    List<Double> values = new java.util.ArrayList<>();
    array.forEach(v -> values.add(v.asDouble()));
    return values;
  }

  /**
   * A structured teacher: logits (number of fields, -number), and it checks that the fields arrived typed; it
   * cannot read 'lots' in field a.
   */
  private static final class FieldsTeacher implements io.streamdistill.teacher.model.Teacher {
    private final io.streamdistill.teacher.model.TeacherDescriptor descriptor =
        new io.streamdistill.teacher.model.TeacherDescriptor("fields", "v1", "fake", List.of("a", "b"),
            io.streamdistill.teacher.model.TeacherDescriptor.STRUCTURED, 0, 0, java.util.Map.of("w", "00"),
            java.util.Map.of(), java.util.Map.of());

    @Override
    public io.streamdistill.teacher.model.TeacherDescriptor descriptor() {
      return descriptor;
    }

    @Override
    public io.streamdistill.teacher.model.TeacherPredictor newPredictor() {
      return new io.streamdistill.teacher.model.TeacherPredictor() {
        @Override
        public List<io.streamdistill.teacher.model.Prediction> predict(
            List<io.streamdistill.teacher.model.TeacherInput> batch) {
          return batch.stream().map(input -> {
            if ("lots".equals(input.fields().get("a"))) {
              // What a dense-mlp teacher's featurizer says of a record it cannot read.
              throw new io.streamdistill.teacher.model.TeacherInputException(
                  "field 'a' is 'lots', not a number (a numeric field)");
            }
            input.fields().values().forEach(v -> {
              if (v != null && !(v instanceof Double) && !(v instanceof String)) {
                throw new IllegalStateException("field of type " + v.getClass());
              }
            });
            float n = input.fields().size();
            return new io.streamdistill.teacher.model.Prediction(new float[] {n, -n}, null);
          }).toList();
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public void close() {}
  }
}
