package io.streamdistill.teacher.mnist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainMnistTeacherCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void shouldPrintHelpAndExitZero() {
    assertEquals(0, run("--help"));
    assertTrue(out.toString().contains("--epochs"), out.toString());
    assertTrue(out.toString().contains("--force"), out.toString());
  }

  @Test
  void shouldExitTwoOnBadArguments() {
    assertEquals(2, run("--epochs", "0"));
    assertTrue(err.toString().contains("--epochs"), err.toString());
    assertEquals(2, run("--learning-rate", "fast"));
    assertEquals(2, run("--batch-size", "-1"));
    assertEquals(2, run("--no-such-option"));
  }

  @Test
  void shouldExitOneWhenTheTeacherCannotBeWritten(@TempDir Path dir) throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("file"), "x");

    assertEquals(1, run("--out", notADirectory.toString(), "--epochs", "1"));
    assertTrue(err.toString().contains("train-mnist-teacher failed"), err.toString());
  }

  @Test
  void shouldPrintTheTestErrorsAndTheDirectoryOfACachedTeacher(@TempDir Path cache) {
    // A small teacher stands in the cache entry of "--epochs 1": the command must find it, not train.
    MnistTeacherTrainer.Options small = new MnistTeacherTrainer.Options(1, 128, 2e-3, 5, 16, 0f, 0f, 0, 1_000);
    Path entry = cache.resolve(MnistTeacherTrainer.Options.DEFAULT.withEpochs(1).key());
    try (TrainedMnistTeacher trained = new MnistTeacherTrainer(small).train()) {
      trained.saveTo(entry);
    }

    assertEquals(0, run("--epochs", "1", "--out", cache.toString()));

    assertTrue(out.toString().contains("test errors"), out.toString());
    assertTrue(out.toString().contains(entry.toAbsolutePath().toString()), out.toString());
  }

  private int run(String... args) {
    return new CommandLine(new TrainMnistTeacherCommand()).setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true)).execute(args);
  }
}
