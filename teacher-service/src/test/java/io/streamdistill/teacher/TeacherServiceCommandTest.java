package io.streamdistill.teacher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.teacher.training.TeacherTraining;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The teacher command's argument handling, before anything is loaded or connected. */
class TeacherServiceCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = TeacherServiceCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void shouldExplainTeachersAndOptionsInHelp() {
    assertEquals(0, run("--help"));
    for (String text : new String[] {"--teacher", "mnist", "mail", "teacher.json", "--batch-size", "--max-wait",
        "--label", "uncertain", "--http-port", "--bootstrap-servers", "-X", "exactly_once_v2", "Exit codes"}) {
      assertTrue(out.toString().contains(text), text + " missing from --help");
    }
  }

  @Test
  void shouldNeedATeacher() {
    assertEquals(2, run("--bootstrap-servers", "x:1"));
    assertTrue(err.toString().contains("--teacher"), err.toString());
  }

  @Test
  void shouldRejectABadBatchSizeBeforeLoadingAnything() {
    assertEquals(2, run("--teacher", "mnist", "--batch-size", "0"));
    assertTrue(err.toString().contains("--batch-size must be in [1, 10000]"), err.toString());
  }

  @Test
  void shouldRejectAnUnknownLoadControlMode() {
    assertEquals(2, run("--teacher", "mnist", "--label", "most"));
    assertTrue(err.toString().contains("--label must be all, sample or uncertain"), err.toString());
  }

  @Test
  void shouldRejectAnUnknownTeacherName() {
    assertEquals(2, run("--teacher", "/no/such/teacher", "--bootstrap-servers", "x:1", "--schema-registry-url",
        "http://x:1"));
    assertTrue(err.toString().contains("neither mnist, mail, nor a directory"), err.toString());
  }

  @Test
  void shouldSayABrokerItCannotReachRatherThanRunAndRetry(@TempDir Path dir) {
    List<Example> examples = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      examples.add(new Example("e" + i, null, new float[] {i % 2 == 0 ? 1f : -1f, 0.5f}, i % 2 == 0 ? "a" : "b"));
    }
    Path teacher = TeacherTraining.trainOrReuse(ExampleSource.of("points", examples, List.of("a", "b")),
        TeacherTraining.Options.defaults().withEpochs(1).withHidden(List.of(8)), dir.resolve("teacher"), null);
    long started = System.nanoTime();
    assertEquals(1, run("--teacher", teacher.toString(), "--bootstrap-servers", "127.0.0.1:9",
        "--schema-registry-url", "http://127.0.0.1:9", "--kafka-wait", "3s"));
    long millis = (System.nanoTime() - started) / 1_000_000;
    // It waited for the broker as long as told (a broker restarting would have been ridden out), no longer.
    assertTrue(out.toString().contains("Kafka at 127.0.0.1:9 does not answer yet; waiting up to 3 s"),
        out + "\n" + err);
    assertTrue(err.toString().contains("cannot reach Kafka at 127.0.0.1:9 (waited 3 s)"), err.toString());
    assertTrue(millis >= 3_000, "gave up after " + millis + " ms");
    assertTrue(!out.toString().contains("Teacher service running"), out.toString());
  }
}
