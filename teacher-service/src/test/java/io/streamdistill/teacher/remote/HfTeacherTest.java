package io.streamdistill.teacher.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.streamdistill.http.HttpRequest;
import io.streamdistill.http.HttpResponse;
import io.streamdistill.http.HttpServer;
import io.streamdistill.student.Softmax;
import io.streamdistill.teacher.TeacherCatalog;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import io.streamdistill.teacher.model.TeacherUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * The {@code hf} teacher against real HTTP on loopback: servers that answer as Text Embeddings Inference ({@code GET
 * /info}, {@code POST /predict}) and as a transformers pipeline behind an Inference Endpoint ({@code POST /}) do,
 * written by {@link HfTeacherLoader#describe} and loaded through the catalog. The model behind them scores a text by
 * its words, so each answer can be checked against what the text should get.
 */
class HfTeacherTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TEI_INFO = "{\"model_id\":"
      + " \"distilbert/distilbert-base-uncased-finetuned-sst-2-english\","
      + " \"model_sha\": \"714eb0fa89d2f80546fda750413ed43d93601a13\", \"model_dtype\": \"float32\", \"model_type\":"
      + " {\"classifier\": {\"id2label\": {\"1\": \"POSITIVE\", \"0\": \"NEGATIVE\"}, \"label2id\": {\"NEGATIVE\": 0,"
      + " \"POSITIVE\": 1}}}, \"max_input_length\": 512, \"max_batch_tokens\": 16384, \"version\": \"1.5.0\"}";
  private final List<HttpRequest> requests = Collections.synchronizedList(new ArrayList<>());
  private HttpServer server;

  @TempDir
  Path dir;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** A text's two logits: one per "good" for POSITIVE, one per "bad" for NEGATIVE. */
  private static double[] sentiment(String text) {
    String[] words = text.toLowerCase(java.util.Locale.ROOT).split("\\W+", -1);
    double good = 0;
    double bad = 0;
    for (String word : words) {
      good += word.equals("good") ? 1 : 0;
      bad += word.equals("bad") ? 1 : 0;
    }
    return new double[] {bad - 0.5, good};
  }

  /** Each text's {label, score} list, highest score first, as TEI and pipelines order them. */
  private static ArrayNode answer(List<String> labels, double[] scores) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < scores.length; i++) {
      order.add(i);
    }
    order.sort((a, b) -> Double.compare(scores[b], scores[a]));
    ArrayNode list = JSON.createArrayNode();
    for (int i : order) {
      list.addObject().put("score", scores[i]).put("label", labels.get(i));
    }
    return list;
  }

  /** Serves {@code info} at GET /info (404 when null) and {@code predict(body)} at every POST. */
  private String serve(String info, Function<JsonNode, String> predict) throws IOException {
    server = HttpServer.builder("hf-stub").threads(4).routeUnder("", (HttpRequest request) -> {
      requests.add(request);
      if (request.method().equals("GET")) {
        return request.rawPath().equals("/info") && info != null
            ? HttpResponse.json(200, info.getBytes(StandardCharsets.UTF_8))
            : HttpResponse.error(404, "Not Found");
      }
      String answer = predict.apply(JSON.readTree(request.body()));
      if (answer.startsWith("4") || answer.startsWith("5")) {
        return HttpResponse.error(Integer.parseInt(answer.substring(0, 3)), answer.substring(4));
      }
      return HttpResponse.json(200, answer.getBytes(StandardCharsets.UTF_8));
    }).start();
    return "http://localhost:" + server.port();
  }

  /** TEI's /predict: each input a list of one text; the raw scores (logits) when asked. */
  private String tei(JsonNode body) {
    ArrayNode out = JSON.createArrayNode();
    for (JsonNode input : body.get("inputs")) {
      double[] logits = sentiment(input.get(0).asText());
      double[] scores = body.path("raw_scores").asBoolean() ? logits
          : toDoubles(Softmax.probabilities(new float[] {(float) logits[0], (float) logits[1]}, 1f));
      out.add(answer(List.of("NEGATIVE", "POSITIVE"), scores));
    }
    return out.toString();
  }

  private static double[] toDoubles(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  private List<Prediction> predict(Path teacherDir, String... texts) {
    try (Teacher teacher = TeacherCatalog.load(teacherDir.toString());
        TeacherPredictor predictor = teacher.newPredictor()) {
      return predictor.predict(java.util.Arrays.stream(texts).map(TeacherInput::ofText).toList());
    }
  }

  private static Map<String, String> options(String url, String... more) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("url", url);
    for (int i = 0; i < more.length; i += 2) {
      options.put(more[i], more[i + 1]);
    }
    return options;
  }

  @Test
  void shouldTakeTeisClassesFromItsInfoAndLabelBatchesWithItsRawScoresInClassOrderSendingTheToken()
      throws IOException {
    String url = serve(TEI_INFO, this::tei);
    TeacherDescriptor written = HfTeacherLoader.describe(dir, null, null, List.of(), null,
        options(url, "tokenEnv", "DISTILL_TEST_TOKEN"), "a probe");

    assertEquals(List.of("NEGATIVE", "POSITIVE"), written.classes(), "id2label in id order, not the JSON's");
    assertEquals("distilbert-base-uncased-finetuned-sst-2-english", written.id());
    assertEquals("sha:714eb0fa89d2", written.version());
    assertEquals("tei", written.options().get("style"));
    assertEquals("distilbert/distilbert-base-uncased-finetuned-sst-2-english", written.options().get("model"));
    assertFalse(Files.readString(dir.resolve(TeacherDescriptor.FILE_NAME)).contains("hf_test_token_123"),
        "the token stays in the environment");

    List<Prediction> answers = predict(dir, "good good film", "bad, bad and good", "nothing to say");
    assertArrayEquals(new float[] {-0.5f, 2f}, answers.get(0).logits(), 1e-6f);
    assertArrayEquals(new float[] {1.5f, 1f}, answers.get(1).logits(), 1e-6f,
        "NEGATIVE first although the answer lists it first only here: matched by label");
    assertArrayEquals(new float[] {-0.5f, 0f}, answers.get(2).logits(), 1e-6f);

    HttpRequest post = requests.get(requests.size() - 1);
    assertEquals("/predict", post.rawPath());
    assertEquals("Bearer hf_test_token_123", post.header("Authorization"));
    JsonNode body = JSON.readTree(post.body());
    assertEquals("[[\"good good film\"],[\"bad, bad and good\"],[\"nothing to say\"]]", body.get("inputs").toString(),
        "each text a list of one: TEI reads [\"a\", \"b\"] as one pair");
    assertTrue(body.get("raw_scores").asBoolean());
    assertTrue(body.get("truncate").asBoolean());
  }

  @Test
  void shouldRenameTheServersLabelsInIdOrderAndTakeProbabilitiesWhenAskedFor() throws IOException {
    String url = serve(TEI_INFO, this::tei);
    TeacherDescriptor renamed = HfTeacherLoader.describe(dir, "sst2", "v7", List.of("neg", "pos"), "text",
        options(url, "outputs", "probabilities"), "a probe");
    assertEquals(List.of("neg", "pos"), renamed.classes());
    assertEquals("NEGATIVE,POSITIVE", renamed.options().get("labels"));
    assertEquals("sst2", renamed.id());
    assertEquals("v7", renamed.version());

    float[] logits = predict(dir, "good").get(0).logits();
    float[] expected = Softmax.probabilities(new float[] {-0.5f, 1f}, 1f);
    assertArrayEquals(expected, Softmax.probabilities(logits, 1f), 1e-5f, "the model's own distribution");
    assertFalse(JSON.readTree(requests.get(requests.size() - 1).body()).get("raw_scores").asBoolean());

    // The server's labels in another order: kept as the user orders them, matched by name.
    Files.createDirectories(dir.resolve("b"));
    TeacherDescriptor reordered = HfTeacherLoader.describe(dir.resolve("b"), null, null,
        List.of("POSITIVE", "NEGATIVE"), null, options(url), "a probe");
    assertEquals(List.of("POSITIVE", "NEGATIVE"), reordered.classes());
    assertNull(reordered.options().get("labels"));
    assertArrayEquals(new float[] {3f, -0.5f}, predict(dir.resolve("b"), "good good good").get(0).logits(), 1e-6f);
  }

  @Test
  void shouldProbeAPipelineEndpointForItsLabelsInNaturalOrderAndTakeItsProbabilities() throws IOException {
    List<String> labels = new ArrayList<>();
    for (int i = 0; i <= 10; i++) {
      labels.add("LABEL_" + i);
    }
    String url = serve(null, body -> {
      assertTrue(body.get("parameters").has("top_k") && body.get("parameters").get("top_k").isNull(), body::toString);
      ArrayNode out = JSON.createArrayNode();
      for (JsonNode text : body.get("inputs")) {
        double[] p = new double[11];
        int hot = text.asText().length() % 11;
        for (int c = 0; c < 11; c++) {
          p[c] = c == hot ? 0.5 : 0.05;
        }
        out.add(answer(labels, p));
      }
      return out.toString();
    });
    TeacherDescriptor written = HfTeacherLoader.describe(dir, null, null, List.of(), null, options(url), "probe");
    assertEquals(labels, written.classes(), "LABEL_2 before LABEL_10");
    assertEquals("pipeline", written.options().get("style"));
    assertEquals("hf", written.id());

    Prediction answer = predict(dir, "abc").get(0); // length 3: LABEL_3
    float[] p = Softmax.probabilities(answer.logits(), 1f);
    assertEquals(0.5f, p[3], 1e-5f);
    assertEquals(0.05f, p[10], 1e-5f);
    HttpRequest post = requests.get(requests.size() - 1);
    assertEquals("/", post.rawPath());
    assertEquals("[\"abc\"]", JSON.readTree(post.body()).get("inputs").toString());
    assertNull(post.header("Authorization"));
  }

  @Test
  void shouldSendEachImageAsAPngToAnImageClassificationEndpointAndReadEveryClass() throws IOException {
    List<String> colours = List.of("blue", "green", "red");
    String url = serve(null, body -> {
      // An Inference Endpoint's image-classification pipeline: a base64 image in, its top_k classes out (a flat list
      // for one image), clamped to the classes it has.
      byte[] png = java.util.Base64.getDecoder().decode(body.get("inputs").asText());
      java.awt.image.BufferedImage image;
      try {
        image = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      int rgb = image.getRGB(0, 0);
      double[] p = {0.1 + (rgb & 0xff) / 255.0, 0.1 + ((rgb >> 8) & 0xff) / 255.0, 0.1 + ((rgb >> 16) & 0xff) / 255.0};
      double sum = p[0] + p[1] + p[2];
      for (int c = 0; c < 3; c++) {
        p[c] /= sum;
      }
      ArrayNode all = answer(colours, p);
      ArrayNode top = JSON.createArrayNode();
      for (int k = 0; k < Math.min(3, body.get("parameters").get("top_k").asInt()); k++) {
        top.add(all.get(k));
      }
      return top.toString();
    });
    TeacherDescriptor written = HfTeacherLoader.describe(dir, "colours", "v1", List.of(), null,
        options(url, "inputShape", "3,2,2"), "a probe");
    assertEquals(colours, written.classes(), "every class from a black image's answer");
    assertEquals(TeacherDescriptor.VECTOR, written.input());
    assertEquals(12, written.vectorWidth());
    assertEquals("pipeline", written.options().get("style"));

    float[] red = new float[12];
    java.util.Arrays.fill(red, 0, 4, 1f);
    float[] teal = new float[12];
    java.util.Arrays.fill(teal, 4, 12, 0.6f);
    List<Prediction> answers;
    try (Teacher teacher = TeacherCatalog.load(dir.toString());
        TeacherPredictor predictor = teacher.newPredictor()) {
      answers = predictor.predict(List.of(TeacherInput.ofVector(red), TeacherInput.ofVector(teal)));
    }
    assertArrayEquals(new float[] {0.1f / 1.3f, 0.1f / 1.3f, 1.1f / 1.3f},
        Softmax.probabilities(answers.get(0).logits(), 1f), 1e-5f);
    float[] p = Softmax.probabilities(answers.get(1).logits(), 1f);
    assertEquals(p[0], p[1], 1e-5f, "green and blue alike");
    assertTrue(p[0] > p[2]);
    List<HttpRequest> posts = requests.stream().filter(r -> r.method().equals("POST")).toList();
    assertEquals(3, posts.size(), "the probe, then one image a call");
    assertEquals(3, JSON.readTree(posts.get(2).body()).get("parameters").get("top_k").asInt(), "every class asked");

    IllegalArgumentException tei = assertThrows(IllegalArgumentException.class,
        () -> HfTeacherLoader.describe(dir.resolve("x"), null, null, List.of(), null,
            options(url, "inputShape", "3,2,2", "style", "tei"), "probe"));
    assertTrue(tei.getMessage().contains("Text Embeddings Inference serves text"), tei.getMessage());
  }

  @Test
  void shouldRefuseTopClassAnswersEmbeddingModelsWrongLabelsAndMissingTokens() throws IOException {
    String top = serve(null, body -> "[{\"label\": \"POSITIVE\", \"score\": 0.9}]");
    TeacherException onlyTop = assertThrows(TeacherException.class,
        () -> HfTeacherLoader.describe(dir, null, null, List.of(), null, options(top), "probe"));
    assertTrue(onlyTop.getMessage().contains("only its top class"), onlyTop.getMessage());
    assertFalse(Files.exists(dir.resolve(TeacherDescriptor.FILE_NAME)));
    server.close();

    String embedding = serve("{\"model_id\": \"BAAI/bge-small-en-v1.5\", \"model_type\": {\"embedding\":"
        + " {\"pooling\": \"cls\"}}}", body -> "[]");
    IllegalArgumentException embedder = assertThrows(IllegalArgumentException.class,
        () -> HfTeacherLoader.describe(dir, null, null, List.of(), null, options(embedding), "probe"));
    assertTrue(embedder.getMessage().contains("not a classifier"), embedder.getMessage());
    server.close();

    String url = serve(TEI_INFO, this::tei);
    IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
        () -> HfTeacherLoader.describe(dir, null, null, List.of("a", "b", "c"), null, options(url), "probe"));
    assertTrue(count.getMessage().contains("has 2 classes [NEGATIVE, POSITIVE]"), count.getMessage());
    IllegalArgumentException unset = assertThrows(IllegalArgumentException.class,
        () -> HfTeacherLoader.describe(dir, null, null, List.of(), null,
            options(url, "tokenEnv", "DISTILL_NO_SUCH_TOKEN_VARIABLE"), "probe"));
    assertTrue(unset.getMessage().contains("DISTILL_NO_SUCH_TOKEN_VARIABLE, which is not set"), unset.getMessage());
    IllegalArgumentException pasted = assertThrows(IllegalArgumentException.class,
        () -> HfTeacherLoader.describe(dir, null, null, List.of(), null,
            options(url, "tokenEnv", "hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345"), "probe"));
    assertFalse(pasted.getMessage().contains("AbCdEfGhIjKlMnOp"), "a pasted token is not echoed: "
        + pasted.getMessage());
    assertTrue(pasted.getMessage().contains("not the token itself"), pasted.getMessage());

    // A server that refuses the caller (no token, or a wrong one) fails the batch, as in an outage: its events are
    // not dead-lettered as if they were bad inputs; import says what to give, after one try.
    server.close();
    String locked = serve(null, body -> "401 {\"error\": \"Unauthorized\", \"error_type\": \"auth\"}");
    int before = requests.size();
    TeacherException noToken = assertThrows(TeacherException.class,
        () -> HfTeacherLoader.describe(dir, null, null, List.of(), null, options(locked), "probe"));
    assertTrue(noToken.getMessage().contains("HTTP 401 (the server wants an access token") && noToken.getMessage()
        .contains("tokenEnv"), noToken.getMessage());
    assertEquals(before + 2, requests.size(), "GET /info, then one probe: a 401 is not asked again");
    TeacherDirectory.write(dir, new TeacherDescriptor("t", "remote", HfTeacherLoader.KIND,
        List.of("NEGATIVE", "POSITIVE"), TeacherDescriptor.TEXT, 0, 0, Map.of(), Map.of(),
        options(locked, "model", "m", "style", "pipeline", "tokenEnv", "DISTILL_TEST_TOKEN")), List.of());
    TeacherUnavailableException expired = assertThrows(TeacherUnavailableException.class, () -> predict(dir, "good"));
    assertTrue(expired.getMessage().contains("the token in DISTILL_TEST_TOKEN (tokenEnv) is refused"),
        expired.getMessage());

    // A server whose answers lose a class refuses that batch rather than guessing.
    server.close();
    String lossy = serve(TEI_INFO, body -> "[[{\"label\": \"POSITIVE\", \"score\": 1.0}]]");
    TeacherDirectory.write(dir, new TeacherDescriptor("t", "remote", HfTeacherLoader.KIND,
        List.of("NEGATIVE", "POSITIVE"), TeacherDescriptor.TEXT, 0, 0, Map.of(), Map.of(),
        options(lossy, "model", "m", "style", "tei")), List.of());
    TeacherException refused = assertThrows(TeacherException.class, () -> predict(dir, "good"));
    assertTrue(refused.getMessage().contains("no score for the label 'NEGATIVE'"), refused.getMessage());
  }
}
