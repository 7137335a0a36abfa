package io.streamdistill.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.datasets.SourceOptions;
import io.streamdistill.teacher.model.TeacherDescriptor;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What the demo tells the user about their file before anything runs. */
class DemoDataTest {
  @Test
  void shouldSayOnTheConsoleWhichRowsOfTheUsersFileWereSkippedAndWhy(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("tickets.jsonl");
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      lines.append(i == 7 ? "{not json" : "{\"id\": \"t" + i + "\", \"text\": \"printer jam " + i + "\", \"team\": \""
          + (i % 2 == 0 ? "hardware" : "billing") + "\"}").append('\n');
    }
    Files.writeString(file, lines);
    SourceOptions options = CommandLine.populateCommand(new SourceOptions(), "--text-column", "text",
        "--label-column", "team", "--id-column", "id");
    List<String> said = new ArrayList<>();
    DemoData data = DemoData.open(Scenario.ofFile(file.toString(), null, null), options, said::add);
    assertEquals(39, data.all().size());
    assertTrue(said.stream().anyMatch(l -> l.contains("1 row was skipped") && l.contains("line 8")
        && l.contains("malformed JSON")), said.toString());
  }

  @Test
  void shouldReplayTheWholeSourceAndAskTheTestSourceWhenOneIsGiven(@TempDir Path dir) throws Exception {
    // The IMDB layout: train/ and test/, each with a folder per class; test/ also holds a file of no class.
    for (String split : List.of("train", "test")) {
      for (int i = 0; i < 6; i++) {
        Path file = dir.resolve(split).resolve(i % 2 == 0 ? "pos" : "neg").resolve(i + ".txt");
        Files.createDirectories(file.getParent());
        Files.writeString(file, (i % 2 == 0 ? "loved it " : "hated it ") + split + i);
      }
    }
    Files.writeString(dir.resolve("test/notes.txt"), "no class");
    List<String> said = new ArrayList<>();

    DemoData data = DemoData.open(Scenario.ofFile(dir.resolve("train").toString(), null, null)
        .withRequestSource(dir.resolve("test").toString()), new SourceOptions(), said::add);

    assertEquals(6, data.replayed().size());
    assertEquals(6, data.requests().size());
    assertTrue(data.requests().stream().allMatch(e -> e.text().endsWith("test" + e.id().charAt(4))),
        data.requests().toString());
    assertTrue(said.contains("train: 6 examples replayed, 6 from test as requests"), said.toString());
  }

  @Test
  void shouldReadTheTestFileAsTheGuessReadTheSourceAndRefuseOneWithoutItsLabels(@TempDir Path dir)
      throws Exception {
    // The Titanic layout: the label (Survived) not last; Kaggle's test.csv has no Survived column at all.
    StringBuilder train = new StringBuilder("PassengerId,Survived,Pclass,Sex,Embarked\n");
    StringBuilder test = new StringBuilder("PassengerId,Survived,Pclass,Sex,Embarked\n");
    StringBuilder kaggleTest = new StringBuilder("PassengerId,Pclass,Sex,Embarked\n");
    for (int i = 0; i < 60; i++) {
      String row = (1 + i % 3) + "," + (i % 2 == 0 ? "male" : "female") + "," + "SCQ".charAt(i % 3);
      train.append(i + 1).append(',').append(i % 2).append(',').append(row).append('\n');
      test.append(i + 101).append(',').append(i % 2).append(',').append(row).append('\n');
      kaggleTest.append(i + 201).append(',').append(row).append('\n');
    }
    Path trainFile = Files.writeString(dir.resolve("train.csv"), train);
    List<String> said = new ArrayList<>();

    DemoData data = DemoData.open(Scenario.ofFile(trainFile.toString(), null, null)
        .withRequestSource(Files.writeString(dir.resolve("test.csv"), test).toString()), new SourceOptions(),
        said::add);

    assertEquals(List.of("0", "1"), data.requests().stream().map(Example::label).distinct().sorted().toList(),
        "the test file's label is Survived, as the training file's: " + said);
    assertEquals(1, said.stream().filter(l -> l.startsWith("No payload named")).count(), said.toString());
    Scenario kaggle = Scenario.ofFile(trainFile.toString(), null, null)
        .withRequestSource(Files.writeString(dir.resolve("kaggle-test.csv"), kaggleTest).toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DemoData.open(kaggle, new SourceOptions(), line -> { }));
    assertTrue(e.getMessage().startsWith("--test-source " + dir.resolve("kaggle-test.csv") + " is read as "
        + trainFile + " is, and "), e.getMessage());
    assertTrue(e.getMessage().contains("has no column Survived") && e.getMessage().endsWith("Give a file with the"
        + " same columns, the labels among them (the edge's answers are judged by them), or leave --test-source out"
        + " (20% of --source are then held out as requests)"), e.getMessage());
  }

  @Test
  void shouldRefuseRequestsOfWhichNoLabelIsAClassOfTheReplayedData() {
    ExampleSource all = ExampleSource.of("train", List.of(new Example("a", "x", null, "spam"),
        new Example("b", "y", null, "ham")), List.of("spam", "ham"));
    List<String> said = new ArrayList<>();
    List<Example> other = List.of(new Example("c", "z", null, "S"), new Example("d", "w", null, "Q"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DemoData.requireKnownClasses(all, "test", other, said::add));
    assertEquals("test: none of its labels is a class of train (spam, ham), so every answer would be judged wrong;"
        + " is its label column the same?", e.getMessage());
    DemoData.requireKnownClasses(all, "test", List.of(other.get(0), all.get(0)), said::add);
    assertEquals(List.of("  1 of the 2 requests from test have a label train never has: the edge cannot answer"
        + " them right."), said);
    // Unlabelled traffic (the user's teacher labels it) says nothing of the classes.
    DemoData.requireKnownClasses(ExampleSource.of("traffic", List.of(new Example("e", "v", null, null)), List.of()),
        "test", other, said::add);
    assertEquals(1, said.size());
  }

  @Test
  void shouldReadRequestLabelsWrittenOtherwiseAsTheReplayedDatasClasses() {
    // UCI's adult.test ends its labels with a dot where adult.data does not.
    ExampleSource all = ExampleSource.of("adult.data", List.of(new Example("a", "x", null, " <=50K"),
        new Example("b", "y", null, " >50K")), List.of(" <=50K", " >50K"));
    List<String> said = new ArrayList<>();
    List<Example> requests = List.of(new Example("c", "z", null, " <=50K."), new Example("d", "w", null, " >50K."),
        new Example("e", "v", null, " >50K"), new Example("f", "u", null, "other"), new Example("g", "t", null, null));

    List<Example> aligned = DemoData.alignLabels(all, "adult.test", requests, said::add);

    assertEquals(Arrays.asList(" <=50K", " >50K", " >50K", "other", null),
        aligned.stream().map(Example::label).toList());
    assertEquals(List.of("  adult.test's labels written otherwise than adult.data's are read as its classes:"
        + " ' <=50K.' as ' <=50K', ' >50K.' as ' >50K'"), said);
    DemoData.requireKnownClasses(all, "adult.test", aligned, said::add);
  }

  @Test
  void shouldAskTheEdgeOnlyTheLabelledHeldOutExamplesWhenSomeHaveNone(@TempDir Path dir) throws Exception {
    StringBuilder rows = new StringBuilder("id,text,lang\n");
    for (int i = 0; i < 300; i++) {
      rows.append(i).append(",word").append(i).append(',').append(i % 3 == 0 ? "" : i % 2 == 0 ? "fr" : "de")
          .append('\n');
    }
    Path file = Files.writeString(dir.resolve("phrases.csv"), rows);
    SourceOptions options = CommandLine.populateCommand(new SourceOptions(), "--text-column", "text",
        "--label-column", "lang", "--id-column", "id");
    List<String> said = new ArrayList<>();
    DemoData data = DemoData.open(Scenario.ofFile(file.toString(), "teachers/lang", null), options, said::add);
    assertTrue(data.all().size() > data.replayed().size() + data.requests().size() - 1, "some examples unlabelled");
    assertFalse(data.requests().isEmpty());
    assertTrue(data.requests().stream().allMatch(e -> e.label() != null), "an unlabelled request cannot be judged");
    assertTrue(said.stream().anyMatch(l -> l.contains("have no label: the edge is asked the " + data.requests().size()
        + " labelled ones")), said.toString());
  }

  @Test
  void shouldTrainTheRunsTeacherForTheEpochsAsked(@TempDir Path dir) throws Exception {
    StringBuilder rows = new StringBuilder("id,f0,f1,label,side\n");
    for (int i = 0; i < 120; i++) {
      rows.append(i).append(i % 2 == 0 ? ",1.5,0.2,up," : ",-1.5,0.1,down,").append(i % 3 == 0 ? "left\n" : "right\n");
    }
    Path file = Files.writeString(dir.resolve("readings.csv"), rows);
    SourceOptions options = CommandLine.populateCommand(new SourceOptions(), "--vector-prefix", "f",
        "--label-column", "label", "--id-column", "id");
    Scenario scenario = Scenario.ofFile(file.toString(), null, null).withTeacherCache(dir.resolve("teachers"))
        .withTeacherEpochs(2);
    List<String> said = new ArrayList<>();
    DemoData data = DemoData.open(scenario, options, said::add);
    Path teacher = data.trainTeacher(scenario, said::add);
    assertTrue(Files.isRegularFile(teacher.resolve("teacher.json")), teacher.toString());
    assertEquals(2, said.stream().filter(line -> line.matches("\\s*epoch \\d+/2: .*")).count(), said.toString());

    // The same file with another label column: a teacher of its own, beside the first rather than over it.
    SourceOptions other = CommandLine.populateCommand(new SourceOptions(), "--vector-prefix", "f",
        "--label-column", "side", "--id-column", "id");
    Path second = DemoData.open(scenario, other, line -> { }).trainTeacher(scenario, line -> { });
    assertFalse(second.equals(teacher), second.toString());
    assertTrue(Files.isRegularFile(teacher.resolve("teacher.json")), "the first teacher is kept");
  }

  @Test
  void shouldTrainTheRunsTeacherOnlyForTheEpochsThatFitItsTimeLimit(@TempDir Path dir) throws Exception {
    Path file = readings(dir, 2_000);
    SourceOptions options = CommandLine.populateCommand(new SourceOptions(), "--vector-prefix", "f",
        "--label-column", "label", "--id-column", "id");
    Scenario scenario = Scenario.ofFile(file.toString(), null, null).withTeacherCache(dir.resolve("teachers"))
        .withTeacherEpochs(10_000).withTeacherMaxSeconds(3);
    List<String> said = new ArrayList<>();
    long started = System.nanoTime();
    Path teacher = DemoData.open(scenario, options, said::add).trainTeacher(scenario, said::add);
    double seconds = (System.nanoTime() - started) / 1e9;
    long epochs = said.stream().filter(line -> line.matches("\\s*epoch \\d+/\\d+: .*")).count();
    assertTrue(epochs >= 1 && epochs < 10_000, epochs + " epochs: " + said);
    assertTrue(said.stream().anyMatch(line -> line.contains("epochs in all end within the time limit of 3 s"
        + " (10000 asked for)")), said.toString());
    assertTrue(seconds < 60, "trained for " + seconds + " s");
    TeacherDescriptor descriptor = io.streamdistill.teacher.model.TeacherDirectory.read(teacher);
    assertEquals(epochs, descriptor.metrics().get("epochs").longValue(), "teacher.json says how many were trained");
  }

  @Test
  void shouldStopTrainingTheRunsTeacherWhenTheDemoIsStopped(@TempDir Path dir) throws Exception {
    Path file = readings(dir, 2_000);
    DemoSettings settings = DemoCommand.settingsOf("--source", file.toString(), "--vector-prefix", "f",
        "--label-column", "label", "--id-column", "id", "--teacher-epochs", "10000", "--teacher-max-time", "1h");
    SourceOptions options = CommandLine.populateCommand(new SourceOptions(), "--vector-prefix", "f",
        "--label-column", "label", "--id-column", "id");
    Scenario scenario = settings.scenario().withTeacherCache(dir.resolve("teachers"));
    Demo demo = new Demo(settings, options);
    DemoData data = DemoData.open(scenario, options, line -> { });
    java.util.concurrent.CountDownLatch training = new java.util.concurrent.CountDownLatch(1);
    var failure = new java.util.concurrent.atomic.AtomicReference<Throwable>();
    Thread run = new Thread(() -> {
      try {
        demo.trainTeacher(data, scenario, line -> {
          if (line.contains("epoch 2/")) {
            training.countDown();
          }
        });
      } catch (RuntimeException e) {
        failure.set(e);
      }
    });
    run.start();
    assertTrue(training.await(60, java.util.concurrent.TimeUnit.SECONDS), "training did not start");
    demo.stop(); // what Ctrl-C does
    run.join(20_000);
    assertFalse(run.isAlive(), "still training 20 s after the stop");
    assertTrue(String.valueOf(failure.get()).contains("stopped while the teacher trained"), String.valueOf(failure));
    assertFalse(run.isInterrupted());
  }

  private static Path readings(Path dir, int rows) throws java.io.IOException {
    StringBuilder text = new StringBuilder("id,f0,f1,label\n");
    for (int i = 0; i < rows; i++) {
      text.append(i).append(i % 2 == 0 ? ",1.5," : ",-1.5,").append(i % 7 / 10.0).append(i % 2 == 0 ? ",up\n"
          : ",down\n");
    }
    return Files.writeString(dir.resolve("readings.csv"), text);
  }

  @Test
  void shouldRefuseAFileOfWhichTheOptionsSkipMoreThanTheyKeep(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("accounts.jsonl");
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      // A city that is a number on 5 lines only: --numeric-columns city skips the other 35.
      lines.append("{\"id\": \"a").append(i).append("\", \"city\": ").append(i < 5 ? "7" : "\"Lyon\"")
          .append(", \"fee\": ").append(i).append(", \"risk\": \"").append(i % 2 == 0 ? "low" : "high")
          .append("\"}\n");
    }
    Files.writeString(file, lines);
    SourceOptions options = CommandLine.populateCommand(new SourceOptions(), "--fields-all", "--label-column",
        "risk", "--id-column", "id", "--numeric-columns", "city");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DemoData.open(Scenario.ofFile(file.toString(), null, null), options, line -> { }));
    assertTrue(e.getMessage().startsWith("accounts.jsonl: 35 rows were skipped and only 5 kept: check the options"),
        e.getMessage());
    assertTrue(e.getMessage().contains("'Lyon' is not a number"), e.getMessage());
  }

  @Test
  void shouldRefuseATeacherThatReadsAnotherPayloadOrKnowsOtherClasses(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("tickets.jsonl");
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      lines.append("{\"id\": \"t").append(i).append("\", \"text\": \"printer jam ").append(i)
          .append("\", \"team\": \"").append(i % 2 == 0 ? "hardware" : "billing").append("\"}\n");
    }
    Files.writeString(file, lines);
    SourceOptions options = CommandLine.populateCommand(new SourceOptions(), "--text-column", "text",
        "--label-column", "team", "--id-column", "id");
    DemoData data = DemoData.open(Scenario.ofFile(file.toString(), null, null), options, line -> { });

    TeacherDescriptor records = descriptor(TeacherDescriptor.STRUCTURED, 0, List.of("billing", "hardware"));
    var payload = assertThrows(IllegalArgumentException.class, () -> data.requireFits(records, "teachers/flows"));
    assertEquals("the teacher teachers/flows reads structured records (named fields), but tickets.jsonl gives text:"
        + " leave --teacher out to train one on this file, or give a teacher trained on data like it",
        payload.getMessage());
    TeacherDescriptor digits = descriptor(TeacherDescriptor.VECTOR, 784, List.of("billing", "hardware"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> data.requireFits(digits, "mnist")).getMessage()
        .contains("reads vectors of 784 values, but tickets.jsonl gives text"));

    TeacherDescriptor spam = descriptor(TeacherDescriptor.TEXT, 0, List.of("ham", "spam"));
    var classes = assertThrows(IllegalArgumentException.class, () -> data.requireFits(spam, "mail"));
    assertTrue(classes.getMessage().startsWith("the teacher mail knows the classes [ham, spam], but tickets.jsonl has"
        + " the labels [billing, hardware]"), classes.getMessage());

    // An imported model naming its two outputs LABEL_0, LABEL_1: the command that names them as the data does.
    TeacherDescriptor generic = descriptor(TeacherDescriptor.TEXT, 0, List.of("LABEL_0", "LABEL_1"));
    var renamed = assertThrows(IllegalArgumentException.class, () -> data.requireFits(generic, "models/sst2"));
    assertTrue(renamed.getMessage().endsWith("if they are the same classes under other names, name the model's outputs"
        + " as your data does, in their order (LABEL_0, LABEL_1): ./distill import-teacher models/sst2 --force"
        + " --classes billing,hardware (that order, if it is the model's)"), renamed.getMessage());

    data.requireFits(descriptor(TeacherDescriptor.TEXT, 0, List.of("billing", "hardware", "other")), "tickets");
  }

  @Test
  void shouldNameTheImageSizeATeacherOfImagesWasTrainedOn(@TempDir Path dir) throws Exception {
    for (int i = 0; i < 40; i++) {
      Path file = dir.resolve("shapes").resolve(i % 2 == 0 ? "a" : "b").resolve(i + ".png");
      Files.createDirectories(file.getParent());
      assertTrue(ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY), "png", file.toFile()));
    }
    DemoData data = DemoData.open(Scenario.ofFile(dir.resolve("shapes").toString(), null, null), new SourceOptions(),
        line -> { });
    TeacherDescriptor cnn32 = new TeacherDescriptor("t", "1", "dense-mlp", List.of("a", "b"),
        TeacherDescriptor.VECTOR, 1024, 0, Map.of(), Map.of(), Map.of("imageRows", "32", "imageCols", "32"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> data.requireFits(cnn32, "teachers/shapes32"));
    assertTrue(e.getMessage().endsWith("reads vectors of 1024 values, but shapes gives vectors of 784 values: it was"
        + " trained on images of 32x32; give --image-size 32x32"), e.getMessage());

    // An imported image classifier (import-teacher) says its input shape as channels, rows, cols.
    TeacherDescriptor vit = new TeacherDescriptor("vit", "1", "onnx", List.of("a", "b"), TeacherDescriptor.VECTOR,
        3 * 224 * 224, 0, Map.of(), Map.of(), Map.of("inputShape", "3,224,224"));
    IllegalArgumentException imported = assertThrows(IllegalArgumentException.class,
        () -> data.requireFits(vit, "models/vit"));
    assertTrue(imported.getMessage().endsWith("it takes images of 224x224 in colour; give --image-size 224x224"
        + " --image-color rgb"), imported.getMessage());
  }

  private static TeacherDescriptor descriptor(String input, int vectorWidth, List<String> classes) {
    return new TeacherDescriptor("t", "1", "onnx", classes, input, vectorWidth, 0, Map.of(), Map.of(), Map.of());
  }
}
