package io.streamdistill.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainerCommandTest {
  @Test
  void shouldExplainEveryPresetInHelp() {
    Run run = run(TrainerCommand.commandLine(), "--help");
    assertEquals(0, run.code());
    assertTrue(run.out().contains("mnist-800") && run.out().contains("mail-ngram") && run.out().contains("--temperature"),
        run.out());
  }

  @Test
  void shouldRefuseAnUnknownStudentWithExitCodeTwo(@TempDir Path dir) {
    Run run = run(TrainerCommand.commandLine(), "--student", "resnet", "--keys", dir.toString(),
        "--bootstrap-servers", "localhost:1", "--schema-registry-url", "http://localhost:1");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("unknown student 'resnet'"), run.err());
  }

  @Test
  void shouldOfferAutoAsTheDefaultStudentInHelp() {
    Run run = run(TrainerCommand.commandLine(), "--help");
    assertTrue(run.out().contains("auto|NAME|FILE.json") && run.out().contains("Default: auto")
        && run.out().contains("fields-mlp") && run.out().contains("--auto-sample"), run.out());
  }

  @Test
  void shouldRefuseABadAutoSampleOrWaitNamingTheFlag(@TempDir Path dir) {
    assertEquals(0, run(KeygenCommand.commandLine(), "--out", dir.toString()).code());
    Run sample = run(TrainerCommand.commandLine(), "--keys", dir.toString(), "--auto-sample", "0",
        "--bootstrap-servers", "localhost:1", "--schema-registry-url", "http://localhost:1");
    assertEquals(2, sample.code());
    assertTrue(sample.err().contains("--auto-sample must be at least 1"), sample.err());
    Run wait = run(TrainerCommand.commandLine(), "--keys", dir.toString(), "--auto-wait", "soon",
        "--bootstrap-servers", "localhost:1", "--schema-registry-url", "http://localhost:1");
    assertEquals(2, wait.code());
    assertTrue(wait.err().contains("--auto-wait"), wait.err());
  }

  @Test
  void shouldRefuseToStartWithoutASigningKey(@TempDir Path dir) {
    Run run = run(TrainerCommand.commandLine(), "--student", "mnist-64", "--keys", dir.resolve("none").toString(),
        "--bootstrap-servers", "localhost:1", "--schema-registry-url", "http://localhost:1");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("./distill keygen"), run.err());
  }

  @Test
  void shouldRefuseABadTemperatureWithExitCodeTwo(@TempDir Path dir) {
    assertEquals(0, run(KeygenCommand.commandLine(), "--out", dir.toString()).code());
    Run run = run(TrainerCommand.commandLine(), "--student", "mnist-64", "--keys", dir.toString(), "--temperature",
        "-1", "--bootstrap-servers", "localhost:1", "--schema-registry-url", "http://localhost:1");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("temperature must be positive"), run.err());
  }

  @Test
  void shouldWriteAKeyPairOnceAndNeverOverwriteIt(@TempDir Path dir) throws Exception {
    Run first = run(KeygenCommand.commandLine(), "--out", dir.toString());
    assertEquals(0, first.code(), first.err());
    assertTrue(Files.readString(dir.resolve(KeygenCommand.PUBLIC_FILE)).startsWith("-----BEGIN PUBLIC KEY-----"));
    String key = Files.readString(dir.resolve(KeygenCommand.PRIVATE_FILE));
    Run second = run(KeygenCommand.commandLine(), "--out", dir.toString());
    assertEquals(1, second.code());
    assertTrue(second.err().contains("not overwriting"), second.err());
    assertEquals(key, Files.readString(dir.resolve(KeygenCommand.PRIVATE_FILE)));
  }

  private record Run(int code, String out, String err) {}

  private static Run run(CommandLine commandLine, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    int code = commandLine.execute(args);
    return new Run(code, out.toString(), err.toString());
  }
}
