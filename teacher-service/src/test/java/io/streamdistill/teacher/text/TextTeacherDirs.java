package io.streamdistill.teacher.text;

import io.streamdistill.teacher.model.TeacherDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Text teacher directories built by the tests from the MiniLM jars' own files, in the export
 * layout: {@code model.onnx} and {@code tokenizer.json} copied from the jar, a {@code config.json}
 * naming {@link #CLASSES}, a seeded random {@link LogisticHead} on the 384-dim embedding, and
 * {@code teacher.json} written by {@link OnnxTextTeacherLoader#describe}.
 */
public final class TextTeacherDirs {
  static final List<String> CLASSES = List.of("billing", "outage", "praise");
  static final int WIDTH = 384;
  static final String INT8_MODEL = "/all-minilm-l6-v2-q.onnx";
  public static final String INT8_TOKENIZER = "/all-minilm-l6-v2-q-tokenizer.json";
  static final String FP32_MODEL = "/all-minilm-l6-v2.onnx";
  static final String FP32_TOKENIZER = "/all-minilm-l6-v2-tokenizer.json";

  private TextTeacherDirs() {}

  /** The head every test directory has: weights of order 1 so the logits span a few units. */
  static LogisticHead head() {
    SplittableRandom random = new SplittableRandom(7);
    float[] weights = new float[CLASSES.size() * WIDTH];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = (float) random.nextGaussian();
    }
    return new LogisticHead(CLASSES.size(), WIDTH, weights, new float[] {0.25f, -0.5f, 0.125f});
  }

  /** Copies the model and tokenizer, writes config.json and the head, and describes the directory. */
  static TeacherDescriptor encoderWithHead(Path dir, String modelResource, String tokenizerResource, int maxLength) {
    try {
      Files.createDirectories(dir);
      copy(modelResource, dir.resolve(OnnxTextTeacherLoader.MODEL_FILE));
      copy(tokenizerResource, dir.resolve(OnnxTextTeacherLoader.TOKENIZER_FILE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    TextModelConfig.write(dir.resolve(TextModelConfig.FILE_NAME), CLASSES, Map.of("model_type", "bert"));
    head().write(dir.resolve(LogisticHead.FILE_NAME));
    return OnnxTextTeacherLoader.describe(dir, "support-minilm-head", "test-1", null,
        Map.of(OnnxTextTeacherLoader.OPTION_HEAD, LogisticHead.FILE_NAME,
            OnnxTextTeacherLoader.OPTION_MAX_LENGTH, Integer.toString(maxLength),
            OnnxTextTeacherLoader.OPTION_POOLING, "mean", OnnxTextTeacherLoader.OPTION_NORMALIZE, "true"));
  }

  public static void copy(String resource, Path target) throws IOException {
    try (InputStream in = TextTeacherDirs.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the test class path");
      }
      Files.copy(in, target);
    }
  }
}
