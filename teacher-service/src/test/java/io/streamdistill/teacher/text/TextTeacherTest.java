package io.streamdistill.teacher.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The older {@code minilm-head} layout (encoder.onnx, tokenizer.json, head.bin, no config.json)
 * still loads, by the same code as {@code onnx-text}: a head trained on frozen embeddings of a small
 * synthetic mail set, saved in that layout, verified, loaded and run.
 */
class TextTeacherTest {
  @TempDir
  static Path root;
  private static Path teacherDir;
  private static OnnxTextModel encoder;
  private static LogisticHead head;
  private static double testAccuracy;
  private static final List<String> BATCH = List.of(
      "Subject: Act now: cheap pills at 90% off!!!\n\nClaim your free gift card today.",
      "Subject: release plan\n\nHi Bob, can we move the release review to Thursday? Thanks, Carol",
      "short",
      "Subject: team offsite\n\n" + "The agenda for the offsite is attached, see you there. ".repeat(60));

  @BeforeAll
  static void trainAndSave() {
    teacherDir = root.resolve("teacher");
    EncoderFiles copied = EncoderFiles.copyBundledTo(teacherDir);
    EncoderFiles files = new EncoderFiles(teacherDir.resolve("encoder.onnx"), copied.tokenizer());
    try {
      Files.move(copied.model(), files.model());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    encoder = files.open(128);

    SyntheticMails mails = new SyntheticMails(30, 1);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < mails.size(); i++) {
      texts.add(mails.get(i).text());
    }
    float[][] embeddings;
    try (OnnxTextModel.Session session = encoder.newSession()) {
      embeddings = session.embed(texts);
    }
    List<float[]> trainX = new ArrayList<>();
    List<Integer> trainY = new ArrayList<>();
    List<float[]> testX = new ArrayList<>();
    List<Integer> testY = new ArrayList<>();
    for (int i = 0; i < mails.size(); i++) {
      boolean test = MailSplit.isTest(mails.get(i).id());
      (test ? testX : trainX).add(embeddings[i]);
      (test ? testY : trainY).add(TextTeacherTrainer.CLASSES.indexOf(mails.label(i)));
    }
    head = HeadTrainer.train(trainX.toArray(float[][]::new), trainY.stream().mapToInt(Integer::intValue).toArray(), 2,
        new HeadTrainer.Settings(1e-3, 500, 1e-6, 42)).head();
    testAccuracy = HeadEvaluation.of(head, testX.toArray(float[][]::new),
        testY.stream().mapToInt(Integer::intValue).toArray()).accuracy();
    head.write(teacherDir.resolve(LogisticHead.FILE_NAME));
    // The layout as the first text trainer wrote it.
    TeacherDirectory.write(teacherDir, new TeacherDescriptor("mail-minilm-head", "0123456789abcdef", "minilm-head",
        List.of("ham", "spam"), TeacherDescriptor.TEXT, 0, 384, Map.of(), Map.of("test.accuracy", testAccuracy),
        Map.of("encoder", "encoder.onnx", "tokenizer", "tokenizer.json", "head", "head.bin", "maxTokens", "128")),
        List.of("encoder.onnx", "tokenizer.json", "head.bin"));
  }

  @AfterAll
  static void close() {
    encoder.close();
  }

  @Test
  void shouldBeatChanceClearlyWithAHeadTrainedOnAFewMails() {
    assertTrue(testAccuracy >= 0.9, "test accuracy " + testAccuracy + " (chance is 0.5)");
  }

  @Test
  void shouldGiveIdenticalLogitsAfterSavingAndLoading() {
    float[][] expectedEmbeddings;
    try (OnnxTextModel.Session session = encoder.newSession()) {
      expectedEmbeddings = session.embed(BATCH);
    }
    TeacherDescriptor descriptor = TeacherDirectory.read(teacherDir);
    try (TextTeacher teacher = new TextTeacherLoader().load(teacherDir, descriptor);
        TeacherPredictor predictor = teacher.newPredictor()) {
      List<Prediction> predictions = predictor.predict(BATCH.stream().map(TeacherInput::ofText).toList());
      assertEquals(BATCH.size(), predictions.size());
      for (int i = 0; i < BATCH.size(); i++) {
        assertArrayEquals(head.logits(expectedEmbeddings[i]), predictions.get(i).logits(), "logits of text " + i);
        assertArrayEquals(expectedEmbeddings[i], predictions.get(i).embedding(), "embedding of text " + i);
      }
      assertEquals(1, head.predict(predictions.get(0).embedding()), "the spam mail is spam");
      assertEquals(0, head.predict(predictions.get(1).embedding()), "the work mail is ham");
    }
  }

  @Test
  void shouldDescribeItselfInTeacherJson() {
    TeacherDescriptor descriptor = TeacherDirectory.read(teacherDir);
    assertEquals("mail-minilm-head", descriptor.id());
    assertEquals("minilm-head", descriptor.kind());
    assertEquals(List.of("ham", "spam"), descriptor.classes());
    assertTrue(descriptor.takesText());
    assertEquals(384, descriptor.embeddingWidth());
    assertEquals("128", descriptor.options().get("maxTokens"));
    assertEquals(Set.of("encoder.onnx", "tokenizer.json", "head.bin"), descriptor.files().keySet());
    descriptor.files().values().forEach(sha256 -> assertTrue(sha256.matches("[0-9a-f]{64}"), sha256));
    try (TextTeacher teacher = TextTeacherLoader.open(teacherDir)) {
      assertEquals(128, teacher.maxTokens(), "the old option name maxTokens is read");
    }
  }

  @Test
  void shouldRefuseATamperedHead() throws IOException {
    Path copy = copyTeacher("tampered");
    byte[] bytes = Files.readAllBytes(copy.resolve(LogisticHead.FILE_NAME));
    bytes[20] ^= 0x01; // one bit of one weight
    Files.write(copy.resolve(LogisticHead.FILE_NAME), bytes);
    TeacherException e = assertThrows(TeacherException.class, () -> TextTeacherLoader.open(copy));
    assertTrue(e.getMessage().contains("sha256"), e.getMessage());
    assertTrue(e.getMessage().contains("head.bin"), e.getMessage());
  }

  @Test
  void shouldRefuseAFileTheDescriptorDoesNotHash() {
    TeacherDescriptor read = TeacherDirectory.read(teacherDir);
    Map<String, String> files = new HashMap<>(read.files());
    files.remove(LogisticHead.FILE_NAME);
    TeacherDescriptor unhashedHead = new TeacherDescriptor(read.id(), read.version(), read.kind(), read.classes(),
        read.input(), 0, read.embeddingWidth(), files, read.metrics(), read.options());
    TeacherException e = assertThrows(TeacherException.class,
        () -> new TextTeacherLoader().load(teacherDir, unhashedHead));
    assertTrue(e.getMessage().contains("sha256"), e.getMessage());
  }

  @Test
  void shouldLoadThroughTheCatalogAsTheOldKind() {
    try (var teacher = io.streamdistill.teacher.TeacherCatalog.load(teacherDir.toString())) {
      assertTrue(teacher instanceof TextTeacher);
      assertEquals("minilm-head", teacher.descriptor().kind());
    }
  }

  @Test
  void shouldRefuseATeacherOfAnotherKind() {
    TeacherDescriptor read = TeacherDirectory.read(teacherDir);
    TeacherDescriptor other = new TeacherDescriptor(read.id(), read.version(), "mnist-mlp", read.classes(),
        read.input(), 0, read.embeddingWidth(), read.files(), read.metrics(), read.options());
    assertThrows(TeacherException.class, () -> new TextTeacherLoader().load(teacherDir, other));
  }

  @Test
  void shouldRefuseInputWithoutText() {
    try (TextTeacher teacher = TextTeacherLoader.open(teacherDir);
        TeacherPredictor predictor = teacher.newPredictor()) {
      TeacherException e = assertThrows(TeacherException.class,
          () -> predictor.predict(List.of(TeacherInput.ofText("fine"), TeacherInput.ofVector(new float[] {1}))));
      assertTrue(e.getMessage().contains("input 1"), e.getMessage());
      assertEquals(0, predictor.predict(List.of()).size());
    }
  }

  private static Path copyTeacher(String name) throws IOException {
    Path copy = Files.createDirectories(root.resolve(name));
    try (var files = Files.list(teacherDir)) {
      for (Path file : files.toList()) {
        Files.copy(file, copy.resolve(file.getFileName()));
      }
    }
    return copy;
  }
}
