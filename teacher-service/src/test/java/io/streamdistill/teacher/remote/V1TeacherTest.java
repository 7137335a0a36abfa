package io.streamdistill.teacher.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamdistill.http.HttpRequest;
import io.streamdistill.http.HttpResponse;
import io.streamdistill.http.HttpServer;
import io.streamdistill.student.Softmax;
import io.streamdistill.teacher.TeacherCatalog;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import io.streamdistill.teacher.model.TeacherUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code v1} teacher (TensorFlow Serving, KServe v1, MLflow) against real HTTP on loopback: a server that answers
 * as each of them does, written by import's {@link V1TeacherLoader#describe} and loaded through the catalog.
 */
class V1TeacherTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<String> paths = Collections.synchronizedList(new ArrayList<>());
  private final List<JsonNode> requests = Collections.synchronizedList(new ArrayList<>());
  private HttpServer server;

  @TempDir
  Path dir;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** Serves {@code answer(instances)} as the predictions of every POST, 200 unless it starts with a status. */
  private String serve(Function<JsonNode, String> answer) throws IOException {
    server = HttpServer.builder("v1-stub").threads(4).routeUnder("", (HttpRequest request) -> {
      paths.add(request.rawPath());
      JsonNode body = JSON.readTree(request.body());
      requests.add(body);
      String predictions = answer.apply(body.get("instances"));
      if (predictions.startsWith("4") || predictions.startsWith("5")) {
        return HttpResponse.json(Integer.parseInt(predictions.substring(0, 3)),
            predictions.substring(4).getBytes(StandardCharsets.UTF_8));
      }
      return HttpResponse.json(200, ("{\"predictions\": " + predictions + "}").getBytes(StandardCharsets.UTF_8));
    }).start();
    return "http://localhost:" + server.port();
  }

  private List<Prediction> predict(Path teacherDir, TeacherInput... inputs) {
    try (Teacher teacher = TeacherCatalog.load(teacherDir.toString());
        TeacherPredictor predictor = teacher.newPredictor()) {
      return predictor.predict(List.of(inputs));
    }
  }

  private static Map<String, String> options(String url, String... more) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("url", url);
    options.put("model", "sentiment");
    options.put("retries", "0");
    for (int i = 0; i < more.length; i += 2) {
      options.put(more[i], more[i + 1]);
    }
    return options;
  }

  @Test
  void shouldLabelTextWithTheProbabilitiesTensorFlowServingAnswersAsTheirLogarithms() throws IOException {
    String url = serve(instances -> {
      StringBuilder out = new StringBuilder("[");
      for (JsonNode text : instances) {
        out.append(out.length() > 1 ? ", " : "").append(text.asText().contains("good") ? "[0.1, 0.9]" : "[0.8, 0.2]");
      }
      return out + "]";
    });
    V1TeacherLoader.describe(dir, "sentiment", null, List.of("neg", "pos"), "text", 0, options(url));

    List<Prediction> answers = predict(dir, TeacherInput.ofText("a good film"), TeacherInput.ofText("dull"));

    assertEquals("/v1/models/sentiment:predict", paths.get(0));
    assertEquals("{\"instances\":[\"a good film\",\"dull\"]}", requests.get(0).toString());
    assertArrayEquals(new float[] {0.1f, 0.9f}, softmax(answers.get(0).logits()), 1e-5f);
    assertArrayEquals(new float[] {0.8f, 0.2f}, softmax(answers.get(1).logits()), 1e-5f);
  }

  @Test
  void shouldReadLogitsFromObjectPredictionsOfAPinnedVersionAndSendVectorsAsArrays() throws IOException {
    String url = serve(instances -> "[{\"logits\": [2.5, -1.0, 0.5], \"embedding\": [1, 2]}]");
    V1TeacherLoader.describe(dir, "vec", "v3", List.of("a", "b", "c"), "vector", 2,
        options(url, "modelVersion", "3"));

    List<Prediction> answers = predict(dir, TeacherInput.ofVector(new float[] {0.5f, -2f}));

    assertEquals("/v1/models/sentiment/versions/3:predict", paths.get(0));
    assertEquals("{\"instances\":[[0.5,-2.0]]}", requests.get(0).toString());
    // Logits as they came: 2.5, -1.0 and 0.5 are no probabilities.
    assertArrayEquals(new float[] {2.5f, -1f, 0.5f}, answers.get(0).logits());
  }

  @Test
  void shouldPostToMlflowsPathAndTakeOneNumberAsTheSecondClassesProbability() throws IOException {
    String url = serve(instances -> "[0.75, [0.25]]");
    V1TeacherLoader.describe(dir, "churn", null, List.of("stays", "leaves"), "structured", 0,
        options(url, "predictPath", "/invocations"));
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("plan", "basic");
    record.put("months", 7.0);

    List<Prediction> answers = predict(dir, TeacherInput.ofFields(record), TeacherInput.ofFields(record));

    assertEquals("/invocations", paths.get(0));
    assertEquals("{\"instances\":[{\"plan\":\"basic\",\"months\":7.0},{\"plan\":\"basic\",\"months\":7.0}]}",
        requests.get(0).toString());
    assertArrayEquals(new float[] {0.25f, 0.75f}, softmax(answers.get(0).logits()), 1e-5f);
    assertArrayEquals(new float[] {0.75f, 0.25f}, softmax(answers.get(1).logits()), 1e-5f);
  }

  @Test
  void shouldTakeATableRowByItsClassNames() throws IOException {
    String url = serve(instances -> "[{\"pos\": 0.3, \"neg\": 0.7}]");
    V1TeacherLoader.describe(dir, "s", null, List.of("neg", "pos"), "text", 0, options(url));

    assertArrayEquals(new float[] {0.7f, 0.3f}, softmax(predict(dir, TeacherInput.ofText("x")).get(0).logits()),
        1e-5f);
  }

  @Test
  void shouldRefuseABatchTheServerRefusesOrAnswersWithTheWrongShapeAndFailWhenNoServerIsThere() throws IOException {
    String url = serve(instances -> instances.get(0).asText().equals("refused") ? "400 {\"error\": \"bad input\"}"
        : "[[0.1, 0.2, 0.7]]");
    V1TeacherLoader.describe(dir, "s", null, List.of("neg", "pos"), "text", 0, options(url));

    TeacherException refused = assertThrows(TeacherException.class,
        () -> predict(dir, TeacherInput.ofText("refused")));
    assertTrue(refused.getMessage().contains("refused the batch (HTTP 400): bad input"), refused.getMessage());
    TeacherException shape = assertThrows(TeacherException.class, () -> predict(dir, TeacherInput.ofText("x")));
    assertTrue(shape.getMessage().contains("prediction 0 is [0.1,0.2,0.7], not 2 numbers (one per class [neg, pos])"),
        shape.getMessage());

    server.close();
    server = null;
    TeacherUnavailableException down = assertThrows(TeacherUnavailableException.class,
        () -> predict(dir, TeacherInput.ofText("x")));
    assertTrue(down.getMessage().contains(url + "/v1/models/sentiment:predict is unavailable"), down.getMessage());
  }

  @Test
  void shouldAskForWhatTheProtocolCannotTellAndRefuseUnknownOptions() {
    Map<String, String> options = options("http://localhost:1");
    IllegalArgumentException classes = assertThrows(IllegalArgumentException.class,
        () -> V1TeacherLoader.describe(dir, "s", null, List.of(), "text", 0, options));
    assertTrue(classes.getMessage().endsWith("give its classes in the order of its outputs with --classes"),
        classes.getMessage());
    IllegalArgumentException input = assertThrows(IllegalArgumentException.class,
        () -> V1TeacherLoader.describe(dir, "s", null, List.of("a", "b"), null, 0, options));
    assertTrue(input.getMessage().endsWith("with --input text, vector or structured"), input.getMessage());
    IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
        () -> V1TeacherLoader.describe(dir, "s", null, List.of("a", "b"), "vector", 0, options));
    assertTrue(width.getMessage().endsWith("with --vector-width"), width.getMessage());
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> V1TeacherLoader.describe(dir, "s", null, List.of("a", "b"), "text", 0,
            options("http://localhost:1", "outputName", "x")));
    assertTrue(unknown.getMessage().contains("unknown option 'outputName' for kind v1; known: [backoffMs,"),
        unknown.getMessage());
    IllegalArgumentException outputs = assertThrows(IllegalArgumentException.class,
        () -> V1TeacherLoader.describe(dir, "s", null, List.of("a", "b"), "text", 0,
            options("http://localhost:1", "outputs", "odds")));
    assertTrue(outputs.getMessage().contains("outputs must be auto, logits or probabilities"), outputs.getMessage());
  }

  private static float[] softmax(float[] logits) {
    return Softmax.probabilities(logits, 1f);
  }
}
