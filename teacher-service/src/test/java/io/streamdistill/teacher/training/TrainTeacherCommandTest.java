package io.streamdistill.teacher.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.teacher.TeacherCatalog;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code train-teacher} driven through picocli, as a user types it: exit codes, output and errors. */
class TrainTeacherCommandTest {
  @TempDir
  Path tmp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = TrainTeacherCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void shouldTrainAStructuredTeacherFromAHeaderlessCsvAndReuseIt() throws IOException {
    Path csv = TrainingData.writeFlowsCsv(tmp.resolve("flows.csv"), 2000, 11);
    Path dir = tmp.resolve("teacher");
    String[] args = {"--source", csv.toString(), "--no-header", "--columns", "duration,proto,flag,bytes,class",
        "--field-columns", "duration,proto,flag,bytes", "--label-column", "class", "--out", dir.toString(),
        "--hidden", "64,32", "--epochs", "15", "--batch-size", "32"};

    assertEquals(0, run(args), err.toString());

    String printed = out.toString();
    assertTrue(printed.contains("payload: structured"), printed);
    // 2 numeric fields, then proto and flag one-hot over 3 values and an unseen slot each: 2 + 4 + 4.
    assertTrue(printed.contains("model: mlp 10-64-32-2"), printed);
    assertTrue(printed.contains("epoch 15/15: loss"), printed);
    assertTrue(printed.matches("(?s).*\\n  attack +\\d+\\.\\d% +\\d+\\.\\d% +\\d+\\n.*"), printed);
    TeacherDescriptor teacher = io.streamdistill.teacher.model.TeacherDirectory.read(dir);
    // See TrainingData.flows: best possible about 97%, any single field at most about 78%.
    assertTrue(teacher.metrics().get("test.accuracy") > 0.9, printed);
    assertTrue(teacher.metrics().containsKey("test.recall.attack"));
    try (Teacher loaded = TeacherCatalog.load(dir.toString()); TeacherPredictor predictor = loaded.newPredictor()) {
      List<Prediction> predictions = predictor.predict(List.of(
          TeacherInput.ofFields(Map.of("duration", 1.0, "proto", "tcp", "flag", "S0", "bytes", 300.0)),
          TeacherInput.ofFields(Map.of("duration", 1.0, "proto", "icmp", "flag", "SF", "bytes", 300.0))));
      int attack = teacher.classes().indexOf("attack");
      assertEquals(attack, DenseNetTrainer.argMax(predictions.get(0).logits()));
      assertEquals(1 - attack, DenseNetTrainer.argMax(predictions.get(1).logits()));
    }

    out.getBuffer().setLength(0);
    assertEquals(0, run(args), err.toString());
    assertTrue(out.toString().contains("reusing the teacher"), out.toString());
  }

  @Test
  void shouldReadTheTestSourceAsTheSourceAndRefuseOneWithoutItsLabels() throws IOException {
    // No payload named: both files are read as the guess read the source (label Survived, not the last column).
    StringBuilder train = new StringBuilder("Survived,Pclass,Sex,Embarked\n");
    StringBuilder test = new StringBuilder("Survived,Pclass,Sex,Embarked\n");
    StringBuilder unlabelled = new StringBuilder("Pclass,Sex,Embarked\n");
    for (int i = 0; i < 200; i++) {
      String row = (1 + i % 3) + "," + (i % 2 == 0 ? "male" : "female") + "," + "SCQ".charAt(i % 3) + "\n";
      train.append(i % 2).append(',').append(row);
      test.append(i % 2).append(',').append(row);
      unlabelled.append(row);
    }
    Path source = Files.writeString(tmp.resolve("train.csv"), train);
    String[] args = {"--source", source.toString(), "--epochs", "3", "--hidden", "8", "--out", tmp.resolve("t")
        .toString(), "--test-source", Files.writeString(tmp.resolve("test.csv"), test).toString()};

    assertEquals(0, run(args), err.toString());
    assertTrue(out.toString().contains("classes: 0, 1") || out.toString().contains("2 classes: 0, 1"), out.toString());

    args[args.length - 1] = Files.writeString(tmp.resolve("unlabelled.csv"), unlabelled).toString();
    assertEquals(2, run(args));
    assertTrue(err.toString().contains("--test-source " + args[args.length - 1] + " is read as " + source
        + " is, and " + args[args.length - 1] + " has no column Survived"), err.toString());
  }

  @Test
  void shouldTrainACnnFromIdxFiles() throws IOException {
    Path[] idx = TrainingData.writeIdx(tmp, 600, 12);
    Path dir = tmp.resolve("cnn");

    assertEquals(0, run("--source", idx[0].toString(), "--idx-labels", idx[1].toString(), "--model", "cnn",
        "--hidden", "32", "--epochs", "8", "--batch-size", "32", "--out", dir.toString()), err.toString());

    assertTrue(out.toString().contains("payload: image 8x8"), out.toString());
    assertTrue(out.toString().contains("model: cnn 8x8"), out.toString());
    // Three shapes at random positions, chance 33%; see TrainingData.images.
    assertTrue(io.streamdistill.teacher.model.TeacherDirectory.read(dir).metrics().get("test.accuracy") > 0.9,
        out.toString());
  }

  @Test
  void shouldNameTheFlagWhenTheDataHasNoLabels() throws IOException {
    Path csv = TrainingData.writeFlowsCsv(tmp.resolve("flows.csv"), 100, 13);

    int exit = run("--source", csv.toString(), "--no-header", "--fields-all", "--out", tmp.resolve("t").toString());

    assertEquals(2, exit, out.toString());
    assertTrue(err.toString().startsWith("train-teacher needs labelled data: --label-column"), err.toString());
    assertTrue(Files.notExists(tmp.resolve("t")));
  }

  @Test
  void shouldRefuseBadOptionsNamingTheFlag() throws IOException {
    Path csv = TrainingData.writeFlowsCsv(tmp.resolve("flows.csv"), 100, 14);
    String[] data = {"--source", csv.toString(), "--no-header", "--fields-all", "--label-column", "c4", "--out",
        tmp.resolve("t").toString()};

    assertEquals(2, run(concat(data, "--model", "svm")));
    assertTrue(err.toString().contains("--model must be auto, mlp or cnn, not svm"), err.toString());
    assertEquals(2, run(concat(data, "--model", "cnn")));
    assertTrue(err.toString().contains("--model cnn needs images"), err.toString());
    assertEquals(2, run(concat(data, "--image-shape", "28by28")));
    assertTrue(err.toString().contains("--image-shape must be ROWSxCOLS"), err.toString());
    assertEquals(2, run(concat(data, "--image-shape", "28x28x")));
    assertTrue(err.toString().contains("--image-shape must be ROWSxCOLS, e.g. 28x28, not 28x28x"), err.toString());
    assertEquals(2, run(concat(data, "--max-time", "soon")));
    assertTrue(err.toString().contains("--max-time must be a duration such as"), err.toString());
    assertEquals(2, run(concat(data, "--max-time", "500ms")));
    assertTrue(err.toString().contains("--max-time must be at least 1s, not 500ms"), err.toString());
    assertEquals(2, run(concat(data, "--test-percent", "0")));
    assertTrue(err.toString().contains("--test-percent must be in [1, 90]"), err.toString());
    Files.createDirectories(tmp.resolve("busy"));
    Files.writeString(tmp.resolve("busy").resolve("notes.txt"), "mine");
    assertEquals(2, run("--source", csv.toString(), "--no-header", "--fields-all", "--label-column", "c4", "--out",
        tmp.resolve("busy").toString()));
    assertTrue(err.toString().contains("--out " + tmp.resolve("busy") + " is a directory with files but no"
        + " teacher.json"), err.toString());
    assertEquals("mine", Files.readString(tmp.resolve("busy").resolve("notes.txt")));
  }

  private static String[] concat(String[] head, String... tail) {
    String[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }
}
