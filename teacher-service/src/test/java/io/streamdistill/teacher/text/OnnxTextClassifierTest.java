package io.streamdistill.teacher.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.streamdistill.teacher.TeacherCatalog;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code onnx-text} kind on an exported classifier: the model's own {@code logits} are the
 * teacher's, with no head; its {@code pooler_output}, when it has one, is the embedding. The model
 * has no {@code token_type_ids} input, so none is fed.
 */
class OnnxTextClassifierTest {
  private static final List<String> CLASSES = List.of("negative", "neutral", "positive");
  private static final int MAX_LENGTH = 32;
  private static final List<String> TEXTS = List.of(
      "terrible, it broke after a day",
      "fine",
      "Absolutely wonderful product, would buy again and again and again and again and again and again and again"
          + " and again and again and again and again and again!");

  @TempDir
  Path dir;

  private Path export(boolean withPooledOutput) throws Exception {
    Files.write(dir.resolve("model.onnx"), TinyTextClassifier.onnx(withPooledOutput));
    TextTeacherDirs.copy(TextTeacherDirs.INT8_TOKENIZER, dir.resolve("tokenizer.json"));
    TextModelConfig.write(dir.resolve("config.json"), CLASSES, Map.of("model_type", "tiny"));
    OnnxTextTeacherLoader.describe(dir, "tiny-sentiment", "1", null, Map.of("maxLength", Integer.toString(MAX_LENGTH)));
    return dir;
  }

  @Test
  void shouldUseTheModelsOwnLogitsAndPooledOutput() throws Exception {
    export(true);
    try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder().optTokenizerPath(dir.resolve("tokenizer.json"))
            .optMaxLength(MAX_LENGTH).optTruncation(true).optPadding(false).build();
        Teacher teacher = TeacherCatalog.load(dir.toString());
        TeacherPredictor predictor = teacher.newPredictor()) {
      TeacherDescriptor descriptor = teacher.descriptor();
      assertEquals(CLASSES, descriptor.classes());
      assertEquals(TinyTextClassifier.WIDTH, descriptor.embeddingWidth(), "pooler_output is the embedding");
      assertNull(descriptor.options().get("head"));

      List<Prediction> batch = predictor.predict(TEXTS.stream().map(TeacherInput::ofText).toList());
      for (int i = 0; i < TEXTS.size(); i++) {
        long[] ids = tokenizer.encode(TEXTS.get(i)).getIds();
        float[][] expected = TinyTextClassifier.expected(ids);
        assertArrayEquals(expected[0], batch.get(i).logits(), 1e-4f, "logits of text " + i);
        assertArrayEquals(expected[1], batch.get(i).embedding(), 1e-4f, "embedding of text " + i);
        // Padding to the longest text in the batch changes nothing.
        Prediction single = predictor.predict(List.of(TeacherInput.ofText(TEXTS.get(i)))).get(0);
        assertArrayEquals(single.logits(), batch.get(i).logits(), 1e-6f, "batched vs alone, text " + i);
      }
      assertEquals(MAX_LENGTH, tokenizer.encode(TEXTS.get(2)).getIds().length, "the long text was cut");
    }
  }

  @Test
  void shouldHaveNoEmbeddingWhenTheClassifierExposesOnlyLogits() throws Exception {
    export(false);
    try (Teacher teacher = TeacherCatalog.load(dir.toString());
        TeacherPredictor predictor = teacher.newPredictor()) {
      assertEquals(0, teacher.descriptor().embeddingWidth());
      Prediction prediction = predictor.predict(List.of(TeacherInput.ofText("fine"))).get(0);
      assertEquals(3, prediction.logits().length);
      assertNull(prediction.embedding());
    }
  }
}
