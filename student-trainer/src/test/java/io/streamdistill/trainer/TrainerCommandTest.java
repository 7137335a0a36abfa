package io.streamdistill.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class TrainerCommandTest {
  @Test
  void shouldExplainEveryPresetInHelp() {
    Run run = run(TrainerCommand.commandLine(), "--help");
    assertEquals(0, run.code());
    assertTrue(run.out().contains("mnist-800") && run.out().contains("mail-ngram")
        && run.out().contains("--temperature"), run.out());
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
  void shouldTakeAnImageShapeForTheAutoStudentOnly(@TempDir Path dir) {
    assertEquals(0, run(KeygenCommand.commandLine(), "--out", dir.toString()).code());
    Run named = run(TrainerCommand.commandLine(), "--student", "mnist-64", "--image-shape", "28x28", "--keys",
        dir.toString(), "--bootstrap-servers", "localhost:1", "--schema-registry-url", "http://localhost:1");
    assertEquals(2, named.code());
    assertTrue(named.err().contains("--image-shape is for --student auto; the student mnist-64 has its own input"),
        named.err());
    Run help = run(TrainerCommand.commandLine(), "--help");
    assertTrue(help.out().contains("--image-shape=ROWSxCOLS[xCHANNELS]") && help.out().contains("a cnn"),
        help.out());
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

  /** Every setting's error names the flag that sets it, whichever class validates it. */
  @ParameterizedTest
  @CsvSource({"--batch-size,0", "--publish-every,0", "--publish-interval,0s", "--held-out-percent,60",
      "--held-out-window,10", "--restart-after-rejections,-1", "--min-agreement,2", "--tolerance,-0.5",
      "--min-held-out,0", "--prune,1.5", "--max-compression-loss,3", "--learning-rate,0", "--average-weights,1",
      "--replay,-1", "--replay-ratio,9", "--embedding-optimizer,sgd", "--embedding-learning-rate,-1",
      "--dead-letters-max-waiting,0", "--dead-letters-max-wait,0s", "--model-name,a b", "--learning-rate,fast",
      "--image-shape,32x32x"})
  void shouldRefuseABadSettingNamingItsFlag(String flag, String value, @TempDir Path dir) {
    assertEquals(0, run(KeygenCommand.commandLine(), "--out", dir.toString()).code());
    Run run = run(TrainerCommand.commandLine(), "--student", "mnist-64", "--keys", dir.toString(), flag, value,
        "--bootstrap-servers", "localhost:1", "--schema-registry-url", "http://localhost:1");
    assertEquals(2, run.code(), run.err());
    String expected = flag.equals("--held-out-window") ? "--held-out-window (10) must be at least --min-held-out"
        : flag;
    assertTrue(run.err().contains(expected), flag + " " + value + ": " + run.err());
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
