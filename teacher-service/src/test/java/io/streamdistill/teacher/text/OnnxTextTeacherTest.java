package io.streamdistill.teacher.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import io.streamdistill.teacher.TeacherCatalog;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code onnx-text} kind on a directory the test builds from the MiniLM jar's own ONNX file and
 * tokenizer (an encoder plus a head, with config.json and teacher.json), loaded through the
 * catalog as the service loads it.
 */
class OnnxTextTeacherTest {
  private static final int MAX_LENGTH = 128;
  private static final List<String> TEXTS = List.of(
      "My invoice charged me twice this month, please refund the second payment.",
      "The service has been down since 9am, nothing loads.",
      "ok",
      "Thanks, your team fixed it in minutes. Great support! " + "Really appreciated. ".repeat(60));

  @TempDir
  static Path root;
  private static Path int8Dir;
  private static Path fp32Dir;

  @BeforeAll
  static void buildDirectories() {
    int8Dir = root.resolve("int8");
    fp32Dir = root.resolve("fp32");
    TextTeacherDirs.encoderWithHead(int8Dir, TextTeacherDirs.INT8_MODEL, TextTeacherDirs.INT8_TOKENIZER, MAX_LENGTH);
    TextTeacherDirs.encoderWithHead(fp32Dir, TextTeacherDirs.FP32_MODEL, TextTeacherDirs.FP32_TOKENIZER, MAX_LENGTH);
  }

  @Test
  void shouldDescribeTheExportDirectoryWithEveryFileHashed() {
    TeacherDescriptor descriptor = TeacherDirectory.read(int8Dir);
    assertEquals("onnx-text", descriptor.kind());
    assertEquals(TextTeacherDirs.CLASSES, descriptor.classes(), "from config.json's id2label");
    assertEquals(384, descriptor.embeddingWidth(), "the pooled last_hidden_state");
    assertEquals(Set.of("model.onnx", "tokenizer.json", "config.json", "head.bin"), descriptor.files().keySet());
  }

  /** The teacher's logits against a predictor of our own on the same ONNX file, same batch. */
  @Test
  void shouldGiveTheLogitsOfADirectDjlCallOnTheModelAndTheHead() throws Exception {
    float[][] expectedEmbeddings = directDjlEmbeddings(int8Dir, TEXTS);
    LogisticHead head = TextTeacherDirs.head();
    try (Teacher teacher = TeacherCatalog.load(int8Dir.toString());
        TeacherPredictor predictor = teacher.newPredictor()) {
      assertTrue(teacher instanceof TextTeacher, "loaded by the onnx-text kind: " + teacher.getClass());
      List<Prediction> predictions = predictor.predict(TEXTS.stream().map(TeacherInput::ofText).toList());
      assertEquals(TEXTS.size(), predictions.size());
      for (int i = 0; i < TEXTS.size(); i++) {
        float[] expected = head.logits(expectedEmbeddings[i]);
        assertArrayEquals(expected, predictions.get(i).logits(), 1e-4f, "logits of text " + i);
        assertArrayEquals(expectedEmbeddings[i], predictions.get(i).embedding(), 1e-5f, "embedding of text " + i);
      }
    }
  }

  /**
   * Padding must not change a text's logits. Proven on the fp32 MiniLM: the int8 model computes its
   * activation scales over the whole batch (dynamic quantization), so there a text's output moves a
   * little with its batch mates and padding, whatever the code around it does (see package-info).
   */
  @Test
  void shouldGiveTheSameLogitsInAPaddedBatchAsOneAtATime() {
    try (TextTeacher teacher = OnnxTextTeacherLoader.open(fp32Dir);
        TeacherPredictor predictor = teacher.newPredictor()) {
      List<Prediction> batch = predictor.predict(TEXTS.stream().map(TeacherInput::ofText).toList());
      for (int i = 0; i < TEXTS.size(); i++) {
        Prediction single = predictor.predict(List.of(TeacherInput.ofText(TEXTS.get(i)))).get(0);
        assertArrayEquals(single.logits(), batch.get(i).logits(), 1e-4f, "logits of text " + i);
      }
    }
  }

  @Test
  void shouldCutTextsAtTheConfiguredMaxLength() {
    try (TextTeacher teacher = OnnxTextTeacherLoader.open(fp32Dir);
        TeacherPredictor predictor = teacher.newPredictor()) {
      assertEquals(MAX_LENGTH, teacher.maxTokens());
      String longText = TEXTS.get(3);
      // Past the cut, more text changes nothing.
      float[] cut = predictor.predict(List.of(TeacherInput.ofText(longText))).get(0).logits();
      float[] longer = predictor.predict(List.of(TeacherInput.ofText(longText + " Extra words at the end."))).get(0)
          .logits();
      assertArrayEquals(cut, longer, 1e-5f);
    }
  }

  @Test
  void shouldRefuseADirectoryWithoutTokenizer() throws IOException {
    Path dir = Files.createDirectories(root.resolve("no-tokenizer"));
    TextTeacherDirs.copy(TextTeacherDirs.INT8_MODEL, dir.resolve("model.onnx"));
    TextModelConfig.write(dir.resolve("config.json"), TextTeacherDirs.CLASSES, Map.of());
    TeacherException e = assertThrows(TeacherException.class,
        () -> OnnxTextTeacherLoader.describe(dir, "t", "1", null, Map.of("head", "head.bin")));
    assertTrue(e.getMessage().contains("no tokenizer.json in " + dir), e.getMessage());

    // A described directory whose tokenizer went missing afterwards is refused before anything loads.
    Path copy = copyOf(int8Dir, "tokenizer-gone");
    Files.delete(copy.resolve("tokenizer.json"));
    e = assertThrows(TeacherException.class, () -> TeacherCatalog.load(copy.toString()));
    assertTrue(e.getMessage().contains("tokenizer.json, which is missing"), e.getMessage());
  }

  @Test
  void shouldRefuseAConfigWithoutId2labelWhenNoClassesAreGiven() throws IOException {
    Path dir = copyOf(int8Dir, "no-labels");
    Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"bert\", \"hidden_size\": 384}\n");
    Files.delete(dir.resolve("teacher.json"));
    TeacherException e = assertThrows(TeacherException.class,
        () -> OnnxTextTeacherLoader.describe(dir, "t", "1", null, Map.of("head", "head.bin")));
    assertTrue(e.getMessage().contains("has no id2label and no class names were given"), e.getMessage());
    // With the class names given, the same directory is fine.
    TeacherDescriptor described = OnnxTextTeacherLoader.describe(dir, "t", "1", TextTeacherDirs.CLASSES,
        Map.of("head", "head.bin"));
    assertEquals(TextTeacherDirs.CLASSES, described.classes());
  }

  @Test
  void shouldRefuseClassNamesThatDisagreeWithConfigJson() throws IOException {
    Path dir = copyOf(int8Dir, "other-labels");
    TextModelConfig.write(dir.resolve("config.json"), List.of("a", "b", "c"), Map.of());
    TeacherDescriptor read = descriptorWithoutCheck(dir);
    TeacherDirectory.write(dir, read, read.files().keySet());
    TeacherException e = assertThrows(TeacherException.class, () -> TeacherCatalog.load(dir.toString()));
    assertTrue(e.getMessage().contains("[a, b, c]") && e.getMessage().contains("id2label"), e.getMessage());
  }

  @Test
  void shouldRenameTheModelsClassesOutputByOutputWhenAsManyNamesAreGiven() throws IOException {
    // A fine-tuned export that names its classes LABEL_0, LABEL_1, ...: import-teacher --classes names them as the
    // data's labels do.
    Path dir = copyOf(int8Dir, "generic-labels");
    TextModelConfig.write(dir.resolve("config.json"), List.of("LABEL_0", "LABEL_1", "LABEL_2"), Map.of());

    TeacherDescriptor renamed = OnnxTextTeacherLoader.describe(dir, "t", "1", TextTeacherDirs.CLASSES,
        Map.of("head", "head.bin"));

    assertEquals(TextTeacherDirs.CLASSES, renamed.classes());
    assertEquals("true", renamed.options().get(OnnxTextTeacherLoader.OPTION_RENAMED));
    try (Teacher teacher = TeacherCatalog.load(dir.toString())) {
      assertEquals(TextTeacherDirs.CLASSES, teacher.descriptor().classes(), "loaded with the names given");
    }
    TeacherException count = assertThrows(TeacherException.class, () -> OnnxTextTeacherLoader.describe(dir, "t",
        "1", List.of("negative", "positive"), Map.of("head", "head.bin")));
    assertTrue(count.getMessage().contains("names 3 classes in id2label, [LABEL_0, LABEL_1, LABEL_2], and 2 names"
        + " were given"), count.getMessage());
  }

  @Test
  void shouldRefuseAFileWhoseHashDoesNotMatch() throws IOException {
    Path dir = copyOf(int8Dir, "tampered");
    byte[] bytes = Files.readAllBytes(dir.resolve("head.bin"));
    bytes[100] ^= 0x01; // one bit of one weight
    Files.write(dir.resolve("head.bin"), bytes);
    TeacherException e = assertThrows(TeacherException.class, () -> TeacherCatalog.load(dir.toString()));
    assertTrue(e.getMessage().contains("sha256 of " + dir.resolve("head.bin")), e.getMessage());
    assertTrue(e.getMessage().contains("refusing to load it"), e.getMessage());
  }

  @Test
  void shouldRefuseAHeadForOtherClassesThanTheDescriptor() throws IOException {
    Path dir = copyOf(int8Dir, "two-class-head");
    LogisticHead three = TextTeacherDirs.head();
    float[] weights = new float[2 * 384];
    new LogisticHead(2, 384, weights, new float[2]).write(dir.resolve("head.bin"));
    TeacherDescriptor read = descriptorWithoutCheck(dir);
    TeacherDirectory.write(dir, read, read.files().keySet());
    TeacherException e = assertThrows(TeacherException.class, () -> TeacherCatalog.load(dir.toString()));
    assertTrue(e.getMessage().contains("2 classes") && e.getMessage().contains(String.valueOf(three.classes())),
        e.getMessage());
  }

  @Test
  void shouldNeedLogitsOrAHead() throws IOException {
    Path dir = copyOf(int8Dir, "encoder-only");
    Files.delete(dir.resolve("teacher.json"));
    Files.delete(dir.resolve("head.bin"));
    TeacherException e = assertThrows(TeacherException.class,
        () -> OnnxTextTeacherLoader.describe(dir, "t", "1", null, Map.of()));
    assertTrue(e.getMessage().contains("has no logits output and no head"), e.getMessage());
  }

  // ------------------------------------------------------------------ the direct DJL call

  /**
   * The embeddings as a user would compute them with DJL alone: the tokenizer (cut to the max length,
   * padded to the longest), one ONNX call on our own predictor, then the mean of last_hidden_state
   * over the attention mask, L2-normalised, in plain Java.
   */
  private static float[][] directDjlEmbeddings(Path dir, List<String> texts) throws Exception {
    try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder().optTokenizerPath(dir.resolve("tokenizer.json"))
            .optMaxLength(MAX_LENGTH).optTruncation(true).optPadding(true).build();
        Model model = Model.newInstance("direct", "OnnxRuntime");
        NDManager manager = NDManager.newBaseManager("OnnxRuntime")) {
      model.load(dir, "model");
      Encoding[] encodings = tokenizer.batchEncode(texts);
      int batch = encodings.length;
      int length = encodings[0].getIds().length;
      long[] ids = new long[batch * length];
      long[] mask = new long[batch * length];
      long[] types = new long[batch * length];
      for (int b = 0; b < batch; b++) {
        assertEquals(length, encodings[b].getIds().length, "padded to the longest");
        System.arraycopy(encodings[b].getIds(), 0, ids, b * length, length);
        System.arraycopy(encodings[b].getAttentionMask(), 0, mask, b * length, length);
        System.arraycopy(encodings[b].getTypeIds(), 0, types, b * length, length);
      }
      NDList inputs = new NDList();
      Shape shape = new Shape(batch, length);
      for (String name : model.describeInput().keys()) {
        NDArray array = manager.create(switch (name) {
          case "input_ids" -> ids;
          case "attention_mask" -> mask;
          case "token_type_ids" -> types;
          default -> throw new IllegalStateException(name);
        }, shape);
        array.setName(name);
        inputs.add(array);
      }
      try (Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator())) {
        NDList outputs = predictor.predict(inputs);
        NDArray hidden = outputs.get("last_hidden_state");
        float[] h = hidden.toFloatArray();
        int width = (int) hidden.getShape().get(2);
        float[][] embeddings = new float[batch][width];
        for (int b = 0; b < batch; b++) {
          double[] sum = new double[width];
          int tokens = 0;
          for (int t = 0; t < length; t++) {
            if (mask[b * length + t] == 1) {
              tokens++;
              for (int d = 0; d < width; d++) {
                sum[d] += h[(b * length + t) * width + d];
              }
            }
          }
          double norm = 0;
          for (int d = 0; d < width; d++) {
            sum[d] /= tokens;
            norm += sum[d] * sum[d];
          }
          for (int d = 0; d < width; d++) {
            embeddings[b][d] = (float) (sum[d] / Math.sqrt(norm));
          }
        }
        return embeddings;
      }
    }
  }

  private static TeacherDescriptor descriptorWithoutCheck(Path dir) {
    return TeacherDirectory.read(copyOf(int8Dir, "reference-" + dir.getFileName()));
  }

  private static Path copyOf(Path source, String name) {
    try {
      Path copy = Files.createDirectories(root.resolve(name));
      try (var files = Files.list(source)) {
        for (Path file : files.toList()) {
          Files.copy(file, copy.resolve(file.getFileName()));
        }
      }
      return copy;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
