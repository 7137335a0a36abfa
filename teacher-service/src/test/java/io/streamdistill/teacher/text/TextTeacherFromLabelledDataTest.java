package io.streamdistill.teacher.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.student.NgramFeaturizer;
import io.streamdistill.teacher.TeacherCatalog;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A text teacher from a labelled data set the test writes itself: three classes, each text a run
 * of common words with two words of its class planted at random places. The split is given to the
 * trainer (a hash of the id, as the generic train-teacher path does).
 */
class TextTeacherFromLabelledDataTest {
  static final List<String> CLASSES = List.of("sports", "finance", "weather");
  private static final String[][] CLASS_WORDS = {
    {"football", "goalkeeper", "tournament", "referee", "striker", "stadium", "championship", "tennis"},
    {"stocks", "dividend", "mortgage", "inflation", "investor", "bank", "portfolio", "bonds"},
    {"rain", "thunderstorm", "forecast", "snowfall", "humidity", "hurricane", "drizzle", "temperature"},
  };
  private static final String[] NOISE = ("the a of and to in is it that was for on are with as his they be at one have"
      + " this from or had by word but what some we can out other were all there when up use your how said an each"
      + " she which do their time if will way about many then them write would like so these her long make thing see"
      + " him two has look more day could go come did number sound no most people my over know water than call first"
      + " who may down side been now find any new work part take get place made live where after back little only"
      + " round man year came show every good me give our under name very through just form sentence great think"
      + " say help low line differ turn cause much mean before move right boy old too same tell does set three want"
      + " air well also play small end put home read hand port large spell add even land here must big high"
      + " such").split(" ");

  @TempDir
  Path dir;

  /** {@code perClass} texts of each class; ids {@code gen/<class>/<i>}. */
  static List<Example> generate(int perClass, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Example> examples = new ArrayList<>();
    for (int i = 0; i < perClass; i++) {
      for (int c = 0; c < CLASSES.size(); c++) {
        List<String> words = new ArrayList<>();
        int length = 10 + random.nextInt(10);
        for (int w = 0; w < length; w++) {
          words.add(NOISE[random.nextInt(NOISE.length)]);
        }
        for (int k = 0; k < 2; k++) {
          words.add(random.nextInt(words.size() + 1), CLASS_WORDS[c][random.nextInt(CLASS_WORDS[c].length)]);
        }
        examples.add(new Example("gen/" + CLASSES.get(c) + "/" + i, String.join(" ", words), null, CLASSES.get(c)));
      }
    }
    return examples;
  }

  static ExampleSource[] split(List<Example> examples) {
    List<Example> train = new ArrayList<>();
    List<Example> test = new ArrayList<>();
    for (Example example : examples) {
      (MailSplit.isTest(example.id()) ? test : train).add(example);
    }
    return new ExampleSource[] {ExampleSource.of("planted-words-train", train, CLASSES),
        ExampleSource.of("planted-words-test", test, CLASSES)};
  }

  /**
   * 1,800 short texts and a limit of 1 s: at MiniLM's pace on these machines (hundreds a second) they do not
   * fit, so the probe's pace decides a share, each split keeps it (at least 200), the teacher says so, learns
   * from the rest of the texts as before, and records the share.
   */
  @Test
  void shouldLearnFromTheShareOfTheTextsThatFitsTheTimeLimit() {
    ExampleSource[] splits = split(generate(600, 17));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream progress = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    TeacherDescriptor descriptor = TextTeacherTrainer.train(splits[0], splits[1],
        TextTeacherTrainer.Options.defaults().withMaxTokens(64).withL2(1e-3), 1, dir.resolve("teachers/limited"),
        progress);
    String printed = bytes.toString(StandardCharsets.UTF_8);
    System.out.println(printed);
    assertTrue(printed.contains("Embedding all 1,800 texts would take about ") && printed.contains(
        " texts/s, over the time limit of 1 s: the teacher learns from and is tested on a random share of them, "),
        printed);
    double share = descriptor.metrics().get("embed.share");
    double trained = descriptor.metrics().get("train.examples");
    double tested = descriptor.metrics().get("test.examples");
    assertTrue(share > 0 && share < 1, "share " + share);
    assertTrue(trained >= EmbeddingBudget.MIN_KEPT && trained < splits[0].size(), "trained on " + trained);
    assertTrue(tested >= Math.min(EmbeddingBudget.MIN_KEPT, splits[1].size()) && tested <= splits[1].size(),
        "tested on " + tested);
    assertEquals((trained + tested) / (splits[0].size() + splits[1].size()), share, 1e-9);
    assertTrue(printed.contains("Embedding " + (long) (trained + tested) + " texts"), printed);
    assertTrue(descriptor.metrics().get("test.accuracy") >= 0.85, printed);
  }

  @Test
  void shouldPlanTheEmbeddingWithinMostOfTheTimeLimit() {
    assertEquals(1.0, EmbeddingBudget.share(100, 0.01, 10), "1 s of embedding fits in 10");
    assertEquals(0.85, EmbeddingBudget.share(1_000, 0.01, 10), 1e-9, "10 s do not: 8.5 of them are planned");
    assertEquals(1.0, EmbeddingBudget.share(850, 0.01, 10), 1e-9);
  }

  /**
   * Why 0.9: chance is 1/3, and each text holds two unambiguous topic words among 10-19 neutral ones,
   * so the topic is the only signal the embedding carries apart from noise; a frozen MiniLM with a
   * linear head on 250 texts separates three such topics almost perfectly (measured: see the printed
   * figures; the bound leaves room for a few confusable texts among about 110 test texts).
   */
  @Test
  void shouldTrainATeacherForThreeClassesAboveNinetyPercentAndPrintPerClassFigures() {
    ExampleSource[] splits = split(generate(120, 11));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream progress = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Path out = dir.resolve("teachers/planted");
    TeacherDescriptor descriptor = TextTeacherTrainer.train(splits[0], splits[1],
        TextTeacherTrainer.Options.defaults().withMaxTokens(64).withL2(1e-3), out, progress);
    String printed = bytes.toString(StandardCharsets.UTF_8);
    System.out.println(printed);

    double accuracy = descriptor.metrics().get("test.accuracy");
    assertTrue(accuracy >= 0.9, "test accuracy " + accuracy + "\n" + printed);
    assertEquals(CLASSES, descriptor.classes());
    assertEquals("onnx-text", descriptor.kind());
    assertEquals("planted-words-minilm-head", descriptor.id());
    assertEquals(descriptor, TeacherDirectory.read(out), "a verified directory");
    assertTrue(printed.contains("Embedding " + (splits[0].size() + splits[1].size()) + " texts"), printed);
    assertTrue(printed.contains("Test accuracy"), printed);
    for (String name : CLASSES) {
      assertTrue(printed.matches("(?s).*\\n  " + name + " +\\d\\.\\d{4} +\\d\\.\\d{4} +\\d+\\n.*"), printed);
      assertTrue(descriptor.metrics().get("test.recall." + name) >= 0.8, name + " recall");
      assertTrue(descriptor.metrics().get("test.precision." + name) >= 0.8, name + " precision");
    }
    assertEquals(splits[1].size(), descriptor.metrics().get("test.examples"));

    // The head reads the embedding and then the texts' n-grams (the default), named in teacher.json.
    String ngramOption = descriptor.options().get(OnnxTextTeacherLoader.OPTION_NGRAMS);
    assertEquals(NgramBlock.describe(TextTeacherTrainer.Options.defaults().ngrams()), ngramOption);
    assertEquals(384, descriptor.embeddingWidth(), "the published embedding is the encoder's");
    LogisticHead head = LogisticHead.read(out.resolve(LogisticHead.FILE_NAME));
    assertEquals(384 + TextTeacherTrainer.DEFAULT_NGRAM_BUCKETS, head.width());
    NgramFeaturizer featurizer = new NgramFeaturizer(NgramBlock.parse(ngramOption));

    // The directory as the service loads it: the same answers on the test texts as training measured.
    int right = 0;
    try (Teacher teacher = TeacherCatalog.load(out.toString());
        TeacherPredictor predictor = teacher.newPredictor()) {
      List<TeacherInput> inputs = new ArrayList<>();
      for (int i = 0; i < splits[1].size(); i++) {
        inputs.add(TeacherInput.ofText(splits[1].get(i).text()));
      }
      List<Prediction> predictions = new ArrayList<>();
      for (TeacherInput input : inputs) {
        predictions.addAll(predictor.predict(List.of(input))); // one per call, as training embedded them
      }
      for (int i = 0; i < predictions.size(); i++) {
        float[] logits = predictions.get(i).logits();
        assertEquals(3, logits.length);
        assertEquals(384, predictions.get(i).embedding().length);
        // The head over the embedding it published and the text's n-grams, computed here on its own.
        assertArrayEquals(head.logits(predictions.get(i).embedding(),
            NgramBlock.of(featurizer, splits[1].get(i).text())), logits, 1e-6f, "text " + i);
        int best = 0;
        for (int c = 1; c < logits.length; c++) {
          best = logits[c] > logits[best] ? c : best;
        }
        right += CLASSES.get(best).equals(splits[1].label(i)) ? 1 : 0;
      }
    }
    assertEquals(accuracy, (double) right / splits[1].size(), 1e-9, "the loaded teacher reproduces the test accuracy");

    // Described again from its files and options (as import-teacher does for a directory without teacher.json),
    // the head over the embedding and the n-grams gives the same answers.
    float[] before;
    try (Teacher teacher = TeacherCatalog.load(out.toString()); TeacherPredictor predictor = teacher.newPredictor()) {
      before = predictor.predict(List.of(TeacherInput.ofText(splits[1].get(0).text()))).get(0).logits();
    }
    TeacherDirectory.read(out); // still verified before the file goes
    assertTrue(out.resolve(TeacherDescriptor.FILE_NAME).toFile().delete());
    OnnxTextTeacherLoader.describe(out, "again", "1", null, descriptor.options());
    try (Teacher teacher = TeacherCatalog.load(out.toString()); TeacherPredictor predictor = teacher.newPredictor()) {
      assertArrayEquals(before, predictor.predict(List.of(TeacherInput.ofText(splits[1].get(0).text()))).get(0)
          .logits(), 1e-6f);
    }
  }

  @Test
  void shouldTrainAHeadOnTheEmbeddingAloneWithoutNgramBuckets() {
    ExampleSource[] splits = split(generate(20, 13));
    Path out = dir.resolve("teachers/embedding-alone");
    TeacherDescriptor descriptor = TextTeacherTrainer.train(splits[0], splits[1],
        TextTeacherTrainer.Options.defaults().withMaxTokens(32).withNgramBuckets(0), out, null);
    assertFalse(descriptor.options().containsKey(OnnxTextTeacherLoader.OPTION_NGRAMS), descriptor.options().toString());
    assertEquals(384, LogisticHead.read(out.resolve(LogisticHead.FILE_NAME)).width());
    try (Teacher teacher = TeacherCatalog.load(out.toString());
        TeacherPredictor predictor = teacher.newPredictor()) {
      assertEquals(3, predictor.predict(List.of(TeacherInput.ofText(splits[1].get(0).text()))).get(0).logits().length);
    }
    var negative = assertThrows(IllegalArgumentException.class,
        () -> TextTeacherTrainer.Options.defaults().withNgramBuckets(-1));
    assertTrue(negative.getMessage().contains("n-gram buckets"), negative.getMessage());
  }

  @Test
  void shouldTakeTheClassesFromTheLabelsWhenTheSourceNamesNone() {
    List<Example> examples = generate(20, 5);
    ExampleSource[] splits = split(examples);
    ExampleSource train = ExampleSource.of("unnamed-train", toList(splits[0]), List.of());
    ExampleSource test = ExampleSource.of("unnamed-test", toList(splits[1]), List.of());
    assertEquals(List.of("finance", "sports", "weather"), LabelledTexts.classesOf(train, test), "sorted labels");
  }

  @Test
  void shouldRefuseALabelOutsideTheClassesAndASingleClass() {
    List<Example> examples = generate(10, 5);
    ExampleSource[] splits = split(examples);
    List<Example> odd = new ArrayList<>(toList(splits[1]));
    odd.add(new Example("odd/1", "some text", null, "politics"));
    TeacherException e = assertThrows(TeacherException.class, () -> TextTeacherTrainer.train(splits[0],
        ExampleSource.of("odd-test", odd, CLASSES), TextTeacherTrainer.Options.defaults(), dir.resolve("odd"), null));
    assertTrue(e.getMessage().contains("'politics'"), e.getMessage());

    ExampleSource one = ExampleSource.of("one", List.of(new Example("x", "text", null, "a")), List.of());
    e = assertThrows(TeacherException.class, () -> TextTeacherTrainer.train(one, one,
        TextTeacherTrainer.Options.defaults(), dir.resolve("one"), null));
    assertTrue(e.getMessage().contains("at least two"), e.getMessage());
  }

  @Test
  void shouldRefuseAnEncoderThatIsNeitherBundledNorADirectory() {
    assertThrows(IllegalArgumentException.class, () -> TextEncoder.named(dir.resolve("nothing-here").toString()));
  }

  private static List<Example> toList(ExampleSource source) {
    List<Example> list = new ArrayList<>();
    for (int i = 0; i < source.size(); i++) {
      list.add(source.get(i));
    }
    return list;
  }
}
