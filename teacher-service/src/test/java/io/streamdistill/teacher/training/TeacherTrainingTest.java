package io.streamdistill.teacher.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.datasets.IdxSource;
import io.streamdistill.student.FieldSpec;
import io.streamdistill.teacher.TeacherCatalog;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trains a teacher per payload on data the test writes itself, and loads it back the way the service does. */
class TeacherTrainingTest {
  @TempDir
  Path tmp;

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final PrintStream progress = new PrintStream(printed, true, StandardCharsets.UTF_8);

  private String printed() {
    return printed.toString(StandardCharsets.UTF_8);
  }

  private static TeacherTraining.Options small() {
    return TeacherTraining.Options.defaults().withHidden(List.of(32)).withEpochs(12).withBatchSize(32);
  }

  @Test
  void shouldTrainAnMlpOnDenseVectorsAndServeTheSameLogits() {
    TeacherTraining.Result result = TeacherTraining.train(TrainingData.blobs(900, 1), small(), tmp.resolve("blobs"),
        progress);

    assertEquals(Payload.VECTOR, result.payload());
    // Bayes error about 0.5% (see TrainingData.blobs): 95% leaves room for a short run, not for a wrong one.
    assertTrue(result.descriptor().metrics().get("test.accuracy") > 0.95, printed());
    assertEquals(TeacherDescriptor.VECTOR, result.descriptor().input());
    assertEquals(8, result.descriptor().vectorWidth());
    assertEquals(32, result.descriptor().embeddingWidth());
    assertEquals(List.of("c0", "c1", "c2"), result.descriptor().classes());
    assertTrue(result.descriptor().files().containsKey(InputFeatures.SCALING_FILE));
    assertTrue(printed().contains("payload: vector"), printed());
    assertEquals("mlp", result.descriptor().options().get("model"), "auto: the MLP for vectors");
    assertTrue(printed().contains("epoch 12/12: loss"), printed());
    assertTrue(printed().contains("precision  recall  count"), printed());
    assertServesTheTrainersLogits(result);
  }

  @Test
  void shouldWriteTheWeightsOfTheEpochBestOnValidationNotTheLast() {
    // Blobs with a quarter of the labels flipped, a wide network without dropout and many epochs: it learns the
    // blobs in a few epochs, then the noise. The epoch kept is chosen on rows kept apart from training.
    Random random = new Random(5);
    List<Example> noisy = new ArrayList<>();
    ExampleSource blobs = TrainingData.blobs(600, 2);
    for (int i = 0; i < blobs.size(); i++) {
      Example e = blobs.get(i);
      String label = random.nextDouble() < 0.25 ? "c" + random.nextInt(3) : e.label();
      noisy.add(new Example(e.id(), null, e.vector(), label));
    }
    ExampleSource source = ExampleSource.of("noisy-blobs", noisy, List.of("c0", "c1", "c2"));
    TeacherTraining.Options overfitting = TeacherTraining.Options.defaults().withHidden(List.of(256, 256))
        .withDropout(0f, 0f).withEpochs(40).withBatchSize(16).withLearningRate(0.01);

    TeacherTraining.Result chosen = TeacherTraining.train(source, overfitting, tmp.resolve("chosen"), progress);
    int kept = chosen.descriptor().metrics().get("epoch.kept").intValue();
    assertTrue(kept >= 1 && kept < 40, "kept epoch " + kept + "\n" + printed());
    assertTrue(printed().matches("(?s).*validation: \\d+ of the \\d+ training rows kept apart.*"), printed());
    assertTrue(printed().contains("kept epoch " + kept + " of 40, the best on validation"), printed());
    // The teacher written (and served) is the kept epoch's, not the last one's.
    assertServesTheTrainersLogits(chosen);

    TeacherTraining.Result last = TeacherTraining.train(source, overfitting.withValidationPercent(0),
        tmp.resolve("last"), progress);
    assertEquals(40, last.descriptor().metrics().get("epoch.kept").intValue());
    assertTrue(chosen.descriptor().metrics().get("test.accuracy") >= last.descriptor().metrics().get("test.accuracy"),
        "validation-chosen " + chosen.descriptor().metrics() + " vs last epoch " + last.descriptor().metrics());
  }

  @Test
  void shouldTrainAnMlpAndACnnOnIdxImages() throws IOException {
    Path[] idx = TrainingData.writeIdx(tmp, 900, 2);
    IdxSource images = IdxSource.read(idx[0], idx[1]);

    TeacherTraining.Result mlp = TeacherTraining.train(images, small().withModel("mlp").withHidden(List.of(64)),
        tmp.resolve("mlp"), progress);
    // The default model (auto) for gray images of a known shape: the CNN.
    assertEquals(TeacherTraining.Options.AUTO, small().model());
    TeacherTraining.Result cnn = TeacherTraining.train(images, small().withEpochs(8), tmp.resolve("cnn"), progress);

    assertEquals(Payload.IMAGE, mlp.payload());
    assertTrue(printed().contains("payload: image 8x8"), printed());
    assertTrue(printed().contains("cnn 8x8 conv5x5x16-pool-conv5x5x32-pool-32-3"), printed());
    // The three shapes share no position, so a perfect classifier exists; 90% on held-out images
    // means the network learned shapes, not the positions it saw (a third would be chance).
    assertTrue(mlp.descriptor().metrics().get("test.accuracy") > 0.9, printed());
    assertTrue(cnn.descriptor().metrics().get("test.accuracy") > 0.9, printed());
    assertEquals("cnn", cnn.descriptor().options().get("model"));
    assertEquals("mlp", mlp.descriptor().options().get("model"));
    assertEquals(64, mlp.descriptor().vectorWidth());
    assertServesTheTrainersLogits(mlp);
    assertServesTheTrainersLogits(cnn);
  }

  @Test
  void shouldTrainACnnOnColourImagesPlaneByPlane() throws IOException {
    Path[] idx = TrainingData.writeColourIdx(tmp, 900, 3);
    IdxSource images = IdxSource.read(idx[0], idx[1]);
    assertArrayEquals(new int[] {3, 8, 8}, images.imageShape());

    TeacherTraining.Result cnn = TeacherTraining.train(images, small().withEpochs(8), tmp.resolve("colour"), progress);

    assertTrue(printed().contains("cnn 3x8x8 conv5x5x16-pool-conv5x5x32-pool-32-3"), printed());
    assertEquals(192, cnn.descriptor().vectorWidth());
    // Only the colour plane tells the class: a third would be chance, or a gray reading of the image.
    assertTrue(cnn.descriptor().metrics().get("test.accuracy") > 0.95, printed());
    assertServesTheTrainersLogits(cnn);
  }

  @Test
  void shouldTrainOnStructuredRecordsWithTheStudentsFeaturizer() {
    ExampleSource flows = TrainingData.flowSource(2000, 3);

    TeacherTraining.Result result = TeacherTraining.train(flows, small().withHidden(List.of(64, 32)).withEpochs(15),
        tmp.resolve("flows"), progress);

    assertEquals(Payload.STRUCTURED, result.payload());
    assertTrue(result.descriptor().takesFields());
    // 3% of labels are flipped (best possible about 97%); the rule needs both a category pair and a
    // numeric threshold, so no single field gets above about 78% (the share of "normal"): 90% means
    // the network combines them.
    assertTrue(result.descriptor().metrics().get("test.accuracy") > 0.9, printed());
    FieldSpec spec = FieldSpec.fromJson(readString(tmp.resolve("flows").resolve(InputFeatures.FIELDS_FILE)));
    assertEquals(List.of("bytes", "duration"), spec.numeric().stream().map(FieldSpec.NumericField::name).toList());
    assertEquals(List.of("flag", "proto"), spec.categorical().stream().map(FieldSpec.CategoricalField::name).toList());
    // Fitted on the training split only, so that nothing of the test split leaks into the features.
    List<java.util.Map<String, Object>> trainRecords = new ArrayList<>();
    List<java.util.Map<String, Object>> allRecords = new ArrayList<>();
    for (int i = 0; i < flows.size(); i++) {
      allRecords.add(flows.get(i).fields());
      if (!TestSplit.isTest(flows.get(i).id(), 20)) {
        trainRecords.add(flows.get(i).fields());
      }
    }
    assertEquals(FieldSpec.fit(trainRecords, TeacherTraining.Options.DEFAULT_MAX_CATEGORIES), spec);
    assertFalse(FieldSpec.fit(allRecords, TeacherTraining.Options.DEFAULT_MAX_CATEGORIES).equals(spec));
    assertServesTheTrainersLogits(result);
  }

  @Test
  void shouldLearnFromTheWordsOfAFieldOfText() {
    // The class is in the title's words alone (two topic words among eight others); price and shop are noise.
    ExampleSource topics = TrainingData.texts(1500, 5);
    Random random = new Random(5);
    List<Example> listings = new ArrayList<>();
    for (int i = 0; i < topics.size(); i++) {
      Example topic = topics.get(i);
      listings.add(Example.ofFields(topic.id(), java.util.Map.of("title", topic.text(), "price",
          random.nextDouble() * 100, "shop", "shop" + random.nextInt(5)), topic.label()));
    }

    TeacherTraining.Result result = TeacherTraining.train(ExampleSource.of("listings", listings, topics.classes()),
        small().withEpochs(15), tmp.resolve("listings"), progress);

    assertEquals(Payload.STRUCTURED, result.payload());
    assertTrue(printed().contains("fields: 1 numeric (standardised), 1 categorical (one-hot, 5 values and 'unseen'),"
        + " 1 of words (title: hashed, 1024 buckets each); 1031 features"), printed());
    // A third of the records per class: without the title's words no better than about 33%.
    assertTrue(result.descriptor().metrics().get("test.accuracy") > 0.9, printed());
    FieldSpec spec = FieldSpec.fromJson(readString(tmp.resolve("listings").resolve(InputFeatures.FIELDS_FILE)));
    assertEquals(List.of(new FieldSpec.TextField("title", FieldSpec.TEXT_BUCKETS)), spec.text());
    assertServesTheTrainersLogits(result);
  }

  @Test
  void shouldRefuseFeaturesLargerThanHalfTheHeapBeforeMakingThem() {
    DensePath.requireFits(100_000, 1031, 1L << 30); // 393 MB of 1 GB: fits
    var e = assertThrows(IllegalArgumentException.class, () -> DensePath.requireFits(1_000_000, 1031, 1L << 30));
    assertEquals("the examples as features are 1,000,000 rows of 1,031 values, 3,932 MB as floats, more than the"
        + " 511 MB (50% of the 1,024 MB heap) they may take: give the JVM more (JAVA_OPTS=-Xmx8g), or train on fewer"
        + " rows (a sample of the file)", e.getMessage());
    // More values than one Java array holds, whatever the heap.
    assertThrows(IllegalArgumentException.class, () -> DensePath.requireFits(3_000_000, 1031, 1L << 40));
  }

  @Test
  void shouldKeepTheSameTestSplitWhateverTheOrderOfTheExamples() {
    ExampleSource blobs = TrainingData.blobs(300, 4);
    List<Example> shuffled = new ArrayList<>();
    for (int i = 0; i < blobs.size(); i++) {
      shuffled.add(blobs.get(i));
    }
    Collections.shuffle(shuffled, new Random(5));
    TeacherTraining.Options options = small().withEpochs(1);

    List<String> first = ids(TeacherTraining.train(blobs, options, tmp.resolve("a"), progress).testExamples());
    List<String> second = ids(TeacherTraining.train(ExampleSource.of("blobs", shuffled, blobs.classes()), options,
        tmp.resolve("b"), progress).testExamples());

    assertEquals(first.stream().sorted().toList(), second.stream().sorted().toList());
    assertTrue(first.size() > 30 && first.size() < 90, "about 20% of 300: " + first.size());
    for (String id : first) {
      assertTrue(TestSplit.isTest(id, 20));
    }
  }

  @Test
  void shouldSplitByTheRequestedShareOfIds() {
    int test = 0;
    for (int i = 0; i < 20_000; i++) {
      if (TestSplit.isTest("example-" + i, 20)) {
        test++;
      }
    }
    // Binomial(20000, 0.2): sd 57; 1% is 3.5 sd.
    assertEquals(0.2, test / 20_000.0, 0.01);
    assertEquals(TestSplit.isTest("mnist-train-00042", 30), TestSplit.isTest("mnist-train-00042", 30));
    assertFalse(TestSplit.isTest("anything", 0));
  }

  @Test
  void shouldReuseADirectoryTrainedOnTheSameDataWithTheSameOptions() throws IOException {
    ExampleSource blobs = TrainingData.blobs(300, 6);
    Path dir = tmp.resolve("reuse");
    TeacherTraining.Options options = small().withEpochs(2);

    TeacherTraining.trainOrReuse(blobs, options, dir, progress);
    String version = TeacherDirectory.read(dir).version();
    long modified = Files.getLastModifiedTime(dir.resolve(TeacherDescriptor.FILE_NAME)).toMillis();
    printed.reset();
    Path again = TeacherTraining.trainOrReuse(TrainingData.blobs(300, 6), options, dir, progress);

    assertEquals(dir, again);
    assertTrue(printed().contains("reusing the teacher"), printed());
    assertFalse(printed().contains("epoch"), printed());
    assertEquals(modified, Files.getLastModifiedTime(dir.resolve(TeacherDescriptor.FILE_NAME)).toMillis());

    printed.reset();
    TeacherTraining.trainOrReuse(blobs, options.withSeed(7), dir, progress);
    assertTrue(printed().contains("epoch 2/2"), "other options train again: " + printed());
    assertFalse(version.equals(TeacherDirectory.read(dir).version()));
  }

  @Test
  void shouldGiveATeacherWithOtherClassNamesAnotherVersion() {
    ExampleSource blobs = TrainingData.blobs(300, 9);
    List<Example> renamed = new ArrayList<>();
    for (int i = 0; i < blobs.size(); i++) {
      Example e = blobs.get(i);
      renamed.add(new Example(e.id(), null, e.vector(), e.label().replace('c', 'k')));
    }
    TeacherTraining.Options options = small().withEpochs(1);

    TeacherDescriptor first = TeacherTraining.train(blobs, options, tmp.resolve("c"), progress).descriptor();
    TeacherDescriptor second = TeacherTraining.train(ExampleSource.of("blobs", renamed, List.of("k0", "k1", "k2")),
        options, tmp.resolve("k"), progress).descriptor();

    assertEquals(List.of("k0", "k1", "k2"), second.classes());
    // Same data, seed and options: the same weights, but a soft label must never mix up the two teachers.
    assertFalse(first.version().equals(second.version()), first.version() + " for both");
    assertEquals(first.version(), TeacherTraining.train(blobs, options, tmp.resolve("c-again"), progress)
        .descriptor().version(), "the same teacher keeps its version");
    assertEquals(second, TeacherDirectory.read(tmp.resolve("k")), "the files' hashes still verify");
  }

  @Test
  void shouldNotReuseADirectoryWhenALabelChanged() {
    ExampleSource blobs = TrainingData.blobs(300, 8);
    List<Example> changed = new ArrayList<>();
    for (int i = 0; i < blobs.size(); i++) {
      Example e = blobs.get(i);
      // Example 17 is of class c2 (17 % 3); relabelled c0.
      changed.add(i == 17 ? new Example(e.id(), null, e.vector(), "c0") : e);
    }
    assertFalse(TeacherHashes.fingerprint(blobs, small()).equals(
        TeacherHashes.fingerprint(ExampleSource.of("blobs", changed, blobs.classes()), small())));
    assertEquals(TeacherHashes.fingerprint(blobs, small()),
        TeacherHashes.fingerprint(TrainingData.blobs(300, 8), small()));
  }

  @Test
  void shouldSendTextToTheTextTrainerAndReuseItsDirectory() {
    ExampleSource texts = TrainingData.texts(150, 9);
    Path dir = tmp.resolve("text");

    Path trained = TeacherTraining.trainOrReuse(texts, small(), dir, progress);

    assertTrue(printed().contains("payload: text"), printed());
    TeacherDescriptor descriptor = TeacherDirectory.read(trained);
    assertTrue(descriptor.takesText());
    assertEquals("text", descriptor.options().get("payload"));
    // Each text holds one of its class's words among eight noise words; a sentence encoder with a
    // linear head separates three topics this plain well above 85% (chance is 33%).
    assertTrue(descriptor.metrics().get("test.accuracy") > 0.85, printed());
    try (Teacher teacher = TeacherCatalog.load(trained.toString());
        TeacherPredictor predictor = teacher.newPredictor()) {
      assertEquals(1, predictor.predict(List.of(TeacherInput.ofText("the goalkeeper saved a penalty"))).size());
    }
    printed.reset();
    TeacherTraining.trainOrReuse(TrainingData.texts(150, 9), small(), dir, progress);
    assertTrue(printed().contains("reusing the teacher"), printed());
  }

  /** Loads the directory through the catalog, as the service does, and compares its logits with the trainer's. */
  private static void assertServesTheTrainersLogits(TeacherTraining.Result result) {
    try (Teacher teacher = TeacherCatalog.load(result.directory().toString());
        TeacherPredictor predictor = teacher.newPredictor()) {
      List<TeacherInput> batch = result.testExamples().stream()
          .map(e -> new TeacherInput(e.text(), e.vector(), e.fields())).collect(Collectors.toList());
      List<Prediction> predictions = predictor.predict(batch);
      assertEquals(batch.size(), predictions.size());
      for (int i = 0; i < batch.size(); i++) {
        float[] expected = result.testLogits()[i];
        float[] actual = predictions.get(i).logits();
        assertEquals(expected.length, actual.length);
        for (int c = 0; c < expected.length; c++) {
          assertEquals(expected[c], actual[c], 1e-4f * Math.max(1f, Math.abs(expected[c])),
              "example " + result.testExamples().get(i).id() + " class " + c);
        }
        assertEquals(result.descriptor().embeddingWidth(), predictions.get(i).embedding().length);
      }
    }
  }

  private static List<String> ids(List<Example> examples) {
    return examples.stream().map(Example::id).toList();
  }

  private static String readString(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void shouldRefuseDataThatCannotMakeATeacher() {
    ExampleSource unlabelled = ExampleSource.of("plain", List.of(new Example("a", null, new float[] {1}, null)),
        List.of());
    IllegalArgumentException noLabels = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> TeacherTraining.train(unlabelled, small(), tmp.resolve("x"), progress));
    assertTrue(noLabels.getMessage().startsWith("train-teacher needs labelled data: --label-column"),
        noLabels.getMessage());

    List<Example> oneClass = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      oneClass.add(new Example("e" + i, null, new float[] {i}, "yes"));
    }
    IllegalArgumentException single = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> TeacherTraining.train(ExampleSource.of("one", oneClass, List.of("yes")), small(), tmp.resolve("x"),
            progress));
    assertTrue(single.getMessage().contains("at least two classes"), single.getMessage());

    IllegalArgumentException few = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> TeacherTraining.train(TrainingData.blobs(6, 1), small(), tmp.resolve("x"), progress));
    assertTrue(few.getMessage().startsWith("too few labelled examples in blobs"), few.getMessage());

    IllegalArgumentException cnn = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> TeacherTraining.train(TrainingData.blobs(300, 1), small().withModel("cnn"), tmp.resolve("x"),
            progress));
    assertTrue(cnn.getMessage().startsWith("--model cnn needs images"), cnn.getMessage());

    // A price as the label: nearly every example its own class.
    List<Example> prices = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      prices.add(new Example("h" + i, null, new float[] {i, i % 7}, Integer.toString(100_000 + 997 * i)));
    }
    IllegalArgumentException regression = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> TeacherTraining.train(ExampleSource.of("houses", prices, List.of()),
            small(), tmp.resolve("x"), progress));
    assertTrue(regression.getMessage().startsWith("the labels of houses take 300 distinct values in 300 labelled"
        + " examples (1.0 each; for example "), regression.getMessage());
    assertTrue(regression.getMessage().endsWith("or --label-column names the wrong column"), regression.getMessage());

    // A reading as the label: 2,000 examples, 80 temperatures of 25 each (enough per class for the rule above).
    List<Example> readings = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      readings.add(new Example("r" + i, null, new float[] {i % 80, i % 3}, String.format(java.util.Locale.ROOT,
          "%.1f", 20 + (i % 80) / 10.0)));
    }
    IllegalArgumentException measured = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> TeacherTraining.train(ExampleSource.of("sensor", readings, List.of()),
            small(), tmp.resolve("x"), progress));
    assertTrue(measured.getMessage().startsWith("the labels of sensor are 80 distinct numbers with fractions"),
        measured.getMessage());
    assertTrue(LabelledData.measurements(List.of("21.5", "22", "23.25")));
    assertFalse(LabelledData.measurements(List.of("1", "2", "3")), "integer codes may be classes");
    assertFalse(LabelledData.measurements(List.of("1.5", "cat")));

    // Text and fields side by side: one would be learned from and the other ignored, so neither is.
    List<Example> both = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      both.add(new Example("n" + i, "headline " + i, null, java.util.Map.of("words", (double) i), i % 2 == 0 ? "a"
          : "b"));
    }
    IllegalArgumentException twoPayloads = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> TeacherTraining.train(ExampleSource.of("news", both, List.of()),
            small(), tmp.resolve("x"), progress));
    assertTrue(twoPayloads.getMessage().startsWith("news: the examples carry both text (--text-column) and structured"
        + " fields (--field-columns); a teacher is trained on one payload"), twoPayloads.getMessage());
  }
}
