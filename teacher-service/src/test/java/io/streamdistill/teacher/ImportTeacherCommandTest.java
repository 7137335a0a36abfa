package io.streamdistill.teacher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.http.HttpResponse;
import io.streamdistill.http.HttpServer;
import io.streamdistill.teacher.generic.TinyModels;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import io.streamdistill.teacher.remote.OipStub;
import io.streamdistill.teacher.text.TextModelConfig;
import io.streamdistill.teacher.text.TextTeacherDirs;
import io.streamdistill.teacher.text.TinyTextClassifier;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code import-teacher} on real model files (written byte by byte: an ONNX text classifier with the MiniLM
 * tokenizer, an ONNX and a TorchScript vector model) and a real HTTP server speaking the Open Inference
 * Protocol: the teacher.json it writes loads through the teacher service's own catalog, and what the files
 * cannot say is asked for by flag.
 */
class ImportTeacherCommandTest {
  private static final List<String> SENTIMENT = List.of("negative", "neutral", "positive");

  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = ImportTeacherCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  private Path textExport(boolean withConfig) throws Exception {
    Path export = Files.createDirectories(dir.resolve("sentiment-export"));
    Files.write(export.resolve("model.onnx"), TinyTextClassifier.onnx(true));
    TextTeacherDirs.copy(TextTeacherDirs.INT8_TOKENIZER, export.resolve("tokenizer.json"));
    if (withConfig) {
      TextModelConfig.write(export.resolve("config.json"), SENTIMENT, Map.of("model_type", "tiny"));
    }
    return export;
  }

  @Test
  void shouldImportAnExportedTextClassifierWithItsClassesFromConfigJson() throws Exception {
    Path export = textExport(true);

    assertEquals(0, run(export.toString()), err.toString());

    TeacherDescriptor teacher = TeacherDirectory.read(export);
    assertEquals("onnx-text", teacher.kind());
    assertEquals("sentiment-export", teacher.id());
    assertEquals(SENTIMENT, teacher.classes());
    assertEquals("sha256:" + TeacherDirectory.sha256(export.resolve("model.onnx")).substring(0, 12),
        teacher.version());
    assertEquals(java.util.Set.of("model.onnx", "tokenizer.json", "config.json"), teacher.files().keySet());
    assertTrue(out.toString().contains("an exported text model (model.onnx with tokenizer.json and config.json)"),
        out.toString());
    assertTrue(out.toString().contains("probe: the text"), out.toString());
    try (Teacher loaded = TeacherCatalog.load(export.toString());
        TeacherPredictor predictor = loaded.newPredictor()) {
      Prediction prediction = predictor.predict(List.of(TeacherInput.ofText("fine"))).get(0);
      assertEquals(3, prediction.logits().length);
    }

    // Once imported, the directory is a teacher: importing again must be asked for.
    assertEquals(2, run(export.toString()));
    assertTrue(err.toString().contains("already has a teacher.json") && err.toString().contains("--force"),
        err.toString());
    assertEquals(0, run(export.toString(), "--force", "--id", "sentiment", "--test-accuracy", "91.5%"),
        err.toString());
    TeacherDescriptor again = TeacherDirectory.read(export);
    assertEquals("sentiment", again.id());
    assertEquals(0.915, again.metrics().get("test.accuracy"), 1e-9);
  }

  @Test
  void shouldFindTheExportInTheOnnxFolderOfAHuggingFaceRepositoryPreferringFullPrecision() throws Exception {
    // Xenova's and Optimum's repositories: config.json and tokenizer.json at the top, the graphs in onnx/.
    Path export = textExport(true);
    Files.createDirectories(export.resolve("onnx"));
    Files.copy(export.resolve("model.onnx"), export.resolve("onnx/model_quantized.onnx"));
    Files.move(export.resolve("model.onnx"), export.resolve("onnx/model.onnx"));

    assertEquals(0, run(export.toString()), err.toString());

    TeacherDescriptor teacher = TeacherDirectory.read(export);
    assertEquals("onnx-text", teacher.kind());
    assertEquals(java.util.Set.of("onnx/model.onnx", "tokenizer.json", "config.json"), teacher.files().keySet());
    assertTrue(out.toString().contains("an exported text model (onnx/model.onnx with tokenizer.json"),
        out.toString());
    assertTrue(out.toString().contains("probe: the text"), out.toString());
  }

  @Test
  void shouldAskForTheClassesWhenTheExportDoesNotNameThem() throws Exception {
    Path export = textExport(false);

    assertEquals(2, run(export.toString()));
    assertTrue(err.toString().contains("has no config.json") && err.toString().contains("--classes"),
        err.toString());
    assertTrue(!Files.exists(export.resolve("teacher.json")), "nothing written");

    assertEquals(1, run(export.toString(), "--classes", "bad,good"));
    assertTrue(err.toString().contains("gives 3 logits, but the classes are [bad, good]"), err.toString());

    assertEquals(0, run(export.toString(), "--classes", "neg,neu,pos"), err.toString());
    assertEquals(List.of("neg", "neu", "pos"), TeacherDirectory.read(export).classes());
  }

  @Test
  void shouldReadAnOnnxModelsInputWidthAndEmbeddingAndAskForItsClasses() throws Exception {
    Path model = Files.createDirectories(dir.resolve("fraud"));
    Files.write(model.resolve("scorer.onnx"), TinyModels.onnx(true));

    assertEquals(2, run(model.toString()));
    assertTrue(err.toString().contains("scorer.onnx gives 2 logits: name its classes in logit order with --classes"),
        err.toString());

    assertEquals(0, run(model.toString(), "--classes", "ok,fraud"), err.toString());
    TeacherDescriptor teacher = TeacherDirectory.read(model);
    assertEquals("onnx", teacher.kind());
    assertEquals(TinyModels.IN, teacher.vectorWidth());
    assertEquals(TinyModels.HIDDEN, teacher.embeddingWidth());
    assertEquals(List.of("ok", "fraud"), teacher.classes());
    float[] logits = TinyModels.expected(new float[TinyModels.IN])[0];
    String top = logits[0] >= logits[1] ? "ok" : "fraud";
    assertTrue(out.toString().contains("probe: a row of 4 zeros -> " + top), out.toString());
  }

  @Test
  void shouldImportAnImageExportWithItsSizeClassesAndPixelScalingFromItsConfigFiles() throws Exception {
    Path model = Files.createDirectories(dir.resolve("vit-export"));
    Files.write(model.resolve("model.onnx"), TinyModels.onnxImage(true));
    TextModelConfig.write(model.resolve("config.json"), List.of("cat", "dog"), Map.of("model_type", "tiny"));
    Files.writeString(model.resolve("preprocessor_config.json"), """
        {"do_rescale": true, "rescale_factor": 0.5, "do_normalize": true, "image_mean": [1.0], "image_std": [2.0],
         "size": {"height": 2, "width": 2}}""");

    assertEquals(0, run(model.toString()), err.toString());

    TeacherDescriptor teacher = TeacherDirectory.read(model);
    assertEquals(List.of("cat", "dog"), teacher.classes());
    assertEquals(4, teacher.vectorWidth());
    assertEquals("1,2,2", teacher.options().get("inputShape"));
    // The processor's factor is for 0-255 pixels; the teacher gets byte / 255.
    assertEquals("127.5", teacher.options().get("inputScale"));
    assertTrue(out.toString().contains("image input of 1x2x2 (channels x rows x cols; each pixel p as (p * 127.5 - 1.0)"
        + " / 2.0), 2 classes [cat, dog]"), out.toString());
    assertTrue(out.toString().contains("probe: a black image -> "), out.toString());
    float[] pixels = {10, 2, -4, 6};
    float[] scaled = new float[4];
    for (int i = 0; i < 4; i++) {
      scaled[i] = (pixels[i] * 127.5f - 1f) / 2f;
    }
    assertLogits(TinyModels.expected(scaled)[0], model, pixels);
  }

  @Test
  void shouldTakeAnImageModelsFixedSizeFromItsGraphAndAskForAnOpenOne() throws Exception {
    Path fixed = Files.createDirectories(dir.resolve("fixed"));
    Files.write(fixed.resolve("model.onnx"), TinyModels.onnxImage(false));
    assertEquals(0, run(fixed.toString(), "--classes", "cat,dog"), err.toString());
    assertEquals("1,2,2", TeacherDirectory.read(fixed).options().get("inputShape"));
    float[] pixels = {0.5f, -1f, 2f, 0.25f};
    assertLogits(TinyModels.expected(pixels)[0], fixed, pixels);

    Path open = Files.createDirectories(dir.resolve("open"));
    Files.write(open.resolve("model.onnx"), TinyModels.onnxImage(true));
    assertEquals(2, run(open.toString(), "--classes", "cat,dog"));
    assertTrue(err.toString().contains("--option inputShape=CHANNELS,ROWS,COLS"), err.toString());
    assertEquals(0, run(open.toString(), "--classes", "cat,dog", "--option", "inputShape=1,2,2"), err.toString());
    assertLogits(TinyModels.expected(pixels)[0], open, pixels);

    // TensorFlow's layout, (N, rows, cols, channels): read as such (InputLayoutTest checks the values' order).
    Path last = Files.createDirectories(dir.resolve("channels-last"));
    Files.write(last.resolve("model.onnx"), TinyModels.onnxImage(false, true));
    assertEquals(0, run(last.toString(), "--classes", "cat,dog"), err.toString());
    assertEquals("true", TeacherDirectory.read(last).options().get("inputChannelsLast"));
    assertTrue(out.toString().contains("image input of 1x2x2 (channels x rows x cols, taken channels last"),
        out.toString());
    assertLogits(TinyModels.expected(pixels)[0], last, pixels);
  }

  private static void assertLogits(float[] expected, Path teacherDir, float[] input) {
    try (Teacher loaded = TeacherCatalog.load(teacherDir.toString());
        TeacherPredictor predictor = loaded.newPredictor()) {
      float[] logits = predictor.predict(List.of(TeacherInput.ofVector(input))).get(0).logits();
      for (int k = 0; k < expected.length; k++) {
        assertEquals(expected[k], logits[k], 1e-5, "logit " + k);
      }
    }
  }

  @Test
  void shouldImportATorchScriptModuleGivenItsInputWidth() throws Exception {
    Path model = Files.createDirectories(dir.resolve("ts"));
    Files.write(model.resolve("model.pt"), TinyModels.torchScript(false));

    assertEquals(2, run(model.toString(), "--classes", "a,b"));
    assertTrue(err.toString().contains("give --vector-width"), err.toString());

    assertEquals(0, run(model.toString(), "--classes", "a,b", "--vector-width", "4"), err.toString());
    TeacherDescriptor teacher = TeacherDirectory.read(model);
    assertEquals("torchscript", teacher.kind());
    assertEquals(4, teacher.vectorWidth());
    assertEquals(0, teacher.embeddingWidth());
    assertEquals(java.util.Set.of("model.pt"), teacher.files().keySet());
  }

  @Test
  void shouldImportAModelFileNamedDirectlyIntoItsDirectory() throws Exception {
    Path model = Files.createDirectories(dir.resolve("direct"));
    Files.write(model.resolve("net.onnx"), TinyModels.onnx(false));

    assertEquals(0, run(model.resolve("net.onnx").toString(), "--classes", "x,y"), err.toString());
    assertEquals("onnx", TeacherDirectory.read(model).kind());
    assertTrue(out.toString().contains("--teacher " + model.toAbsolutePath()), out.toString());
  }

  @Test
  void shouldImportAModelBehindTensorFlowServingWithTheClassesAndInputGiven() throws Exception {
    HttpServer server = HttpServer.builder("tf-serving").routeUnder("/v1/models", request -> HttpResponse.json(200,
        "{\"predictions\": [[0.3, 0.7]]}".getBytes(java.nio.charset.StandardCharsets.UTF_8))).start();
    try {
      String url = "http://127.0.0.1:" + server.port();
      Path remote = dir.resolve("tf-sentiment");

      assertEquals(2, run(remote.toString(), "--kind", "v1", "--url", url, "--model", "sentiment", "--classes",
          "neg,pos"));
      assertTrue(err.toString().contains("say what it takes with --input text, vector or structured"), err.toString());
      assertEquals(0, run(remote.toString(), "--kind", "v1", "--url", url, "--model", "sentiment", "--classes",
          "neg,pos", "--input", "text"), err.toString());

      TeacherDescriptor teacher = TeacherDirectory.read(remote);
      assertEquals("v1", teacher.kind());
      assertEquals("sentiment", teacher.id());
      assertEquals(List.of("neg", "pos"), teacher.classes());
      assertTrue(out.toString().contains("found: a model behind a v1 predict server"), out.toString());
      assertTrue(out.toString().contains("probe: the text"), out.toString());
      assertTrue(out.toString().contains("pos 0.70"), out.toString());
    } finally {
      server.close();
    }
  }

  @Test
  void shouldImportATextClassifierBehindTextEmbeddingsInferenceWithNoMoreThanItsUrl() throws Exception {
    HttpServer server = HttpServer.builder("tei").routeUnder("", request -> request.method().equals("GET")
        ? HttpResponse.json(200, ("{\"model_id\": \"org/sst2\", \"model_sha\": \"0123456789abcdef\","
            + " \"model_type\": {\"classifier\": {\"id2label\": {\"0\": \"NEGATIVE\", \"1\": \"POSITIVE\"}}}}")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8))
        : HttpResponse.json(200, "[[{\"score\": 0.4, \"label\": \"POSITIVE\"}, {\"score\": -0.4, \"label\":"
            .concat(" \"NEGATIVE\"}]]").getBytes(java.nio.charset.StandardCharsets.UTF_8))).start();
    try {
      String url = "http://127.0.0.1:" + server.port();
      Path remote = dir.resolve("sst2");
      assertEquals(2, run(remote.toString(), "--kind", "hf"));
      assertTrue(err.toString().contains("--kind hf needs --url (the inference server)"), err.toString());

      assertEquals(0, run(remote.toString(), "--kind", "hf", "--url", url, "--classes", "negative,positive"),
          err.toString());
      TeacherDescriptor teacher = TeacherDirectory.read(remote);
      assertEquals("hf", teacher.kind());
      assertEquals("sst2", teacher.id());
      assertEquals("sha:0123456789ab", teacher.version());
      assertEquals(List.of("negative", "positive"), teacher.classes());
      assertTrue(out.toString().contains("found: a text classifier behind a HuggingFace server"), out.toString());
      assertTrue(out.toString().contains("probe: the text"), out.toString());
      assertTrue(out.toString().contains("positive 0.690"), out.toString()); // softmax of (-0.4, 0.4)
    } finally {
      server.close();
    }
  }

  @Test
  void shouldImportAnLlmAndRefuseAtItsProbeAPromptItDoesNotAnswerWithAClass() throws Exception {
    // A chat model that answers with a class only when the system prompt says what the classes mean.
    HttpServer server = HttpServer.builder("vllm").routeUnder("", request -> {
      if (request.method().equals("GET")) {
        return HttpResponse.json(200, "{\"data\": [{\"id\": \"org/chat-7b\"}]}"
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      boolean told = new String(request.body(), java.nio.charset.StandardCharsets.UTF_8).contains("unsolicited");
      String token = told ? "spam" : "Sure";
      return HttpResponse.json(200, ("{\"choices\": [{\"index\": 0, \"message\": {\"content\": \"" + token
          + "\"}, \"logprobs\": {\"content\": [{\"token\": \"" + token + "\", \"logprob\": -0.2,"
          + " \"top_logprobs\": [{\"token\": \"" + token + "\", \"logprob\": -0.2}, {\"token\": \"ham\","
          + " \"logprob\": -1.8}]}]}}]}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }).start();
    try {
      String url = "http://127.0.0.1:" + server.port() + "/v1";
      Path remote = dir.resolve("llm");
      assertEquals(2, run(remote.toString(), "--kind", "llm", "--url", url));
      assertTrue(err.toString().contains("--kind llm needs --classes"), err.toString());

      assertEquals(1, run(remote.toString(), "--kind", "llm", "--url", url, "--classes", "ham,spam"));
      assertTrue(err.toString().contains("the model answered 'Sure', not one of the classes [ham, spam]"),
          err.toString());
      assertFalse(Files.exists(remote.resolve(TeacherDescriptor.FILE_NAME)), "a teacher that does not answer is"
          + " not left behind");

      assertEquals(0, run(remote.toString(), "--kind", "llm", "--url", url, "--classes", "ham,spam", "--option",
          "instructions=Is this mail unsolicited bulk mail (spam) or not (ham)? {classes}"), err.toString());
      TeacherDescriptor teacher = TeacherDirectory.read(remote);
      assertEquals("llm", teacher.kind());
      assertEquals("chat-7b", teacher.id());
      assertEquals("org/chat-7b", teacher.options().get("model"));
      assertTrue(out.toString().contains("found: a large language model behind an OpenAI-compatible server"),
          out.toString());
      // spam at e^-0.2 = 0.819, ham at e^-1.8 = 0.165, renormalised
      assertTrue(out.toString().contains("probe: the text \"This is a probe sentence to check the model answers.\""
          + " -> spam 0.832, ham 0.168"), out.toString());
    } finally {
      server.close();
    }
  }

  @Test
  void shouldImportAModelBehindAnInferenceServerFromItsMetadata() throws Exception {
    try (OipStub server = new OipStub()) {
      server.start();
      Path remote = dir.resolve("remote-teacher");

      assertEquals(0, run(remote.toString(), "--url", "http://127.0.0.1:" + server.port(), "--model", "m"),
          err.toString());

      TeacherDescriptor teacher = TeacherDirectory.read(remote);
      assertEquals("oip", teacher.kind());
      assertEquals("m", teacher.id());
      assertEquals(List.of("a", "b"), teacher.classes());
      assertEquals("vector", teacher.input());
      assertEquals(2, teacher.vectorWidth());
      assertTrue(teacher.files().isEmpty());
      assertTrue(server.inferCalls.get() >= 1, "the probe reached the server");

      assertEquals(2, run(dir.resolve("other").toString(), "--url", "http://127.0.0.1:" + server.port(), "--model",
          "m", "--classes", "x,y"));
      assertTrue(err.toString().contains("names its classes [a, b], not [x, y]"), err.toString());

      assertEquals(1, run(dir.resolve("missing").toString(), "--url", "http://127.0.0.1:" + server.port(), "--model",
          "nope"));
      assertTrue(err.toString().contains("has no model 'nope'"), err.toString());

      // A BYTES input is text, or records when named as a teacher service names its records' input.
      server.metadataDatatype = "BYTES";
      server.metadataInput = "text";
      assertEquals(0, run(dir.resolve("texts").toString(), "--url", "http://127.0.0.1:" + server.port(), "--model",
          "m"), err.toString());
      assertEquals("text", TeacherDirectory.read(dir.resolve("texts")).input());
      server.metadataInput = "fields";
      assertEquals(0, run(dir.resolve("records").toString(), "--url", "http://127.0.0.1:" + server.port(), "--model",
          "m"), err.toString());
      assertEquals("structured", TeacherDirectory.read(dir.resolve("records")).input());
      assertEquals(2, run(dir.resolve("wrong").toString(), "--url", "http://127.0.0.1:" + server.port(), "--model",
          "m", "--input", "vector"));
      assertTrue(err.toString().contains("takes BYTES input fields, which is not vector input"), err.toString());
    }
  }

  @Test
  void shouldSayWhatItFoundWhenADirectoryHoldsNoModelOrSeveral() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.writeString(data.resolve("notes.txt"), "hello");

    assertEquals(2, run(data.toString()));
    assertTrue(err.toString().contains("holds no model to import") && err.toString().contains("Found: notes.txt"),
        err.toString());

    Files.write(data.resolve("a.onnx"), TinyModels.onnx(false));
    Files.write(data.resolve("b.onnx"), TinyModels.onnx(false));
    assertEquals(2, run(data.toString(), "--classes", "x,y"));
    assertTrue(err.toString().contains("holds 2 model files [a.onnx, b.onnx]: say which with --file"),
        err.toString());
    assertEquals(0, run(data.toString(), "--classes", "x,y", "--file", "b.onnx"), err.toString());
    assertEquals(java.util.Set.of("b.onnx"), TeacherDirectory.read(data).files().keySet());

    assertEquals(2, run(dir.resolve("nowhere").toString()));
    assertEquals(2, run(data.toString(), "--kind", "keras"));
    assertTrue(err.toString().contains("--kind must be one of"), err.toString());
  }

  @Test
  void shouldPrintItsHelp() {
    assertEquals(0, run("--help"), err.toString());
    assertTrue(out.toString().startsWith("Usage: import-teacher [-hV]"), out.toString());
    assertTrue(out.toString().contains("--teacher-version=V"), out.toString());
    assertTrue(out.toString().lines().allMatch(line -> line.length() <= 120), out.toString());
  }

  @Test
  void shouldNameImportTeacherWhereATeacherDirectoryHasNoTeacherJson() throws Exception {
    Path export = textExport(true);

    TeacherException refused = assertThrows(TeacherException.class, () -> TeacherCatalog.load(export.toString()));

    assertTrue(refused.getMessage().contains("./distill import-teacher " + export), refused.getMessage());
  }
}
