package io.streamdistill.teacher.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The train-text-teacher command's arguments: help, usage errors (exit 2). */
class TrainTextTeacherCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = TrainTextTeacherCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void shouldDocumentEveryOptionInHelp() {
    assertEquals(0, run("--help"));
    for (String option : new String[] {"--encoder", "--max-tokens", "--l2", "--iterations", "--seed", "--batch-size",
        "--out", "--cache-dir", "--force", "Exit codes"}) {
      assertTrue(out.toString().contains(option), option + " missing from --help");
    }
  }

  @Test
  void shouldExitWithUsageErrorForATokenCutTheModelCannotTake() {
    assertEquals(2, run("--max-tokens", "1000"));
    assertTrue(err.toString().contains("max tokens must be from 2 to 512"), err.toString());
  }

  @Test
  void shouldExitWithUsageErrorForANegativePenalty() {
    assertEquals(2, run("--l2", "-1"));
    assertTrue(err.toString().contains("l2"), err.toString());
  }

  @Test
  void shouldExitWithUsageErrorForSomethingThatIsNotANumber() {
    assertEquals(2, run("--iterations", "many"));
    assertTrue(err.toString().contains("--iterations"), err.toString());
  }

  @Test
  void shouldRefuseToReplaceADirectoryThatHoldsSomethingOtherThanATeacher(@TempDir Path dir) throws Exception {
    Path notes = Files.writeString(dir.resolve("notes.txt"), "mine");
    assertEquals(2, run("--out", dir.toString()));
    assertTrue(err.toString().contains("with files but no teacher.json"), err.toString());
    assertEquals("mine", Files.readString(notes), "nothing of it touched");
    assertEquals(2, run("--out", notes.toString()));
    assertTrue(err.toString().contains("is a file, not a directory"), err.toString());
  }

  @Test
  void shouldExitWithUsageErrorForAnEncoderThatIsNeitherBundledNorADirectory() {
    assertEquals(2, run("--encoder", "no-such-encoder-dir"));
    assertTrue(err.toString().contains("neither minilm, bge-small nor a directory"), err.toString());
  }
}
