package io.streamdistill.teacher.mnist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.datasets.DatasetCache;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.datasets.MnistSource;
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
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer, the saved directory and the loader on a small teacher: 128 hidden units, 3 epochs on
 * the first 12,000 training images with 1-pixel jitter, tested on the first 2,000 test images (about
 * 2 s on 2 idle cores; 94-95% there over several seeds).
 */
class MnistTeacherTrainerTest {
  private static final MnistTeacherTrainer.Options SMALL =
      new MnistTeacherTrainer.Options(3, 64, 3e-3, 7, 128, 0f, 0.1f, 1, 12_000);
  private static final int TEST_SUBSET = 2_000;
  private static final float TOLERANCE = 1e-5f;

  private static ExampleSource train;
  private static ExampleSource test;
  private static TrainedMnistTeacher trained;

  @TempDir
  static Path saved;

  @BeforeAll
  static void trainSmallTeacher() {
    DatasetCache cache = DatasetCache.atDefaultDirectory();
    test = new FirstExamples(MnistSource.test(cache), TEST_SUBSET);
    train = MnistSource.train(cache);
    trained = new MnistTeacherTrainer(SMALL, cache).train(train, test);
    trained.saveTo(saved.resolve("teacher"));
  }

  @AfterAll
  static void close() {
    if (trained != null) {
      trained.close();
    }
  }

  @Test
  void shouldReduceTheLossAndLearnTheDigits() {
    List<MnistTeacherTrainer.EpochStats> history = trained.history();

    assertEquals(3, history.size());
    // Chance is ln(10) = 2.30; the first epoch's mean already includes its untrained start.
    assertTrue(history.get(0).loss() < Math.log(10), "epoch 1 loss " + history.get(0).loss());
    assertTrue(history.get(2).loss() < history.get(1).loss() && history.get(1).loss() < history.get(0).loss(),
        "loss did not fall: " + history);
    assertEquals(TEST_SUBSET, trained.testExamples());
    assertTrue(trained.testAccuracy() > 0.90, "test accuracy " + trained.testAccuracy());
  }

  @Test
  void shouldDescribeItselfAsTheContractSays() {
    TeacherDescriptor descriptor = trained.descriptor();

    assertEquals("mnist-mlp", descriptor.kind());
    assertEquals("mnist-mlp-128", descriptor.id());
    assertTrue(descriptor.version().matches("sha256:[0-9a-f]{12}"), descriptor.version());
    assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), descriptor.classes());
    assertEquals(784, descriptor.vectorWidth());
    assertEquals(128, descriptor.embeddingWidth());
    assertEquals(trained.testErrors(), descriptor.metrics().get("test.errors"));
    assertEquals(trained.testAccuracy(), descriptor.metrics().get("test.accuracy"), 1e-12);
    assertEquals(3.0, descriptor.metrics().get("epochs"));
    assertTrue(descriptor.metrics().get("train.seconds") > 0);
  }

  @Test
  void shouldLoadBackTheSameTeacherFromItsDirectory() {
    Path dir = saved.resolve("teacher");
    TeacherDescriptor descriptor = TeacherDirectory.read(dir);
    assertEquals(trained.descriptor().version(), descriptor.version());
    assertEquals(List.of("mnist-mlp-0003.params"), List.copyOf(descriptor.files().keySet()));

    try (Teacher loaded = new MnistTeacherLoader().load(dir, descriptor);
        TeacherPredictor fromDisk = loaded.newPredictor();
        TeacherPredictor inMemory = trained.newPredictor()) {
      List<TeacherInput> batch = inputs(0, 100);
      List<Prediction> expected = inMemory.predict(batch);
      List<Prediction> actual = fromDisk.predict(batch);
      for (int i = 0; i < batch.size(); i++) {
        assertArrayEquals(expected.get(i).logits(), actual.get(i).logits(), TOLERANCE, "logits of input " + i);
        assertArrayEquals(expected.get(i).embedding(), actual.get(i).embedding(), TOLERANCE, "embedding " + i);
        assertEquals(10, actual.get(i).logits().length);
        assertEquals(128, actual.get(i).embedding().length);
      }
    }
  }

  @Test
  void shouldPredictABatchAsItPredictsEachInputAlone() {
    try (TeacherPredictor predictor = trained.newPredictor()) {
      List<TeacherInput> batch = inputs(100, 32);
      List<Prediction> batched = predictor.predict(batch);
      for (int i = 0; i < batch.size(); i++) {
        Prediction single = predictor.predict(List.of(batch.get(i))).get(0);
        assertArrayEquals(single.logits(), batched.get(i).logits(), TOLERANCE, "input " + i);
        assertArrayEquals(single.embedding(), batched.get(i).embedding(), TOLERANCE, "input " + i);
      }
    }
  }

  @Test
  void shouldBeDeterministicAtInference() {
    try (TeacherPredictor predictor = trained.newPredictor()) {
      List<TeacherInput> batch = inputs(0, 16);
      List<Prediction> first = predictor.predict(batch);
      List<Prediction> second = predictor.predict(batch);
      for (int i = 0; i < batch.size(); i++) {
        // Dropout is off at inference: the same input gives the same logits, bit for bit.
        assertArrayEquals(first.get(i).logits(), second.get(i).logits(), 0f);
      }
    }
  }

  @Test
  void shouldRefuseATamperedParameterFile() throws IOException {
    Path copy = copyOfSaved("tampered");
    Path params = copy.resolve("mnist-mlp-0003.params");
    byte[] bytes = Files.readAllBytes(params);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(params, bytes);

    TeacherException e = assertThrows(TeacherException.class, () -> MnistTeacherLoader.load(copy));

    assertTrue(e.getMessage().contains("sha256"), e.getMessage());
  }

  @Test
  void shouldOmitTheEmbeddingWhenTeacherJsonDeclaresNone() throws IOException {
    Path copy = copyOfSaved("no-embedding");
    TeacherDescriptor original = TeacherDirectory.read(copy);
    TeacherDescriptor noEmbedding = new TeacherDescriptor(original.id(), original.version(), original.kind(),
        original.classes(), original.input(), original.vectorWidth(), 0, original.files(), original.metrics(),
        original.options());
    TeacherDirectory.write(copy, noEmbedding, original.files().keySet());

    try (Teacher teacher = MnistTeacherLoader.load(copy); TeacherPredictor predictor = teacher.newPredictor()) {
      Prediction prediction = predictor.predict(inputs(0, 1)).get(0);
      assertEquals(10, prediction.logits().length);
      assertNull(prediction.embedding());
    }
  }

  @Test
  void shouldRefuseATeacherOfAnotherKind() {
    TeacherDescriptor other = new TeacherDescriptor("x", "v", "onnx", MnistImages.CLASSES, "vector", 784, 0,
        Map.of("model.onnx", "00"), null, null);

    assertThrows(TeacherException.class, () -> new MnistTeacherLoader().load(saved.resolve("teacher"), other));
  }

  @Test
  void shouldNotOverwriteAnExistingDirectory() {
    TeacherException e = assertThrows(TeacherException.class, () -> trained.saveTo(saved.resolve("teacher")));

    assertTrue(e.getMessage().contains("exists"), e.getMessage());
  }

  @Test
  void shouldTrainOnceAndThenTakeTheTeacherFromTheCache(@TempDir Path cache) throws IOException {
    MnistTeacherTrainer.Options tiny = new MnistTeacherTrainer.Options(1, 128, 2e-3, 3, 16, 0f, 0f, 0, 1_000);
    MnistTeacherTrainer trainer = new MnistTeacherTrainer(tiny);

    Path first = trainer.trainedOrCached(cache);
    Path params = first.resolve("mnist-mlp-0001.params");
    FileTime written = Files.getLastModifiedTime(params);
    String version = TeacherDirectory.read(first).version();
    long started = System.nanoTime();
    Path second = MnistTeacherTrainer.trainedOrCached(cache, tiny);
    long millis = (System.nanoTime() - started) / 1_000_000;

    assertEquals(first, second);
    assertEquals(cache.resolve(tiny.key()), first);
    assertEquals(written, Files.getLastModifiedTime(params), "the parameter file was written again");
    assertEquals(version, TeacherDirectory.read(second).version());
    assertTrue(millis < 2_000, "taking a cached teacher took " + millis + " ms");
    try (var entries = Files.list(cache)) {
      assertEquals(List.of(first), entries.toList(), "temporary directories were left behind");
    }
  }

  @Test
  void shouldTrainAgainWhenTheCachedTeacherIsDamaged(@TempDir Path cache) throws IOException {
    MnistTeacherTrainer.Options tiny = new MnistTeacherTrainer.Options(1, 128, 2e-3, 4, 16, 0f, 0f, 0, 1_000);
    Path dir = MnistTeacherTrainer.trainedOrCached(cache, tiny);
    Files.writeString(dir.resolve("mnist-mlp-0001.params"), "damaged");

    Path again = MnistTeacherTrainer.trainedOrCached(cache, tiny);

    assertEquals(dir, again);
    assertEquals("mnist-mlp-16", TeacherDirectory.read(again).id());
  }

  @Test
  void shouldTrainTheSameWeightsFromTheSameSeed() {
    MnistTeacherTrainer.Options tiny = new MnistTeacherTrainer.Options(1, 128, 2e-3, 9, 16, 0.1f, 0.2f, 1, 1_000);
    ExampleSource fewTests = new FirstExamples(test, 100);
    String first;
    try (TrainedMnistTeacher once = new MnistTeacherTrainer(tiny).train(train, fewTests)) {
      first = once.descriptor().version();
    }
    try (TrainedMnistTeacher again = new MnistTeacherTrainer(tiny).train(train, fewTests)) {
      assertEquals(first, again.descriptor().version());
    }
    try (TrainedMnistTeacher otherSeed = new MnistTeacherTrainer(tiny.withSeed(10)).train(train, fewTests)) {
      assertNotEquals(first, otherSeed.descriptor().version());
    }
  }

  @Test
  void shouldRefuseBadOptionsNamingThem() {
    MnistTeacherTrainer.Options d = MnistTeacherTrainer.Options.DEFAULT;
    assertMessage("epochs", () -> d.withEpochs(0));
    assertMessage("batchSize", () -> d.withBatchSize(0));
    assertMessage("learningRate", () -> d.withLearningRate(0));
    assertMessage("learningRate", () -> d.withLearningRate(Double.NaN));
    assertMessage("inputDropout", () -> new MnistTeacherTrainer.Options(1, 1, 0.1, 1, 1, 1f, 0f, 0, 0));
    assertMessage("hiddenDropout", () -> new MnistTeacherTrainer.Options(1, 1, 0.1, 1, 1, 0f, -0.1f, 0, 0));
    assertMessage("jitterPixels", () -> new MnistTeacherTrainer.Options(1, 1, 0.1, 1, 1, 0f, 0f, 5, 0));
    assertMessage("trainLimit", () -> new MnistTeacherTrainer.Options(1, 1, 0.1, 1, 1, 0f, 0f, 0, -1));
  }

  @Test
  void shouldKeyTheCacheByEveryOption() {
    MnistTeacherTrainer.Options d = MnistTeacherTrainer.Options.DEFAULT;

    assertEquals("mnist-mlp-1200-e30-b256-lr0.002-s42-di0.2-dh0.5-j2", d.key());
    List<String> keys = new ArrayList<>(List.of(d.key(), d.withEpochs(21).key(), d.withBatchSize(64).key(),
        d.withLearningRate(0.003).key(), d.withSeed(1).key(), SMALL.key()));
    assertEquals(keys.size(), keys.stream().distinct().count(), keys.toString());
    assertNotEquals(d.key(), new MnistTeacherTrainer.Options(30, 256, 2e-3, 42, 1200, 0.2f, 0.5f, 2, 100).key());
  }

  private static void assertMessage(String name, Runnable make) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::run);
    assertTrue(e.getMessage().startsWith(name), e.getMessage());
  }

  private static Path copyOfSaved(String name) throws IOException {
    Path source = saved.resolve("teacher");
    Path copy = saved.resolve(name);
    Files.createDirectories(copy);
    try (var files = Files.list(source)) {
      for (Path file : files.toList()) {
        Files.copy(file, copy.resolve(file.getFileName()));
      }
    }
    return copy;
  }

  private static List<TeacherInput> inputs(int from, int count) {
    List<TeacherInput> inputs = new ArrayList<>(count);
    for (int i = from; i < from + count; i++) {
      inputs.add(TeacherInput.ofVector(test.get(i).vector()));
    }
    return inputs;
  }
}
