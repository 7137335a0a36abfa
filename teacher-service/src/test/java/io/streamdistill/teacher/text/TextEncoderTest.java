package io.streamdistill.teacher.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.teacher.model.TeacherDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The encoders {@code --encoder} names: the two bundled ones and any directory. */
class TextEncoderTest {
  @TempDir
  Path dir;

  @Test
  void shouldRunBundledBgeSmallWithClsPooling() {
    TextEncoder bge = TextEncoder.named("bge-small");
    assertEquals(OnnxTextModel.Pooling.CLS, bge.pooling());
    EncoderFiles files = bge.copyTo(dir.resolve("bge"));
    assertEquals(files.fingerprint(), bge.fingerprint(), "the copy is the jar's model");
    try (OnnxTextModel model = OnnxTextModel.open(files.model(), files.tokenizer(), 128, bge.pooling(), true, 0);
        OnnxTextModel.Session session = model.newSession()) {
      float[][] e = session.embed(List.of(
          "The cat is sleeping on the sofa.",
          "A kitten naps on the couch.",
          "Interest rates were raised by the central bank."));
      assertEquals(384, e[0].length);
      assertEquals(1.0, OnnxTextModelTest.norm(e[0]), 1e-5);
      assertTrue(OnnxTextModelTest.cosine(e[0], e[1]) > OnnxTextModelTest.cosine(e[0], e[2]) + 0.1,
          "cat/kitten " + OnnxTextModelTest.cosine(e[0], e[1]) + " vs cat/bank "
              + OnnxTextModelTest.cosine(e[0], e[2]));
    }
  }

  @Test
  void shouldTakeADirectoryWithItsOnlyOnnxFileAndSentenceTransformersPooling() throws Exception {
    Path encoder = Files.createDirectories(dir.resolve("my-encoder"));
    TextTeacherDirs.copy(TextTeacherDirs.INT8_MODEL, encoder.resolve("encoder-int8.onnx"));
    TextTeacherDirs.copy(TextTeacherDirs.INT8_TOKENIZER, encoder.resolve("tokenizer.json"));
    TextEncoder mean = TextEncoder.named(encoder.toString());
    assertEquals(OnnxTextModel.Pooling.MEAN, mean.pooling());
    assertEquals(TextEncoder.named("minilm").fingerprint(), mean.fingerprint(), "the same files as the bundled MiniLM");

    Files.createDirectories(encoder.resolve("1_Pooling"));
    Files.writeString(encoder.resolve("1_Pooling/config.json"), "{\"pooling_mode_cls_token\": true}");
    assertEquals(OnnxTextModel.Pooling.CLS, TextEncoder.named(encoder.toString()).pooling());

    // A teacher trained on it: the directory's own copy of the encoder, described as such.
    ExampleSource[] splits = TextTeacherFromLabelledDataTest.split(TextTeacherFromLabelledDataTest.generate(15, 3));
    TeacherDescriptor descriptor = TextTeacherTrainer.train(splits[0], splits[1],
        TextTeacherTrainer.Options.defaults().withEncoder(encoder.toString()).withMaxTokens(32),
        dir.resolve("t"), null);
    assertEquals("planted-words-my-encoder-head", descriptor.id());
    assertEquals("cls", descriptor.options().get("pooling"));
    assertTrue(descriptor.options().get("encoderModel").contains(encoder.toAbsolutePath().toString()));
    try (TextTeacher teacher = OnnxTextTeacherLoader.open(dir.resolve("t"))) {
      assertEquals(3, teacher.head().classes());
    }
  }

  @Test
  void shouldRefuseADirectoryWithoutTokenizerOrWithManyModels() throws Exception {
    Path encoder = Files.createDirectories(dir.resolve("broken"));
    Files.write(encoder.resolve("a.onnx"), new byte[] {1});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TextEncoder.named(encoder.toString()));
    assertTrue(e.getMessage().contains("has no tokenizer.json"), e.getMessage());
    Files.write(encoder.resolve("b.onnx"), new byte[] {1});
    e = assertThrows(IllegalArgumentException.class, () -> TextEncoder.named(encoder.toString()));
    assertTrue(e.getMessage().contains("[a.onnx, b.onnx]"), e.getMessage());
  }
}
