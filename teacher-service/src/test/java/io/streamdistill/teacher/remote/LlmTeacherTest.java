package io.streamdistill.teacher.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamdistill.http.HttpRequest;
import io.streamdistill.http.HttpResponse;
import io.streamdistill.http.HttpServer;
import io.streamdistill.student.Softmax;
import io.streamdistill.teacher.TeacherCatalog;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import io.streamdistill.teacher.model.TeacherUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code llm} teacher against real HTTP on loopback: a server that answers as an OpenAI-compatible one does
 * ({@code GET /v1/models}, {@code POST /v1/chat/completions} with {@code logprobs}, {@code POST /v1/completions}),
 * written by {@link LlmTeacherLoader#describe} and loaded through the catalog. The "model" behind it believes a text
 * positive by its words, and spreads that belief over several tokens per class ({@code positive}, {@code Positive},
 * the start {@code " neg"}) and one that is no class, as real models do; so each soft label can be checked against
 * the belief the answer was made from.
 */
class LlmTeacherTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODELS = "{\"object\": \"list\", \"data\": [{\"id\": \"Qwen/Qwen2.5-7B-Instruct\","
      + " \"object\": \"model\", \"owned_by\": \"vllm\", \"max_model_len\": 32768}]}";
  private final List<HttpRequest> requests = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger mostInFlight = new AtomicInteger();
  private volatile String models = MODELS;
  private volatile long delayMs;
  private HttpServer server;

  @TempDir
  Path dir;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** The model's belief that a text is positive: a logistic of its good words less its bad ones. */
  private static double positive(String text) {
    double score = 0;
    for (String word : text.toLowerCase(Locale.ROOT).split("\\W+", -1)) {
      score += word.equals("good") ? 1 : word.equals("bad") ? -1 : 0;
    }
    return 1 / (1 + Math.exp(-score));
  }

  /** The listed tokens and log-probabilities of a first answer token, for a belief {@code p} in positive. */
  private static Map<String, Double> firstToken(double p) {
    Map<String, Double> top = new LinkedHashMap<>();
    top.put("positive", Math.log(0.95 * 0.7 * p));
    top.put("Positive", Math.log(0.95 * 0.2 * p));
    top.put("negative", Math.log(0.95 * 0.8 * (1 - p)));
    top.put(" neg", Math.log(0.95 * 0.1 * (1 - p)));
    top.put("The", Math.log(0.05));
    return top;
  }

  /** One chat answer, OpenAI's shape: the content, and each token's top_logprobs. */
  private static ObjectNode chatAnswer(List<String> tokens, List<Map<String, Double>> tops) {
    ObjectNode answer = JSON.createObjectNode().put("id", "chatcmpl-1").put("object", "chat.completion")
        .put("model", "Qwen/Qwen2.5-7B-Instruct");
    ObjectNode choice = answer.putArray("choices").addObject().put("index", 0).put("finish_reason", "length");
    choice.putObject("message").put("role", "assistant").put("content", String.join("", tokens));
    ArrayNode content = choice.putObject("logprobs").putArray("content");
    for (int k = 0; k < tokens.size(); k++) {
      ObjectNode token = content.addObject().put("token", tokens.get(k)).put("logprob", tops.get(k)
          .getOrDefault(tokens.get(k), -0.01));
      ArrayNode top = token.putArray("top_logprobs");
      tops.get(k).forEach((t, lp) -> top.addObject().put("token", t).put("logprob", lp));
    }
    return answer;
  }

  /** What the server answers a chat request, by the user's text. */
  private String chat(JsonNode body) {
    JsonNode content = body.get("messages").get(1).get("content");
    String text = content.isArray() ? seen(content) : content.asText();
    if (text.contains("down")) {
      return "503 {\"error\": {\"message\": \"The server is overloaded\", \"type\": \"server_error\"}}";
    }
    if (text.contains("long")) {
      return "400 {\"error\": {\"message\": \"This model's maximum context length is 32768 tokens\", \"type\":"
          + " \"invalid_request_error\"}}";
    }
    if (text.contains("chatty")) {
      return chatAnswer(List.of("Sure", "!", " The"), List.of(Map.of("Sure", -0.1, "positive", -3.0),
          Map.of("!", -0.1), Map.of(" The", -0.1))).toString();
    }
    if (!body.path("logprobs").asBoolean(false)) {
      ObjectNode answer = chatAnswer(List.of(positive(text) > 0.5 ? "Positive." : "negative"), List.of(Map.of()));
      ((ObjectNode) answer.get("choices").get(0)).remove("logprobs");
      return answer.toString();
    }
    if (body.path("extra").asBoolean(false) && text.contains("hide")) {
      ObjectNode answer = chatAnswer(List.of("negative"), List.of(Map.of()));
      ((ObjectNode) answer.get("choices").get(0)).putNull("logprobs");
      return answer.toString();
    }
    double p = positive(text);
    String chosen = p > 0.5 ? "positive" : "negative";
    if (text.contains("bold")) {
      return chatAnswer(List.of("**", chosen, "**"), List.of(Map.of("**", -0.01), firstToken(p), Map.of("**", -0.01)))
          .toString();
    }
    return chatAnswer(List.of(chosen), List.of(firstToken(p))).toString();
  }

  /** What a vision model "sees" in a user message of an image: good when the picture is mostly red, else bad. */
  private static String seen(JsonNode parts) {
    assertEquals(LlmProtocol.IMAGE_QUESTION, parts.get(0).get("text").asText());
    String url = parts.get(1).get("image_url").get("url").asText();
    assertTrue(url.startsWith("data:image/png;base64,"), url);
    try {
      java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(
          java.util.Base64.getDecoder().decode(url.substring(url.indexOf(',') + 1))));
      long red = 0;
      long blue = 0;
      for (int y = 0; y < image.getHeight(); y++) {
        for (int x = 0; x < image.getWidth(); x++) {
          red += (image.getRGB(x, y) >> 16) & 0xff;
          blue += image.getRGB(x, y) & 0xff;
        }
      }
      return red > blue ? "good good" : "bad";
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A completions answer to a list of prompts, its choices in reverse order (matched by index). */
  private static String completions(JsonNode body) {
    ObjectNode answer = JSON.createObjectNode().put("object", "text_completion");
    ArrayNode choices = answer.putArray("choices");
    JsonNode prompts = body.get("prompt");
    for (int i = prompts.size() - 1; i >= 0; i--) {
      String prompt = prompts.get(i).asText();
      String text = prompt.substring(prompt.indexOf("Input:\n") + 7, prompt.lastIndexOf("\n\nClass:"));
      double p = positive(text);
      ObjectNode choice = choices.addObject().put("index", i).put("text", p > 0.5 ? " positive" : " negative");
      ObjectNode logprobs = choice.putObject("logprobs");
      logprobs.putArray("tokens").add(p > 0.5 ? " positive" : " negative");
      ObjectNode top = logprobs.putArray("top_logprobs").addObject();
      firstToken(p).forEach((t, lp) -> top.put(t.equals("positive") ? " positive" : t, lp));
    }
    return answer.toString();
  }

  private String serve() throws IOException {
    server = HttpServer.builder("llm-stub").threads(16).routeUnder("", (HttpRequest request) -> {
      requests.add(request);
      if (request.method().equals("GET")) {
        return request.rawPath().equals("/v1/models") && models != null
            ? HttpResponse.json(200, models.getBytes(StandardCharsets.UTF_8)) : HttpResponse.error(404, "Not Found");
      }
      mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      try {
        if (delayMs > 0) {
          Thread.sleep(delayMs);
        }
        JsonNode body = JSON.readTree(request.body());
        String answer = switch (request.rawPath()) {
          case "/v1/chat/completions" -> chat(body);
          case "/v1/completions" -> completions(body);
          default -> "404 {\"error\": \"no route\"}";
        };
        if (answer.startsWith("4") || answer.startsWith("5")) {
          return HttpResponse.json(Integer.parseInt(answer.substring(0, 3)),
              answer.substring(4).getBytes(StandardCharsets.UTF_8));
        }
        return HttpResponse.json(200, answer.getBytes(StandardCharsets.UTF_8));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return HttpResponse.error(500, "interrupted");
      } finally {
        inFlight.decrementAndGet();
      }
    }).start();
    return "http://localhost:" + server.port();
  }

  private static Map<String, String> options(String url, String... more) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("url", url);
    options.put("retries", "0");
    for (int i = 0; i < more.length; i += 2) {
      options.put(more[i], more[i + 1]);
    }
    return options;
  }

  private List<Prediction> predict(Path teacherDir, List<TeacherInput> inputs) {
    try (Teacher teacher = TeacherCatalog.load(teacherDir.toString());
        TeacherPredictor predictor = teacher.newPredictor()) {
      return predictor.predict(inputs);
    }
  }

  private List<Prediction> predict(Path teacherDir, String... texts) {
    return predict(teacherDir, java.util.Arrays.stream(texts).map(TeacherInput::ofText).toList());
  }

  private static float positiveProbability(Prediction prediction) {
    return Softmax.probabilities(prediction.logits(), 1f)[1];
  }

  @Test
  void shouldTakeTheServedModelAskItToClassifyEachTextAndLearnItsBeliefFromTheLogprobs() throws IOException {
    String url = serve();
    TeacherDescriptor written = LlmTeacherLoader.describe(dir, null, null, List.of("negative", "positive"), null,
        options(url + "/v1", "tokenEnv", "DISTILL_TEST_TOKEN"));

    assertEquals("Qwen/Qwen2.5-7B-Instruct", written.options().get("model"), "the one model /v1/models lists");
    assertEquals("Qwen2.5-7B-Instruct", written.id());
    assertTrue(written.version().matches("prompt:[0-9a-f]{12}"), written.version());
    assertEquals("names", written.options().get("answers"), "written, so the prompt stays what it was");
    assertFalse(Files.readString(dir.resolve(TeacherDescriptor.FILE_NAME)).contains("hf_test_token_123"));

    List<Prediction> answers = predict(dir, "good good film", "bad, bad and good", "nothing", "**bold** and good");
    assertEquals(4, answers.size());
    // Each class's tokens (positive, Positive; negative and the start " neg") summed, "The" left out, renormalised:
    // the model's own belief again.
    assertEquals(positive("good good film"), positiveProbability(answers.get(0)), 1e-5);
    assertEquals(positive("bad, bad and good"), positiveProbability(answers.get(1)), 1e-5);
    assertEquals(0.5, positiveProbability(answers.get(2)), 1e-5);
    assertEquals(positive("bold good"), positiveProbability(answers.get(3)), 1e-5,
        "markdown's ** before the answer passed over");

    List<HttpRequest> posts = requests.stream().filter(r -> r.method().equals("POST")).toList();
    assertEquals(4, posts.size(), "a chat model reads one conversation a call");
    for (HttpRequest post : posts) {
      assertEquals("/v1/chat/completions", post.rawPath(), "the /v1 of the base URL not doubled");
      assertEquals("Bearer hf_test_token_123", post.header("Authorization"));
      JsonNode body = JSON.readTree(post.body());
      assertEquals("Qwen/Qwen2.5-7B-Instruct", body.get("model").asText());
      assertTrue(body.get("logprobs").asBoolean());
      assertEquals(20, body.get("top_logprobs").asInt());
      assertEquals(0, body.get("temperature").asInt());
      assertEquals(3, body.get("max_tokens").asInt());
      String system = body.get("messages").get(0).get("content").asText();
      assertEquals("system", body.get("messages").get(0).get("role").asText());
      assertTrue(system.contains("- negative\n- positive") && system.contains("Answer with the class only"), system);
    }
  }

  @Test
  void shouldAnswerInLettersWhenClassNamesStartAlikeAndReadRecordsAsLines() throws IOException {
    String url = serve();
    List<String> classes = List.of("very negative", "very positive", "neutral");
    TeacherDescriptor written = LlmTeacherLoader.describe(dir, "stars", "v1", classes, "structured",
        options(url, "model", "m"));
    assertEquals("letters", written.options().get("answers"), "'very' could start either");
    assertEquals("v1", written.version());

    LlmProtocol protocol = LlmProtocol.of(written, OipOptions.parse(written.options(), "llm", LlmProtocol.OPTIONS),
        written.options());
    assertTrue(protocol.prompt().system().contains("A. very negative\nB. very positive\nC. neutral"),
        protocol.prompt().system());
    assertTrue(protocol.prompt().system().endsWith("Answer with the class's letter (A to C) only."));
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("review", "good");
    record.put("stars", 4.0);
    record.put("price", 12.5);
    record.put("country", null);
    assertEquals("review: good\nstars: 4\nprice: 12.5\ncountry: (missing)",
        protocol.prompt().user(TeacherInput.ofFields(record)));

    Map<String, Double> top = new LinkedHashMap<>();
    top.put("B", Math.log(0.6));
    top.put(" C", Math.log(0.3));
    top.put("A.", Math.log(0.05));
    top.put("very", Math.log(0.04)); // no letter
    float[] p = Softmax.probabilities(protocol.prompt().distribution(List.of("B"), List.of(top)), 1f);
    assertArrayEquals(new float[] {0.05f / 0.95f, 0.6f / 0.95f, 0.3f / 0.95f}, p, 1e-5f);
  }

  @Test
  void shouldSendEachImageAsAPngToAVisionModel() throws IOException {
    String url = serve();
    TeacherDescriptor written = LlmTeacherLoader.describe(dir, "vlm", "v", List.of("negative", "positive"), null,
        options(url, "model", "qwen2-vl", "inputShape", "3,2,3"));
    assertEquals(TeacherDescriptor.VECTOR, written.input());
    assertEquals(18, written.vectorWidth());
    float[] red = new float[18];
    float[] blue = new float[18];
    java.util.Arrays.fill(red, 0, 6, 1f); // the red plane full, the others empty
    java.util.Arrays.fill(blue, 12, 18, 0.8f);
    List<Prediction> answers = predict(dir, List.of(TeacherInput.ofVector(red), TeacherInput.ofVector(blue)));
    assertEquals(positive("good good"), positiveProbability(answers.get(0)), 1e-5);
    assertEquals(positive("bad"), positiveProbability(answers.get(1)), 1e-5);

    Path other = dir.resolve("other");
    Files.createDirectories(other);
    for (String[] bad : new String[][] {{"inputShape", "4,2,2", "1 (gray) or 3 (RGB) channels"},
        {"style", "completions", "images are sent as chat messages"}}) {
      Map<String, String> options = options(url, "model", "m", "inputShape", "3,2,3");
      options.put(bad[0], bad[1]);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> LlmTeacherLoader.describe(other, null, null, List.of("a", "b"), null, options));
      assertTrue(e.getMessage().contains(bad[2]), e.getMessage());
    }
    IllegalArgumentException noShape = assertThrows(IllegalArgumentException.class,
        () -> LlmTeacherLoader.describe(other, null, null, List.of("a", "b"), "vector", options(url, "model", "m")));
    assertTrue(noShape.getMessage().contains("--option inputShape=CHANNELS,ROWS,COLS"), noShape.getMessage());
  }

  @Test
  void shouldSendABatchAsOneCompletionsCallAndMatchItsChoicesByIndex() throws IOException {
    String url = serve();
    LlmTeacherLoader.describe(dir, null, null, List.of("negative", "positive"), null,
        options(url, "model", "base-model", "style", "completions"));
    List<Prediction> answers = predict(dir, "good", "bad bad", "good good good");
    assertEquals(positive("good"), positiveProbability(answers.get(0)), 1e-5);
    assertEquals(positive("bad bad"), positiveProbability(answers.get(1)), 1e-5);
    assertEquals(positive("good good good"), positiveProbability(answers.get(2)), 1e-5);
    List<HttpRequest> posts = requests.stream().filter(r -> r.method().equals("POST")).toList();
    assertEquals(1, posts.size());
    JsonNode body = JSON.readTree(posts.get(0).body());
    assertEquals(3, body.get("prompt").size());
    assertEquals(20, body.get("logprobs").asInt());
    assertTrue(body.get("prompt").get(1).asText().endsWith("Input:\nbad bad\n\nClass:"));
  }

  @Test
  void shouldKeepAtMostConcurrencyCallsInFlightAndFailABatchAsAnOutageBeforeARefusal() throws IOException {
    String url = serve();
    LlmTeacherLoader.describe(dir, "t", "v", List.of("negative", "positive"), null,
        options(url, "model", "m", "concurrency", "2"));
    delayMs = 60;
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      texts.add("good " + i);
    }
    assertEquals(8, predict(dir, texts.toArray(String[]::new)).size());
    assertEquals(2, mostInFlight.get(), "eight calls, two at a time");
    delayMs = 0;

    TeacherException refused = assertThrows(TeacherException.class, () -> predict(dir, "good", "a long text"));
    assertFalse(refused instanceof TeacherUnavailableException, "a 400 is about the input: " + refused);
    assertTrue(refused.getMessage().contains("maximum context length is 32768 tokens"),
        "OpenAI's error object read: " + refused.getMessage());
    TeacherUnavailableException down = assertThrows(TeacherUnavailableException.class,
        () -> predict(dir, "a long text", "good", "the server is down"));
    assertTrue(down.getMessage().contains("The server is overloaded"), down.getMessage());
  }

  @Test
  void shouldDropABatchsCallsNotYetMadeOnceOneFindsTheServerDownAndBoundTheBatchByItsRounds() throws IOException {
    String url = serve();
    LlmTeacherLoader.describe(dir, "t", "v", List.of("negative", "positive"), null,
        options(url, "model", "m", "concurrency", "2", "timeoutMs", "3000", "breakerOpenMs", "5000"));
    delayMs = 100;
    List<TeacherInput> batch = new ArrayList<>(List.of(TeacherInput.ofText("the server is down")));
    for (int i = 0; i < 9; i++) {
      batch.add(TeacherInput.ofText("good " + i));
    }
    try (Teacher teacher = TeacherCatalog.load(dir.toString())) {
      // 10 calls, 2 at a time: 5 rounds of at most 3 s, 10 s of waits servers ask for, and the last round may
      // fail after the probe's wait.
      assertEquals(Duration.ofSeconds(4 * 3 + 10 + 5 + 3), teacher.longestPredict(10));
      long before = posts();
      assertThrows(TeacherUnavailableException.class, () -> teacher.newPredictor().predict(batch));
      long made = posts() - before;
      assertTrue(made >= 1 && made < 6, "the batch failed with the first call; " + made + " of 10 calls made");
    }
  }

  @Test
  void shouldRefuseAnAnswerThatIsNoClassQuotingItAndTeachFromTextWhenThereAreNoLogprobs() throws IOException {
    String url = serve();
    LlmTeacherLoader.describe(dir, "t", "v", List.of("negative", "positive"), null, options(url, "model", "m"));
    TeacherException chatty = assertThrows(TeacherException.class, () -> predict(dir, "a chatty text"));
    assertTrue(chatty.getMessage().contains("the model answered 'Sure! The', not one of the classes [negative,"
        + " positive]") && chatty.getMessage().contains("instructions"), chatty.getMessage());

    Path plain = dir.resolve("plain");
    Files.createDirectories(plain);
    LlmTeacherLoader.describe(plain, "t", "v", List.of("negative", "positive"), null,
        options(url, "model", "m", "extraBody", "{\"extra\": true}"));
    TeacherException none = assertThrows(TeacherException.class, () -> predict(plain, "hide it"));
    assertTrue(none.getMessage().contains("without log-probabilities") && none.getMessage().contains("scores=text"),
        none.getMessage());

    Path byText = dir.resolve("text");
    Files.createDirectories(byText);
    TeacherDescriptor written = LlmTeacherLoader.describe(byText, "t", null, List.of("negative", "positive"), null,
        options(url, "model", "m", "scores", "text", "textConfidence", "0.8"));
    List<Prediction> answers = predict(byText, "good", "bad");
    assertEquals(0.8f, positiveProbability(answers.get(0)), 1e-5f, "'Positive.' read as the class");
    assertEquals(0.2f, positiveProbability(answers.get(1)), 1e-5f);
    JsonNode body = JSON.readTree(requests.get(requests.size() - 1).body());
    assertFalse(body.has("logprobs"));
    assertEquals(16, body.get("max_tokens").asInt(), "room for a class name of several tokens");
    Files.createDirectories(dir.resolve("other"));
    assertNotEquals(written.version(), LlmTeacherLoader.describe(dir.resolve("other"), "t", null,
        List.of("negative", "positive"), null, options(url, "model", "m", "instructions", "Is this review kind?"
            + " {classes}")).version(), "another prompt is another teacher version");
  }

  @Test
  void shouldAskForAnInputSeenLatelyOnlyOnceUnlessTheCacheIsOff() throws IOException {
    String url = serve();
    LlmTeacherLoader.describe(dir, "t", "v", List.of("negative", "positive"), null, options(url, "model", "m"));
    try (Teacher teacher = TeacherCatalog.load(dir.toString());
        TeacherPredictor predictor = teacher.newPredictor()) {
      List<Prediction> first = predictor.predict(List.of(TeacherInput.ofText("good"), TeacherInput.ofText("bad"),
          TeacherInput.ofText("good")));
      assertEquals(2, posts(), "good asked once for the two in the batch");
      assertArrayEquals(first.get(0).logits(), first.get(2).logits());
      List<Prediction> again = predictor.predict(List.of(TeacherInput.ofText("bad"), TeacherInput.ofText("new")));
      assertEquals(3, posts(), "bad answered from the cache, new asked");
      assertArrayEquals(first.get(1).logits(), again.get(0).logits());
      assertEquals(positive("new"), positiveProbability(again.get(1)), 1e-5);
    }

    Path off = dir.resolve("off");
    Files.createDirectories(off);
    LlmTeacherLoader.describe(off, "t", "v", List.of("negative", "positive"), null,
        options(url, "model", "m", "cacheEntries", "0"));
    predict(off, "good", "good");
    predict(off, "good");
    assertEquals(6, posts(), "every input asked with the cache off");
  }

  private long posts() {
    return requests.stream().filter(r -> r.method().equals("POST")).count();
  }

  @Test
  void shouldRefuseBadOptionsAndAServerOfSeveralModelsNamingWhatToGive() throws IOException {
    String url = serve();
    IllegalArgumentException noClasses = assertThrows(IllegalArgumentException.class,
        () -> LlmTeacherLoader.describe(dir, null, null, List.of(), null, options(url)));
    assertTrue(noClasses.getMessage().contains("needs --classes"), noClasses.getMessage());
    models = "{\"data\": [{\"id\": \"llama3.1:8b\"}, {\"id\": \"qwen2.5:7b\"}]}";
    IllegalArgumentException several = assertThrows(IllegalArgumentException.class,
        () -> LlmTeacherLoader.describe(dir, null, null, List.of("a", "b"), null, options(url)));
    assertTrue(several.getMessage().contains("give --model") && several.getMessage()
        .contains("llama3.1:8b, qwen2.5:7b"), several.getMessage());
    for (String[] bad : new String[][] {{"extraBody", "[1]", "extraBody must be a JSON object"},
        {"style", "messages", "style must be chat"}, {"answers", "words", "answers must be names"},
        {"scores", "probs", "scores must be logprobs"}, {"textConfidence", "0.4", "textConfidence must be"},
        {"concurrency", "0", "concurrency must be a whole number in [1, 256]"}, {"temperature", "1",
        "unknown option 'temperature'"}}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> LlmTeacherLoader.describe(dir, null, null, List.of("a", "b"), null,
              options(url, "model", "m", bad[0], bad[1])));
      assertTrue(e.getMessage().contains(bad[2]), e.getMessage());
    }
    assertFalse(Files.exists(dir.resolve(TeacherDescriptor.FILE_NAME)), "nothing written for a refusal");
  }
}
